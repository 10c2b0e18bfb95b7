from odoo import fields, models


class AftersalesTicketType(models.Model):
    _name = "aftersales.ticket.type"
    _description = "After-sales Ticket Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    is_complaint = fields.Boolean(
        string="Complaint",
        help="Complaints ask for a root cause and a corrective action before they "
        "close.",
    )
    default_service_mode = fields.Selection(
        [("remote", "Remote"), ("on_site", "On site")], default="remote", required=True
    )
    active = fields.Boolean(default=True)
