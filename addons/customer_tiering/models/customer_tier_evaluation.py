import logging
import time
from collections import Counter

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare

from ..tools import bulk, jobs, lifecycle, scoring
from .customer_tier_indicator import CUSTOMER_MOVES_SQL

_logger = logging.getLogger(__name__)

CADENCE_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}
DEFAULT_BATCH_SIZE = 5000
DEFAULT_SYNC_LIMIT = 2000


class CustomerTierEvaluation(models.Model):
    """One run of the tier evaluation for a company.

    A run is processed in batches of partners, in id order. Each batch reads
    raw values with one aggregate query per indicator, decides every
    partner's tier (``tools.scoring``), writes only what changed, and moves
    the run's cursor and counters forward in the same transaction. A crash
    loses at most the batch in progress, which the next call redoes: nobody
    is skipped or counted twice.
    """

    _name = "customer.tier.evaluation"
    _description = "Customer Tier Evaluation"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    date = fields.Date(
        string="Evaluation Date",
        required=True,
        readonly=True,
        default=fields.Date.context_today,
    )
    date_from = fields.Date(string="Period Start", readonly=True)
    trigger = fields.Selection(
        [("cron", "Scheduled"), ("manual", "Manual")], required=True, readonly=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Started By",
        readonly=True,
        default=lambda self: self.env.user,
    )
    state = fields.Selection(
        [
            ("running", "Running"),
            ("to_review", "To Review"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="running",
        readonly=True,
        tracking=True,
    )
    apply_mode = fields.Selection(
        [("auto", "Automatic"), ("review", "Review")], required=True, readonly=True
    )
    config = fields.Json(
        readonly=True,
        help="The configuration this run applies, frozen when it started.",
    )
    cursor_partner_id = fields.Integer(
        string="Last Customer Evaluated", readonly=True, copy=False
    )
    batch_count = fields.Integer(string="Batches", readonly=True)
    count_evaluated = fields.Integer(string="Evaluated", readonly=True)
    count_new = fields.Integer(string="First Tier", readonly=True)
    count_up = fields.Integer(string="Up", readonly=True)
    count_down = fields.Integer(string="Down", readonly=True)
    count_unchanged = fields.Integer(string="Unchanged", readonly=True)
    count_locked = fields.Integer(string="Locked", readonly=True)
    tier_distribution = fields.Json(readonly=True)
    tier_distribution_html = fields.Html(
        string="Customers per Tier",
        compute="_compute_tier_distribution_html",
        sanitize=False,
    )
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(12, 2))
    started_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    finished_at = fields.Datetime(readonly=True)
    history_ids = fields.One2many("customer.tier.history", "evaluation_id")
    proposal_ids = fields.One2many("customer.tier.proposal", "evaluation_id")
    history_count = fields.Integer(string="Tier Changes", compute="_compute_counts")
    proposal_pending_count = fields.Integer(
        string="Proposals to Review", compute="_compute_counts"
    )

    def init(self):
        # A company runs one evaluation at a time, enforced by the database.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS customer_tier_evaluation_one_open
                ON customer_tier_evaluation (company_id)
             WHERE state IN ('running', 'to_review')
            """
        )

    @api.depends("history_ids", "proposal_ids.state")
    def _compute_counts(self):
        history = dict(
            self.env["customer.tier.history"]._read_group(
                [("evaluation_id", "in", self.ids)], ["evaluation_id"], ["__count"]
            )
        )
        pending = dict(
            self.env["customer.tier.proposal"]._read_group(
                [("evaluation_id", "in", self.ids), ("state", "=", "pending")],
                ["evaluation_id"],
                ["__count"],
            )
        )
        for evaluation in self:
            evaluation.history_count = history.get(evaluation, 0)
            evaluation.proposal_pending_count = pending.get(evaluation, 0)

    @api.depends("tier_distribution")
    def _compute_tier_distribution_html(self):
        for evaluation in self:
            evaluation.tier_distribution_html = self._distribution_table(
                evaluation.tier_distribution or {}
            )

    @api.model
    def _distribution_table(self, distribution):
        """An HTML table of {tier id (str, "0" for none): customers}."""
        if not distribution:
            return False
        tiers = (
            self.env["customer.tier"]
            .with_context(active_test=False)
            .browse(int(key) for key in distribution if key != "0")
            .exists()
            .sorted("rank")
        )
        rows = [(tier.name, distribution.get(str(tier.id), 0)) for tier in tiers]
        if distribution.get("0"):
            rows.append((self.env._("No tier"), distribution["0"]))
        body = Markup("").join(
            Markup("<tr><td>%s</td><td class='text-end'>%s</td></tr>") % row
            for row in rows
        )
        return Markup(
            "<table class='table table-sm o_tier_distribution'><thead><tr><th>%s</th>"
            "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>"
        ) % (self.env._("Tier"), self.env._("Customers"), body)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("customer.tier.evaluation")
                    or "/"
                )
        return super().create(vals_list)

    # --- configuration --------------------------------------------------------

    @api.model
    def _build_config(self, company, overrides=None):
        """The plain configuration (see ``tools.scoring``) of ``company``.

        :param overrides: optional unsaved settings: ``weights`` ({indicator
            id: weight}), ``period_months``, ``scope``, ``downgrade_policy``,
            ``downgrade_after``, ``downgrade_one_rank``, ``apply_mode``
        :raise UserError: when the configuration cannot grade anyone
        """
        overrides = overrides or {}
        # Keys are strings once the overrides went through a JSON field.
        weights = {int(k): v for k, v in (overrides.get("weights") or {}).items()}
        Indicator = self.env["customer.tier.indicator"].sudo()
        indicators = Indicator.search([("company_id", "=", company.id)])
        tiers = (
            self.env["customer.tier"]
            .sudo()
            .search([("company_id", "=", company.id)], order="rank")
        )
        if not tiers:
            raise UserError(
                self.env._(
                    "Define the customer tiers of %(company)s first.",
                    company=company.name,
                )
            )
        if not indicators:
            raise UserError(
                self.env._(
                    "Define the tier indicators of %(company)s first.",
                    company=company.name,
                )
            )
        indicator_weights = {
            indicator.id: float(weights.get(indicator.id, indicator.weight))
            for indicator in indicators
        }
        total = sum(indicator_weights.values())
        if float_compare(total, 100.0, precision_digits=2):
            raise UserError(
                self.env._(
                    "The weights of the active indicators of %(company)s must add up "
                    "to 100%%; they add up to %(total)s%%.",
                    company=company.name,
                    total=round(total, 2),
                )
            )
        # Indicators that only hard requirements use still need raw values.
        required = (tiers.requirement_ids.indicator_id - indicators).with_context(
            active_test=False
        )

        def indicator_config(indicator, weight):
            return {
                "id": indicator.id,
                "type": indicator.indicator_type,
                "weight": weight,
                "period_months": indicator.period_months,
                "method": indicator.scoring_method,
                "direction": indicator.direction,
                "bands": [
                    [b.threshold, b.points]
                    for b in indicator.band_ids.sorted("threshold")
                ],
                "lower": indicator.lower_bound,
                "upper": indicator.upper_bound,
            }

        return {
            "company_id": company.id,
            "indicators": [
                indicator_config(i, indicator_weights[i.id]) for i in indicators
            ]
            + [indicator_config(i, 0.0) for i in required],
            "tiers": [
                {
                    "id": tier.id,
                    "rank": tier.rank,
                    "min_score": tier.min_score,
                    "requirements": [
                        [r.indicator_id.id, r.operator, r.value]
                        for r in tier.requirement_ids
                    ],
                }
                for tier in tiers
            ],
            "period_months": overrides.get("period_months")
            or company.tier_period_months,
            "scope": overrides.get("scope") or company.tier_scope,
            "downgrade_policy": overrides.get("downgrade_policy")
            or company.tier_downgrade_policy,
            "downgrade_after": overrides.get("downgrade_after")
            or company.tier_downgrade_after,
            "downgrade_one_rank": overrides.get(
                "downgrade_one_rank", company.tier_downgrade_one_rank
            ),
            "apply_mode": overrides.get("apply_mode") or company.tier_apply_mode,
            "lifecycle": company._lifecycle_settings(),
        }

    # --- the engine, shared by preview and apply -------------------------------

    @api.model
    def _scope_condition(self, config, company, date):
        """SQL condition on ``p`` (res_partner) selecting the partners to grade:
        the company's commercial partners in scope, plus those already holding
        one of its tiers (so that they can move down)."""
        date_from = date - relativedelta(months=config["period_months"], days=-1)
        if config["scope"] == "all":
            in_scope = SQL("p.customer_rank > 0")
        else:
            in_scope = SQL(
                """EXISTS (
                    SELECT 1 FROM account_move m
                     WHERE m.commercial_partner_id = p.id
                       AND m.company_id = %(company)s
                       AND %(customer_moves)s
                       AND m.invoice_date BETWEEN %(date_from)s AND %(date_to)s)""",
                company=company.id,
                customer_moves=CUSTOMER_MOVES_SQL,
                date_from=date_from,
                date_to=date,
            )
        return SQL(
            """p.active
               AND p.id = p.commercial_partner_id
               AND (p.company_id IS NULL OR p.company_id = %(company)s)
               AND (%(in_scope)s OR p.tier_id ? %(key)s)""",
            company=company.id,
            in_scope=in_scope,
            key=str(company.id),
        )

    @api.model
    def _lifecycle_scope_condition(self, config, company, date):
        """SQL condition on ``p`` (res_partner) selecting the customers whose
        lifecycle stage may change: those still in a live stage, those who
        bought since the "lost" limit (a lost customer who comes back), and
        those who bought once and have no stage yet (lost before the first
        evaluation)."""
        settings = self._lifecycle_settings(config, company)
        since = date - relativedelta(days=settings["lost_days"])
        return SQL(
            """p.active
               AND p.id = p.commercial_partner_id
               AND (p.company_id IS NULL OR p.company_id = %(company)s)
               AND ((p.lifecycle_stage ->> %(key)s) = ANY(%(live)s)
                    OR EXISTS (SELECT 1 FROM (%(purchases)s) pu
                                WHERE pu.partner_id = p.id
                                  AND (pu.date > %(since)s
                                       OR (p.lifecycle_stage ->> %(key)s) IS NULL)))""",
            company=company.id,
            key=str(company.id),
            live=list(lifecycle.LIVE_STAGES),
            purchases=self.env["customer.tier.indicator"]._purchases_sql(company),
            since=since,
        )

    @api.model
    def _lifecycle_settings(self, config, company):
        # Runs launched before lifecycles existed carry no settings.
        return config.get("lifecycle") or company._lifecycle_settings()

    @api.model
    def _next_batch(self, config, company, date, after_id, limit):
        """The next partners of an evaluation run: those to grade (tier scope)
        and those whose lifecycle stage to compute, as [(id, to grade, current
        lifecycle stage)] (the stage read with the row the scope reads
        anyway, instead of a second query per batch)."""
        self.env.flush_all()
        bulk.without_jit(self.env.cr)
        tier_scope = self._scope_condition(config, company, date)
        return self.env.execute_query(
            SQL(
                """SELECT p.id, %(tier_scope)s, p.lifecycle_stage ->> %(key)s
                     FROM res_partner p
                    WHERE (%(tier_scope)s OR %(lifecycle_scope)s) AND p.id > %(after)s
                    ORDER BY p.id LIMIT %(limit)s""",
                tier_scope=tier_scope,
                key=str(company.id),
                lifecycle_scope=self._lifecycle_scope_condition(config, company, date),
                after=after_id,
                limit=limit,
            )
        )

    @api.model
    def _next_partner_ids(self, config, company, date, after_id, limit):
        self.env.flush_all()
        # Each batch starts here (evaluations and previews alike).
        bulk.without_jit(self.env.cr)
        return [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "SELECT p.id FROM res_partner p WHERE %s AND p.id > %s "
                    "ORDER BY p.id LIMIT %s",
                    self._scope_condition(config, company, date),
                    after_id,
                    limit,
                )
            )
        ]

    @api.model
    def _count_partners(self, config, company, date, after_id=0):
        """Partners left to a run after ``after_id`` (graded or not)."""
        self.env.flush_all()
        return self.env.execute_query(
            SQL(
                "SELECT COUNT(*) FROM res_partner p WHERE (%s OR %s) AND p.id > %s",
                self._scope_condition(config, company, date),
                self._lifecycle_scope_condition(config, company, date),
                after_id,
            )
        )[0][0]

    @api.model
    def _lifecycle_facts(self, settings, company, date, partner_ids):
        """{partner id: (first purchase, last purchase, median gap in days of
        the purchases of the last three years or None, date of the return
        after a gap longer than "lost" or None)}, from every source of
        purchases, in one query. Partners of a batch are consecutive ids: the
        id range gives PostgreSQL the estimate that makes it read the
        purchases' indexes instead of scanning whole tables."""
        rows = self.env.execute_query(
            SQL(
                """
                WITH d AS (
                    SELECT DISTINCT pu.partner_id, pu.date
                      FROM (%(purchases)s) pu
                     WHERE pu.partner_id BETWEEN %(first)s AND %(last)s
                       AND pu.partner_id = ANY(%(ids)s) AND pu.date <= %(today)s
                ), g AS (
                    SELECT partner_id, date,
                           date - lag(date) OVER (
                               PARTITION BY partner_id ORDER BY date) AS gap
                      FROM d
                )
                SELECT partner_id, MIN(date), MAX(date),
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY gap)
                           FILTER (WHERE gap IS NOT NULL AND date >= %(since)s),
                       MAX(date) FILTER (WHERE gap > %(lost_days)s)
                  FROM g
                 GROUP BY partner_id
                """,
                purchases=self.env["customer.tier.indicator"]._purchases_sql(company),
                first=min(partner_ids, default=0),
                last=max(partner_ids, default=0),
                ids=partner_ids,
                today=date,
                since=date - relativedelta(days=lifecycle.GAP_HISTORY_DAYS),
                lost_days=settings["lost_days"],
            )
        )
        return {row[0]: row[1:] for row in rows}

    @api.model
    def _decide_lifecycle(self, config, company, date, current):
        """The lifecycle changes of a batch, writing nothing: [{partner_id,
        old_stage, new_stage}] of the customers whose stage changes.

        :param current: {partner id: current stage or None} of the batch's
            partners (as ``_next_batch`` read them)
        """
        settings = self._lifecycle_settings(config, company)
        facts = self._lifecycle_facts(settings, company, date, list(current))
        none = (None, None, None, None)
        changes = []
        for partner_id, old in current.items():
            new = lifecycle.stage(date, facts.get(partner_id, none), settings)
            if new != old:
                changes.append(
                    {"partner_id": partner_id, "old_stage": old, "new_stage": new}
                )
        return changes

    @api.model
    def _current_states(self, company, partner_ids):
        """{partner id: (tier id, score, below count, locked)} for a batch,
        read in one query; a lock past its expiry date no longer counts."""
        key = str(company.id)
        today = fields.Date.context_today(self)
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT p.id,
                       t.id,
                       COALESCE((p.tier_score->>%(key)s)::float8, 0),
                       COALESCE((p.tier_below_count->>%(key)s)::int, 0),
                       COALESCE((p.tier_locked->>%(key)s)::boolean, false)
                       AND COALESCE(
                           (p.tier_lock_until->>%(key)s)::date >= %(today)s, true)
                  FROM res_partner p
                  -- A tier id that is not one of the company's tiers (data
                  -- written around the application) counts as no tier.
                  LEFT JOIN customer_tier t
                         ON t.id = (p.tier_id->>%(key)s)::int
                        AND t.company_id = %(company)s
                 WHERE p.id = ANY(%(ids)s)
                """,
                key=key,
                ids=partner_ids,
                today=today,
                company=company.id,
            )
        )
        return {row[0]: row[1:] for row in rows}

    @api.model
    def _decide_batch(self, config, company, date, partner_ids):
        """The decision for each partner of a batch, writing nothing.

        :return: list of dicts: partner_id, old_tier_id, new_tier_id,
            movement, score, old_score, below_count, old_below_count,
            breakdown
        """
        if not partner_ids:
            return []
        # Raw SQL below: pending ORM writes (e.g. a potential rating) first.
        self.env.flush_all()
        indicators = (
            self.env["customer.tier.indicator"]
            .sudo()
            .with_context(active_test=False)
            .browse(indicator["id"] for indicator in config["indicators"])
        )
        raw = indicators._get_raw_values_many(partner_ids, company, date)
        states = self._current_states(company, partner_ids)
        scorer = scoring.Scorer(config)
        decisions = []
        for partner_id in partner_ids:
            old_tier_id, old_score, below, locked = states[partner_id]
            raw_values = {
                ind_id: values.get(partner_id) for ind_id, values in raw.items()
            }
            score, new_tier_id, new_below, movement = scorer.decide(
                raw_values, old_tier_id, below, locked
            )
            decision = {
                "partner_id": partner_id,
                "old_tier_id": old_tier_id,
                "new_tier_id": new_tier_id,
                "movement": movement,
                "score": score,
                "old_score": old_score,
                "below_count": new_below,
                "old_below_count": below,
            }
            if new_tier_id != old_tier_id:
                # The breakdown goes into the history: only changes need it.
                decision["breakdown"] = scorer.breakdown(raw_values)
            decisions.append(decision)
        return decisions

    @api.model
    def _tally(self, decisions, counts, distribution):
        """Add a batch's decisions to movement counts and tier distribution."""
        counts.update(decision["movement"] for decision in decisions)
        distribution.update(str(decision["new_tier_id"] or 0) for decision in decisions)

    # --- running ----------------------------------------------------------------

    @api.model
    def _launch(self, company, trigger, overrides=None):
        """Start an evaluation of ``company``; return it (state running)."""
        open_run = self.sudo().search(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("running", "to_review")),
            ],
            limit=1,
        )
        if open_run:
            raise UserError(
                self.env._(
                    "Evaluation %(name)s of %(company)s is still %(state)s; finish or "
                    "cancel it first.",
                    name=open_run.name,
                    company=company.name,
                    state=dict(
                        open_run._fields["state"]._description_selection(self.env)
                    )[open_run.state],
                )
            )
        config = self._build_config(company, overrides)
        date = fields.Date.context_today(self)
        self.env["res.partner"]._tier_expire_locks(company, date)
        return self.sudo().create(
            {
                "company_id": company.id,
                "date": date,
                "date_from": date
                - relativedelta(months=config["period_months"], days=-1),
                "trigger": trigger,
                "apply_mode": config["apply_mode"],
                "config": config,
                "user_id": self.env.uid,
            }
        )

    def _batch_size(self):
        param = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("customer_tiering.batch_size")
        )
        return max(int(param or DEFAULT_BATCH_SIZE), 1)

    def _process_batch(self):
        """Grade the next batch of partners; return how many were graded
        (0 once the run is complete, which finishes it)."""
        self.ensure_one()
        # Serialize batches of one run, whoever calls (scheduler or UI), and
        # read the cursor as committed by the previous batch.
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM customer_tier_evaluation WHERE id = %s "
                "FOR NO KEY UPDATE",
                self.id,
            )
        )
        self.invalidate_recordset()
        if self.state != "running":
            return 0
        started = time.monotonic()
        company = self.company_id
        batch = self._next_batch(
            self.config, company, self.date, self.cursor_partner_id, self._batch_size()
        )
        if not batch:
            self._finish()
            return 0
        partner_ids = [partner_id for partner_id, _graded, _stage in batch]
        decisions = self._grade_isolated(batch)
        counts, distribution = Counter(), Counter(self.tier_distribution or {})
        self._tally(decisions, counts, distribution)
        self.write(
            {
                "cursor_partner_id": partner_ids[-1],
                "batch_count": self.batch_count + 1,
                "count_evaluated": self.count_evaluated + len(decisions),
                "count_new": self.count_new + counts[scoring.NEW],
                "count_up": self.count_up + counts[scoring.UP],
                "count_down": self.count_down + counts[scoring.DOWN],
                "count_unchanged": self.count_unchanged + counts[scoring.UNCHANGED],
                "count_locked": self.count_locked + counts[scoring.LOCKED],
                "tier_distribution": dict(distribution),
                "duration": self.duration + time.monotonic() - started,
            }
        )
        return len(partner_ids)

    def _grade_isolated(self, batch):
        """Grade a batch ([(partner id, in the tier scope, current lifecycle
        stage)], as ``_next_batch`` returns it), all at once; when
        that fails, one by one, so that a customer who cannot be graded (bad
        data, a plugin's hook failing for them) is logged and skipped instead
        of stopping the evaluation for everyone. Returns the tier decisions
        written."""
        Partner = self.env["res.partner"].sudo()
        return jobs.run_isolated(
            self.env,
            batch,
            self._grade,
            lambda item: (
                f"Evaluation {self.id}: grading customer "
                f"{Partner.browse(item[0]).display_name} (id {item[0]})"
            ),
            _logger,
        )

    def _grade(self, batch):
        """Decide and write the tiers of the partners of ``batch`` that are in
        the tier scope, and the lifecycle stages of all (in the same
        statement); return the tier decisions."""
        company = self.company_id
        decisions = self._decide_batch(
            self.config,
            company,
            self.date,
            [partner_id for partner_id, graded, _stage in batch if graded],
        )
        stage_changes = self._decide_lifecycle(
            self.config,
            company,
            self.date,
            {partner_id: stage for partner_id, _graded, stage in batch},
        )
        self._apply_decisions(decisions, stage_changes)
        return decisions

    def _run_to_end(self):
        """Process every remaining batch in this transaction."""
        self.ensure_one()
        while self._process_batch():
            pass

    def _remaining_count(self):
        self.ensure_one()
        if self.state != "running":
            return 0
        return self._count_partners(
            self.config, self.company_id, self.date, self.cursor_partner_id
        )

    def _apply_decisions(self, decisions, stage_changes=()):
        """Write what a batch changes, in one statement for the customers: their
        tiers (through the one path of tier changes, with history and
        notifications), their scores and downgrade counters where they
        changed, and their lifecycle stages (with their history). In review
        mode tier changes become proposals instead, which carry their score
        until they are approved."""
        self.ensure_one()
        company = self.company_id
        Partner = self.env["res.partner"]
        review = self.apply_mode == "review"
        values = {
            "tier_score": {},
            "tier_below_count": {},
            **Partner._lifecycle_values(stage_changes),
        }
        changes = []
        for d in decisions:
            moved = d["new_tier_id"] != d["old_tier_id"]
            if round(d["score"], 2) != round(d["old_score"], 2) and not (
                moved and review
            ):
                values["tier_score"][d["partner_id"]] = d["score"]
            if d["below_count"] != d["old_below_count"]:
                values["tier_below_count"][d["partner_id"]] = d["below_count"] or None
            if moved:
                changes.append(
                    {
                        "partner_id": d["partner_id"],
                        "old_tier_id": d["old_tier_id"],
                        "new_tier_id": d["new_tier_id"],
                        "movement": d["movement"],
                        "score": d["score"],
                        "breakdown": d["breakdown"],
                        "evaluation_id": self.id,
                    }
                )
        if review:
            bulk.set_company_values(Partner.sudo(), company, values)
            if changes:
                self.env["customer.tier.proposal"].sudo().create(changes)
        else:
            for change in changes:
                change["reason"] = "evaluation"
            Partner._tier_apply_changes(company, changes, values)
        Partner._lifecycle_record_changes(company, stage_changes, self.date, self)

    def _finish(self):
        for evaluation in self:
            pending = evaluation.proposal_pending_count
            evaluation.write(
                {
                    "state": "to_review" if pending else "done",
                    "finished_at": fields.Datetime.now(),
                }
            )
            company = evaluation.company_id.sudo()
            company.tier_next_evaluation_date = evaluation.date + relativedelta(
                months=CADENCE_MONTHS[company.tier_evaluation_cadence]
            )

    # --- review -----------------------------------------------------------------

    def _check_review_done(self):
        for evaluation in self.filtered(lambda e: e.state == "to_review"):
            if not evaluation.proposal_pending_count:
                evaluation.state = "done"

    def action_approve_all(self):
        self._check_manager()
        self.proposal_ids.filtered(lambda p: p.state == "pending").action_approve()

    def action_reject_all(self):
        self._check_manager()
        self.proposal_ids.filtered(lambda p: p.state == "pending").action_reject()

    def action_cancel(self):
        """Stop a run: what its finished batches wrote stays; pending
        proposals are rejected."""
        self._check_manager()
        for evaluation in self.filtered(lambda e: e.state in ("running", "to_review")):
            evaluation.proposal_ids.filtered(lambda p: p.state == "pending").write(
                {"state": "rejected"}
            )
            evaluation.write(
                {"state": "cancelled", "finished_at": fields.Datetime.now()}
            )

    def _check_manager(self):
        if not self.env.user.has_group("customer_tiering.group_customer_tier_manager"):
            raise UserError(self.env._("Only customer tier managers can do this."))

    def action_view_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_tiering.customer_tier_history_action"
        )
        action["domain"] = [("evaluation_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_view_proposals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_tiering.customer_tier_proposal_action"
        )
        action["domain"] = [("evaluation_id", "=", self.id)]
        action["context"] = {"search_default_pending": 1}
        return action

    # --- entry points -------------------------------------------------------------

    @api.model
    def _sync_limit(self):
        """Runs started from the UI up to this many partners finish at once;
        larger ones continue in the background (the scheduled action)."""
        param = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("customer_tiering.sync_limit")
        )
        return int(param or DEFAULT_SYNC_LIMIT)

    @api.model
    def _launch_and_run(self, company, overrides=None):
        """Start a manual evaluation, run it now when it is small, else hand it
        to the scheduled action; return the evaluation."""
        evaluation = self._launch(company, "manual", overrides)
        if evaluation._remaining_count() <= self._sync_limit():
            evaluation._run_to_end()
        else:
            self.env.ref("customer_tiering.ir_cron_evaluate_tiers").sudo()._trigger()
        return evaluation

    def _notify_done(self):
        """After an evaluation started by hand: say what happened, then open
        it."""
        self.ensure_one()
        if self.state == "running":
            message = self.env._(
                "Evaluation %(name)s started: it grades the customers in the "
                "background.",
                name=self.name,
            )
        else:
            message = self.env._(
                "Evaluation %(name)s done. Customers graded: %(evaluated)s "
                "(up: %(up)s, down: %(down)s, first tier: %(new)s).",
                name=self.name,
                evaluated=self.count_evaluated,
                up=self.count_up,
                down=self.count_down,
                new=self.count_new,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
                "next": {
                    "type": "ir.actions.act_window",
                    "res_model": self._name,
                    "res_id": self.id,
                    "view_mode": "form",
                    "views": [(False, "form")],
                    "target": "current",
                },
            },
        }

    @api.model
    def _cron_evaluate(self):
        """Scheduled action: expire past locks, continue a running evaluation or
        start the next due one, and grade one batch per call. Progress is
        reported so that the scheduler calls again at once while work
        remains; each call's work is committed as one batch."""
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].sudo().search([])
        self.env["res.partner"]._tier_expire_locks(companies, today)
        evaluation = self.sudo().search(
            [("state", "=", "running")], order="id", limit=1
        )
        due = companies._tier_due_companies(today) - evaluation.company_id
        done = 0
        while evaluation or due:
            if not evaluation:
                company, due = due[0], due[1:]
                try:
                    with self.env.cr.savepoint():
                        evaluation = self.with_company(company)._launch(company, "cron")
                except UserError as error:
                    # Not configured well enough to grade anyone: retry tomorrow.
                    company.tier_next_evaluation_date = today + relativedelta(days=1)
                    _logger.warning(
                        "Customer tiers of %s not evaluated: %s", company.name, error
                    )
                    continue
                except Exception:  # noqa: BLE001 - the other companies go on
                    company.tier_next_evaluation_date = today + relativedelta(days=1)
                    _logger.exception(
                        "Customer tiers of %s not evaluated; retried tomorrow.",
                        company.name,
                    )
                    continue
            done = evaluation._process_batch()
            if done:
                break
            evaluation = self.browse()  # finished with nothing left: next company
        remaining = evaluation._remaining_count() if evaluation else 0
        if evaluation and evaluation.state == "running" and not remaining:
            evaluation._finish()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining + len(due))

    @api.model
    def _demo_evaluate(self):
        """Demo data: grade the main company's customers once."""
        company = self.env.ref("base.main_company")
        self.with_company(company)._launch_and_run(company)
