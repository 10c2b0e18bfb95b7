from collections import defaultdict

from odoo import models
from odoo.exceptions import UserError


class LoyaltyCounterSession(models.Model):
    """The closing of a session with invoiced operations: what an invoice
    booked (a consumption's income and taxes, a top-up's stored value) is
    booked to the invoice's receivable instead, and reconciled with the
    invoice, so that nothing is booked twice."""

    _inherit = "loyalty.counter.session"

    def action_create_invoices(self):
        """Invoice every operation of this open session that has a customer
        and no invoice yet."""
        self.ensure_one()
        self.check_access("read")
        consumptions = self.consumption_ids.filtered(
            lambda c: c.partner_id and not c.is_invoiced
        )
        topups = self.topup_ids.filtered(lambda t: t.partner_id and not t.is_invoiced)
        if not consumptions and not topups:
            raise UserError(self.env._("Nothing left to invoice in this session."))
        actions = [
            records.action_create_invoice()
            for records in (consumptions, topups)
            if records
        ]
        return actions[-1]

    def _close_invoiced(self):
        """{'consumption': {consumption: invoice}, 'topup': {topup: invoice}}."""
        result = {}
        for key, operations in (
            ("consumption", self.consumption_ids),
            ("topup", self.topup_ids),
        ):
            invoices = operations._loyalty_invoices()
            result[key] = {
                op: invoices[op.id] for op in operations if op.id in invoices
            }
        return result

    @staticmethod
    def _close_invoice_receivable(invoice):
        return invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )

    def _close_book_invoiced(self, invoice, book, amount=None):
        line = self._close_invoice_receivable(invoice)
        book(
            ("invoiced", line.account_id[:1].id, invoice.commercial_partner_id.id),
            -(invoice.amount_total if amount is None else amount),
            name=self.env._("Invoiced counter operations"),
            account_id=line.account_id[:1].id,
            partner_id=invoice.commercial_partner_id.id,
        )

    def _close_consumptions_lines(self, consumptions, book):
        # The invoiced ones one by one (see below), the others set-based.
        invoices = consumptions._loyalty_invoices()
        invoiced = consumptions.filtered(lambda c: c.id in invoices)
        for consumption in invoiced:
            self._close_consumption_lines(consumption, book)
        return super()._close_consumptions_lines(consumptions - invoiced, book)

    def _close_consumption_lines(self, consumption, book):
        # A reversal is booked as the mirror of its consumption: of an
        # invoiced one, on the invoice's receivable (the credit note of the
        # invoice then settles it), not on the income the invoice booked.
        reversal = consumption._name == "loyalty.consumption.reversal"
        source = consumption.consumption_id if reversal else consumption
        invoice = source._loyalty_invoices().get(source.id)
        if not invoice:
            return super()._close_consumption_lines(consumption, book)

        def book_payments(key, amount, base=0.0, **values):
            # The invoice booked the income and the taxes.
            if key[0] not in ("income", "tax"):
                book(key, amount, base, **values)

        super()._close_consumption_lines(consumption, book_payments)
        self._close_book_invoiced(
            invoice, book, consumption.net_amount if reversal else None
        )

    def _close_move_lines(self, cash_counted):
        lines = super()._close_move_lines(cash_counted)
        invoiced = self._close_invoiced()["topup"]
        if not invoiced:
            return lines
        # The invoices booked the top-ups' amounts paid on the stored value:
        # the session books them to the receivable instead.
        paid = defaultdict(float)
        for topup in invoiced:
            account = self._close_account(topup.program_id, "stored_value_account_id")
            paid[(account.id, topup.program_id.id)] += topup.amount
        for line in lines:
            key = (line.get("account_id"), line.get("loyalty_program_id"))
            if key in paid:
                balance = line["debit"] - line["credit"] + paid.pop(key)
                line["debit"], line["credit"] = max(balance, 0.0), max(-balance, 0.0)
        for (account_id, program_id), amount in paid.items():
            # The session's stored value came to zero without the invoices.
            lines.append(
                {
                    "name": self.env._("Member card stored value"),
                    "account_id": account_id,
                    "loyalty_program_id": program_id,
                    "debit": amount,
                    "credit": 0.0,
                }
            )
        totals = {}

        def book(key, amount, base=0.0, **values):
            totals.setdefault(key, [0.0, values])[0] += amount

        for invoice in invoiced.values():
            self._close_book_invoiced(invoice, book)
        currency = self.currency_id
        for balance, values in totals.values():
            balance = currency.round(balance)
            lines.append(
                {
                    **values,
                    "debit": max(balance, 0.0),
                    "credit": max(-balance, 0.0),
                }
            )
        return [
            line
            for line in lines
            if not currency.is_zero(line["debit"])
            or not currency.is_zero(line["credit"])
        ]

    def _close_invoices_to_reconcile(self):
        """The invoices whose receivable this session's entry settles."""
        invoiced = self._close_invoiced()
        return self.env["account.move"].union(
            *invoiced["consumption"].values(), *invoiced["topup"].values()
        )

    def _close(self, cash_counted=None):
        res = super()._close(cash_counted)
        invoices = self._close_invoices_to_reconcile()
        if invoices and self.move_id:
            for partner, partner_invoices in invoices.grouped(
                "commercial_partner_id"
            ).items():
                receivable = partner_invoices.line_ids.filtered(
                    lambda line: line.display_type == "payment_term"
                )
                session_lines = self.move_id.line_ids.filtered(
                    lambda line, partner=partner, accounts=receivable.account_id: (
                        line.partner_id == partner and line.account_id in accounts
                    )
                )
                for account in receivable.account_id:
                    (receivable | session_lines).filtered(
                        lambda line, account=account: (
                            line.account_id == account and not line.reconciled
                        )
                    ).reconcile()
        return res
