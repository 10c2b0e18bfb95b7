"""The invoice of an operation of a closed counter session (发票 asked for
days later): it is posted as any operation's invoice, and settled by the
requester's open counter session, whose closing books the operation's sale
back (a consumption's income and taxes, a top-up's stored value) against
the invoice's receivable and reconciles it: the sale stays booked once."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from .loyalty_counter_session import LoyaltyCounterSession as CounterSessionBase

SETTLEMENT_FIELD = "loyalty_settlement_session_id"


class AccountMove(models.Model):
    # One concept per file: this concept extends the model here.
    # pylint: disable-next=consider-merging-classes-inherited
    _inherit = "account.move"

    loyalty_settlement_session_id = fields.Many2one(
        "loyalty.counter.session",
        string="Settled by Counter Session",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        help="The counter session whose closing settles this invoice of an "
        "operation of a session already closed.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get(SETTLEMENT_FIELD) for vals in vals_list):
            raise UserError(self._loyalty_settlement_guard_message())
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and SETTLEMENT_FIELD in vals:
            raise UserError(self._loyalty_settlement_guard_message())
        return super().write(vals)

    def _loyalty_settlement_guard_message(self):
        return self.env._(
            "The counter session that settles an invoice is set by the invoice "
            "request only."
        )


class LoyaltyInvoiceMixin(models.AbstractModel):
    _inherit = "loyalty.invoice.mixin"

    def _loyalty_invoice_base_values(self, lines):
        values = super()._loyalty_invoice_base_values(lines)
        if self.session_id.state != "open":
            # The operation's sale is in the books: the requester's open
            # session (opened now when there is none) settles the invoice.
            session = self.env["loyalty.counter.session"]._for_operation(
                self.env.user, self.company_id, self.currency_id
            )
            values[SETTLEMENT_FIELD] = session.id
        return values


class LoyaltyConsumption(models.Model):
    _inherit = "loyalty.consumption"

    def _loyalty_invoice_check(self, invoiced):
        res = super()._loyalty_invoice_check(invoiced)
        if self.session_id.state != "open" and self.reversal_ids:
            # Its reversals were booked against the income, not an invoice.
            raise UserError(
                self.env._(
                    "%(ref)s has been reversed since its session was closed: "
                    "invoice what remains of it from Accounting.",
                    ref=self.name,
                )
            )
        return res


class LoyaltyCounterSession(models.Model):
    # One concept per file: this concept extends the model here.
    # pylint: disable-next=consider-merging-classes-inherited
    _inherit = "loyalty.counter.session"

    settlement_invoice_ids = fields.One2many(
        "account.move",
        SETTLEMENT_FIELD,
        string="Invoices Settled",
        readonly=True,
        groups="account.group_account_invoice",
    )
    settlement_count = fields.Integer(
        string="Invoices Settled Count", compute="_compute_settlement"
    )
    settlement_total = fields.Monetary(
        string="Invoices Settled Amount",
        compute="_compute_settlement",
        help="Invoices of operations of sessions already closed, which this "
        "session's closing books against their receivable.",
    )

    def _compute_settlement(self):
        groups = {
            session: (count, total)
            for session, count, total in self.env["account.move"]
            .sudo()
            ._read_group(
                [(SETTLEMENT_FIELD, "in", self.ids), ("state", "=", "posted")],
                [SETTLEMENT_FIELD],
                ["__count", "amount_total:sum"],
            )
        }
        for session in self:
            count, total = groups.get(session._origin, (0, 0.0))
            session.settlement_count = count
            session.settlement_total = total

    def _close_settlement_invoices(self):
        return (
            self.env["account.move"]
            .sudo()
            .search([(SETTLEMENT_FIELD, "in", self.ids), ("state", "=", "posted")])
        )

    def _close_invoices_to_reconcile(self):
        return super()._close_invoices_to_reconcile() | (
            self._close_settlement_invoices()
        )

    def _close_move_lines(self, cash_counted):
        """The session's lines, then for each invoice it settles: the sale
        booked back (a consumption's income and taxes as its session booked
        them, a top-up's stored value) against the invoice's receivable."""
        lines = super()._close_move_lines(cash_counted)
        invoices = self._close_settlement_invoices()
        if not invoices:
            return lines
        currency = self.currency_id
        totals = defaultdict(lambda: [0.0, 0.0, {}])

        def book(key, amount, base=0.0, **values):
            total = totals[key]
            total[0] += amount
            total[1] += base
            total[2].update(values)

        def book_sale_back(key, amount, base=0.0, **values):
            # The mirror of the sale only: what paid it was booked with it.
            if key[0] in ("income", "tax"):
                book(key, -amount, -base, **values)

        for invoice in invoices:
            consumption, topup = (
                invoice.loyalty_consumption_id,
                invoice.loyalty_topup_id,
            )
            if consumption:
                # The sale as a session books it without an invoice.
                CounterSessionBase._close_consumption_lines(
                    self, consumption, book_sale_back
                )
            elif topup:
                program = topup.program_id
                account = self._close_account(program, "stored_value_account_id")
                book(
                    ("stored_value", account.id, program.id),
                    topup.amount,
                    name=self.env._("Member card stored value"),
                    account_id=account.id,
                    loyalty_program_id=program.id,
                )
            else:
                continue
            self._close_book_invoiced(invoice, book)
        for balance, base, values in totals.values():
            balance = currency.round(balance)
            if currency.is_zero(balance):
                continue
            if values.get("display_type") == "tax":
                values["tax_base_amount"] = currency.round(abs(base))
            lines.append(
                {
                    **values,
                    "debit": balance if balance > 0 else 0.0,
                    "credit": -balance if balance < 0 else 0.0,
                }
            )
        return lines
