from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CustomerTierIndicatorBand(models.Model):
    _name = "customer.tier.indicator.band"
    _description = "Customer Tier Indicator Band"
    _order = "indicator_id, threshold"

    indicator_id = fields.Many2one(
        "customer.tier.indicator", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="indicator_id.company_id", store=True)
    threshold = fields.Float(
        string="From",
        help="A raw value reaching this threshold earns the band's points, "
        "unless it reaches a higher threshold.",
    )
    points = fields.Float(digits=(5, 2), help="Points earned, from 0 to 100.")

    @api.constrains("threshold", "points", "indicator_id")
    def _check_band(self):
        for band in self:
            if band.threshold < 0:
                raise ValidationError(
                    self.env._(
                        "Band thresholds cannot be negative (indicator %(indicator)s).",
                        indicator=band.indicator_id.name,
                    )
                )
            if not 0 <= band.points <= 100:
                raise ValidationError(
                    self.env._(
                        "Band points must lie between 0 and 100 "
                        "(indicator %(indicator)s).",
                        indicator=band.indicator_id.name,
                    )
                )
        for indicator in self.indicator_id:
            thresholds = indicator.band_ids.mapped("threshold")
            if len(thresholds) != len(set(thresholds)):
                raise ValidationError(
                    self.env._(
                        "The bands of indicator %(indicator)s overlap: two bands start "
                        "at the same threshold.",
                        indicator=indicator.name,
                    )
                )
