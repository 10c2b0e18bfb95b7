from odoo import fields, models


class LoyaltyPinAdmin(models.TransientModel):
    """A manager unlocks member cards locked by wrong PINs, or resets their
    PIN so that the customer chooses a new one; the reason is logged on
    each card."""

    _name = "loyalty.pin.admin"
    _description = "Unlock or Reset a Card PIN"

    card_ids = fields.Many2many(
        "loyalty.card", string="Cards", required=True, readonly=True
    )
    action = fields.Selection(
        [
            ("unlock", "Unlock: clear the wrong PINs and the lock"),
            ("reset", "Reset: erase the PIN; the customer sets a new one"),
        ],
        required=True,
        default="unlock",
    )
    reason = fields.Char(required=True)

    def action_apply(self):
        self.ensure_one()
        self.card_ids._pin_admin(self.action, self.reason)
        return {"type": "ir.actions.act_window_close"}
