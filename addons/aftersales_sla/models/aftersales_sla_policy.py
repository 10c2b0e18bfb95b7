import math
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.sla_planner import DeadlineOutOfReach

TARGETS = [
    ("response", "First response"),
    ("on_site", "On-site arrival"),
    ("resolution", "Resolution"),
]
UNITS = [
    ("minutes", "Minutes"),
    ("hours", "Hours"),
    ("working_days", "Working days"),
]
# The longest target of each unit: a year of working time (366 days round
# the clock; 366 working days, about 17 months of office days).
MAX_TARGETS = {"minutes": 366 * 24 * 60, "hours": 366 * 24, "working_days": 366}


class AftersalesSlaPolicy(models.Model):
    """Service level targets for tickets of some tiers and severities (and,
    where set, teams and channels), planned on the policy's calendar."""

    _name = "aftersales.sla.policy"
    _description = "After-sales Service Level Policy"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    tier_ids = fields.Many2many(
        "customer.tier",
        string="Customer Tiers",
        required=True,
        domain="[('company_id', '=', company_id)]",
    )
    severity_ids = fields.Many2many(
        "aftersales.severity", string="Severities", required=True
    )
    team_ids = fields.Many2many(
        "aftersales.team",
        string="Teams",
        domain="[('company_id', '=', company_id)]",
        help="Leave empty for every team. A policy naming the ticket's team wins "
        "over one that does not.",
    )
    channel_ids = fields.Many2many(
        "aftersales.channel",
        string="Channels",
        help="Leave empty for every channel. A policy naming the ticket's channel "
        "wins over one that does not.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Calendar",
        tracking=True,
        help="Deadlines count this calendar's working time, in its timezone, "
        "without its holidays: use the 7x24 calendar for round-the-clock service.",
    )
    response_target = fields.Float(string="First Response", tracking=True)
    response_unit = fields.Selection(UNITS, default="hours", required=True)
    on_site_target = fields.Float(
        string="On-site Arrival", tracking=True, help="For tickets served on site only."
    )
    on_site_unit = fields.Selection(
        UNITS, string="On-site Unit", default="working_days", required=True
    )
    resolution_target = fields.Float(string="Resolution", tracking=True)
    resolution_unit = fields.Selection(UNITS, default="working_days", required=True)
    warning_percent = fields.Float(
        string="Warning at (%)",
        default=80.0,
        help="A ticket is at risk once this share of a target's time is used.",
    )
    escalation_ids = fields.One2many(
        "aftersales.sla.escalation", "policy_id", string="Escalation Steps", copy=True
    )
    description = fields.Html(translate=True)

    @api.constrains(
        "response_target",
        "response_unit",
        "on_site_target",
        "on_site_unit",
        "resolution_target",
        "resolution_unit",
        "warning_percent",
        "calendar_id",
    )
    def _check_targets(self):
        target_labels = dict(
            self.env["aftersales.ticket.sla"]
            ._fields["target"]
            ._description_selection(self.env)
        )
        unit_labels = dict(
            self._fields["response_unit"]._description_selection(self.env)
        )
        for policy in self:
            for target, label in target_labels.items():
                value, unit = policy[f"{target}_target"], policy[f"{target}_unit"]
                if not math.isfinite(value) or value > MAX_TARGETS[unit]:
                    limit = f"{MAX_TARGETS[unit]:,}"
                    raise ValidationError(
                        self.env._(
                            "Policy %(policy)s: %(target)s is limited to "
                            "%(max)s %(unit)s, a year of working time.",
                            policy=policy.name,
                            target=label,
                            max=limit,
                            unit=unit_labels[unit],
                        )
                    )
            targets = (
                policy.response_target,
                policy.on_site_target,
                policy.resolution_target,
            )
            if any(target < 0 for target in targets):
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s has a negative target.", policy=policy.name
                    )
                )
            if not policy.response_target or not policy.resolution_target:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s needs a first response and a resolution "
                        "target "
                        "greater than zero.",
                        policy=policy.name,
                    )
                )
            if not 0 < policy.warning_percent < 100:
                raise ValidationError(
                    self.env._(
                        "The warning of policy %(policy)s must come between 0 and "
                        "100%% "
                        "of the target.",
                        policy=policy.name,
                    )
                )
            if not policy.calendar_id:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s needs a working calendar to plan its "
                        "deadlines.",
                        policy=policy.name,
                    )
                )
            if not policy.calendar_id._aftersales_has_work_ahead():
                raise ValidationError(
                    self.env._(
                        "Calendar %(calendar)s of policy %(policy)s has no working "
                        "time in the coming weeks.",
                        calendar=policy.calendar_id.name,
                        policy=policy.name,
                    )
                )

    @api.constrains(
        "tier_ids", "severity_ids", "team_ids", "channel_ids", "active", "company_id"
    )
    def _check_overlap(self):
        for policy in self.filtered("active"):
            others = self.search(
                [
                    ("id", "!=", policy.id),
                    ("company_id", "=", policy.company_id.id),
                    ("tier_ids", "in", policy.tier_ids.ids),
                    ("severity_ids", "in", policy.severity_ids.ids),
                ]
            )
            for other in others:
                if policy._scope_overlaps(other):
                    tier = (policy.tier_ids & other.tier_ids)[:1]
                    severity = (policy.severity_ids & other.severity_ids)[:1]
                    raise ValidationError(
                        self.env._(
                            "Policies %(policy)s and %(other)s both apply to tier "
                            "%(tier)s "
                            "and severity %(severity)s for the same teams and "
                            "channels.",
                            policy=policy.name,
                            other=other.name,
                            tier=tier.name,
                            severity=severity.name,
                        )
                    )

    def _scope_overlaps(self, other):
        """Whether two policies sharing a tier and a severity also compete for
        the same teams and channels (an empty set competes with an empty set
        only: a policy naming teams is more specific)."""

        def same_scope(mine, theirs):
            if not mine and not theirs:
                return True
            return bool(mine & theirs)

        return same_scope(self.team_ids, other.team_ids) and same_scope(
            self.channel_ids, other.channel_ids
        )

    @contextmanager
    def _planning(self):
        """Plan deadlines on this policy's calendar; when the calendar has too
        little working time to reach one, a clear error names the policy and
        the calendar."""
        try:
            yield
        except DeadlineOutOfReach as error:
            raise UserError(
                self.env._(
                    "Service level policy %(policy)s cannot plan its deadlines: "
                    "calendar %(calendar)s has too little working time ahead. "
                    "Give the calendar working hours, or the policy another "
                    "calendar.",
                    policy=self.display_name,
                    calendar=error.calendar.display_name,
                )
            ) from None

    def _target_hours(self, target):
        """Working hours a target gives (working days count the calendar's
        hours per day); 0 when the policy sets no such target."""
        self.ensure_one()
        value = self[f"{target}_target"]
        unit = self[f"{target}_unit"]
        if unit == "minutes":
            return value / 60.0
        if unit == "working_days":
            return value * (self.calendar_id.hours_per_day or 24.0)
        return value

    @api.model
    def _policy_for(self, company, tier, severity, team, channel):
        """The most specific active policy for a ticket, or an empty recordset."""
        if not (tier and severity):
            return self.browse()
        candidates = self.search(
            [
                ("company_id", "=", company.id),
                ("tier_ids", "in", tier.ids),
                ("severity_ids", "in", severity.ids),
            ]
        ).filtered(
            lambda p: (
                (not p.team_ids or team in p.team_ids)
                and (not p.channel_ids or channel in p.channel_ids)
            )
        )
        return candidates.sorted(
            lambda p: (not p.team_ids, not p.channel_ids, p.sequence, p.id)
        )[:1]
