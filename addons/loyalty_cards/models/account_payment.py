from odoo import api, fields, models
from odoo.exceptions import UserError


class AccountPayment(models.Model):
    """A customer payment on the member card journal is paid from a member
    card's balance: the card's programme's stored value account is its
    outstanding account (debited), the customer's receivable is credited,
    and the card's balance goes down by the same amount through the ledger
    (kind "invoice_payment", one row per payment) before the entry is
    posted. Only Register Payment, with the customer's PIN or a loyalty
    manager's approval, posts such a payment (see account.payment.register);
    once posted it is never cancelled nor reset to draft."""

    _inherit = "account.payment"

    loyalty_card_id = fields.Many2one(
        "loyalty.card",
        string="Member Card",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The member card whose balance paid this payment.",
    )
    loyalty_member_card_journal = fields.Boolean(
        related="journal_id.loyalty_member_card"
    )

    @api.depends("loyalty_card_id")
    def _compute_outstanding_account_id(self):
        res = super()._compute_outstanding_account_id()
        for payment in self.filtered("loyalty_card_id"):
            payment.outstanding_account_id = (
                payment.loyalty_card_id.program_id.with_company(
                    payment.company_id
                ).stored_value_account_id
            )
        return res

    def _get_valid_liquidity_accounts(self):
        accounts = super()._get_valid_liquidity_accounts()
        if self.loyalty_card_id:
            accounts |= self.outstanding_account_id
        return accounts

    def _prepare_move_line_default_vals(
        self, write_off_line_vals=None, force_balance=None
    ):
        lines = super()._prepare_move_line_default_vals(
            write_off_line_vals=write_off_line_vals, force_balance=force_balance
        )
        if self.loyalty_card_id:
            # The stored value line counts in the books against the cards.
            lines[0]["loyalty_program_id"] = self.loyalty_card_id.program_id.id
        return lines

    def _loyalty_ledger_key(self):
        self.ensure_one()
        return f"invoice_payment-{self.id}"

    def _loyalty_post_card_payments(self):
        """Take the amounts of these draft member card payments from their
        cards' balances (one ledger row per payment, idempotent), in the
        caller's transaction; a balance too low refuses them all."""
        payments = self.filtered("loyalty_card_id")
        if not payments:
            return {}
        Ledger = self.env["loyalty.history"].sudo()
        done = set(
            Ledger.search(
                [
                    (
                        "idempotency_key",
                        "in",
                        [p._loyalty_ledger_key() for p in payments],
                    )
                ]
            ).mapped("idempotency_key")
        )
        entries = [
            {
                "card": payment.loyalty_card_id.id,
                "account": "balance",
                "delta": -payment.amount,
                "kind": "invoice_payment",
                "description": self.env._(
                    "Paid invoice: %(ref)s", ref=payment.memo or payment.name
                ),
                "key": payment._loyalty_ledger_key(),
                "source": payment,
            }
            for payment in payments
            if payment._loyalty_ledger_key() not in done
        ]
        return Ledger._ledger_post(
            entries,
            error=self.env._("The member card's balance is too low to pay this."),
        )

    def _loyalty_check_posting(self):
        """Refuse to post a member card journal entry that the card's ledger
        does not carry: the payment must have its ledger row, for its
        amount, on the stored value account of its card's programme."""
        for payment in self:
            card = payment.loyalty_card_id
            if not card:
                raise UserError(
                    self.env._(
                        "Payments on the member card journal are registered from "
                        "an invoice (Register Payment) with the member card and "
                        "the customer's PIN."
                    )
                )
            row = (
                self.env["loyalty.history"]
                .sudo()
                .search(
                    [("idempotency_key", "=", payment._loyalty_ledger_key())], limit=1
                )
            )
            stored_value = card.program_id.with_company(
                payment.company_id
            ).stored_value_account_id
            lines = payment.move_id.line_ids.filtered(
                lambda line, account=stored_value: line.account_id == account
            )
            booked = sum(lines.mapped("balance"))
            if (
                not row
                or row.card_id != card
                or payment.payment_type != "inbound"
                or payment.currency_id != payment.company_id.currency_id
                or payment.currency_id.compare_amounts(-row.delta, payment.amount)
                or payment.currency_id.compare_amounts(booked, payment.amount)
                or lines.loyalty_program_id != card.program_id
            ):
                raise UserError(
                    self.env._(
                        "Payment %(payment)s does not match the movement of member "
                        "card %(card)s: it cannot be posted.",
                        payment=payment.display_name,
                        card=card.display_name,
                    )
                )

    def _loyalty_check_undo(self):
        if self.filtered(lambda p: p.loyalty_card_id and p.state != "draft"):
            raise UserError(
                self.env._(
                    "A payment from a member card cannot be cancelled or reset to "
                    "draft: the card's balance paid it. Issue a credit note and "
                    "give the amount back to the card instead."
                )
            )

    def action_draft(self):
        self._loyalty_check_undo()
        return super().action_draft()

    def action_cancel(self):
        self._loyalty_check_undo()
        return super().action_cancel()

    def write(self, vals):
        if "loyalty_card_id" in vals and not self.env.su:
            raise UserError(
                self.env._("The member card of a payment cannot be changed.")
            )
        return super().write(vals)
