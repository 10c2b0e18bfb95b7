from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.tools import float_compare, float_round

from odoo.addons.customer_tiering.tools.validation import check_text, valid_id


class LoyaltyTopup(models.Model):
    """Money a member pays onto the balance of the card, with the bonus of
    the programme's bonus table.

    Creating a top-up is the operation: ``create`` checks the card, adds
    the amount and the bonus to the balance with their ledger rows, and
    returns the earlier top-up when the idempotency key was seen before.
    Top-ups are never changed afterwards.
    """

    _name = "loyalty.topup"
    _inherit = ["loyalty.idempotent.mixin"]
    _description = "Card Top-up"
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
        string="Amount Paid", required=True, help="What the customer pays."
    )
    payment_method_id = fields.Many2one(
        "loyalty.payment.method",
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
    bonus = fields.Monetary(
        readonly=True, help="Added by the programme's bonus table (not paid)."
    )
    total = fields.Monetary(
        string="Added to Balance", compute="_compute_total", store=True
    )
    balance_after = fields.Monetary(readonly=True)
    bonus_preview = fields.Monetary(
        string="Bonus (preview)", compute="_compute_bonus_preview"
    )
    cashier_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user
    )
    date = fields.Datetime(readonly=True, default=fields.Datetime.now, index=True)
    note = fields.Char()

    _sql_constraints = [
        ("amount_positive", "CHECK (amount > 0)", "A top-up is a positive amount."),
        ("bonus_not_negative", "CHECK (bonus >= 0)", "A bonus cannot be negative."),
    ]

    @api.depends("amount", "bonus")
    def _compute_total(self):
        for topup in self:
            topup.total = topup.amount + topup.bonus

    @api.depends("amount", "card_id")
    def _compute_bonus_preview(self):
        for topup in self:
            topup.bonus_preview = (
                topup.card_id.program_id.topup_bonus_ids._bonus_for(topup.amount)
                if topup.amount and topup.amount > 0
                else 0.0
            )

    @api.model_create_multi
    def create(self, vals_list):
        Card = self.env["loyalty.card"]
        Card._check_cashier()
        records = self.browse()
        for vals in vals_list:
            if not isinstance(vals, dict):
                raise UserError(self.env._("Nothing to top up."))
            key, existing = self._idempotency_lookup(vals)
            if existing:
                amount = Card._loyalty_amount(vals.get("amount"), "amount")
                if existing.card_id.id != valid_id(
                    vals.get("card_id")
                ) or float_compare(existing.amount, amount, precision_digits=2):
                    raise self._idempotency_used_elsewhere()
                records |= existing.with_env(self.env)
                continue
            vals = self._topup_prepare(vals, key)
            # The cashier's counter session gathers the top-up for the books.
            vals["session_id"] = (
                self.env["loyalty.counter.session"]
                ._for_operation(
                    self.env.user,
                    self.env["res.company"].browse(vals["company_id"])
                    or self.env.company,
                    Card.browse(vals["card_id"]).currency_id,
                )
                .id
            )
            topup = super().create([vals])
            topup._topup_post()
            records |= topup
        return records

    def _topup_prepare(self, vals, key):
        """Check a top-up request; its values, bonus included."""
        Card = self.env["loyalty.card"]
        card = Card.browse(valid_id(vals.get("card_id")))
        try:
            card.check_access("read")
            card.exists().ensure_one()
        except (AccessError, MissingError, ValueError):
            raise UserError(self.env._("No member card has this number.")) from None
        card._member_check_usable()
        program = card.program_id
        if not program.member_allow_topup:
            raise UserError(
                self.env._(
                    "Cards of programme %(program)s cannot be topped up.",
                    program=program.name,
                )
            )
        method = self.env["loyalty.payment.method"]._for_counter(
            vals, card.company_id or self.env.company
        )
        currency = card.currency_id
        amount = Card._loyalty_amount(vals.get("amount"), "amount", currency=currency)
        bonus = currency.round(program.topup_bonus_ids._bonus_for(amount))
        program._stored_value_check_topup(card, amount, bonus)
        if not self._idempotency_claim(key):
            raise self._idempotency_used_elsewhere()
        # Only what the request may choose; the rest is computed here.
        return {
            "card_id": card.id,
            "payment_method_id": method.id,
            "note": check_text(self.env, vals.get("note"), self.env._("The note"), 200)
            or False,
            "idempotency_key": key,
            "amount": amount,
            "bonus": bonus,
            # The card as this transaction reads it: the ledger's conditional
            # update fails on any concurrent change (see _topup_post).
            "balance_after": float_round(card.balance + amount + bonus, 2),
            "partner_id": card.partner_id.id,
            "company_id": card.company_id.id,
            "cashier_id": self.env.uid,
            "date": fields.Datetime.now(),
            "name": self.env["ir.sequence"].sudo().next_by_code("loyalty.topup") or "/",
        }

    def _topup_post(self):
        """The balance movements of this new top-up: amount and bonus."""
        self.ensure_one()
        topup, card, key = self, self.card_id, self.idempotency_key
        amount, bonus = self.amount, self.bonus
        entries = [
            {
                "card": card.id,
                "account": "balance",
                "delta": amount,
                "kind": "topup",
                "description": self.env._("Top-up %(ref)s", ref=topup.name),
                "key": f"{key}:topup",
                "source": topup,
            }
        ]
        if bonus:
            entries.append(
                {
                    "card": card.id,
                    "account": "balance",
                    "delta": bonus,
                    "kind": "topup_bonus",
                    "description": self.env._("Top-up bonus %(ref)s", ref=topup.name),
                    "key": f"{key}:bonus",
                    "source": topup,
                }
            )
        values = self.env["loyalty.history"]._ledger_post(entries)
        if float_compare(
            values[(card.id, "balance")], self.balance_after, precision_digits=2
        ):
            raise UserError(self.env._("The card changed meanwhile: please try again."))

    def write(self, vals):
        if set(vals) - {"note"}:
            raise UserError(self.env._("A top-up cannot be changed."))
        if "note" in vals:
            vals = {
                "note": check_text(self.env, vals["note"], self.env._("The note"), 200)
                or False
            }
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("A top-up cannot be deleted."))
