from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError

from .customer_tier_evaluation import CADENCE_MONTHS
from .customer_tier_indicator import MAX_PERIOD_MONTHS
from .res_company import APPLY_MODES, CADENCES, DOWNGRADE_POLICIES, SCOPES

# Company settings shown on the Settings page; they are saved only by Save
# (set_values), so that Preview can evaluate unsaved values.
TIER_SETTINGS = (
    "tier_evaluation_cadence",
    "tier_period_months",
    "tier_scope",
    "tier_downgrade_policy",
    "tier_downgrade_after",
    "tier_downgrade_one_rank",
    "tier_apply_mode",
    "tier_notify_customer",
    "tier_salesperson_activity",
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    tier_evaluation_cadence = fields.Selection(CADENCES, string="Evaluation Cadence")
    tier_period_months = fields.Integer(string="Evaluation Period (months)")
    tier_scope = fields.Selection(SCOPES, string="Customers Evaluated")
    tier_downgrade_policy = fields.Selection(DOWNGRADE_POLICIES, string="Downgrades")
    tier_downgrade_after = fields.Integer(string="Evaluations Below Before Downgrade")
    tier_downgrade_one_rank = fields.Boolean(string="At Most One Rank per Evaluation")
    tier_apply_mode = fields.Selection(APPLY_MODES, string="Apply Changes")
    tier_notify_customer = fields.Boolean(string="Email Customers on Tier Change")
    tier_salesperson_activity = fields.Boolean(string="Activity for the Salesperson")
    tier_next_evaluation_date = fields.Date(
        related="company_id.tier_next_evaluation_date",
        string="Next Scheduled Evaluation",
    )
    lifecycle_new_days = fields.Integer(
        related="company_id.lifecycle_new_days", readonly=False
    )
    lifecycle_risk_factor = fields.Float(
        related="company_id.lifecycle_risk_factor", readonly=False
    )
    lifecycle_risk_floor_days = fields.Integer(
        related="company_id.lifecycle_risk_floor_days", readonly=False
    )
    lifecycle_single_gap_days = fields.Integer(
        related="company_id.lifecycle_single_gap_days", readonly=False
    )
    lifecycle_lost_days = fields.Integer(
        related="company_id.lifecycle_lost_days", readonly=False
    )
    lifecycle_risk_activity = fields.Boolean(
        related="company_id.lifecycle_risk_activity", readonly=False
    )
    account_team_min_rank = fields.Integer(
        related="company_id.account_team_min_rank", readonly=False
    )
    tier_weight_line_ids = fields.One2many(
        "customer.tier.weight.line", "settings_id", string="Indicator Weights"
    )
    tier_weight_total = fields.Float(
        string="Total Weight", compute="_compute_tier_weight_total", digits=(5, 2)
    )

    @api.depends("tier_weight_line_ids.weight")
    def _compute_tier_weight_total(self):
        for settings in self:
            settings.tier_weight_total = sum(
                settings.tier_weight_line_ids.mapped("weight")
            )

    @api.model
    def get_values(self):
        res = super().get_values()
        company = self.env.company
        res.update({fname: company[fname] for fname in TIER_SETTINGS})
        res["tier_weight_line_ids"] = [Command.clear()] + [
            Command.create({"indicator_id": indicator.id, "weight": indicator.weight})
            for indicator in self.env["customer.tier.indicator"].search(
                [("company_id", "=", company.id)]
            )
        ]
        return res

    def set_values(self):
        res = super().set_values()
        company = self.env.company
        values = {fname: self[fname] for fname in TIER_SETTINGS}
        changed = {k: v for k, v in values.items() if company[k] != v}
        if changed:
            self._check_tier_settings()
            company.write(changed)
        if "tier_evaluation_cadence" in changed:
            last = self.env["customer.tier.evaluation"].search(
                [("company_id", "=", company.id), ("state", "=", "done")],
                order="date desc",
                limit=1,
            )
            if last:
                company.tier_next_evaluation_date = last.date + relativedelta(
                    months=CADENCE_MONTHS[company.tier_evaluation_cadence]
                )
        self.env["customer.tier.indicator"]._set_weights(
            company,
            {line.indicator_id.id: line.weight for line in self.tier_weight_line_ids},
        )
        return res

    def _check_tier_settings(self):
        if not 1 <= self.tier_period_months <= MAX_PERIOD_MONTHS:
            raise ValidationError(
                self.env._(
                    "The evaluation period must be at least one month and at most "
                    "%(max)s months.",
                    max=MAX_PERIOD_MONTHS,
                )
            )
        if (
            self.tier_downgrade_policy == "consecutive"
            and self.tier_downgrade_after < 1
        ):
            raise ValidationError(
                self.env._("Downgrades need at least one evaluation below the tier.")
            )

    def _tier_overrides(self):
        """The tier settings of this (possibly unsaved) page, for a preview."""
        self.ensure_one()
        overrides = {
            fname.removeprefix("tier_"): self[fname] for fname in TIER_SETTINGS
        }
        overrides["weights"] = {
            line.indicator_id.id: line.weight for line in self.tier_weight_line_ids
        }
        return overrides

    def action_tier_preview(self):
        """Preview an evaluation with the values on the page, saved or not."""
        self.ensure_one()
        self._check_tier_settings()
        return self.env["customer.tier.preview"]._open(
            self.env.company, self._tier_overrides(), settings=self
        )
