from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class LoyaltyInvoiceMixin(models.AbstractModel):
    """A customer invoice (发票) on request for a counter operation
    (consumption, top-up), at most one per operation.

    The invoice is the operation's sale document: it books the income and
    taxes (a consumption) or the stored value (a top-up) against the
    customer's receivable. The counter session then books that part of the
    operation to the same receivable instead, when it is closed, and
    reconciles it with the invoice: the revenue is booked once. An
    operation of a session already closed and posted is invoiced too: its
    invoice is settled by the requester's open session (see
    loyalty_invoice_settlement.py)."""

    _name = "loyalty.invoice.mixin"
    _description = "Customer Invoice on Request"
    # The account.move field that links an invoice to its operation.
    _loyalty_invoice_field = None

    is_invoiced = fields.Boolean(string="Invoiced", compute="_compute_loyalty_invoice")
    invoice_name = fields.Char(
        string="Customer Invoice", compute="_compute_loyalty_invoice"
    )
    invoice_id = fields.Many2one(
        "account.move",
        compute="_compute_loyalty_invoice",
        groups="account.group_account_invoice",
    )

    def _loyalty_invoices(self):
        """{operation id: its invoice}, whoever may read invoices."""
        if not self.ids:
            return {}
        field = self._loyalty_invoice_field
        moves = (
            self.env["account.move"]
            .sudo()
            .search([(field, "in", self.ids), ("move_type", "=", "out_invoice")])
        )
        return {move[field].id: move for move in moves}

    def _compute_loyalty_invoice(self):
        invoices = self._loyalty_invoices()
        for operation in self:
            invoice = invoices.get(operation.id, self.env["account.move"])
            operation.is_invoiced = bool(invoice)
            operation.invoice_name = invoice.name or False
            operation.invoice_id = invoice.id

    # --- the request ----------------------------------------------------------

    def action_create_invoice(self):
        """Create and post the customer invoice of each of these operations
        (cashiers of their customers, managers); none is created when one
        of them cannot be invoiced."""
        self.env["loyalty.card"]._check_cashier()
        if not self:
            raise UserError(self.env._("Choose what to invoice."))
        self.check_access("read")
        invoices = self.sudo()._loyalty_invoice_create()
        self.invalidate_recordset(["is_invoiced", "invoice_name", "invoice_id"])
        if self.env.user.has_group("account.group_account_invoice"):
            return invoices.with_context(create=False)._get_records_action(
                name=self.env._("Customer Invoices")
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Invoice %(names)s created.",
                    names=", ".join(invoices.mapped("name")),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_open_invoice(self):
        self.ensure_one()
        return self.invoice_id._get_records_action()

    def _loyalty_invoice_create(self):
        """As superuser: lock the operations, check them, create and post
        their invoices."""
        # Two requests for one operation at once: the second one waits here,
        # then finds the first one's invoice.
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id IN %s FOR UPDATE",
                SQL.identifier(self._table),
                tuple(self.ids),
            )
        )
        sessions = self.session_id
        if sessions:
            # A closing in progress waits for the invoices, or makes them fail.
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM loyalty_counter_session WHERE id IN %s FOR SHARE",
                    tuple(sessions.ids),
                )
            )
            sessions.invalidate_recordset(["state"])
        invoiced = self._loyalty_invoices()
        for operation in self:
            operation._loyalty_invoice_check(invoiced)
        Move = self.env["account.move"]
        invoices = Move
        for operation in self:
            company = operation.company_id
            invoice = Move.with_company(company).create(
                operation._loyalty_invoice_values()
            )
            expected = operation._loyalty_invoice_amount()
            if invoice.currency_id.compare_amounts(invoice.amount_total, expected):
                raise UserError(
                    self.env._(
                        "The invoice of %(ref)s would total %(total)s instead of "
                        "%(amount)s (tax rounding): invoice it from Accounting.",
                        ref=operation.name,
                        total=invoice.amount_total,
                        amount=expected,
                    )
                )
            invoice.action_post()
            invoices |= invoice
        return invoices

    def _loyalty_invoice_check(self, invoiced):
        self.ensure_one()
        if self.id in invoiced:
            raise UserError(
                self.env._(
                    "%(ref)s already has its invoice %(invoice)s.",
                    ref=self.name,
                    invoice=invoiced[self.id].name,
                )
            )
        if not self.partner_id:
            raise UserError(
                self.env._("%(ref)s has no customer to invoice.", ref=self.name)
            )
        if not self.session_id:
            raise UserError(
                self.env._(
                    "%(ref)s belongs to no counter session: invoice it from "
                    "Accounting.",
                    ref=self.name,
                )
            )
        if self.currency_id != self.company_id.currency_id:
            raise UserError(
                self.env._(
                    "%(ref)s is not in the currency of %(company)s.",
                    ref=self.name,
                    company=self.company_id.name,
                )
            )

    def _loyalty_invoice_journal(self):
        """The company's sales journal: a customer invoice takes the
        invoices' numbers (the session's entry has a journal of its own)."""
        journal = self.env["account.journal"].search(
            [("company_id", "=", self.company_id.id), ("type", "=", "sale")], limit=1
        )
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no sales journal: install its chart of "
                    "accounts to invoice counter operations.",
                    company=self.company_id.name,
                )
            )
        return journal

    def _loyalty_invoice_base_values(self, lines):
        self.ensure_one()
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.commercial_partner_id.id,
            "company_id": self.company_id.id,
            "journal_id": self._loyalty_invoice_journal().id,
            "invoice_date": fields.Date.context_today(self),
            "invoice_origin": self.name,
            self._loyalty_invoice_field: self.id,
            "invoice_line_ids": [fields.Command.create(line) for line in lines],
        }

    def _loyalty_invoice_values(self):
        """The invoice's values (see the models)."""
        raise NotImplementedError

    def _loyalty_invoice_amount(self):
        """The total the invoice must have."""
        raise NotImplementedError
