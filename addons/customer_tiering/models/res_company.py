from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    tier_evaluation_cadence = fields.Selection(
        [
            ("monthly", "Monthly"),
            ("quarterly", "Quarterly"),
            ("half_yearly", "Every six months"),
            ("yearly", "Yearly"),
        ],
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
        [
            ("invoiced", "Customers invoiced in the period"),
            ("all", "All customers"),
        ],
        string="Tier Evaluation Scope",
        default="invoiced",
        required=True,
    )
    tier_downgrade_policy = fields.Selection(
        [
            ("immediate", "At once"),
            ("consecutive", "After several evaluations in a row below the tier"),
        ],
        string="Tier Downgrades",
        default="immediate",
        required=True,
    )
    tier_downgrade_after = fields.Integer(
        string="Evaluations Below Before Downgrade", default=2, required=True
    )
    tier_downgrade_one_rank = fields.Boolean(string="Downgrade One Rank at a Time")
    tier_apply_mode = fields.Selection(
        [("auto", "Automatically"), ("review", "After a manager's review")],
        string="Apply Tier Changes",
        default="auto",
        required=True,
    )
    tier_notify_customer = fields.Boolean(string="Email Customers on Tier Change")
    tier_salesperson_activity = fields.Boolean(
        string="Activity for the Salesperson on Tier Change"
    )
    tier_indicator_ids = fields.One2many("customer.tier.indicator", "company_id")

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
