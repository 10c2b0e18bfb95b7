import ast

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .aftersales_stage import OPEN_KINDS


class AftersalesTeam(models.Model):
    _name = "aftersales.team"
    _description = "After-sales Team"
    _inherit = ["mail.thread", "mail.alias.mixin.optional"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    leader_id = fields.Many2one(
        "res.users",
        domain="[('share', '=', False)]",
        tracking=True,
        help="Escalations notify the leader.",
    )
    member_ids = fields.Many2many(
        "res.users",
        "aftersales_team_member_rel",
        "team_id",
        "user_id",
        string="Members",
        domain=lambda self: [
            ("share", "=", False),
            (
                "groups_id",
                "in",
                self.env.ref("aftersales_sla.group_aftersales_user").id,
            ),
        ],
        help="Tickets are assigned automatically only to members with after-sales "
        "rights in the team's company.",
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        default=lambda self: self.env.company.resource_calendar_id,
        help="The team's working time; service level policies plan on their own "
        "calendar.",
    )
    assignment_method = fields.Selection(
        [
            ("manual", "Manual"),
            ("round_robin", "Each member in turn"),
            ("least_open", "Member with the fewest open tickets"),
        ],
        default="manual",
        required=True,
        tracking=True,
    )
    last_assigned_user_id = fields.Many2one(
        "res.users", string="Last Assigned To", readonly=True, copy=False
    )
    tier_ids = fields.Many2many(
        "customer.tier",
        string="Customer Tiers Served",
        domain="[('company_id', '=', company_id)]",
        help="New tickets of customers of these tiers go to this team (e.g. a "
        "dedicated team for tier 1). Leave empty for a team that serves anyone.",
    )
    ticket_ids = fields.One2many("aftersales.ticket", "team_id")
    open_ticket_count = fields.Integer(
        string="Open Tickets", compute="_compute_ticket_counts"
    )
    failed_ticket_count = fields.Integer(
        string="Failed Service Levels", compute="_compute_ticket_counts"
    )
    warning_ticket_count = fields.Integer(
        string="Service Levels at Risk", compute="_compute_ticket_counts"
    )

    @api.constrains("leader_id", "member_ids", "assignment_method")
    def _check_members(self):
        for team in self:
            if team.assignment_method != "manual" and not team._assignable_members():
                raise ValidationError(
                    self.env._(
                        "Team %(team)s assigns tickets automatically: give it members "
                        "with after-sales rights in its company.",
                        team=team.name,
                    )
                )

    def _compute_ticket_counts(self):
        open_domain = [("team_id", "in", self.ids), ("stage_kind", "in", OPEN_KINDS)]
        counts = {
            (team.id, status): count
            for team, status, count in self.env["aftersales.ticket"]._read_group(
                open_domain, ["team_id", "sla_status"], ["__count"]
            )
        }
        for team in self:
            team.open_ticket_count = sum(
                count
                for (team_id, _status), count in counts.items()
                if team_id == team.id
            )
            team.failed_ticket_count = counts.get((team.id, "failed"), 0)
            team.warning_ticket_count = counts.get((team.id, "warning"), 0)

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get_id("aftersales.ticket")
        if self.id:
            values["alias_defaults"] = defaults = ast.literal_eval(
                self.alias_defaults or "{}"
            )
            defaults["team_id"] = self.id
        return values

    @api.model
    def _team_for(self, company, tier):
        """The team that takes a new ticket: one serving the customer's tier,
        else one serving anyone."""
        teams = self.search([("company_id", "=", company.id)])
        return (
            teams.filtered(lambda t: tier and tier in t.tier_ids)[:1]
            or (teams.filtered(lambda t: not t.tier_ids)[:1])
        )

    def _next_assignee(self):
        """The member who takes the next ticket, per the assignment method,
        among the members who can work it (after-sales users of the team's
        company)."""
        self.ensure_one()
        members = self._assignable_members().sorted("id")
        if self.assignment_method == "manual" or not members:
            return self.env["res.users"]
        if self.assignment_method == "round_robin":
            later = members.filtered(lambda u: u.id > self.last_assigned_user_id.id)
            user = later[:1] or members[:1]
        else:
            loads = dict(
                self.env["aftersales.ticket"]._read_group(
                    [
                        ("team_id", "=", self.id),
                        ("user_id", "in", members.ids),
                        ("stage_kind", "in", OPEN_KINDS),
                    ],
                    ["user_id"],
                    ["__count"],
                )
            )
            user = min(members, key=lambda u: (loads.get(u, 0), u.id))
        self.sudo().last_assigned_user_id = user
        return user

    def _assignable_members(self):
        """Active members with after-sales rights in the team's company: the
        only ones tickets are given to."""
        self.ensure_one()
        return self.member_ids.filtered(
            lambda user: (
                user.active
                and not user.share
                and self.company_id in user.company_ids
                and user.has_group("aftersales_sla.group_aftersales_user")
            )
        )

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_sla.aftersales_ticket_action"
        )
        action["domain"] = [("team_id", "=", self.id)]
        action["context"] = {"default_team_id": self.id, "search_default_open": 1}
        return action
