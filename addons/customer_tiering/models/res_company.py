from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .customer_tier_indicator import MAX_PERIOD_MONTHS

# Evaluations in a row below a tier before a downgrade: at most a few years.
MAX_DOWNGRADE_AFTER = 12


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
