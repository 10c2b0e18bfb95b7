from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CustomerTier(models.Model):
    _inherit = "customer.tier"

    aftersales_fee_policy = fields.Selection(
        [("free", "Free"), ("discounted", "Discounted"), ("charged", "Charged")],
        string="After-sales Fees",
        default="charged",
        help="How after-sales labour and parts are invoiced to customers of this tier.",
    )
    aftersales_fee_discount = fields.Float(
        string="After-sales Discount (%)", digits="Discount"
    )

    @api.constrains("aftersales_fee_discount")
    def _check_aftersales_fee_discount(self):
        for tier in self:
            if not 0 <= tier.aftersales_fee_discount <= 100:
                raise ValidationError(
                    self.env._("The after-sales discount must lie between 0 and 100%%.")
                )
