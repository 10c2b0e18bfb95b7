import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# A year of working time round the clock.
MAX_HANDLING_HOURS = 366 * 24
KPI_TARGETS = (
    "aftersales_target_response",
    "aftersales_target_resolution",
    "aftersales_target_on_site",
    "aftersales_target_resolution_rate",
    "aftersales_target_fcr",
    "aftersales_target_satisfaction",
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aftersales_target_response = fields.Float(
        related="company_id.aftersales_target_response", readonly=False
    )
    aftersales_target_resolution = fields.Float(
        related="company_id.aftersales_target_resolution", readonly=False
    )
    aftersales_target_on_site = fields.Float(
        related="company_id.aftersales_target_on_site", readonly=False
    )
    aftersales_target_resolution_rate = fields.Float(
        related="company_id.aftersales_target_resolution_rate", readonly=False
    )
    aftersales_target_fcr = fields.Float(
        related="company_id.aftersales_target_fcr", readonly=False
    )
    aftersales_target_satisfaction = fields.Float(
        related="company_id.aftersales_target_satisfaction", readonly=False
    )
    aftersales_target_handling_hours = fields.Float(
        related="company_id.aftersales_target_handling_hours", readonly=False
    )

    @api.constrains("aftersales_target_handling_hours", *KPI_TARGETS)
    def _check_aftersales_targets(self):
        for settings in self:
            if settings.aftersales_target_handling_hours < 0:
                raise ValidationError(
                    self.env._("The handling time target cannot be negative.")
                )
            handling = settings.aftersales_target_handling_hours
            if not math.isfinite(handling) or handling > MAX_HANDLING_HOURS:
                raise ValidationError(
                    self.env._(
                        "The handling time target is at most %(max)s working hours.",
                        max=MAX_HANDLING_HOURS,
                    )
                )
            if any(not 0 <= settings[fname] <= 100 for fname in KPI_TARGETS):
                raise ValidationError(
                    self.env._("KPI targets are percentages from 0 to 100.")
                )
