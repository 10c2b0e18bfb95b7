from collections import namedtuple

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import bulk

MOVEMENTS = [
    ("new", "First tier"),
    ("up", "Up"),
    ("down", "Down"),
    ("unchanged", "Unchanged"),
]
# What the tier-change hooks need to know of a history row.
TierChange = namedtuple(
    "TierChange", "id partner_id company_id old_tier_id new_tier_id movement"
)
REASONS = [
    ("evaluation", "Evaluation"),
    ("manual", "Manual override"),
    ("override_expired", "Override expired"),
]


class CustomerTierHistory(models.Model):
    """The grading archive: one row per change of a customer's tier.

    Rows are written in batches by the evaluation (``tools.bulk``); nobody
    edits them afterwards.
    """

    _name = "customer.tier.history"
    _description = "Customer Tier History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    old_tier_id = fields.Many2one("customer.tier", string="Previous Tier")
    new_tier_id = fields.Many2one("customer.tier")
    movement = fields.Selection(MOVEMENTS, required=True)
    score = fields.Float(digits=(5, 2))
    breakdown = fields.Json(
        help="Per indicator: raw value and points, as used for this change."
    )
    breakdown_html = fields.Html(
        string="Score Breakdown", compute="_compute_breakdown_html", sanitize=False
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    reason = fields.Selection(REASONS, required=True)
    note = fields.Char()
    evaluation_id = fields.Many2one(
        "customer.tier.evaluation", string="Evaluation Run", index="btree_not_null"
    )
    user_id = fields.Many2one(
        "res.users", string="By", default=lambda self: self.env.user
    )

    @api.depends("breakdown")
    def _compute_breakdown_html(self):
        for history, table in zip(
            self, self._breakdown_tables(self.mapped("breakdown")), strict=True
        ):
            history.breakdown_html = table

    @api.model
    def _breakdown_tables(self, breakdowns):
        """HTML tables of score breakdowns ([[indicator id, raw, points]]), in
        the order given; indicator names are looked up once."""
        indicator_ids = {
            line[0] for breakdown in breakdowns for line in (breakdown or [])
        }
        names = {
            indicator.id: indicator.name
            for indicator in self.env["customer.tier.indicator"]
            .with_context(active_test=False)
            .browse(indicator_ids)
            .exists()
        }
        header = Markup(
            "<table class='table table-sm'><thead><tr><th>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr></thead>"
            "<tbody>"
        ) % (self.env._("Indicator"), self.env._("Raw value"), self.env._("Points"))
        tables = []
        for breakdown in breakdowns:
            if not breakdown:
                tables.append(False)
                continue
            rows = Markup("").join(
                Markup(
                    "<tr><td>%s</td><td class='text-end'>%s</td>"
                    "<td class='text-end'>%s</td></tr>"
                )
                % (
                    names.get(indicator_id, indicator_id),
                    "" if raw is None else f"{raw:,.2f}",
                    f"{points:.2f}",
                )
                for indicator_id, raw, points in breakdown
            )
            tables.append(header + rows + Markup("</tbody></table>"))
        return tables

    @api.model
    def _create_rows(self, rows):
        """Create history rows (dicts with ``partner_id``, ``company_id``,
        ``old_tier_id``, ``new_tier_id``, ``movement``, ``score``, ``reason``
        and optionally ``note``, ``breakdown``, ``evaluation_id``), dated now
        and by the current user, in one statement (``tools.bulk``: a first
        evaluation writes a row per customer)."""
        now = fields.Datetime.now()
        keys = ("note", "breakdown", "evaluation_id")
        return bulk.insert_rows(
            self.sudo(),
            [
                {
                    **{key: None for key in keys},
                    **row,
                    "old_tier_id": row.get("old_tier_id") or None,
                    "new_tier_id": row.get("new_tier_id") or None,
                    "date": now,
                    "user_id": self.env.uid,
                }
                for row in rows
            ],
        )

    def _tier_changes(self):
        """The :class:`TierChange` facts of these rows, read in one query: the
        tier-change hooks handle batches of thousands of rows, for which
        reading the fields record by record would cost more than the work."""
        if not self:
            return []
        self.flush_model(
            ["partner_id", "company_id", "old_tier_id", "new_tier_id", "movement"]
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT id, partner_id, company_id, old_tier_id, new_tier_id, movement
                  FROM customer_tier_history
                 WHERE id = ANY(%s)
                """,
                self.ids,
            )
        )
        return [TierChange(*row) for row in rows]

    def _notify_tier_changes(self):
        """Tell people and the other addons about the tier changes these
        history rows record (the rows of one batch just written: evaluations,
        approved proposals, manual overrides): their facts are read once and
        handed to ``_on_tier_changes``."""
        self._on_tier_changes(self._tier_changes())

    def _on_tier_changes(self, changes):
        """React to tier changes: the extension point of the other addons
        (e.g. member card levels, open tickets), which override it, call
        ``super()`` and read ``changes`` (a list of :class:`TierChange` of
        these rows) rather than the rows' fields.

        Here: a note on each customer that moved between two tiers, an
        activity for the salesperson and an email to the customer when the
        company's settings ask for it.
        """
        moved = self.browse(c.id for c in changes if c.movement in ("up", "down"))
        if moved:
            bodies = {history.partner_id.id: history._note_body() for history in moved}
            moved.partner_id._message_log_batch(bodies=bodies)
        for company in self.env["res.company"].browse({c.company_id for c in changes}):
            if not (company.tier_salesperson_activity or company.tier_notify_customer):
                continue
            company_rows = self.browse(
                c.id for c in changes if c.company_id == company.id
            )
            if company.tier_salesperson_activity:
                company_rows._schedule_salesperson_activities()
            if company.tier_notify_customer:
                company_rows._email_customers()

    def _note_body(self):
        self.ensure_one()
        return Markup("%s") % self.env._(
            "Customer tier changed from %(old)s to %(new)s "
            "(score %(score)s, %(reason)s).",
            old=self.old_tier_id.name or self.env._("none"),
            new=self.new_tier_id.name or self.env._("none"),
            score=f"{self.score:.2f}",
            reason=dict(self._fields["reason"]._description_selection(self.env))[
                self.reason
            ],
        )

    def _schedule_salesperson_activities(self):
        activity_type = self.env.ref(
            "customer_tiering.mail_activity_type_tier_changed", raise_if_not_found=False
        )
        with_salesperson = self.filtered(lambda h: h.partner_id.user_id)
        if not activity_type or not with_salesperson:
            return
        model_id = self.env["ir.model"]._get_id("res.partner")
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": history.partner_id.id,
                    "activity_type_id": activity_type.id,
                    "user_id": history.partner_id.user_id.id,
                    "summary": self.env._(
                        "Tier now %(tier)s", tier=history.new_tier_id.name or "-"
                    ),
                    "note": history._note_body(),
                    "date_deadline": fields.Date.context_today(self),
                }
                for history in with_salesperson
            ]
        )

    def _email_customers(self):
        template = self.env.ref(
            "customer_tiering.mail_template_tier_changed", raise_if_not_found=False
        )
        to_notify = self.filtered(lambda h: h.new_tier_id and h.partner_id.email)
        if template and to_notify:
            template.sudo().send_mail_batch(to_notify.ids)
