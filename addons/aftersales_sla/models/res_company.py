from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    # KPI targets (percent unless noted), defaults from the industry values of
    # the customer service guidelines (first-contact resolution 85 %, service
    # level 80 %).
    aftersales_target_response = fields.Float(
        string="First Response Compliance Target", default=80.0
    )
    aftersales_target_resolution = fields.Float(
        string="Resolution Compliance Target", default=90.0
    )
    aftersales_target_on_site = fields.Float(
        string="On-site Compliance Target", default=90.0
    )
    aftersales_target_resolution_rate = fields.Float(
        string="Resolution Rate Target", default=95.0
    )
    aftersales_target_fcr = fields.Float(
        string="First-contact Resolution Target", default=85.0
    )
    aftersales_target_satisfaction = fields.Float(
        string="Satisfaction Target", default=90.0
    )
    aftersales_target_handling_hours = fields.Float(
        string="Average Handling Time Target (working hours)", default=16.0
    )
