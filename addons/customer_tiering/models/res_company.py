from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import lifecycle
from .customer_tier_indicator import MAX_PERIOD_MONTHS

# Evaluations in a row below a tier before a downgrade: at most a few years.
MAX_DOWNGRADE_AFTER = 12
# The lifecycle thresholds count days: at most ten years.
MAX_LIFECYCLE_DAYS = 3650


# The choices of the tier settings, shared with the Settings page (a static
# list, so that Odoo translates the options there too).
CADENCES = [
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
    ("half_yearly", "Every six months"),
    ("yearly", "Yearly"),
]
SCOPES = [
    ("invoiced", "Customers invoiced in the period"),
    ("all", "All customers"),
]
DOWNGRADE_POLICIES = [
    ("immediate", "At once"),
    ("consecutive", "After several evaluations in a row below the tier"),
]
APPLY_MODES = [("auto", "Automatically"), ("review", "After a manager's review")]


class ResCompany(models.Model):
    _inherit = "res.company"

    tier_evaluation_cadence = fields.Selection(
        CADENCES,
        default="half_yearly",
        required=True,
    )
    tier_next_evaluation_date = fields.Date(
        string="Next Tier Evaluation",
        help="The scheduled action evaluates the tiers on or after this date; "
        "empty means as soon as the tiers and indicators are defined.",
    )
    tier_period_months = fields.Integer(
        string="Tier Evaluation Period (months)", default=12, required=True
    )
    tier_scope = fields.Selection(
        SCOPES,
        string="Tier Evaluation Scope",
        default="invoiced",
        required=True,
    )
    tier_downgrade_policy = fields.Selection(
        DOWNGRADE_POLICIES,
        string="Tier Downgrades",
        default="immediate",
        required=True,
    )
    tier_downgrade_after = fields.Integer(
        string="Evaluations Below Before Downgrade", default=2, required=True
    )
    tier_downgrade_one_rank = fields.Boolean(string="Downgrade One Rank at a Time")
    tier_apply_mode = fields.Selection(
        APPLY_MODES,
        string="Apply Tier Changes",
        default="auto",
        required=True,
    )
    tier_notify_customer = fields.Boolean(string="Email Customers on Tier Change")
    tier_salesperson_activity = fields.Boolean(
        string="Activity for the Salesperson on Tier Change"
    )
    tier_indicator_ids = fields.One2many("customer.tier.indicator", "company_id")

    # Lifecycle stages (see tools/lifecycle.py), computed by the evaluations.
    lifecycle_new_days = fields.Integer(
        string="New Customers For (days)",
        default=90,
        required=True,
        help="A customer whose first purchase is this recent is new; one who "
        "bought again this recently after being lost is won back.",
    )
    lifecycle_risk_factor = fields.Float(
        string="At Risk After (times the usual gap)",
        digits=(4, 1),
        default=2.0,
        required=True,
        help="A customer is at risk when it has not bought for this many times "
        "its usual gap between purchases (the median gap of its purchases of "
        "the last three years).",
    )
    lifecycle_risk_floor_days = fields.Integer(
        string="At Risk After at Least (days)",
        default=60,
        required=True,
        help="Never at risk sooner than this many days after the last purchase, "
        "whatever the customer's rhythm.",
    )
    lifecycle_single_gap_days = fields.Integer(
        string="Usual Gap of One-time Buyers (days)",
        default=90,
        required=True,
        help="The gap assumed for customers who bought only once.",
    )
    lifecycle_lost_days = fields.Integer(
        string="Lost After (days)",
        default=365,
        required=True,
        help="A customer who has not bought for this many days is lost.",
    )
    account_team_min_rank = fields.Integer(
        string="Two People for Tiers up to Rank",
        help="Customers of this tier rank or better (1 is the best) need at "
        "least two people looking after them: the salesperson and an account "
        "team member, or two members. 0: no such rule.",
    )
    lifecycle_risk_activity = fields.Boolean(
        string="Activity for the Salesperson When a Customer Is at Risk",
        default=True,
    )

    @api.constrains("tier_period_months", "tier_downgrade_after")
    def _check_tier_settings(self):
        for company in self:
            if not 1 <= company.tier_period_months <= MAX_PERIOD_MONTHS:
                raise ValidationError(
                    self.env._(
                        "The evaluation period must be at least one month and at "
                        "most %(max)s months.",
                        max=MAX_PERIOD_MONTHS,
                    )
                )
            if not 0 <= company.tier_downgrade_after <= MAX_DOWNGRADE_AFTER:
                raise ValidationError(
                    self.env._(
                        "Downgrades wait for at most %(max)s evaluations in a row.",
                        max=MAX_DOWNGRADE_AFTER,
                    )
                )

    @api.constrains(
        "lifecycle_new_days",
        "lifecycle_risk_factor",
        "lifecycle_risk_floor_days",
        "lifecycle_single_gap_days",
        "lifecycle_lost_days",
    )
    def _check_lifecycle_settings(self):
        for company in self:
            settings = company._lifecycle_settings()
            days = [value for key, value in settings.items() if key.endswith("_days")]
            if not all(1 <= value <= MAX_LIFECYCLE_DAYS for value in days):
                raise ValidationError(
                    self.env._(
                        "The days of the customer lifecycle lie between 1 and %(max)s.",
                        max=MAX_LIFECYCLE_DAYS,
                    )
                )
            if not 1 <= settings["risk_factor"] <= 20:
                raise ValidationError(
                    self.env._(
                        "A customer is at risk after 1 to 20 times its usual gap "
                        "between purchases."
                    )
                )
            threshold = lifecycle.risk_threshold(None, settings)
            if settings["lost_days"] <= threshold:
                raise ValidationError(
                    self.env._(
                        "Customers must be at risk before they are lost: lost after "
                        "%(lost)s days comes before at risk after %(risk)s days "
                        "(one-time buyers).",
                        lost=settings["lost_days"],
                        risk=round(threshold),
                    )
                )

    def _lifecycle_settings(self):
        """The lifecycle settings of this company, as ``tools.lifecycle`` takes
        them."""
        self.ensure_one()
        return {
            "new_days": self.lifecycle_new_days,
            "risk_factor": self.lifecycle_risk_factor,
            "risk_floor_days": self.lifecycle_risk_floor_days,
            "single_gap_days": self.lifecycle_single_gap_days,
            "lost_days": self.lifecycle_lost_days,
        }

    def _tier_due_companies(self, today):
        """Companies of ``self`` whose scheduled evaluation is due and that
        have no evaluation running or awaiting review."""
        busy = (
            self.env["customer.tier.evaluation"]
            .sudo()
            .search([("state", "in", ("running", "to_review"))])
            .company_id
        )
        configured = self.env["customer.tier"].sudo().search([]).company_id
        return self.filtered(
            lambda c: (
                c in configured
                and c not in busy
                and (
                    not c.tier_next_evaluation_date
                    or c.tier_next_evaluation_date <= today
                )
            )
        )
