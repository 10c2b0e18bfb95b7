from odoo import fields, models


class LoyaltyTopupBonus(models.Model):
    """A line of a member programme's bonus table: "top up at least X, get Y"."""

    _name = "loyalty.topup.bonus"
    _description = "Top-up Bonus"
    _order = "program_id, min_amount"

    program_id = fields.Many2one(
        "loyalty.program",
        string="Programme",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    currency_id = fields.Many2one(related="program_id.currency_id")
    min_amount = fields.Monetary(
        string="Top-up of at Least", required=True, currency_field="currency_id"
    )
    bonus_amount = fields.Monetary(
        string="Bonus", required=True, currency_field="currency_id"
    )

    _sql_constraints = [
        (
            "min_amount_positive",
            "CHECK (min_amount > 0)",
            "The top-up amount of a bonus must be positive.",
        ),
        (
            "bonus_amount_positive",
            "CHECK (bonus_amount > 0 AND bonus_amount <= min_amount)",
            "A bonus is positive and at most the amount topped up.",
        ),
        (
            "min_amount_unique",
            "UNIQUE (program_id, min_amount)",
            "Two bonuses of a programme start at the same amount.",
        ),
    ]

    def _bonus_for(self, amount):
        """The bonus of the highest line whose threshold ``amount`` reaches."""
        lines = self.filtered(lambda b: b.min_amount <= amount)
        return max(lines.mapped("bonus_amount") or [0.0])
