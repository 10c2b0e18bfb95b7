from collections import Counter

from odoo import api, fields, models

from ..tools import scoring


class CustomerTierPreview(models.TransientModel):
    """What an evaluation would do, computed by the evaluation's own engine
    without writing anything; Apply then runs the real evaluation."""

    _name = "customer.tier.preview"
    _description = "Customer Tier Evaluation Preview"

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    settings_id = fields.Many2one(
        "res.config.settings",
        readonly=True,
        help="The Settings page this preview was opened from; Apply saves it first.",
    )
    overrides = fields.Json(readonly=True)
    date = fields.Date(readonly=True)
    count_evaluated = fields.Integer(string="Evaluated", readonly=True)
    count_new = fields.Integer(string="First Tier", readonly=True)
    count_up = fields.Integer(string="Up", readonly=True)
    count_down = fields.Integer(string="Down", readonly=True)
    count_unchanged = fields.Integer(string="Unchanged", readonly=True)
    count_locked = fields.Integer(string="Locked", readonly=True)
    apply_mode = fields.Selection(
        [("auto", "Automatic"), ("review", "Review")], readonly=True
    )
    line_ids = fields.One2many(
        "customer.tier.preview.line", "preview_id", readonly=True
    )
    weight_line_ids = fields.One2many(
        "customer.tier.weight.line",
        "preview_id",
        string="Indicator Weights",
        help="Change the weights and Refresh to see what they would do; Apply "
        "saves them.",
    )
    weight_total = fields.Float(
        string="Total Weight", compute="_compute_weight_total", digits=(5, 2)
    )

    @api.depends("weight_line_ids.weight")
    def _compute_weight_total(self):
        for preview in self:
            preview.weight_total = sum(preview.weight_line_ids.mapped("weight"))

    @api.model
    def _open(self, company, overrides=None, settings=None):
        """Create and compute a preview; return the action showing it."""
        overrides = overrides or {}
        weights = {int(k): v for k, v in (overrides.get("weights") or {}).items()}
        indicators = self.env["customer.tier.indicator"].search(
            [("company_id", "=", company.id)]
        )
        preview = self.create(
            {
                "company_id": company.id,
                "overrides": overrides,
                "settings_id": settings.id if settings else False,
                # Weights are edited here when the preview is opened from the
                # menu; from the Settings page, they are that page's.
                "weight_line_ids": []
                if settings
                else [
                    fields.Command.create(
                        {
                            "indicator_id": indicator.id,
                            "weight": weights.get(indicator.id, indicator.weight),
                        }
                    )
                    for indicator in indicators
                ],
            }
        )
        preview._compute_preview()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Tier Evaluation Preview"),
            "res_model": self._name,
            "res_id": preview.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.model
    def action_open_saved(self):
        """Menu entry: preview with the saved configuration."""
        self.env["customer.tier.evaluation"]._check_manager()
        return self._open(self.env.company)

    def _compute_preview(self):
        self.ensure_one()
        Evaluation = self.env["customer.tier.evaluation"]
        company = self.company_id
        config = Evaluation._build_config(company, self.overrides)
        date = fields.Date.context_today(self)
        batch_size = Evaluation._batch_size()
        counts, distribution = Counter(), Counter()
        cursor = 0
        while partner_ids := Evaluation._next_partner_ids(
            config, company, date, cursor, batch_size
        ):
            decisions = Evaluation._decide_batch(config, company, date, partner_ids)
            Evaluation._tally(decisions, counts, distribution)
            cursor = partner_ids[-1]
        tiers = self.env["customer.tier"].browse(t["id"] for t in config["tiers"])
        self.write(
            {
                "date": date,
                "apply_mode": config["apply_mode"],
                "count_evaluated": sum(counts.values()),
                "count_new": counts[scoring.NEW],
                "count_up": counts[scoring.UP],
                "count_down": counts[scoring.DOWN],
                "count_unchanged": counts[scoring.UNCHANGED],
                "count_locked": counts[scoring.LOCKED],
                "line_ids": [fields.Command.clear()]
                + [
                    fields.Command.create(
                        {"tier_id": tier.id, "count": distribution.get(str(tier.id), 0)}
                    )
                    for tier in tiers
                ]
                + [
                    fields.Command.create(
                        {"tier_id": False, "count": distribution.get("0", 0)}
                    )
                ],
            }
        )

    def _weights(self):
        """{indicator id: weight} edited in this preview."""
        return {line.indicator_id.id: line.weight for line in self.weight_line_ids}

    def action_refresh(self):
        self.ensure_one()
        if self.weight_line_ids:
            self.overrides = {**(self.overrides or {}), "weights": self._weights()}
        self._compute_preview()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_apply(self):
        """Save the settings the preview came from, if any, then evaluate."""
        self.ensure_one()
        self.env["customer.tier.evaluation"]._check_manager()
        if self.settings_id:
            self.settings_id.execute()
        elif self.weight_line_ids:
            self.env["customer.tier.indicator"]._set_weights(
                self.company_id, self._weights()
            )
        evaluation = self.env["customer.tier.evaluation"]._launch_and_run(
            self.company_id
        )
        return evaluation._notify_done()


class CustomerTierPreviewLine(models.TransientModel):
    _name = "customer.tier.preview.line"
    _description = "Customer Tier Evaluation Preview Line"
    _order = "id"

    preview_id = fields.Many2one(
        "customer.tier.preview", required=True, ondelete="cascade"
    )
    tier_id = fields.Many2one("customer.tier", string="Customer Tier")
    name = fields.Char(string="Tier", compute="_compute_name")
    count = fields.Integer(string="Customers")

    @api.depends("tier_id")
    def _compute_name(self):
        for line in self:
            line.name = line.tier_id.name or self.env._("No tier")
