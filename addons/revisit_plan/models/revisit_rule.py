import logging
from datetime import timedelta

import psycopg2
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL
from odoo.tools.misc import format_date
from odoo.tools.safe_eval import safe_eval

from odoo.addons.customer_tiering.tools import jobs, validation

from ..tools import batching, dates

_logger = logging.getLogger(__name__)

CADENCE_UNITS = [
    ("days", "Days"),
    ("weeks", "Weeks"),
    ("months", "Months"),
    ("years", "Years"),
]
RESPONSIBLE = [
    ("salesperson", "The customer's salesperson"),
    ("fixed", "A fixed user"),
    ("round_robin", "Round-robin over users"),
]
# The longest delay of a retention revisit after the customer entered the stage.
MAX_STAGE_DELAY_DAYS = 90
NOTE_PLACEHOLDERS = ("{customer}", "{tier}", "{due_date}", "{last_revisit}")


class RevisitRule(models.Model):
    """How often which customers are revisited, how, and by whom.

    The daily scheduled action (``_cron_plan_revisits``, below) plans, for
    each active rule, a revisit for every customer it applies to whose last
    done revisit of the rule plus the cadence falls on or before today plus
    the lead time, and who has no open revisit; a retention rule (on a
    lifecycle stage) plans one per entry of a customer into its stage.
    """

    _name = "revisit.rule"
    _description = "Revisit Rule"
    _inherit = ["mail.thread"]
    _order = "company_id, sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    tier_ids = fields.Many2many(
        "customer.tier",
        string="Tiers",
        domain="[('company_id', '=', company_id)]",
        help="The rule applies to the customers holding one of these tiers in "
        "the rule's company. Leave empty to select customers by the filter "
        "alone.",
    )
    lifecycle_stage = fields.Selection(
        selection="_selection_lifecycle_stage",
        help="A retention rule: one revisit each time a customer enters this "
        "lifecycle stage (e.g. a call when it goes at risk), due within the days "
        "given, instead of a cadence. Combined with the tiers and the filter "
        "when given.",
    )
    stage_delay_days = fields.Integer(
        string="Within (days)",
        default=3,
        help="A retention revisit is due this many days after the customer "
        "entered the stage (today at the latest when planned later).",
    )
    partner_domain = fields.Char(
        string="Customer Filter",
        default="[]",
        help="Optional filter on customers, combined with the tiers (both must "
        "hold). A rule without tiers applies to every customer this filter "
        "selects.",
    )
    cadence_number = fields.Integer(
        string="Every",
        default=1,
        required=True,
        tracking=True,
        help="A customer is revisited this many days, weeks, months or years "
        "after its last done revisit of this rule; ten years at most.",
    )
    cadence_unit = fields.Selection(
        CADENCE_UNITS, string="Unit", default="months", required=True, tracking=True
    )
    lead_days = fields.Integer(
        string="Lead Time (days)",
        default=7,
        tracking=True,
        help="The revisit and its activity are created this many days before "
        "the revisit is due. It must stay shorter than the cadence.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        required=True,
        default=lambda self: self.env.ref(
            "revisit_plan.mail_activity_type_revisit_call", raise_if_not_found=False
        ),
        domain="[('res_model', 'in', (False, 'revisit.record'))]",
        help="The activity scheduled for each revisit, e.g. Revisit call or "
        "On-site visit.",
    )
    responsible = fields.Selection(
        RESPONSIBLE,
        default="salesperson",
        required=True,
        help="Who revisits. The customer's salesperson, when the customer has "
        "none (or an archived one), falls back on the fallback user, else on "
        "the company's first revisit manager.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Fixed or Fallback User",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="With 'A fixed user', who revisits every customer of this rule; "
        "with 'The customer's salesperson', who revisits customers without one.",
    )
    user_ids = fields.Many2many(
        "res.users",
        "revisit_rule_round_robin_rel",
        "rule_id",
        "user_id",
        string="Round-robin Users",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="With 'Round-robin', revisits are handed to these users in turn.",
    )
    round_robin_index = fields.Integer(
        readonly=True, copy=False, help="Where the round-robin continues."
    )
    summary = fields.Char(
        translate=True,
        help="Summary of the activities; the rule's name when empty.",
    )
    note_template = fields.Html(
        string="Note",
        translate=True,
        help="Note of each activity. These placeholders are replaced: "
        "{customer}, {tier}, {due_date}, {last_revisit}.",
    )
    record_count = fields.Integer(string="Revisits", compute="_compute_record_count")
    # Progress of the scheduled planning, one pass per rule and day.
    date_scan = fields.Date(string="Last Planning Day", readonly=True, copy=False)
    scan_cursor = fields.Integer(
        string="Planned up to Customer", readonly=True, copy=False
    )
    scan_done = fields.Boolean(string="Planned for the Day", readonly=True, copy=False)

    @api.model
    def _selection_lifecycle_stage(self):
        """The stages of customers' lifecycle (customer_tiering)."""
        field = self.env["res.partner"]._fields["lifecycle_stage"]
        return field._description_selection(self.env)

    def _compute_record_count(self):
        counts = dict(
            self.env["revisit.record"]._read_group(
                [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.record_count = counts.get(rule, 0)

    @api.constrains("cadence_number", "cadence_unit", "lead_days", "stage_delay_days")
    def _check_cadence(self):
        units = dict(self._fields["cadence_unit"]._description_selection(self.env))
        for rule in self:
            if not 0 <= rule.stage_delay_days <= MAX_STAGE_DELAY_DAYS:
                raise ValidationError(
                    self.env._(
                        "A retention revisit of rule %(rule)s is due 0 to %(max)s "
                        "days after the customer entered the stage.",
                        rule=rule.name,
                        max=MAX_STAGE_DELAY_DAYS,
                    )
                )
            if rule.cadence_number <= 0:
                raise ValidationError(
                    self.env._(
                        "The cadence of revisit rule %(rule)s must be a positive "
                        "number of %(unit)s.",
                        rule=rule.name,
                        unit=units[rule.cadence_unit],
                    )
                )
            maximum = dates.MAX_CADENCE[rule.cadence_unit]
            if rule.cadence_number > maximum:
                raise ValidationError(
                    self.env._(
                        "The cadence of revisit rule %(rule)s is at most ten years "
                        "(%(max)s %(unit)s).",
                        rule=rule.name,
                        max=maximum,
                        unit=units[rule.cadence_unit],
                    )
                )
            if rule.lead_days < 0:
                raise ValidationError(
                    self.env._(
                        "The lead time of revisit rule %(rule)s cannot be negative.",
                        rule=rule.name,
                    )
                )
            cadence_days = dates.cadence_min_days(
                rule.cadence_number, rule.cadence_unit
            )
            if rule.lead_days >= cadence_days:
                raise ValidationError(
                    self.env._(
                        "The lead time of revisit rule %(rule)s (%(lead)s days) must "
                        "be shorter than its cadence (at least %(days)s days).",
                        rule=rule.name,
                        lead=rule.lead_days,
                        days=cadence_days,
                    )
                )

    @api.constrains("responsible", "user_id", "user_ids")
    def _check_responsible(self):
        for rule in self:
            if rule.responsible == "fixed" and not rule.user_id:
                raise ValidationError(
                    self.env._(
                        "Revisit rule %(rule)s needs the user who revisits.",
                        rule=rule.name,
                    )
                )
            if rule.responsible == "round_robin" and not rule.user_ids:
                raise ValidationError(
                    self.env._(
                        "Revisit rule %(rule)s needs the users of the round-robin.",
                        rule=rule.name,
                    )
                )
            if (rule.user_id | rule.user_ids).filtered("share"):
                raise ValidationError(
                    self.env._(
                        "Revisit rule %(rule)s hands revisits to internal users only.",
                        rule=rule.name,
                    )
                )

    @api.constrains("tier_ids", "lifecycle_stage", "partner_domain", "company_id")
    def _check_scope(self):
        for rule in self:
            if rule.tier_ids.company_id - rule.company_id:
                raise ValidationError(
                    self.env._(
                        "The tiers of revisit rule %(rule)s must belong to its "
                        "company.",
                        rule=rule.name,
                    )
                )
            domain = rule._parsed_domain()
            if not (rule.tier_ids or rule.lifecycle_stage or domain):
                raise ValidationError(
                    self.env._(
                        "Revisit rule %(rule)s needs tiers, a lifecycle stage or a "
                        "customer filter.",
                        rule=rule.name,
                    )
                )
            if domain:
                rule._check_domain_runs()

    def _check_domain_runs(self):
        """Run the customer selection of this rule once (one row at most, in a
        savepoint): a filter can compile and still fail in the database, e.g.
        ``[('id', '=', 'abc')]``."""
        self.ensure_one()
        self.env.flush_all()
        query = SQL(
            "SELECT 1 FROM res_partner p WHERE %s LIMIT 1", self._partner_condition()
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
        except psycopg2.Error as error:
            raise ValidationError(
                self.env._(
                    "The customer filter of revisit rule %(rule)s is not valid: "
                    "%(error)s",
                    rule=self.name,
                    error=(error.diag.message_primary or str(error))[:200],
                )
            ) from None

    def _parsed_domain(self):
        self.ensure_one()
        try:
            domain = safe_eval(self.partner_domain or "[]")
            # Raises on unknown fields or operators.
            self.env["res.partner"]._search(domain)
        except Exception as error:  # noqa: BLE001 - any parse error is bad input
            raise ValidationError(
                self.env._(
                    "The customer filter of revisit rule %(rule)s is not valid: "
                    "%(error)s",
                    rule=self.name,
                    error=error,
                )
            ) from error
        return domain

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            validation.check_values(self, vals)
        return super().create(vals_list)

    def write(self, vals):
        validation.check_values(self, vals)
        result = super().write(vals)
        if vals.get("active") is False:
            # Archived rules plan no more: their planned revisits go.
            self.env["revisit.record"].sudo().search(
                [("rule_id", "in", self.ids), ("state", "=", "planned")]
            ).action_cancel()
        return result

    def action_plan_now(self):
        """Plan the due revisits of these rules at once (what the daily
        scheduled action does), with a fresh pass of today. For revisit
        managers; a rule the database cannot run is named in the error."""
        if not (
            self.env.su or self.env.user.has_group("revisit_plan.group_revisit_manager")
        ):
            raise AccessError(
                self.env._("Only revisit managers plan the revisits of a rule.")
            )
        self.check_access("write")
        # Rules saved before their checks ran (e.g. an older version) are
        # checked here, where the manager sees the error.
        self._check_cadence()
        self._check_scope()
        rules = self.sudo()
        rules.write({"date_scan": False})
        rules._plan_step()  # the stale pass
        planned = 0
        while rules.filtered(lambda r: not r.scan_done):
            pending = rules.filtered(lambda r: not r.scan_done)
            done, _remaining = rules._plan_step()
            planned += done
            if not done and pending == rules.filtered(lambda r: not r.scan_done):
                break  # another worker holds a rule: it plans it
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Revisits planned: %(count)s.", count=planned),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_view_records(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "revisit_plan.revisit_record_action"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {"search_default_planned": 1}
        return action

    # --- selection of due customers ---------------------------------------------

    def _partner_condition(self):
        """SQL condition on ``p`` (res_partner) selecting the customers this
        rule applies to: active commercial partners of its company (or
        shared), holding one of its tiers there, in its lifecycle stage there,
        and matching its filter."""
        self.ensure_one()
        conditions = [
            SQL(
                "p.active AND p.id = p.commercial_partner_id "
                "AND (p.company_id IS NULL OR p.company_id = %s)",
                self.company_id.id,
            )
        ]
        if self.tier_ids:
            conditions.append(
                self.env["res.partner"]._tier_sql_condition(
                    self.company_id, self.tier_ids
                )
            )
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_company(self.company_id)
            .with_context(active_test=False)
        )
        if self.lifecycle_stage:
            stage = [("lifecycle_stage", "=", self.lifecycle_stage)]
            conditions.append(SQL("p.id IN %s", partners._search(stage).subselect()))
        domain = self._parsed_domain()
        if domain:
            conditions.append(SQL("p.id IN %s", partners._search(domain).subselect()))
        return SQL(" AND ").join(conditions)

    def _due_partners(self, today, after_id=0, limit=None):
        """[(partner id, last done date, due date, stage entry id)] of the
        customers due for this rule, in id order after ``after_id``: one
        query for the whole batch. Which customers are due, and when, depends
        on the kind of rule (``_due_by_cadence``, ``_due_by_stage``)."""
        self.ensure_one()
        self.env.flush_all()
        due = (self._due_by_stage if self.lifecycle_stage else self._due_by_cadence)(
            today
        )
        return self.env.execute_query(
            SQL(
                """
                SELECT p.id, last.date_done, %(date_due)s, %(entry_id)s
                  FROM res_partner p
                  %(joins)s
                  LEFT JOIN LATERAL (
                        SELECT MAX(r.date_done) AS date_done
                          FROM revisit_record r
                         WHERE r.partner_id = p.id
                           AND r.rule_id = %(rule)s
                           AND r.state = 'done'
                       ) last ON true
                 WHERE %(condition)s
                   AND p.id > %(after)s
                   AND %(due)s
                 ORDER BY p.id
                 LIMIT %(limit)s
                """,
                date_due=due["date_due"],
                entry_id=due["entry_id"],
                joins=due["joins"],
                rule=self.id,
                condition=self._partner_condition(),
                after=after_id,
                due=due["condition"],
                limit=limit,
            )
        )

    def _due_by_cadence(self, today):
        """The pieces of ``_due_partners`` for a rule with a cadence: a
        customer is due when its last done revisit of this rule (``last``)
        plus the cadence falls on or before today plus the lead time (or it
        was never revisited under this rule), and it has no planned revisit
        in the rule's company. Its revisit is due on that date, or today when
        it is past. PostgreSQL's date arithmetic is the one the planning
        uses: month and year steps keep the day of the month or take the
        month's last day (31 January + 1 month = 28 or 29 February)."""
        cadence = SQL(
            "make_interval(%s => %s)", SQL(self.cadence_unit), self.cadence_number
        )
        return {
            "joins": SQL(),
            "date_due": SQL(
                "GREATEST((last.date_done + %s)::date, %s)", cadence, today
            ),
            "entry_id": SQL("NULL::int"),
            "condition": SQL(
                """NOT EXISTS (
                        SELECT 1 FROM revisit_record o
                         WHERE o.partner_id = p.id
                           AND o.company_id = %(company)s
                           AND o.state = 'planned')
                   AND (last.date_done IS NULL
                        OR (last.date_done + %(cadence)s)::date <= %(horizon)s)""",
                company=self.company_id.id,
                cadence=cadence,
                horizon=today + timedelta(days=self.lead_days),
            ),
        }

    def _due_by_stage(self, today):
        """The pieces of ``_due_partners`` for a retention rule: a customer in
        its lifecycle stage is due when its entry into it (``entry``: its
        latest history row of that stage) has no revisit of this rule yet,
        whatever its state, and it has no planned revisit of this rule; a
        customer entering the stage again later gets a new one. The revisit
        is due the rule's days after the entry, or today when that is past.
        Other revisits do not hold a retention revisit back."""
        return {
            "joins": SQL(
                """JOIN LATERAL (
                        SELECT h.id, h.date
                          FROM customer_lifecycle_history h
                         WHERE h.partner_id = p.id
                           AND h.company_id = %s
                           AND h.new_stage = %s
                         ORDER BY h.date DESC, h.id DESC
                         LIMIT 1
                       ) entry ON true""",
                self.company_id.id,
                self.lifecycle_stage,
            ),
            "date_due": SQL(
                "GREATEST(entry.date + %s, %s)", self.stage_delay_days, today
            ),
            "entry_id": SQL("entry.id"),
            "condition": SQL(
                """NOT EXISTS (
                        SELECT 1 FROM revisit_record o
                         WHERE o.rule_id = %s
                           AND (o.lifecycle_history_id = entry.id
                                OR (o.partner_id = p.id AND o.state = 'planned')))""",
                self.id,
            ),
        }

    def _stale_record_ids(self):
        """Planned revisits of this rule whose customer it no longer applies
        to (a tier change, a filter change, an archived customer)."""
        self.ensure_one()
        self.env.flush_all()
        return [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    """
                    SELECT r.id FROM revisit_record r
                      JOIN res_partner p ON p.id = r.partner_id
                     WHERE r.rule_id = %(rule)s AND r.state = 'planned'
                       AND NOT (%(condition)s)
                    """,
                    rule=self.id,
                    condition=self._partner_condition(),
                )
            )
        ]

    # --- the daily planning -----------------------------------------------------

    @api.model
    def _cron_plan_revisits(self):
        """Scheduled action: plan the revisits that are due, one batch per
        call.

        Each day starts with a pass that cancels the planned revisits of
        customers their rule no longer applies to (a tier change moves the
        customer to its new tier's rule; a customer that left a retention
        rule's stage loses its call). Then each active rule selects its
        due customers batch by batch (one query per batch), and the batch's
        revisits are inserted in one statement and their activities created
        in one call, without emails. A rule's progress (``scan_cursor``) is
        committed with its batch, so a crash loses at most the batch in
        progress. Two workers never plan the same rule at once (row lock,
        skipped when held), and a unique index refuses a second planned
        revisit of a customer and rule whatever happens. A rule that fails
        (a filter or a cadence the database refuses) is logged and left
        until the next day; the others are planned.
        """
        done, remaining = self.sudo().search([])._plan_step()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    def _plan_step(self):
        """One step of the planning of these rules: the day's stale pass of
        the rules not yet cleaned today, else one batch of the first rule
        with work left. Return (done, remaining): the rules cleaned or the
        customers handled, and the rules with work left today.

        The scheduler calls again only while both are non-zero, so a step
        that did some work never says 0, and a step says 0 done only when
        every rule left is held by another worker (who plans it). Each rule
        runs in a savepoint of its own: a rule that fails is logged and
        skipped until the next day, so it can neither stop the others nor
        make the scheduler call for ever."""
        # Many short, index-driven queries whose estimated cost over large
        # tables passes PostgreSQL's JIT threshold: compiling them costs more
        # than running them. SET LOCAL ends with the transaction (the step).
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        today = fields.Date.context_today(self)
        rules = self.sudo()
        fresh = rules.filtered(lambda r: r.date_scan != today)._lock_rows()
        if fresh:
            cleaned = fresh.browse(
                jobs.run_isolated(
                    self.env,
                    list(fresh),
                    lambda batch: fresh.browse(r.id for r in batch)._cancel_stale(),
                    lambda rule: rule._job_label(),
                    _logger,
                )
            )
            cleaned.write({"date_scan": today, "scan_cursor": 0, "scan_done": False})
            # Failed: nothing more of them today.
            (fresh - cleaned).write({"date_scan": today, "scan_done": True})
            return len(fresh), rules._count_left(today)
        size = batching.batch_size(self.env)
        handled = 0
        for rule in rules.filtered(lambda r: r.date_scan == today and not r.scan_done):
            if not rule._lock_rows() or rule.scan_done:
                continue
            result = jobs.run_isolated(
                self.env,
                [rule],
                lambda batch: [batch[0]._plan_batch(today, size)],
                lambda rule: rule._job_label(),
                _logger,
            )
            if not result:
                rule.scan_done = True  # failed: logged, left until tomorrow
                continue
            handled = result[0]
            if handled:
                break
        return handled, rules._count_left(today)

    def _plan_batch(self, today, batch_size):
        """Plan the next batch of the due customers of this rule and save its
        progress; return how many customers it handled."""
        self.ensure_one()
        rows = self._due_partners(today, self.scan_cursor, batch_size)
        self._plan_for(rows)
        values = {"scan_cursor": rows[-1][0] if rows else self.scan_cursor}
        if len(rows) < batch_size:
            values["scan_done"] = True
        self.write(values)
        return len(rows)

    def _count_left(self, today):
        """How many of these rules have work left today. The scheduler only
        needs to know whether work is left: counting the due customers would
        scan every customer left."""
        return len(self.filtered(lambda r: r.date_scan != today or not r.scan_done))

    def _job_label(self):
        """What names this rule in the log of the planning."""
        self.ensure_one()
        return f"Revisit planning: rule {self.name!r} (id {self.id})"

    def _lock_rows(self):
        """Lock the rows of these rules for this transaction and return those
        locked: rows another transaction holds, or changed since this
        transaction's snapshot (a worker that committed in between), are
        skipped, never waited for."""
        if not self:
            return self
        self.env.flush_all()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM revisit_rule WHERE id = ANY(%s) "
                        "FOR NO KEY UPDATE SKIP LOCKED",
                        self.ids,
                    ),
                    log_exceptions=False,
                )
                locked = {row[0] for row in self.env.cr.fetchall()}
        except psycopg2.errors.SerializationFailure:
            return self.browse()
        self.invalidate_recordset()
        return self.filtered(lambda r: r.id in locked)

    def _cancel_stale(self):
        """Cancel the planned revisits of these rules whose customer the rule
        no longer applies to; return the ids of these rules."""
        stale = (
            self.env["revisit.record"]
            .sudo()
            .browse(
                record_id for rule in self for record_id in rule._stale_record_ids()
            )
        )
        if stale:
            stale.write({"state": "cancelled"})
            stale.activity_id.unlink()
        return self.ids

    def _plan_for(self, rows):
        """Plan the revisits of this rule for ``rows`` (of ``_due_partners``);
        return the revisits created."""
        self.ensure_one()
        Record = self.env["revisit.record"]
        if not rows:
            return Record
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_company(self.company_id)
            .browse(row[0] for row in rows)
        )
        users = self._assign_users(partners)
        # Notes are read by the revisit's responsible: written in their language.
        langs = {
            user.id: user.lang
            for user in self.env["res.users"]
            .sudo()
            .browse({user_id for user_id in users.values() if user_id})
        }
        due_rows = {row[0]: row for row in rows}
        values, notes = [], {}
        for partner in partners:
            _partner_id, last_done, due, stage_entry_id = due_rows[partner.id]
            values.append(
                {
                    "partner_id": partner.id,
                    "company_id": self.company_id.id,
                    "rule_id": self.id,
                    "lifecycle_history_id": stage_entry_id,
                    "tier_id": partner.tier_id.id or None,
                    "revisit_type_id": self.activity_type_id.id,
                    "date_due": due,
                    "user_id": users[partner.id] or None,
                }
            )
            if self.note_template:
                notes[partner.id] = self.with_context(
                    lang=langs.get(users[partner.id]) or self.env.lang
                )._note_for(partner, partner.tier_id, due, last_done)
        return Record._create_planned(values, notes=notes)

    # --- responsible and notes --------------------------------------------------

    def _assign_users(self, partners):
        """{partner id: user id} of who revisits each of ``partners`` (a batch,
        in id order); advances the round-robin."""
        self.ensure_one()
        if self.responsible == "fixed":
            return dict.fromkeys(partners.ids, self.user_id.id)
        if self.responsible == "round_robin":
            users = self.user_ids.filtered("active").sorted("id") or self.user_ids
            start = self.round_robin_index
            assigned = {
                partner.id: users[(start + i) % len(users)].id
                for i, partner in enumerate(partners)
            }
            self.sudo().round_robin_index = (start + len(partners)) % len(users)
            return assigned
        fallback = (
            self.user_id.filtered("active") or self.company_id._revisit_managers()[:1]
        )
        return {
            partner.id: (
                partner.user_id.id
                if partner.user_id.active and not partner.user_id.share
                else fallback.id
            )
            for partner in partners
        }

    def _note_for(self, partner, tier, date_due, last_done):
        """The activity note of one revisit, from the rule's note template,
        in the language of the context (its reader's): the template, the
        tier's name and the dates as that language writes them."""
        self.ensure_one()
        if not self.note_template:
            return False
        values = {
            "{customer}": partner.display_name,
            "{tier}": tier.with_env(self.env).name or "",
            "{due_date}": format_date(self.env, date_due) if date_due else "",
            "{last_revisit}": format_date(self.env, last_done) if last_done else "-",
        }
        note = str(self.note_template)
        for key in NOTE_PLACEHOLDERS:
            note = note.replace(key, str(escape(values[key])))
        return Markup(note)
