from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    revisit_manager_id = fields.Many2one(
        "res.users",
        domain="[('share', '=', False)]",
        help="Who is told about this user's missed revisits and about the "
        "customers the user leaves behind; when empty, the revisit managers "
        "of the company.",
    )
