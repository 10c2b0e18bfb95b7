from odoo import api, fields, models

from odoo.addons.customer_tiering.tools import validation

# Numbers checked before they reach the settings' table.
REVISIT_FIELDS = (
    "revisit_grace_days",
    "revisit_birthday_days",
    "revisit_retention_days",
)


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
    revisit_retention_days = fields.Integer(
        related="company_id.revisit_retention_days", readonly=False
    )
    revisit_weekly_summary = fields.Boolean(
        related="company_id.revisit_weekly_summary", readonly=False
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            validation.check_values(
                self,
                {name: value for name, value in vals.items() if name in REVISIT_FIELDS},
            )
        return super().create(vals_list)
