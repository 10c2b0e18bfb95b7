from odoo import fields, models

STAGE_KINDS = [
    ("new", "New"),
    ("in_progress", "In progress"),
    ("waiting", "Waiting on customer"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
OPEN_KINDS = ("new", "in_progress", "waiting")


class AftersalesStage(models.Model):
    _name = "aftersales.stage"
    _description = "After-sales Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(string="Folded in Kanban")
    kind = fields.Selection(
        STAGE_KINDS,
        required=True,
        default="in_progress",
        help="What the stage means for service levels: Waiting on customer pauses "
        "them, Resolved reaches the resolution target, Closed asks for a rating.",
    )
    team_ids = fields.Many2many(
        "aftersales.team",
        string="Teams",
        help="Leave empty to use the stage in every team.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email on Entry",
        domain="[('model', '=', 'aftersales.ticket')]",
        help="Sent to the customer when a ticket enters this stage.",
    )
    rating_request = fields.Boolean(
        string="Ask for a Rating",
        help="When a ticket enters this stage, email the customer a rating request.",
    )
    description = fields.Text(translate=True)
