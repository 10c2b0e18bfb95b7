import logging
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL

from odoo.addons.customer_tiering.tools import jobs

from .revisit_record import CHANNELS, STATES

_logger = logging.getLogger(__name__)


class RevisitReport(models.Model):
    """Revisits for analysis: completion rate, missed revisits and
    satisfaction by tier, user and month (pivot and graph); retention
    revisits (planned by a rule on a lifecycle stage) and whether their
    customers bought again within the company's retention window; and the
    weekly summary of these figures to the revisit managers.

    A query rather than a view: purchases come from
    ``customer.tier.indicator._purchases_sql``, which other addons extend
    and which depends on the company."""

    _name = "revisit.report"
    _description = "Revisit Analysis"
    _auto = False
    _order = "date_due desc"
    _rec_name = "partner_id"
    _depends = {
        "revisit.record": [
            "partner_id",
            "company_id",
            "tier_id",
            "user_id",
            "rule_id",
            "lifecycle_history_id",
            "date_due",
            "date_done",
            "channel",
            "state",
            "satisfaction",
        ],
        "customer.lifecycle.history": ["new_stage"],
        "res.company": ["revisit_retention_days"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    tier_id = fields.Many2one("customer.tier", readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    rule_id = fields.Many2one("revisit.rule", readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    date_done = fields.Date(string="Done Date", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    state = fields.Selection(STATES, readonly=True)
    done_count = fields.Integer(string="Done", readonly=True)
    missed_count = fields.Integer(string="Missed", readonly=True)
    closed_count = fields.Integer(
        string="Due", readonly=True, help="Revisits done or missed."
    )
    completion_rate = fields.Float(
        string="Completion Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Done revisits among those done or missed.",
    )
    satisfaction = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Average score (1 to 5) of the rated revisits.",
    )
    rated_count = fields.Integer(string="Rated", readonly=True)
    planned_count = fields.Integer(string="Planned", readonly=True)
    is_retention = fields.Boolean(
        string="Retention Revisit",
        readonly=True,
        help="Planned by a rule on a lifecycle stage, when the customer entered it.",
    )
    lifecycle_stage = fields.Selection(
        selection=lambda self: self.env["revisit.rule"]._selection_lifecycle_stage(),
        readonly=True,
        help="The stage whose entry the retention revisit answered.",
    )
    bought_again = fields.Boolean(
        readonly=True,
        help="A done retention revisit whose customer bought from its day to the "
        "end of the company's retention window (Settings).",
    )
    repurchase_rate = fields.Float(
        string="Repurchase Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Done retention revisits whose customer bought again within the "
        "retention window.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT q.*,
                   CASE WHEN q.bought_again THEN 100.0
                        WHEN NOT q.bought_again THEN 0.0 END AS repurchase_rate
              FROM (
                SELECT r.id,
                       r.partner_id,
                       r.company_id,
                       r.tier_id,
                       r.user_id,
                       r.rule_id,
                       r.date_due,
                       r.date_done,
                       r.channel,
                       r.state,
                       (r.state = 'done')::int AS done_count,
                       (r.state = 'missed')::int AS missed_count,
                       (r.state IN ('done', 'missed'))::int AS closed_count,
                       CASE WHEN r.state = 'done' THEN 100.0
                            WHEN r.state = 'missed' THEN 0.0 END
                           AS completion_rate,
                       NULLIF(r.satisfaction, 0)::float AS satisfaction,
                       (r.satisfaction > 0)::int AS rated_count,
                       (r.state = 'planned')::int AS planned_count,
                       r.lifecycle_history_id IS NOT NULL AS is_retention,
                       h.new_stage AS lifecycle_stage,
                       CASE WHEN r.lifecycle_history_id IS NOT NULL
                                 AND r.state = 'done'
                            THEN EXISTS (
                                 SELECT 1 FROM (%(purchases)s) pu
                                  WHERE pu.company_id = r.company_id
                                    AND pu.partner_id = p.commercial_partner_id
                                    AND pu.date BETWEEN r.date_done
                                        AND r.date_done + c.revisit_retention_days)
                       END AS bought_again
                  FROM revisit_record r
                  JOIN res_partner p ON p.id = r.partner_id
                  JOIN res_company c ON c.id = r.company_id
                  LEFT JOIN customer_lifecycle_history h
                         ON h.id = r.lifecycle_history_id
                 WHERE r.state != 'cancelled'
              ) q
            """,
            purchases=self._purchases_query(),
        )

    @api.model
    def _purchases_query(self):
        """(company_id, partner_id, date) of every purchase of the customers
        of the companies of the environment, from each company's sources of
        purchases (``customer.tier.indicator._purchases_sql``)."""
        Indicator = self.env["customer.tier.indicator"]
        return SQL(" UNION ALL ").join(
            SQL(
                "SELECT %s AS company_id, b.partner_id, b.date FROM (%s) b",
                company.id,
                Indicator._purchases_sql(company),
            )
            for company in self.env.companies
        )

    @api.model
    def _weekly_summary_values(self, company, date_from, date_to):
        """Figures of the revisits of ``company`` due from ``date_from`` to
        ``date_to``, as this analysis gives them: done, missed, still
        planned, completion rate and satisfaction, in all and per
        responsible."""
        report = self.sudo().with_company(company)
        domain = [
            ("company_id", "=", company.id),
            ("date_due", ">=", date_from),
            ("date_due", "<=", date_to),
        ]
        measures = ["done_count:sum", "missed_count:sum", "satisfaction:avg"]
        [(done, missed, planned, rate, satisfaction)] = report._read_group(
            domain,
            [],
            [
                "done_count:sum",
                "missed_count:sum",
                "planned_count:sum",
                "completion_rate:avg",
                "satisfaction:avg",
            ],
        )
        # Sums of no row at all are NULL.
        done, missed, planned = done or 0, missed or 0, planned or 0
        lines = [
            {
                "user": user.name or "-",
                "done": user_done,
                "missed": user_missed,
                "satisfaction": round(score, 2) if score else "-",
            }
            for user, user_done, user_missed, score in report._read_group(
                domain, ["user_id"], measures
            )
            if user_done or user_missed
        ]
        return {
            "company": company,
            "date_from": date_from,
            "date_to": date_to,
            "done": done,
            "missed": missed,
            "planned": planned,
            "rate": round(rate, 1) if done + missed else "-",
            "satisfaction": round(satisfaction, 2) if satisfaction else "-",
            "lines": sorted(lines, key=lambda line: line["user"]),
        }

    @api.model
    def _cron_weekly_summary(self):
        """Scheduled action (weekly): email the revisit managers of each
        company that asks for it (Settings, off by default) the figures of
        the past seven days. Each company's summary is made in a savepoint of
        its own: one that fails is logged and the others go out. Return the
        emails queued."""
        date_to = fields.Date.context_today(self) - timedelta(days=1)
        date_from = date_to - timedelta(days=6)
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("revisit_weekly_summary", "=", True)])
        )
        mail_ids = jobs.run_isolated(
            self.env,
            list(companies),
            lambda batch: [
                mail_id
                for company in batch
                for mail_id in self._weekly_summary_mails(company, date_from, date_to)
            ],
            lambda company: (
                f"Weekly revisit summary of {company.name} (id {company.id})"
            ),
            _logger,
        )
        return self.env["mail.mail"].sudo().browse(mail_ids)

    @api.model
    def _weekly_summary_mails(self, company, date_from, date_to):
        """Queue the weekly summary of ``company`` to its revisit managers, one
        email per language; return the ids of the emails."""
        mails = self.env["mail.mail"].sudo()
        values = self._weekly_summary_values(company, date_from, date_to)
        managers = company._revisit_managers().filtered("email")
        for lang in set(managers.mapped("lang")):
            recipients = managers.filtered(lambda m, lang=lang: m.lang == lang)
            env = self.with_context(lang=lang).env
            body = env["ir.qweb"]._render("revisit_plan.revisit_weekly_summary", values)
            mails |= mails.create(
                {
                    "subject": env._(
                        "Weekly revisit summary: %(company)s, %(date_from)s to "
                        "%(date_to)s",
                        company=company.name,
                        date_from=date_from,
                        date_to=date_to,
                    ),
                    "body_html": body,
                    "email_from": company.email_formatted
                    or self.env.user.email_formatted,
                    "recipient_ids": [Command.set(recipients.partner_id.ids)],
                    "auto_delete": True,
                }
            )
        return mails.ids
