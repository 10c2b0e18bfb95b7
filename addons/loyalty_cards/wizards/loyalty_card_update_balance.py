from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_round


class LoyaltyCardUpdateBalance(models.TransientModel):
    """Odoo's balance wizard sets an absolute value computed when it is
    saved, overwriting whatever happened since it was opened. Here it
    applies the difference with the balance the user saw, as a ledger
    movement (never below zero), and member cards need a manager."""

    _inherit = "loyalty.card.update.balance"

    seen_balance = fields.Float(
        readonly=True, help="The balance shown when the wizard was opened."
    )

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        card = self.env["loyalty.card"].browse(defaults.get("card_id"))
        if card.exists():
            defaults["seen_balance"] = card.points
        return defaults

    def action_update_card_point(self):
        self.ensure_one()
        card = self.card_id
        if card.ledger_guarded:
            card._check_manager()
        if self.new_balance < 0 or not float_compare(
            self.new_balance, self.seen_balance, precision_digits=2
        ):
            raise UserError(
                self.env._(
                    "The new balance must be positive and differ from the old one."
                )
            )
        delta = float_round(self.new_balance - self.seen_balance, 2)
        self.env["loyalty.history"]._ledger_post(
            [
                {
                    "card": card.id,
                    "account": "points",
                    "delta": delta,
                    "kind": "adjustment",
                    "description": self.description or self.env._("Gift for customer"),
                }
            ]
        )
