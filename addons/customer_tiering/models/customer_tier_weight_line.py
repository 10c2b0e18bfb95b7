from odoo import fields, models


class CustomerTierWeightLine(models.TransientModel):
    """One indicator's weight on the Settings page or in a preview, where all
    weights are edited and saved together."""

    _name = "customer.tier.weight.line"
    _description = "Customer Tier Indicator Weight"
    _order = "sequence, id"

    settings_id = fields.Many2one("res.config.settings", ondelete="cascade")
    preview_id = fields.Many2one("customer.tier.preview", ondelete="cascade")
    indicator_id = fields.Many2one(
        "customer.tier.indicator", required=True, ondelete="cascade", readonly=True
    )
    sequence = fields.Integer(related="indicator_id.sequence")
    indicator_type = fields.Selection(related="indicator_id.indicator_type")
    weight = fields.Float(digits=(5, 2))
