from odoo import fields, models


class AftersalesChannel(models.Model):
    _name = "aftersales.channel"
    _description = "After-sales Channel"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Technical key, e.g. phone, email, portal.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_uniq", "unique(code)", "Each channel needs its own code.")
    ]
