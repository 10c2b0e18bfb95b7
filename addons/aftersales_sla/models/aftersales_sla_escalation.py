from collections import defaultdict

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

    # --- running the steps -------------------------------------------------------

    @api.model
    def _run(self, todo):
        """Run claimed escalation steps, [(service level line, step)], grouped
        by action and target. Returns {ticket id: [description of each action
        taken]}."""
        Ticket = self.env["aftersales.ticket"].sudo()
        taken = {}

        def note(ticket, text):
            taken.setdefault(ticket.id, []).append(text)

        by_user, by_team, raise_severity = {}, {}, Ticket
        # {(ticket, leader): {trigger: [line]}}: one activity per ticket and
        # leader, naming every target of this scan.
        to_notify = defaultdict(lambda: defaultdict(list))
        for line, step in todo:
            ticket = line.ticket_id.sudo()
            if step.action == "notify_leader":
                leader = ticket.team_id.leader_id
                if leader:
                    lines = to_notify[(ticket, leader)][step.trigger]
                    if line not in lines:
                        lines.append(line)
            elif step.action == "reassign_user":
                by_user.setdefault(step.user_id, Ticket)
                by_user[step.user_id] |= ticket
                note(
                    ticket, self.env._("reassigned to %(user)s", user=step.user_id.name)
                )
            elif step.action == "reassign_team":
                by_team.setdefault(step.team_id, Ticket)
                by_team[step.team_id] |= ticket
                note(
                    ticket, self.env._("moved to team %(team)s", team=step.team_id.name)
                )
            elif step.action == "raise_severity":
                raise_severity |= ticket
        for ticket, leader in to_notify:
            note(ticket, self.env._("notified %(user)s", user=leader.name))
        self._notify_leaders(to_notify)
        for user, tickets in by_user.items():
            tickets.write({"user_id": user.id})
        for team, tickets in by_team.items():
            tickets.write({"team_id": team.id, "user_id": False})
            if team.assignment_method != "manual":
                for ticket in tickets:
                    ticket.user_id = team._next_assignee()
        for ticket, severity in self._raise_severity(raise_severity).items():
            note(
                ticket,
                self.env._("severity raised to %(severity)s", severity=severity.name),
            )
        return taken

    @api.model
    def _raise_severity(self, tickets):
        """Raise these tickets' severity one level (one write per level);
        return {ticket: new severity} of those that had a level to go."""
        raised, by_severity = {}, {}
        for ticket in tickets:
            severity = ticket.severity_id._next_level() if ticket.severity_id else False
            if severity and severity != ticket.severity_id:
                by_severity.setdefault(severity, tickets.browse())
                by_severity[severity] |= ticket
                raised[ticket] = severity
        for severity, group in by_severity.items():
            group.write({"severity_id": severity.id})
        return raised

    @api.model
    def _notify_leaders(self, to_notify):
        """One escalation activity per ticket and leader, its summary in the
        leader's language: {(ticket, leader): {trigger: [line]}}."""
        if not to_notify:
            return
        Line = self.env["aftersales.ticket.sla"]
        activity_type = self.env.ref("aftersales_sla.mail_activity_type_sla_escalation")
        model_id = self.env["ir.model"]._get_id("aftersales.ticket")
        today = fields.Date.context_today(self)
        activities = []
        for (ticket, leader), by_trigger in to_notify.items():
            env = self.with_context(lang=leader.lang).env
            labels = dict(Line._fields["target"]._description_selection(env))
            order = list(labels)
            parts = []
            for trigger, lines in sorted(by_trigger.items()):
                targets = ", ".join(
                    labels[target]
                    for target in sorted(
                        {line.target for line in lines}, key=order.index
                    )
                )
                parts.append(
                    env._("Missed: %(targets)s", targets=targets)
                    if trigger == "breach"
                    else env._("At risk: %(targets)s", targets=targets)
                )
            activities.append(
                {
                    "res_model_id": model_id,
                    "res_id": ticket.id,
                    "activity_type_id": activity_type.id,
                    "user_id": leader.id,
                    "summary": "; ".join(parts),
                    "date_deadline": today,
                }
            )
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(activities)
