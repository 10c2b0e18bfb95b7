from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_followup_days = fields.Integer(
        string="Follow-up Revisit After (days)",
        default=3,
        help="When a ticket closes, a revisit of the customer is planned this many "
        "days later.",
    )
