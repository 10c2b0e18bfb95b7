import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.misc import format_date

from odoo.addons.customer_tiering.tools import jobs, validation

from ..tools import batching

_logger = logging.getLogger(__name__)

CHANNELS = [
    ("phone", "Phone"),
    ("visit", "Visit"),
    ("email", "Email"),
    ("wechat", "WeChat"),
    ("other", "Other"),
]
STATES = [
    ("planned", "Planned"),
    ("done", "Done"),
    ("missed", "Missed"),
    ("cancelled", "Cancelled"),
]
# "0" first: the priority widget shows one star per value after the first.
SATISFACTION = [
    ("0", "Not rated"),
    ("1", "Very dissatisfied"),
    ("2", "Dissatisfied"),
    ("3", "Neutral"),
    ("4", "Satisfied"),
    ("5", "Very satisfied"),
]
# The farthest a person plans a revisit ahead: three years.
MAX_DELAY_DAYS = 3 * 365
# What the planning and the API set on the revisits they insert (see
# _create_planned).
PLANNED_COLUMNS = (
    "partner_id",
    "company_id",
    "rule_id",
    "lifecycle_history_id",
    "origin_ref",
    "origin_name",
    "reason",
    "tier_id",
    "revisit_type_id",
    "date_due",
    "user_id",
    "requested_by_id",
)
# Written by the planning, the outcome and the hand-over only (with elevated
# rights): a person cannot make a revisit done, score it, or forge where it
# comes from.
FLOW_FIELDS = frozenset(
    {
        "state",
        "date_done",
        "satisfaction",
        "channel",
        "feedback",
        "issues",
        "follow_up_needed",
        "next_revisit_id",
        "rule_id",
        "lifecycle_history_id",
        "origin_ref",
        "origin_name",
        "requested_by_id",
        "tier_id",
        "activity_id",
    }
)
# What a person may change on a planned revisit, and only on a planned one.
PLAN_FIELDS = ("partner_id", "user_id", "date_due", "revisit_type_id", "reason")
# Context key of a write that echoes the revisit's activity (or the reverse).
SYNC_KEY = "revisit_activity_sync"


