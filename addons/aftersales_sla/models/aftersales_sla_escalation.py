from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .aftersales_sla_policy import TARGETS


class AftersalesSlaEscalation(models.Model):
    """One step a policy takes when a target is at risk or missed. Each step
    runs once per ticket target (``aftersales.sla.escalation.log``)."""

    _name = "aftersales.sla.escalation"
    _description = "After-sales Escalation Step"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one(
        "aftersales.sla.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    trigger = fields.Selection(
        [("warning", "At risk (warning)"), ("breach", "Missed (breach)")],
        required=True,
        default="breach",
    )
    target = fields.Selection(
        [("any", "Any target"), *TARGETS],
        required=True,
        default="any",
        string="For Target",
    )
    action = fields.Selection(
        [
            ("notify_leader", "Notify the team leader"),
            ("reassign_user", "Reassign to a user"),
            ("reassign_team", "Reassign to a team"),
            ("raise_severity", "Raise the severity"),
        ],
        required=True,
        default="notify_leader",
    )
    user_id = fields.Many2one(
        "res.users", string="Assign to", domain="[('share', '=', False)]"
    )
    team_id = fields.Many2one(
        "aftersales.team",
        string="Move to Team",
        domain="[('company_id', '=', company_id)]",
    )

    @api.constrains("action", "user_id", "team_id")
    def _check_action(self):
        for step in self:
            if step.action == "reassign_user" and not step.user_id:
                raise ValidationError(
                    self.env._("Choose the user a ticket is reassigned to.")
                )
            if step.action == "reassign_team" and not step.team_id:
                raise ValidationError(self.env._("Choose the team a ticket moves to."))


class AftersalesSlaEscalationLog(models.Model):
    """Escalation steps already taken: one row per ticket target and step,
    unique in the database, so that a step never runs twice."""

    _name = "aftersales.sla.escalation.log"
    _description = "After-sales Escalation Taken"
    _order = "id desc"

    line_id = fields.Many2one(
        "aftersales.ticket.sla", required=True, ondelete="cascade", index=True
    )
    escalation_id = fields.Many2one(
        "aftersales.sla.escalation", required=True, ondelete="cascade"
    )
    ticket_id = fields.Many2one(related="line_id.ticket_id", store=True, index=True)
    company_id = fields.Many2one(related="line_id.company_id", store=True)

    _sql_constraints = [
        (
            "step_once",
            "unique(line_id, escalation_id)",
            "An escalation step runs once per ticket target.",
        )
    ]
