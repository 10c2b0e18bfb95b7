from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    revisit_grace_days = fields.Integer(
        related="company_id.revisit_grace_days", readonly=False
    )
    revisit_birthday_greeting = fields.Boolean(
        related="company_id.revisit_birthday_greeting", readonly=False
    )
    revisit_birthday_days = fields.Integer(
        related="company_id.revisit_birthday_days", readonly=False
    )
    revisit_birthday_template_id = fields.Many2one(
        related="company_id.revisit_birthday_template_id", readonly=False
    )
    revisit_birthday_tier_ids = fields.Many2many(
        related="company_id.revisit_birthday_tier_ids", readonly=False
    )
    revisit_weekly_summary = fields.Boolean(
        related="company_id.revisit_weekly_summary", readonly=False
    )
