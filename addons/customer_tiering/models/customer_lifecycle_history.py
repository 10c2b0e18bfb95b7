from collections import namedtuple

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.lifecycle import AT_RISK, LIVE_STAGES, STAGES

# What the lifecycle hooks need to know of a history row.
StageChange = namedtuple(
    "StageChange", "id partner_id company_id old_stage new_stage date"
)


class CustomerLifecycleHistory(models.Model):
    """One row per change of a customer's lifecycle stage, written by the
    evaluations (``res.partner._lifecycle_record_changes`` through
    ``_record``); nobody edits them
    afterwards. The moves between stages are read here; other addons react
    to a customer entering a stage (e.g. a retention call when it goes at
    risk) through ``_on_stage_changes``."""

    _name = "customer.lifecycle.history"
    _description = "Customer Lifecycle History"
    # A log written by the evaluations, one row per customer on a first
    # evaluation (200,000 in the benchmark): no creator, writer or dates of
    # its own (the evaluation run it links to says who launched it and
    # when), as Odoo's own mail.notification and mail.followers. It spares
    # each row four columns and the checks of two foreign keys to res_users.
    _log_access = False
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    old_stage = fields.Selection(STAGES, string="Previous Stage")
    new_stage = fields.Selection(STAGES, string="Stage")
    date = fields.Date(required=True, index=True, help="When the stage was entered.")
    evaluation_id = fields.Many2one(
        "customer.tier.evaluation", string="Evaluation Run", index="btree_not_null"
    )
    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")

    @api.model
    def _record(self, company, changes, date, evaluation=None):
        """Insert one row per stage change of ``company``'s customers entered
        on ``date`` (dicts with ``partner_id``, ``old_stage``,
        ``new_stage``), in one statement, and return their
        :class:`StageChange` facts.

        Not ``create()``: a first evaluation writes one row per customer
        (200,000 in the benchmark), and these rows have no default, computed
        field or create hook to run. The company, the date and the
        evaluation are the same for every row: they go into the statement
        once, the rows' own values as three arrays, and the facts come back
        from ``RETURNING`` (no second read).
        """
        if not changes:
            return []
        date = fields.Date.to_date(date)
        self.flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                INSERT INTO customer_lifecycle_history
                       (partner_id, company_id, old_stage, new_stage, date,
                        evaluation_id)
                SELECT c.partner_id, %(company)s, c.old_stage, c.new_stage,
                       %(date)s, %(evaluation)s
                  FROM unnest(%(partners)s::int4[], %(old)s::varchar[],
                              %(new)s::varchar[]) AS c(partner_id, old_stage, new_stage)
                RETURNING id, partner_id, old_stage, new_stage
                """,
                company=company.id,
                date=date,
                evaluation=evaluation.id if evaluation else None,
                partners=[change["partner_id"] for change in changes],
                old=[change.get("old_stage") or None for change in changes],
                new=[change.get("new_stage") or None for change in changes],
            )
        )
        company_id = company.id
        return [
            StageChange(row_id, partner_id, company_id, old, new, date)
            for row_id, partner_id, old, new in rows
        ]

    def _on_stage_changes(self, changes):
        """React to customers entering a lifecycle stage: the extension point
        of the other addons, which override it, call ``super()`` and read
        ``changes`` (a list of :class:`StageChange`).

        Here: when the company asks for it, an activity for the salesperson
        of each customer that went at risk from a live stage (new, active, won
        back), in the salesperson's language.
        """
        # Customers who went at risk from a live stage (not those found at
        # risk by a first evaluation).
        at_risk = [
            change
            for change in changes
            if change.new_stage == AT_RISK and change.old_stage in LIVE_STAGES
        ]
        companies = self.env["res.company"].browse({c.company_id for c in at_risk})
        wanted = companies.filtered("lifecycle_risk_activity").ids
        at_risk = [change for change in at_risk if change.company_id in wanted]
        activity_type = self.env.ref(
            "customer_tiering.mail_activity_type_customer_at_risk",
            raise_if_not_found=False,
        )
        partners = self.env["res.partner"].browse({c.partner_id for c in at_risk})
        partners.fetch(["user_id"])
        salespeople = {partner.id: partner.user_id for partner in partners}
        if not activity_type or not any(salespeople.values()):
            return
        model_id = self.env["ir.model"]._get_id("res.partner")
        activities = []
        for change in at_risk:
            user = salespeople[change.partner_id]
            if not user:
                continue
            env = self.with_context(lang=user.lang).env
            activities.append(
                {
                    "res_model_id": model_id,
                    "res_id": change.partner_id,
                    "activity_type_id": activity_type.id,
                    "user_id": user.id,
                    "summary": env._("Customer at risk: call them back"),
                    "date_deadline": fields.Date.context_today(self),
                }
            )
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(activities)
