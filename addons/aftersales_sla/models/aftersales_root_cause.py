from odoo import fields, models


class AftersalesRootCause(models.Model):
    _name = "aftersales.root.cause"
    _description = "After-sales Complaint Root Cause"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
