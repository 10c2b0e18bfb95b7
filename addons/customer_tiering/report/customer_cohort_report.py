from odoo import fields, models
from odoo.tools import SQL

from .customer_churn_report import REPORT_MONTHS


class CustomerCohortReport(models.Model):
    """Cohorts of customers by the month of their first purchase: one row
    per customer and month from that month to this one, telling whether the
    customer bought in it. Retention of a cell = customers of the cohort who
    bought in that month / customers of the cohort: each row counts 0 or
    100, so that their average is the retention of any group (a cohort, a
    month since the first purchase, or all of them). Cohorts of the last 24
    months, from every source of purchases."""

    _name = "customer.cohort.report"
    _description = "Customer Cohorts"
    _auto = False
    _order = "cohort desc, month_index"
    _rec_name = "partner_id"

    cohort = fields.Date(string="First Purchase Month", readonly=True)
    month = fields.Date(readonly=True)
    month_index = fields.Integer(
        string="Months Since First Purchase", readonly=True, aggregator=None
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    tier_id = fields.Many2one(
        "customer.tier",
        string="Customer Tier",
        readonly=True,
        help="The customer's tier today.",
    )
    customer_count = fields.Integer(
        string="Customers Who Bought",
        readonly=True,
        help="Customers of the cohort who bought in the month.",
    )
    retention = fields.Float(
        string="Retention (%)",
        readonly=True,
        aggregator="avg",
        help="Customers of the cohort who bought in the month / customers of "
        "the cohort.",
    )

    @property
    def _table_query(self):
        purchases = self.env["customer.tier.indicator"]._purchases_of_companies_sql()
        return SQL(
            """
            WITH bought AS (
                SELECT DISTINCT company_id, partner_id,
                       date_trunc('month', date)::date AS month
                  FROM (%(purchases)s) pu
                 WHERE date <= %(today)s::date
            ), first AS (
                SELECT company_id, partner_id, MIN(month) AS cohort
                  FROM bought
                 GROUP BY company_id, partner_id
                HAVING MIN(month) >= date_trunc('month', %(today)s::date)
                                     - make_interval(months => %(months)s - 1)
            ), grid AS (
                SELECT f.company_id, f.partner_id, f.cohort, g.month::date AS month
                  FROM first f
                 CROSS JOIN LATERAL generate_series(
                       f.cohort,
                       date_trunc('month', %(today)s::date),
                       interval '1 month'
                       ) AS g(month)
            )
            SELECT row_number() OVER (ORDER BY g.cohort, g.month, g.partner_id) AS id,
                   g.company_id, g.partner_id, g.cohort, g.month,
                   ((extract(year FROM g.month) - extract(year FROM g.cohort)) * 12
                    + extract(month FROM g.month) - extract(month FROM g.cohort))::int
                       AS month_index,
                   (b.partner_id IS NOT NULL)::int AS customer_count,
                   100.0 * (b.partner_id IS NOT NULL)::int AS retention,
                   t.id AS tier_id
              FROM grid g
              LEFT JOIN bought b
                     ON b.company_id = g.company_id AND b.partner_id = g.partner_id
                    AND b.month = g.month
              JOIN res_partner p ON p.id = g.partner_id
              LEFT JOIN customer_tier t
                     ON t.id = (p.tier_id ->> g.company_id::text)::int
                    AND t.company_id = g.company_id
            """,
            purchases=purchases,
            months=REPORT_MONTHS,
            today=fields.Date.context_today(self),
        )
