import uuid

from odoo import api, fields, models


class LoyaltyConsumptionReverse(models.TransientModel):
    """The *Reverse* dialog of a consumption: in full or an amount, with a
    reason; it only calls the counter's one reversal entry point."""

    _name = "loyalty.consumption.reverse"
    _description = "Reverse a Consumption"

    consumption_id = fields.Many2one(
        "loyalty.consumption", required=True, readonly=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="consumption_id.currency_id")
    reversible_amount = fields.Monetary(related="consumption_id.reversible_amount")
    full = fields.Boolean(
        string="Reverse All", default=True, help="Reverse all that remains."
    )
    amount = fields.Monetary(
        string="Amount to Reverse", help="A part of the consumption's net amount."
    )
    reason = fields.Char(required=True)
    is_manager = fields.Boolean(compute="_compute_is_manager")
    accept_shortfall = fields.Boolean(
        help="When the customer already spent the points this purchase earned, "
        "reverse anyway: the points missing are a loss.",
    )
    idempotency_key = fields.Char(
        default=lambda self: f"reverse-{uuid.uuid4().hex}", readonly=True
    )

    @api.depends_context("uid")
    def _compute_is_manager(self):
        self.is_manager = self.env.user.has_group("loyalty_cards.group_loyalty_manager")

    def action_reverse(self):
        self.ensure_one()
        self.env["loyalty.counter"].reverse(
            {
                "consumption_id": self.consumption_id.id,
                "full": self.full,
                "amount": False if self.full else self.amount,
                "reason": self.reason,
                "accept_shortfall": self.accept_shortfall,
                "idempotency_key": self.idempotency_key,
            }
        )
        return {"type": "ir.actions.act_window_close"}
