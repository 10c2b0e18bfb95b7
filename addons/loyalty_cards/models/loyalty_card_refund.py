from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.tools import clean_context, float_compare, float_round, format_amount

from odoo.addons.customer_tiering.tools.validation import check_text, valid_id

# Ledger kinds that add bonus to a card, and those that take it back.
BONUS_IN = {"topup_bonus"}
BONUS_OUT = {"refund_bonus"}
PAID_OUT = {"refund"}
# Ledger kinds that give back what a consumption took.
REVERSAL = {"reversal"}


class LoyaltyCardRefund(models.Model):
    """A manager pays unused balance back to the member, with a reason.

    The balance removed first takes back the bonus still unused (never paid
    back in money); the rest is money the customer paid and did not spend,
    paid back by a payment method. Which part of the balance is unused
    follows the programme's rule (``refund_bonus_rule``): purchases use the
    money paid first, or the bonus first. Creating a refund is the
    operation, once per idempotency key, in the manager's counter session
    (whose entry books it); a refund is never changed afterwards."""

    _name = "loyalty.card.refund"
    _inherit = ["loyalty.idempotent.mixin"]
    _description = "Balance Refund"
    _order = "date desc, id desc"

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    card_id = fields.Many2one(
        "loyalty.card",
        string="Member Card",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('is_member_card', '=', True)]",
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    program_id = fields.Many2one(
        related="card_id.program_id", store=True, string="Programme"
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    currency_id = fields.Many2one(related="card_id.currency_id")
    amount = fields.Monetary(
        string="Balance Removed",
        required=True,
        help="Taken off the card's balance: the unused bonus first, then the "
        "money paid back.",
    )
    bonus_taken = fields.Monetary(
        string="Bonus Taken Back",
        readonly=True,
        help="Unused bonus taken off the card, not paid back.",
    )
    amount_paid = fields.Monetary(
        string="Paid Back", readonly=True, help="Money paid back to the customer."
    )
    balance_after = fields.Monetary(readonly=True)
    payment_method_id = fields.Many2one(
        "loyalty.payment.method",
        string="Paid Back By",
        required=True,
        index=True,
        ondelete="restrict",
    )
    session_id = fields.Many2one(
        "loyalty.counter.session",
        string="Counter Session",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    reason = fields.Text(required=True)
    user_id = fields.Many2one(
        "res.users", string="By", readonly=True, default=lambda self: self.env.user
    )
    date = fields.Datetime(readonly=True, default=fields.Datetime.now, index=True)
    # What the form shows before the refund is confirmed.
    card_balance = fields.Monetary(
        string="Balance on the Card", compute="_compute_preview"
    )
    unused_bonus = fields.Monetary(
        string="Unused Bonus on the Card", compute="_compute_preview"
    )
    bonus_preview = fields.Monetary(
        string="Bonus Taken Back (preview)", compute="_compute_preview"
    )
    paid_preview = fields.Monetary(
        string="Paid Back (preview)", compute="_compute_preview"
    )

    _sql_constraints = [
        ("amount_positive", "CHECK (amount > 0)", "A refund is a positive amount."),
        (
            "parts_add_up",
            "CHECK (bonus_taken >= 0 AND amount_paid >= 0 "
            "AND round((bonus_taken + amount_paid)::numeric, 2) "
            "= round(amount::numeric, 2))",
            "A refund is the bonus taken back plus the money paid back.",
        ),
    ]

    @api.depends("card_id", "amount")
    def _compute_preview(self):
        for refund in self:
            card = refund.card_id
            unused = self._refund_unused_bonus(card) if card.is_member_card else 0.0
            amount = min(max(refund.amount or 0.0, 0.0), card.balance)
            bonus = min(amount, unused)
            refund.card_balance = card.balance
            refund.unused_bonus = unused
            refund.bonus_preview = bonus
            refund.paid_preview = float_round(amount - bonus, 2)

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        card = self.env["loyalty.card"].browse(valid_id(defaults.get("card_id")))
        if "amount" in fields_list and card.exists() and not defaults.get("amount"):
            # A refund usually empties the card.
            defaults["amount"] = card.balance
        return defaults

    # --- the operation --------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        Card = self.env["loyalty.card"]
        Card._check_manager()
        records = self.browse()
        for vals in vals_list:
            key, existing = self._idempotency_lookup(vals)
            if existing:
                amount = Card._loyalty_amount(vals.get("amount"), "amount")
                if existing.card_id.id != valid_id(
                    vals.get("card_id")
                ) or float_compare(existing.amount, amount, precision_digits=2):
                    raise self._idempotency_used_elsewhere()
                records |= existing.with_env(self.env)
                continue
            vals = self._refund_prepare(vals, key)
            # The manager's counter session gathers the refund for the books.
            vals["session_id"] = (
                self.env["loyalty.counter.session"]
                ._for_operation(
                    self.env.user,
                    self.env["res.company"].browse(vals["company_id"]),
                    Card.browse(vals["card_id"]).currency_id,
                )
                .id
            )
            # No default of the request's context reaches the record (nor,
            # through the related programme, the card).
            refund = super(
                LoyaltyCardRefund, self.with_context(clean_context(self.env.context))
            ).create([vals])
            refund._refund_post()
            records |= refund.with_env(self.env)
        return records

    def _refund_prepare(self, vals, key):
        """Check a refund request; its values, split into bonus taken back
        and money paid back."""
        Card = self.env["loyalty.card"]
        card = Card.browse(valid_id(vals.get("card_id")))
        try:
            card.check_access("read")
            card.exists().ensure_one()
        except (AccessError, MissingError, ValueError):
            raise UserError(self.env._("No member card has this number.")) from None
        if not card.is_member_card:
            raise UserError(self.env._("This is not a member card."))
        company = card.company_id or self.env.company
        if company != self.env.company:
            raise UserError(
                self.env._(
                    "Card %(card)s belongs to %(company)s: switch to that company "
                    "to refund it.",
                    card=card.display_name,
                    company=company.name,
                )
            )
        currency = card.currency_id or company.currency_id
        amount = currency.round(Card._loyalty_amount(vals.get("amount"), "amount"))
        reason = check_text(
            self.env, vals.get("reason"), self.env._("The reason"), 2000
        )
        if not reason:
            raise UserError(self.env._("Give the reason of the refund."))
        if not (vals.get("payment_method_id") or vals.get("payment_method")):
            raise UserError(self.env._("Choose how the money is paid back."))
        method = self.env["loyalty.payment.method"]._for_counter(vals, company)
        if float_compare(amount, card.balance, precision_digits=2) > 0:
            raise UserError(
                self.env._(
                    "The card's balance is only %(balance)s: a refund cannot "
                    "exceed it.",
                    balance=format_amount(self.env, card.balance, currency),
                )
            )
        bonus = min(amount, self._refund_unused_bonus(card))
        if not self._idempotency_claim(key):
            raise self._idempotency_used_elsewhere()
        # Only what the request may choose; the rest is computed here.
        return {
            "card_id": card.id,
            "payment_method_id": method.id,
            "reason": reason,
            "idempotency_key": key,
            "amount": amount,
            "bonus_taken": bonus,
            "amount_paid": float_round(amount - bonus, 2),
            # The card as this transaction reads it: the ledger's conditional
            # update fails on any concurrent change (see _refund_post).
            "balance_after": float_round(card.balance - amount, 2),
            "partner_id": card.partner_id.id,
            "company_id": company.id,
            "user_id": self.env.uid,
            "date": fields.Datetime.now(),
            "name": self.env["ir.sequence"].sudo().next_by_code("loyalty.card.refund")
            or "/",
        }

    def _refund_post(self):
        """The balance movements of this new refund: bonus taken back, then
        money paid back; and a note on the card."""
        self.ensure_one()
        refund, card, key = self, self.card_id, self.idempotency_key
        entries = []
        if self.bonus_taken:
            entries.append(
                {
                    "card": card.id,
                    "account": "balance",
                    "delta": -self.bonus_taken,
                    "kind": "refund_bonus",
                    "description": self.env._(
                        "Bonus taken back by refund %(ref)s", ref=refund.name
                    ),
                    "key": f"{key}:bonus",
                    "source": refund,
                }
            )
        if self.amount_paid:
            entries.append(
                {
                    "card": card.id,
                    "account": "balance",
                    "delta": -self.amount_paid,
                    "kind": "refund",
                    "description": self.env._("Refund %(ref)s", ref=refund.name),
                    "key": f"{key}:refund",
                    "source": refund,
                }
            )
        values = self.env["loyalty.history"]._ledger_post(
            entries,
            error=self.env._("The card's balance changed meanwhile: try again."),
        )
        if float_compare(
            values[(card.id, "balance")], self.balance_after, precision_digits=2
        ):
            raise UserError(self.env._("The card changed meanwhile: please try again."))
        currency = self.currency_id or self.company_id.currency_id
        card.sudo().message_post(
            body=self.env._(
                "Refund %(ref)s: %(paid)s paid back by %(method)s, %(bonus)s of "
                "unused bonus taken back: %(reason)s",
                ref=refund.name,
                paid=format_amount(self.env, self.amount_paid, currency),
                method=self.payment_method_id.name,
                bonus=format_amount(self.env, self.bonus_taken, currency),
                reason=self.reason,
            )
        )

    @api.model
    def _refund_unused_bonus(self, card):
        """The bonus still on ``card``, by its ledger in order: bonuses add
        to it, refunds take it back, and each other movement that lowers the
        balance uses the money paid first or the bonus first, by the
        programme's rule. Balance a reversal gives back returns to where its
        consumption took it from, bonus first (a reversal never turns bonus
        into money paid). Any other movement that raises the balance counts
        as money paid (opening balances, adjustments)."""
        if not card:
            return 0.0
        card.ensure_one()
        bonus_first = card.program_id.refund_bonus_rule == "bonus_first"
        rows = (
            self.env["loyalty.history"]
            .sudo()
            .search_read(
                [("card_id", "=", card.id), ("account", "=", "balance")],
                ["kind", "delta", "consumption_id"],
                order="id",
            )
        )
        paid = bonus = 0.0
        # Bonus each consumption took from the card, not yet given back.
        bonus_taken = {}
        for row in rows:
            delta, kind = row["delta"], row["kind"]
            consumption = row["consumption_id"] and row["consumption_id"][0]
            if kind in BONUS_IN or kind in BONUS_OUT:
                bonus += delta
            elif kind in REVERSAL and delta > 0 and consumption:
                back = min(bonus_taken.get(consumption, 0.0), delta)
                bonus_taken[consumption] = bonus_taken.get(consumption, 0.0) - back
                bonus += back
                paid += delta - back
            elif delta >= 0 or kind in PAID_OUT:
                paid += delta
            else:
                if bonus_first:
                    used_bonus = min(bonus, -delta)
                else:
                    used_bonus = -delta - min(max(paid, 0.0), -delta)
                used_bonus = min(used_bonus, max(bonus, 0.0))
                bonus -= used_bonus
                paid -= -delta - used_bonus
                if consumption:
                    bonus_taken[consumption] = (
                        bonus_taken.get(consumption, 0.0) + used_bonus
                    )
            paid, bonus = float_round(paid, 2), float_round(max(bonus, 0.0), 2)
        return float_round(max(min(bonus, card.balance), 0.0), 2)

    def write(self, vals):
        if vals:
            raise UserError(self.env._("A refund cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("A refund cannot be deleted."))
