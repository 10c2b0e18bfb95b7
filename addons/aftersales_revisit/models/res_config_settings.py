from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Revisit plans take revisits at most three years ahead: a longer delay would
# stop every ticket from closing (the tests close a ticket at this delay).
MAX_FOLLOWUP_DAYS = 3 * 365


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aftersales_followup_days = fields.Integer(
        related="company_id.aftersales_followup_days", readonly=False
    )

    @api.constrains("aftersales_followup_days")
    def _check_aftersales_followup_days(self):
        for settings in self:
            if settings.aftersales_followup_days < 0:
                raise ValidationError(
                    self.env._("The follow-up delay cannot be negative.")
                )
            if settings.aftersales_followup_days > MAX_FOLLOWUP_DAYS:
                raise ValidationError(
                    self.env._(
                        "The follow-up delay is at most %(max)s days.",
                        max=MAX_FOLLOWUP_DAYS,
                    )
                )