class RevisitRecord(models.Model):
    """One revisit of a customer: planned by a rule or on request (another
    addon's record, a manual request), then done with its outcome, missed,
    or cancelled. A planned revisit has an activity for its user."""

    _name = "revisit.record"
    _description = "Revisit"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_due desc, id desc"
    _rec_names_search = ["partner_id", "reason"]

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    rule_id = fields.Many2one(
        "revisit.rule",
        index="btree_not_null",
        ondelete="restrict",
        readonly=True,
        copy=False,
        help="The rule that planned this revisit; empty for revisits requested "
        "by hand or by another application.",
    )
    lifecycle_history_id = fields.Many2one(
        "customer.lifecycle.history",
        string="Stage Entry",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        copy=False,
        help="For a retention revisit: the customer's entry into the lifecycle "
        "stage that its rule answers.",
    )
    lifecycle_stage = fields.Selection(
        related="lifecycle_history_id.new_stage", string="Lifecycle Stage"
    )
    origin_ref = fields.Reference(
        selection="_selection_origin_model",
        string="Origin",
        readonly=True,
        copy=False,
        help="The record that asked for this revisit, e.g. an after-sales ticket.",
    )
    origin_name = fields.Char(string="Requested From", readonly=True, copy=False)
    reason = fields.Text(help="Why the customer is revisited.")
    tier_id = fields.Many2one(
        "customer.tier",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The customer's tier when the revisit was planned.",
    )
    activity_id = fields.Many2one(
        "mail.activity",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        copy=False,
    )
    # Not "activity_type_id": mail.activity.mixin defines that one.
    revisit_type_id = fields.Many2one(
        "mail.activity.type",
        default=lambda self: self.env.ref(
            "revisit_plan.mail_activity_type_revisit_call", raise_if_not_found=False
        ),
        domain="[('res_model', 'in', (False, 'revisit.record'))]",
        help="How the revisit is done, e.g. Revisit call or On-site visit.",
    )
    date_due = fields.Date(string="Due Date", required=True, index=True, tracking=True)
    date_done = fields.Date(string="Done Date", readonly=True, copy=False)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    requested_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        default=lambda self: self.env.user,
    )
    channel = fields.Selection(
        CHANNELS, copy=False, help="How the customer was reached."
    )
    satisfaction = fields.Integer(
        copy=False,
        help="The customer's score of the service, from 1 (very dissatisfied) "
        "to 5 (very satisfied); 0 when not rated.",
        aggregator="avg",
    )
    satisfaction_label = fields.Selection(
        SATISFACTION,
        string="Satisfaction Score",
        compute="_compute_satisfaction_label",
    )
    feedback = fields.Text(copy=False, help="What the customer said.")
    issues = fields.Text(string="Issues Found", copy=False)
    follow_up_needed = fields.Boolean(
        string="Follow-up Needed", readonly=True, copy=False
    )
    next_revisit_id = fields.Many2one(
        "revisit.record", string="Follow-up Revisit", readonly=True, copy=False
    )
    state = fields.Selection(
        STATES,
        required=True,
        default="planned",
        readonly=True,
        copy=False,
        tracking=True,
    )
    is_overdue = fields.Boolean(string="Overdue", compute="_compute_is_overdue")

    _sql_constraints = [
        (
            "satisfaction_range",
            "CHECK(satisfaction BETWEEN 0 AND 5)",
            "The satisfaction score lies between 1 and 5.",
        ),
    ]

    def init(self):
        # At most one planned revisit per customer and rule, and per customer
        # and origin, and one revisit per rule and entry of a customer into a
        # lifecycle stage: enforced by the database, whoever inserts.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS revisit_record_planned_rule_uniq
                ON revisit_record (partner_id, rule_id) WHERE state = 'planned';
            CREATE UNIQUE INDEX IF NOT EXISTS revisit_record_planned_origin_uniq
                ON revisit_record (partner_id, origin_ref) WHERE state = 'planned';
            CREATE UNIQUE INDEX IF NOT EXISTS revisit_record_stage_entry_uniq
                ON revisit_record (rule_id, lifecycle_history_id)
             WHERE lifecycle_history_id IS NOT NULL;
            CREATE INDEX IF NOT EXISTS revisit_record_done_idx
                ON revisit_record (partner_id, rule_id, date_done)
             WHERE state = 'done';
            CREATE INDEX IF NOT EXISTS revisit_record_planned_due_idx
                ON revisit_record (date_due) WHERE state = 'planned';
            """
        )

    @api.model
    def _selection_origin_model(self):
        return [
            (model.model, model.name)
            for model in self.env["ir.model"].sudo().search([])
        ]

    @api.depends("partner_id", "date_due")
    def _compute_display_name(self):
        for record in self:
            record.display_name = self.env._(
                "Revisit of %(customer)s on %(date)s",
                customer=record.partner_id.display_name or "",
                date=format_date(self.env, record.date_due) if record.date_due else "",
            )

    @api.depends("satisfaction")
    def _compute_satisfaction_label(self):
        for record in self:
            record.satisfaction_label = str(record.satisfaction or 0)

    @api.depends("state", "date_due")
    @api.depends_context("tz")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for record in self:
            record.is_overdue = record.state == "planned" and record.date_due < today

    @api.constrains("satisfaction")
    def _check_satisfaction(self):
        for record in self:
            if record.satisfaction and not 1 <= record.satisfaction <= 5:
                raise ValidationError(
                    self.env._(
                        "The satisfaction score must lie between 1 and 5, not "
                        "%(score)s.",
                        score=record.satisfaction,
                    )
                )

    @api.constrains("partner_id", "company_id")
    def _check_partner_company(self):
        for record in self:
            company = record.partner_id.company_id
            if company and company != record.company_id:
                raise ValidationError(
                    self.env._(
                        "Customer %(customer)s belongs to %(company)s; its revisits "
                        "cannot belong to another company.",
                        customer=record.partner_id.display_name,
                        company=company.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        """Revisits planned by hand (the form) start planned, with the
        customer's tier and their activity; what the planning and the outcome
        write is theirs alone (see ``FLOW_FIELDS``). The scheduled actions and
        the API insert in bulk and create their activities themselves."""
        if not self.env.su:
            for vals in vals_list:
                self._check_manual_create(vals)
        records = super().create(self._with_tiers(vals_list))
        planned = records.filtered(lambda r: r.state == "planned" and not r.activity_id)
        if planned:
            planned._create_activities(notify=True)
        return records

    def write(self, vals):
        """People change planned revisits only, and only what planning by
        hand sets (customer, due date, responsible, type, reason); handing a
        revisit to someone else is a manager's act, and nobody moves a
        revisit out of their own sight. A new due date or responsible moves
        the revisit's activity along."""
        if not self.env.su:
            self._check_manual_write(vals)
        result = super().write(vals)
        if not self.env.su:
            self.check_access("write")
            if "partner_id" in vals:
                for record in self.sudo():
                    record.tier_id = record.partner_id.with_company(
                        record.company_id
                    ).tier_id
        self._sync_activities(vals)
        return result

    def _with_tiers(self, vals_list):
        """``vals_list`` with the customer's tier (in the revisit's company)
        for the revisits created without one."""
        Partner = self.env["res.partner"].sudo()
        result = []
        for vals in vals_list:
            partner_id = vals.get("partner_id")
            if "tier_id" not in vals and validation.valid_id(partner_id):
                company_id = vals.get("company_id") or self.env.company.id
                partner = Partner.browse(partner_id).with_company(company_id)
                vals = dict(vals, tier_id=partner.tier_id.id)
            result.append(vals)
        return result

    @api.model
    def _check_manual_create(self, vals):
        """A revisit created by a person starts planned, for a customer they
        may read and an active internal user, and carries nothing of the
        planning or the outcome."""
        validation.check_values(self, vals)
        forged = [
            name
            for name in FLOW_FIELDS & vals.keys()
            if not self._is_initial_value(name, vals[name])
        ]
        if forged:
            raise self._flow_fields_error(forged)
        self._check_customer(vals.get("partner_id"))
        if vals.get("user_id"):
            self._check_responsible(vals["user_id"])

    @api.model
    def _is_initial_value(self, name, value):
        """Whether ``value`` is what a new revisit has anyway (clients may send
        the defaults)."""
        if isinstance(value, models.BaseModel):
            value = value.id
        if name == "state":
            return value == "planned"
        if name == "requested_by_id":
            return value in (False, None, self.env.uid)
        return not value

    def _check_manual_write(self, vals):
        """What a person may change on these revisits (see ``write``)."""
        validation.check_values(self, vals)
        forged = set(FLOW_FIELDS & vals.keys())
        if "company_id" in vals and any(
            record.company_id.id != vals["company_id"] for record in self
        ):
            forged.add("company_id")
        if forged:
            raise self._flow_fields_error(forged)
        if any(name in vals for name in PLAN_FIELDS):
            closed = self.filtered(lambda r: r.state != "planned")
            if closed:
                raise UserError(
                    self.env._(
                        "Only planned revisits can be changed; %(revisit)s is "
                        "%(state)s.",
                        revisit=closed[0].display_name,
                        state=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[closed[0].state],
                    )
                )
        if "user_id" in vals:
            user_id = vals["user_id"]
            if isinstance(user_id, models.BaseModel):
                user_id = user_id.id
            if any(record.user_id.id != user_id for record in self):
                if not self.env.user.has_group("revisit_plan.group_revisit_manager"):
                    raise AccessError(
                        self.env._(
                            "Only revisit managers hand a revisit over to someone else."
                        )
                    )
                if user_id:
                    self._check_responsible(user_id)
        if "partner_id" in vals:
            moved = self.filtered(lambda r: r.partner_id.id != vals["partner_id"])
            tied = moved.filtered(lambda r: r.rule_id or r.origin_name or r.origin_ref)
            if tied:
                raise UserError(
                    self.env._(
                        "The customer of %(revisit)s cannot change: a revisit rule "
                        "or another application planned it for that customer.",
                        revisit=tied[0].display_name,
                    )
                )
            if moved:
                self._check_customer(vals["partner_id"])

    @api.model
    def _flow_fields_error(self, names):
        labels = sorted(
            self._fields[name]._description_string(self.env) for name in names
        )
        return AccessError(
            self.env._(
                "Revisits get %(fields)s from their planning and their outcome, "
                "not by hand.",
                fields=", ".join(labels),
            )
        )

    @api.model
    def _check_customer(self, partner_id):
        """The customer of a revisit planned by hand: one the user may read."""
        partner = self.env["res.partner"].browse(validation.valid_id(partner_id))
        if not partner.sudo().exists():
            raise UserError(self.env._("Plan a revisit for exactly one customer."))
        partner.check_access("read")

    @api.model
    def _check_responsible(self, user_id):
        user = self.env["res.users"].sudo().browse(validation.valid_id(user_id))
        if not user.exists():
            raise UserError(self.env._("Assign the revisit to one user."))
        if user.share or not user.active:
            raise UserError(
                self.env._(
                    "%(user)s cannot revisit customers: assign an active "
                    "internal user.",
                    user=user.name,
                )
            )

    def _sync_activities(self, vals):
        """Move the activities of these planned revisits to their new due date
        or responsible."""
        if self.env.context.get(SYNC_KEY):
            return
        sync = {}
        if "date_due" in vals:
            sync["date_deadline"] = vals["date_due"]
        if vals.get("user_id"):
            user_id = vals["user_id"]
            sync["user_id"] = (
                user_id.id if isinstance(user_id, models.BaseModel) else user_id
            )
        activities = self.filtered(lambda r: r.state == "planned").sudo().activity_id
        if sync and activities:
            activities.with_context(**{SYNC_KEY: True}).write(sync)

    # --- the API ------------------------------------------------------------------

    @api.model
    def schedule_revisit(
        self,
        partner,
        reason,
        delay_days=0,
        user=None,
        activity_type=None,
        origin=None,
    ):
        """Plan a revisit of ``partner`` in ``delay_days`` days, for ``reason``
        (text), assigned to ``user`` (default: the customer's salesperson, else
        the responsible of the first revisit rule that applies to the
        customer, else the company's first revisit manager, else the caller),
        with ``activity_type`` (default: the shipped "Revisit call" type) and
        an optional ``origin`` record (e.g. an after-sales ticket, stored as a
        Reference). Returns the planned revisit.record, with its
        mail.activity.

        Callable by any internal user, from any model's code: the caller must
        be able to read ``partner`` and ``origin``; the revisit is then
        created with elevated rights and returned in the caller's
        environment (callers may always read the revisits they requested).
        While a planned revisit exists for the same partner and origin, that
        one is returned and nothing is created (enforced by a unique index).

        :raise UserError: on bad input (no customer, empty reason, negative
            delay, a portal user as responsible, ...)
        :raise AccessError: when the caller is not an internal user or may
            not read the customer or the origin
        """
        partner, user, activity_type = self._check_schedule_input(
            partner, reason, delay_days, user, activity_type, origin
        )
        Record = self.sudo()
        company = partner.company_id or self.env.company
        origin_ref = f"{origin._name},{origin.id}" if origin else None
        if origin_ref:
            existing = Record.search(
                [
                    ("partner_id", "=", partner.id),
                    ("origin_ref", "=", origin_ref),
                    ("state", "=", "planned"),
                ],
                limit=1,
            )
            if existing:
                return existing.with_env(self.env)
        if not user:
            user = Record._default_responsible(partner, company)
        today = fields.Date.context_today(self)
        row = {
            "partner_id": partner.id,
            "company_id": company.id,
            "origin_ref": origin_ref,
            "origin_name": origin.sudo().display_name if origin else None,
            "reason": reason,
            "tier_id": partner.with_company(company).tier_id.id or None,
            "revisit_type_id": activity_type.id,
            "date_due": today + timedelta(days=delay_days),
            "user_id": user.id,
            "requested_by_id": self.env.uid,
        }
        records = Record._create_planned([row], notify=True)
        if not records:
            # Another transaction planned it a moment ago.
            records = Record.search(
                [
                    ("partner_id", "=", partner.id),
                    ("origin_ref", "=", origin_ref),
                    ("state", "=", "planned"),
                ],
                limit=1,
            )
        else:
            records._message_log_batch(
                bodies={
                    records.id: Markup("%s")
                    % self.env._("Revisit requested: %s", reason)
                }
            )
        return records.with_env(self.env)

    @api.model
    def _check_schedule_input(
        self, partner, reason, delay_days, user, activity_type, origin
    ):
        """Validate the arguments of ``schedule_revisit`` and the caller's
        rights; return (partner, user, activity type) ready to use."""
        if not (self.env.su or self.env.user._is_internal()):
            raise AccessError(self.env._("Only internal users can plan revisits."))
        if (
            not isinstance(partner, models.BaseModel)
            or partner._name != "res.partner"
            or len(partner) != 1
            or not partner.exists()
        ):
            raise UserError(self.env._("Plan a revisit for exactly one customer."))
        # Checked with the rights this method runs with, whatever environment
        # the records passed in carry.
        partner = partner.with_env(self.env)
        partner.check_access("read")
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(self.env._("Give the reason of the revisit."))
        if (
            isinstance(delay_days, bool)
            or not isinstance(delay_days, int)
            or not 0 <= delay_days <= MAX_DELAY_DAYS
        ):
            raise UserError(
                self.env._(
                    "The delay of a revisit is a number of days, zero or more and "
                    "at most %(max)s; not %(delay)s.",
                    max=MAX_DELAY_DAYS,
                    delay=str(delay_days)[:20],
                )
            )
        if user is not None and user is not False:
            if (
                not isinstance(user, models.BaseModel)
                or user._name != "res.users"
                or len(user) != 1
            ):
                raise UserError(self.env._("Assign the revisit to one user."))
            user = user.sudo()
            if user.share or not user.active:
                raise UserError(
                    self.env._(
                        "%(user)s cannot revisit customers: assign an active "
                        "internal user.",
                        user=user.name,
                    )
                )
        else:
            user = None
        if activity_type:
            if activity_type._name != "mail.activity.type" or len(activity_type) != 1:
                raise UserError(self.env._("Give one activity type."))
            if activity_type.sudo().res_model not in (False, "revisit.record"):
                raise UserError(
                    self.env._(
                        "Activity type %(type)s is not for revisits.",
                        type=activity_type.sudo().name,
                    )
                )
        else:
            activity_type = self.env.ref("revisit_plan.mail_activity_type_revisit_call")
        if origin is not None and origin is not False:
            if not isinstance(origin, models.BaseModel) or len(origin) != 1:
                raise UserError(
                    self.env._("The origin of a revisit is one record, or nothing.")
                )
            origin.with_env(self.env).check_access("read")
        return partner, user, activity_type.sudo()

    @api.model
    def _default_responsible(self, partner, company):
        """Who revisits ``partner`` when nobody is named: its salesperson,
        else the responsible of the first rule applying to it, else the first
        revisit manager of the company, else the current user."""
        salesperson = partner.commercial_partner_id.user_id
        if salesperson.active and not salesperson.share:
            return salesperson
        for rule in (
            self.env["revisit.rule"].sudo().search([("company_id", "=", company.id)])
        ):
            applies = self.env.execute_query(
                SQL(
                    "SELECT 1 FROM res_partner p WHERE p.id = %s AND %s",
                    partner.commercial_partner_id.id,
                    rule._partner_condition(),
                )
            )
            if applies:
                user_id = rule._assign_users(partner.commercial_partner_id)[
                    partner.commercial_partner_id.id
                ]
                if user_id:
                    return self.env["res.users"].browse(user_id)
        return company._revisit_managers()[:1] or self.env.user

    @api.model
    def _create_planned(self, rows, notify=False, notes=None):
        """Insert planned revisits in one statement, then create their
        activities in one batch (without emails unless ``notify``); return
        the revisits created.

        Not ``create()``: two workers (the planning's batches, two requests
        of ``schedule_revisit``) may plan the same revisit at once, and only
        the database can settle it. The unique indexes of ``init()`` refuse
        the second one, and ``ON CONFLICT DO NOTHING`` drops that row instead
        of failing the whole batch; a row whose twin another transaction
        committed after this one's snapshot fails with a serialization
        error, which the scheduler and the web server retry.

        :param rows: dicts of the values of ``PLANNED_COLUMNS`` (missing
            ones are NULL)
        :param notes: optional {partner id: activity note}
        """
        if not rows:
            return self.browse()
        self.env.flush_all()
        now = self.env.cr.now()
        query = SQL(
            """
            INSERT INTO revisit_record (%(columns)s, state, satisfaction,
                        follow_up_needed, create_uid, create_date, write_uid,
                        write_date)
            VALUES %(values)s
            ON CONFLICT DO NOTHING
            RETURNING id
            """,
            columns=SQL(", ").join(SQL.identifier(name) for name in PLANNED_COLUMNS),
            values=SQL(", ").join(
                SQL(
                    "(%s, 'planned', 0, false, %s, %s, %s, %s)",
                    SQL(", ").join(row.get(name) for name in PLANNED_COLUMNS),
                    self.env.uid,
                    now,
                    self.env.uid,
                    now,
                )
                for row in rows
            ),
        )
        records = self.sudo().browse(row[0] for row in self.env.execute_query(query))
        if not records:
            return records
        self.env.invalidate_all()
        records._create_activities(notify=notify, notes=notes)
        return records

    def _create_activities(self, notify=False, notes=None):
        """Create the activities of these planned revisits in one call and
        link them."""
        records = self.sudo()
        model_id = self.env["ir.model"]._get_id(self._name)
        notes = notes or {}
        Activity = self.env["mail.activity"].sudo()
        if not notify:
            Activity = Activity.with_context(mail_activity_quick_update=True)
        # mail.activity computes its res_name one record at a time: compute
        # the revisits' names for the whole batch first (one query each).
        # An activity is read by its assignee: its summary and the revisit's
        # name it shows are written in the assignee's language.
        by_lang = defaultdict(lambda: records.browse())
        for record in records:
            by_lang[record.user_id.lang or self.env.lang] |= record
        for lang, lang_records in by_lang.items():
            LangActivity = Activity.with_context(lang=lang)
            lang_records = lang_records.with_env(LangActivity.env)
            lang_records.mapped("display_name")
            activities = LangActivity.create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": record.id,
                        "activity_type_id": record.revisit_type_id.id,
                        "user_id": record.user_id.id,
                        "date_deadline": record.date_due,
                        "summary": record._activity_summary(),
                        "note": notes.get(record.partner_id.id)
                        or (record.reason and Markup("<p>%s</p>") % record.reason),
                    }
                    for record in lang_records
                ]
            )
            # One UPDATE when flushed (Odoo 18 writes rows of different values
            # together); the benchmark measures no gain from raw SQL here.
            for record, activity in zip(lang_records, activities, strict=True):
                record.activity_id = activity

    def _activity_summary(self):
        self.ensure_one()
        if self.rule_id:
            return self.rule_id.summary or self.rule_id.name
        return self.reason and self.reason.splitlines()[0][:80] or self.env._("Revisit")

    # --- outcome ------------------------------------------------------------------

    def _record_outcome(self, values):
        """Mark these revisits done with their outcome and close their
        activities; plan a follow-up when asked.

        :param values: channel, satisfaction (1-5 or 0), feedback, issues,
            follow_up (bool), follow_up_days, follow_up_user_id, follow_up_note
        :return: the follow-up revisits planned
        :raise AccessError: when the user may not change these revisits
        """
        if not self.env.su:
            self.check_access("write")
        not_open = self.filtered(lambda r: r.state not in ("planned", "missed"))
        if not_open:
            raise UserError(
                self.env._(
                    "The outcome of %(revisit)s is already recorded or it was "
                    "cancelled.",
                    revisit=not_open[0].display_name,
                )
            )
        satisfaction = values.get("satisfaction") or 0
        if isinstance(satisfaction, str) and satisfaction.isdecimal():
            satisfaction = int(satisfaction)
        if not isinstance(satisfaction, int) or not 0 <= satisfaction <= 5:
            raise ValidationError(
                self.env._(
                    "The satisfaction score must lie between 1 and 5, not %(score)s.",
                    score=str(satisfaction)[:20],
                )
            )
        outcome = validation.check_values(
            self,
            {
                "channel": values.get("channel") or False,
                "feedback": values.get("feedback") or False,
                "issues": values.get("issues") or False,
            },
        )
        follow_up = bool(values.get("follow_up"))
        follow_up_days = values.get("follow_up_days") or 0
        if follow_up and (
            isinstance(follow_up_days, bool) or not isinstance(follow_up_days, int)
        ):
            raise UserError(
                self.env._("The follow-up is due in a whole number of days.")
            )
        if follow_up and follow_up_days < 0:
            raise UserError(self.env._("A follow-up cannot be planned in the past."))
        if follow_up and follow_up_days > MAX_DELAY_DAYS:
            raise UserError(
                self.env._(
                    "Plan the follow-up at most %(max)s days ahead.", max=MAX_DELAY_DAYS
                )
            )
        user = self.env["res.users"]
        if follow_up and values.get("follow_up_user_id"):
            user = user.browse(validation.valid_id(values["follow_up_user_id"]))
            if not user.sudo().exists():
                raise UserError(self.env._("Assign the revisit to one user."))
        self.sudo().write(
            dict(
                outcome,
                state="done",
                date_done=fields.Date.context_today(self),
                satisfaction=satisfaction,
                follow_up_needed=follow_up,
            )
        )
        activities = self.sudo().activity_id
        if activities:
            activities.with_context(revisit_outcome_recorded=True)._action_done(
                feedback=values.get("feedback") or False
            )
        follow_ups = self.browse()
        if follow_up:
            for record in self:
                follow_ups |= self.schedule_revisit(
                    record.partner_id,
                    values.get("follow_up_note")
                    or self.env._("Follow-up of %s", record.display_name),
                    delay_days=follow_up_days,
                    user=user or record.user_id,
                    activity_type=record.revisit_type_id,
                    origin=record,
                )
                record.sudo().next_revisit_id = follow_ups[-1:]
        return follow_ups

    def _done_from_activity(self, feedback):
        """An activity of these revisits was marked done without the outcome
        form (e.g. from a list of activities): keep the feedback. The caller
        checked the user's right on the activity."""
        for record in self.sudo().filtered(lambda r: r.state in ("planned", "missed")):
            record.write(
                {
                    "state": "done",
                    "date_done": fields.Date.context_today(self),
                    "feedback": feedback or record.feedback,
                    "channel": record.revisit_type_id.revisit_channel or False,
                }
            )

    def action_record_outcome(self):
        """Open the short outcome form of this revisit."""
        self.ensure_one()
        self.check_access("write")
        if self.state not in ("planned", "missed"):
            raise UserError(
                self.env._("Only planned or missed revisits get an outcome.")
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Revisit Outcome"),
            "res_model": "revisit.outcome",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_revisit_id": self.id,
                "default_channel": self.revisit_type_id.revisit_channel or "phone",
            },
        }

    def action_cancel(self):
        """Cancel planned or missed revisits and remove their activities."""
        if not self.env.su:
            self.check_access("write")
        planned = self.sudo().filtered(lambda r: r.state in ("planned", "missed"))
        planned.write({"state": "cancelled"})
        planned.activity_id.unlink()

    def action_open_origin(self):
        self.ensure_one()
        if not self.origin_ref:
            return False
        return {
            "type": "ir.actions.act_window",
            "res_model": self.origin_ref._name,
            "res_id": self.origin_ref.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    # --- scheduled actions ----------------------------------------------------------

    @api.model
    def _cron_mark_missed(self):
        """Scheduled action: planned revisits overdue beyond their company's
        grace period become missed, their activities are removed and the
        responsible's manager is told; one batch per call.

        The batch is marked at once; when that fails, revisit by revisit. A
        revisit that fails alone (logged) is marked missed all the same,
        without the rest, so that it never holds up the next batches; a
        manager who cannot be told does not keep the others from being
        told."""
        today = fields.Date.context_today(self)
        self.env.flush_all()
        query = SQL(
            """
            SELECT r.id FROM revisit_record r
              JOIN res_company c ON c.id = r.company_id
             WHERE r.state = 'planned'
               AND r.date_due < %s::date - COALESCE(c.revisit_grace_days, 0)
            """,
            today,
        )
        ids = [
            row[0]
            for row in self.env.execute_query(
                # Rows another worker is marking are left to it.
                SQL(
                    "%s ORDER BY r.id LIMIT %s FOR NO KEY UPDATE OF r SKIP LOCKED",
                    query,
                    batching.batch_size(self.env),
                )
            )
        ]
        missed = self.sudo().browse(ids)
        if missed:
            marked = missed.browse(
                jobs.run_isolated(
                    self.env,
                    list(missed),
                    lambda batch: missed.browse(r.id for r in batch)._mark_missed(),
                    lambda record: f"Missed revisits: marking revisit {record.id}",
                    _logger,
                )
            )
            failed = missed - marked
            if failed:
                self.env.execute_query(
                    SQL(
                        "UPDATE revisit_record SET state = 'missed' WHERE id = ANY(%s)",
                        failed.ids,
                    )
                )
                failed.invalidate_recordset(["state"])
            missed._notify_missed()
        remaining = self.env.execute_query(SQL("SELECT COUNT(*) FROM (%s) q", query))[
            0
        ][0]
        self.env["ir.cron"]._notify_progress(done=len(missed), remaining=remaining)

    def _mark_missed(self):
        """Mark these planned revisits missed and remove their activities;
        return their ids."""
        self.write({"state": "missed"})
        self.activity_id.unlink()
        return self.ids

    def _notify_missed(self):
        """Tell each manager, in one message, which revisits of their people
        were missed."""
        by_manager = defaultdict(lambda: self.browse())
        for record in self:
            for manager in record.user_id._revisit_managers_to_tell(record.company_id):
                by_manager[manager] |= record
        jobs.run_isolated(
            self.env,
            list(by_manager.items()),
            lambda batch: [
                self._notify_manager(manager, records) for manager, records in batch
            ],
            lambda item: f"Missed revisits: telling {item[0].name} (id {item[0].id})",
            _logger,
        )

    @api.model
    def _notify_manager(self, manager, records):
        """Tell ``manager`` in one message that ``records`` were missed."""
        records = records.with_context(lang=manager.lang)
        env = records.env
        lines = Markup("").join(
            Markup("<li><a href='/odoo/revisit.record/%s'>%s</a> (%s, %s)</li>")
            % (
                record.id,
                record.partner_id.display_name,
                record.user_id.name or "-",
                record.date_due,
            )
            for record in records[:100]
        )
        more = len(records) - 100
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            env._(
                "These revisits were not done within the grace period and "
                "are now missed:"
            ),
            lines,
        )
        if more > 0:
            body += Markup("<p>%s</p>") % env._("... and %(count)s more.", count=more)
        self.env["mail.thread"].sudo().message_notify(
            partner_ids=manager.partner_id.ids,
            subject=env._("Missed revisits: %(count)s", count=len(records)),
            body=body,
        )
