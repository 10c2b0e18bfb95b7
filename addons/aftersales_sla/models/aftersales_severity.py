from odoo import fields, models


class AftersalesSeverity(models.Model):
    _name = "aftersales.severity"
    _description = "After-sales Severity"
    _order = "level, id"

    name = fields.Char(required=True, translate=True)
    level = fields.Integer(
        required=True,
        help="Higher is more severe; escalations raise a ticket to the next level.",
    )
    color = fields.Integer()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("level_uniq", "unique(level)", "Each severity needs its own level.")
    ]

    def _next_level(self):
        """The next more severe level, or this one when it is the highest."""
        self.ensure_one()
        return self.search([("level", ">", self.level)], order="level", limit=1) or self
