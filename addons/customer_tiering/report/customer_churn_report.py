from odoo import fields, models
from odoo.tools import SQL

# Months the reports look back.
REPORT_MONTHS = 24


class CustomerChurnReport(models.Model):
    """Churn and retention by month: one row per customer and month for the
    customers active at the start of the month (they bought within the
    company's "lost" limit before it), telling whether they became lost
    during the month. Churn rate = customers lost / customers active at the
    start; retention = the rest: each row counts 0 or 100, so that their
    average is the rate of any group. Computed from every source of
    purchases, with the company's lifecycle settings, over the last 24
    months."""

    _name = "customer.churn.report"
    _description = "Customer Churn and Retention"
    _auto = False
    _order = "month desc"
    _rec_name = "partner_id"

    month = fields.Date(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    tier_id = fields.Many2one(
        "customer.tier",
        string="Customer Tier",
        readonly=True,
        help="The customer's tier today.",
    )
    active_count = fields.Integer(string="Active at Start", readonly=True)
    lost_count = fields.Integer(string="Lost in Month", readonly=True)
    churn_rate = fields.Float(
        string="Churn Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Customers lost in the month / customers active at its start.",
    )
    retention_rate = fields.Float(
        string="Retention (%)",
        readonly=True,
        aggregator="avg",
        help="Customers active at the start of the month and not lost in it.",
    )

    @property
    def _table_query(self):
        purchases = self.env["customer.tier.indicator"]._purchases_of_companies_sql()
        return SQL(
            """
            WITH purchases AS (
                SELECT DISTINCT company_id, lost_days, partner_id, date
                  FROM (%(purchases)s) pu
                 WHERE date <= %(today)s::date
            ), months AS (
                SELECT generate_series(
                           date_trunc('month', %(today)s::date)
                               - make_interval(months => %(months)s - 1),
                           date_trunc('month', %(today)s::date),
                           interval '1 month')::date AS start
            ), spans AS (
                SELECT m.start, pu.company_id, pu.lost_days, pu.partner_id,
                       MAX(pu.date) FILTER (WHERE pu.date < m.start) AS before_start,
                       MAX(pu.date) AS before_end
                  FROM months m
                  JOIN purchases pu
                    ON pu.date >= m.start - pu.lost_days
                   AND pu.date < (m.start + interval '1 month')::date
                 GROUP BY m.start, pu.company_id, pu.lost_days, pu.partner_id
            ), rows AS (
                SELECT s.start AS month, s.company_id, s.partner_id, 1 AS active_count,
                       CASE WHEN s.before_end + s.lost_days + 1
                                 < (s.start + interval '1 month')::date
                             AND s.before_end + s.lost_days + 1 <= %(today)s::date
                            THEN 1 ELSE 0 END AS lost_count
                  FROM spans s
                 WHERE s.before_start IS NOT NULL
            )
            SELECT row_number() OVER (ORDER BY r.month, r.company_id, r.partner_id)
                       AS id,
                   r.month, r.company_id, r.partner_id, p.user_id,
                   t.id AS tier_id, r.active_count, r.lost_count,
                   100.0 * r.lost_count AS churn_rate,
                   100.0 * (1 - r.lost_count) AS retention_rate
              FROM rows r
              JOIN res_partner p ON p.id = r.partner_id
              LEFT JOIN customer_tier t
                     ON t.id = (p.tier_id ->> r.company_id::text)::int
                    AND t.company_id = r.company_id
            """,
            purchases=purchases,
            months=REPORT_MONTHS,
            today=fields.Date.context_today(self),
        )
