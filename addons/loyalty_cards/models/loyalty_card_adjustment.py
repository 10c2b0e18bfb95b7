from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.tools import float_compare, float_round

from odoo.addons.customer_tiering.tools.validation import check_text, valid_id

from .loyalty_history import ACCOUNTS


class LoyaltyCardAdjustment(models.Model):
    """A manager's correction of a card's points or balance: a signed change
    with its reason, never a new absolute value (which would silently undo
    what happened meanwhile). Creating one applies it, once per
    idempotency key; it is never changed afterwards."""

    _name = "loyalty.card.adjustment"
    _inherit = ["loyalty.idempotent.mixin"]
    _description = "Card Adjustment"
    _order = "date desc, id desc"
    _rec_name = "card_id"

    card_id = fields.Many2one(
        "loyalty.card",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('ledger_guarded', '=', True)]",
    )
    partner_id = fields.Many2one(related="card_id.partner_id", string="Customer")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    currency_id = fields.Many2one(related="card_id.currency_id")
    account = fields.Selection(ACCOUNTS, required=True, default="points")
    delta = fields.Float(
        string="Change",
        digits=(16, 2),
        required=True,
        help="Added to the card (negative: taken off).",
    )
    reason = fields.Text(required=True)
    value_after = fields.Float(digits=(16, 2), readonly=True)
    user_id = fields.Many2one(
        "res.users", string="By", readonly=True, default=lambda self: self.env.user
    )
    date = fields.Datetime(readonly=True, default=fields.Datetime.now)

    _sql_constraints = [
        ("delta_not_zero", "CHECK (delta <> 0)", "An adjustment changes something."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        Card = self.env["loyalty.card"]
        Card._check_manager()
        records = self.browse()
        for vals in vals_list:
            key, existing = self._idempotency_lookup(vals)
            if existing:
                records |= existing._adjust_replay(vals)
                continue
            vals = self._adjust_prepare(vals, key)
            adjustment = super().create([vals])
            adjustment._adjust_post()
            records |= adjustment
        return records

    def _adjust_replay(self, vals):
        """The adjustment an earlier request with the same key made, when this
        request asks for the same one (card, account and change); an error
        otherwise, and for an adjustment the user may not read."""
        self.ensure_one()
        try:
            delta = self.env["loyalty.history"]._ledger_check_delta(vals.get("delta"))
        except UserError:
            delta = None
        same = (
            valid_id(vals.get("card_id")) == self.card_id.id
            and (vals.get("account") or "points") == self.account
            and delta is not None
            and float_compare(delta, self.delta, precision_digits=2) == 0
        )
        if not same:
            raise self._idempotency_used_elsewhere()
        existing = self.with_env(self.env)
        try:
            existing.check_access("read")
        except AccessError:
            raise self._idempotency_used_elsewhere() from None
        return existing

    def _adjust_prepare(self, vals, key):
        """Check an adjustment request; its values."""
        History = self.env["loyalty.history"]
        card = self.env["loyalty.card"].browse(valid_id(vals.get("card_id")))
        try:
            card.check_access("read")
            card.exists().ensure_one()
        except (AccessError, MissingError, ValueError):
            raise UserError(self.env._("Choose the card to adjust.")) from None
        if not card.ledger_guarded:
            raise UserError(
                self.env._("Only member cards and issued coupons are adjusted here.")
            )
        if card.company_id and card.company_id != self.env.company:
            raise UserError(
                self.env._(
                    "Card %(card)s belongs to %(company)s: switch to that company "
                    "to adjust it.",
                    card=card.display_name,
                    company=card.company_id.name,
                )
            )
        account = vals.get("account") or "points"
        if not isinstance(account, str) or account not in dict(ACCOUNTS):
            raise UserError(self.env._("Adjust the points or the balance."))
        delta = History._ledger_check_delta(vals.get("delta"))
        if not delta:
            raise UserError(self.env._("An adjustment changes something."))
        reason = check_text(
            self.env, vals.get("reason"), self.env._("The reason"), 2000
        )
        if not reason:
            raise UserError(self.env._("Give the reason of the adjustment."))
        if account == "balance" and card.is_member_card:
            card.program_id._stored_value_check_balance(card, delta)
        if not self._idempotency_claim(key):
            raise self._idempotency_used_elsewhere()
        # Only what the request may choose; the rest is computed here.
        return {
            "card_id": card.id,
            "idempotency_key": key,
            "account": account,
            "delta": delta,
            "reason": reason,
            # The card as this transaction reads it: the ledger's conditional
            # update fails on any concurrent change (see _adjust_post).
            "value_after": float_round(card[account] + delta, 2),
            "company_id": card.company_id.id,
            "user_id": self.env.uid,
            "date": fields.Datetime.now(),
        }

    def _adjust_post(self):
        """The movement of this new adjustment, and a note on the card."""
        self.ensure_one()
        adjustment, card, key = self, self.card_id, self.idempotency_key
        account, delta, reason = self.account, self.delta, self.reason
        values = self.env["loyalty.history"]._ledger_post(
            [
                {
                    "card": card.id,
                    "account": account,
                    "delta": delta,
                    "kind": "adjustment",
                    "description": self.env._("Adjustment: %(reason)s", reason=reason),
                    "key": f"{key}:adjustment",
                    "source": adjustment,
                }
            ]
        )
        if float_compare(
            values[(card.id, account)], self.value_after, precision_digits=2
        ):
            raise UserError(self.env._("The card changed meanwhile: please try again."))
        labels = dict(self._fields["account"]._description_selection(self.env))
        signed = f"{delta:+,.2f}"
        card.sudo().message_post(
            body=self.env._(
                "%(account)s adjusted by %(delta)s: %(reason)s",
                account=labels[account],
                delta=signed,
                reason=reason,
            )
        )

    def write(self, vals):
        if vals:
            raise UserError(self.env._("An adjustment cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("An adjustment cannot be deleted."))
