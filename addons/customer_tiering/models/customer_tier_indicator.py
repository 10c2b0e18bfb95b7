import math

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, float_compare

# Raw values shared by the indicators of one evaluation batch (cursor cache).
# Indicators read from the customer invoices of their period.
INVOICE_TYPES = ("revenue", "invoice_count", "recency")
# An evaluation looks back at most ten years.
MAX_PERIOD_MONTHS = 120
# Bounds of a linear scale: far beyond any revenue, far below float trouble.
MAX_BOUND = 1e12
# Customer invoices and credit notes: the source of spend and frequency.
CUSTOMER_MOVES_SQL = SQL(
    "m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')"
)


class CustomerTierIndicator(models.Model):
    """What is measured about a customer and how it scores.

    Extension point: an addon adds a type with ``selection_add`` on
    ``indicator_type`` and a method ``_raw_values_<type>(partner_ids, company,
    date_from, date_to)`` returning ``{partner id: raw value}`` for many
    commercial partners at once, computed with one aggregate query. Partners
    without data may be left out (they score 0 points).
    """

    _name = "customer.tier.indicator"
    _description = "Customer Tier Indicator"
    _order = "company_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    indicator_type = fields.Selection(
        [
            ("revenue", "Invoiced revenue"),
            ("invoice_count", "Number of invoices"),
            ("recency", "Days since the last invoice"),
            ("referrals", "Referred customers"),
            ("potential", "Potential rating"),
            ("manual", "Manual score"),
        ],
        string="Measures",
        required=True,
        help="Invoiced revenue: posted customer invoices minus credit notes, "
        "untaxed, in the company currency. Number of invoices: posted customer "
        "invoices (purchase frequency). Days since the last invoice: recency of "
        "the last posted invoice in the period. Referred customers: customers "
        "created in the period whose 'Referred by' is this customer. Potential "
        "rating: the 0 to 5 stars staff give on the customer. Manual score: the "
        "0 to 100 score staff set on the customer.",
    )
    weight = fields.Float(
        digits=(5, 2),
        help="Share of this indicator in the score, in percent. The weights of "
        "a company's active indicators add up to 100.",
    )
    period_months = fields.Integer(
        string="Period (months)",
        default=12,
        help="The indicator measures the months up to the evaluation date.",
    )
    direction = fields.Selection(
        [("higher", "Higher is better"), ("lower", "Lower is better")],
        required=True,
        default="higher",
        help="Used by linear scoring: whether the upper or the lower bound gives "
        "100 points.",
    )
    scoring_method = fields.Selection(
        [("bands", "Bands"), ("linear", "Linear")],
        required=True,
        default="bands",
        help="Bands: a raw value reaching a threshold earns that band's points. "
        "Linear: 0 to 100 points in proportion between two bounds.",
    )
    band_ids = fields.One2many(
        "customer.tier.indicator.band", "indicator_id", string="Bands", copy=True
    )
    lower_bound = fields.Float()
    upper_bound = fields.Float()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)
    description = fields.Text()

    @api.onchange("indicator_type")
    def _onchange_indicator_type(self):
        if self.indicator_type == "recency":
            self.direction = "lower"

    @api.constrains(
        "weight", "period_months", "scoring_method", "lower_bound", "upper_bound"
    )
    def _check_values(self):
        for indicator in self:
            if not 0 <= indicator.weight <= 100:
                raise ValidationError(
                    self.env._(
                        "The weight of indicator %(indicator)s must lie between "
                        "0 and 100.",
                        indicator=indicator.name,
                    )
                )
            if not 1 <= indicator.period_months <= MAX_PERIOD_MONTHS:
                raise ValidationError(
                    self.env._(
                        "The period of indicator %(indicator)s must be at least "
                        "one month and at most %(max)s months.",
                        indicator=indicator.name,
                        max=MAX_PERIOD_MONTHS,
                    )
                )
            if not all(
                math.isfinite(value) and abs(value) <= MAX_BOUND
                for value in (indicator.lower_bound, indicator.upper_bound)
            ):
                ceiling = f"{MAX_BOUND:g}"
                raise ValidationError(
                    self.env._(
                        "The bounds of indicator %(indicator)s must be numbers "
                        "between -%(max)s and %(max)s.",
                        indicator=indicator.name,
                        max=ceiling,
                    )
                )
            if indicator.scoring_method == "linear" and (
                indicator.upper_bound <= indicator.lower_bound
            ):
                raise ValidationError(
                    self.env._(
                        "The upper bound of indicator %(indicator)s must be greater "
                        "than its lower bound.",
                        indicator=indicator.name,
                    )
                )

    @api.constrains("weight", "active", "company_id")
    def _check_weight_total(self):
        # Set-up and data files create several indicators before their total
        # is 100 (in sudo only: a user's weights are checked as saved).
        if self.env.su and self.env.context.get("skip_tier_weight_check"):
            return
        self._check_company_weight_totals(
            self.with_context(active_test=False).company_id
        )

    @api.model
    def _set_weights(self, company, weights):
        """Write several weights of ``company``'s indicators together
        ({indicator id: weight}) and check their total once, at the end (one
        by one, each intermediate total would be refused)."""
        indicators = self.browse(weights).filtered(
            lambda indicator: (
                indicator.company_id == company
                and indicator.weight != weights[indicator.id]
            )
        )
        if not indicators:
            return
        indicators.check_access("write")
        for indicator in indicators.sudo().with_context(skip_tier_weight_check=True):
            indicator.weight = weights[indicator.id]
        self._check_company_weight_totals(company)

    @api.model
    def _check_company_weight_totals(self, companies):
        """Raise unless the weights of each company's active indicators add up
        to 100 (a company without active indicators is not configured yet)."""
        for company, total in self._read_group(
            [("company_id", "in", companies.ids), ("active", "=", True)],
            ["company_id"],
            ["weight:sum"],
        ):
            if float_compare(total, 100.0, precision_digits=2):
                raise ValidationError(
                    self.env._(
                        "The weights of the active indicators of %(company)s must add "
                        "up to 100%%; they add up to %(total)s%%. Change several "
                        "weights at once in Settings > Customer Tiers.",
                        company=company.name,
                        total=round(total, 2),
                    )
                )

    # --- raw values -----------------------------------------------------------

    def _period(self, date_to):
        """First and last day the indicator measures for an evaluation on date_to."""
        self.ensure_one()
        return date_to - relativedelta(months=self.period_months, days=-1), date_to

    def _get_raw_values(self, partner_ids, company, date_to):
        """Raw values of this indicator for many partners: {partner id: value}."""
        self.ensure_one()
        date_from, date_to = self._period(date_to)
        method = getattr(self, f"_raw_values_{self.indicator_type}", None)
        if method is None:
            raise ValidationError(
                self.env._(
                    "Indicator %(indicator)s measures %(type)s, which no installed "
                    "module computes.",
                    indicator=self.name,
                    type=self.indicator_type,
                )
            )
        # The methods read with SQL: pending ORM writes go first.
        self.env.flush_all()
        return method(list(partner_ids), company, date_from, date_to)

    def _query_pairs(self, query):
        """{partner id: value as float} from a query of (id, value) rows."""
        return {
            partner_id: float(value)
            for partner_id, value in self.env.execute_query(query)
            if value is not None
        }

    @api.model
    def _purchase_queries(self, company):
        """Where the purchases of ``company``'s customers are read, for their
        lifecycle stage: a list of SQL queries of ``(partner_id, date)`` rows,
        ``partner_id`` being the commercial partner. Extension point: an addon
        that records purchases elsewhere (e.g. counter consumptions) appends
        its query. Here: the posted customer invoices."""
        return [
            SQL(
                """SELECT m.commercial_partner_id AS partner_id,
                          m.invoice_date AS date
                     FROM account_move m
                    WHERE m.company_id = %s AND m.state = 'posted'
                      AND m.move_type = 'out_invoice'
                      AND m.invoice_date IS NOT NULL""",
                company.id,
            )
        ]

    @api.model
    def _purchases_sql(self, company):
        """Every purchase of ``company``'s customers: ``(partner_id, date)``."""
        return SQL(" UNION ALL ").join(self._purchase_queries(company))

    @api.model
    def _purchases_of_companies_sql(self):
        """Every purchase of every company's customers, for the reports:
        ``(company_id, lost_days, partner_id, date)``, ``lost_days`` being the
        company's limit after which a silent customer is lost."""
        companies = self.env["res.company"].sudo().search([])
        return SQL(" UNION ALL ").join(
            SQL(
                "SELECT %s AS company_id, %s AS lost_days, pu.* FROM (%s) pu",
                company.id,
                company.lifecycle_lost_days,
                self._purchases_sql(company),
            )
            for company in companies
        )

    def _get_raw_values_many(self, partner_ids, company, date_to):
        """Raw values of these indicators for a batch of partners:
        {indicator id: {partner id: value}}. The invoice indicators of one
        period share one aggregate query; the others run their own."""
        results, move_totals = {}, {}
        for indicator in self:
            if indicator.indicator_type not in INVOICE_TYPES:
                results[indicator.id] = indicator._get_raw_values(
                    partner_ids, company, date_to
                )
                continue
            period = indicator._period(date_to)
            if period not in move_totals:
                self.env.flush_all()
                move_totals[period] = self._customer_move_totals(
                    partner_ids, company, *period
                )
            results[indicator.id] = indicator._values_of_move_totals(
                move_totals[period], period[1]
            )
        return results

    def _customer_move_totals(self, partner_ids, company, date_from, date_to):
        """Posted customer invoices of many commercial partners in a period:
        {partner id: (untaxed revenue net of credit notes, invoice count, last
        invoice date)}, in one aggregate query. Partners of a batch are
        consecutive ids, so the id range lets the index be read in order."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT m.commercial_partner_id,
                       SUM(m.amount_untaxed_signed),
                       COUNT(*) FILTER (WHERE m.move_type = 'out_invoice'),
                       MAX(m.invoice_date)
                           FILTER (WHERE m.move_type = 'out_invoice')
                  FROM account_move m
                 WHERE %(customer_moves)s
                   AND m.company_id = %(company)s
                   AND m.commercial_partner_id BETWEEN %(first)s AND %(last)s
                   AND m.commercial_partner_id = ANY(%(partners)s)
                   AND m.invoice_date BETWEEN %(date_from)s AND %(date_to)s
                 GROUP BY m.commercial_partner_id
                """,
                customer_moves=CUSTOMER_MOVES_SQL,
                company=company.id,
                first=min(partner_ids, default=0),
                last=max(partner_ids, default=0),
                partners=partner_ids,
                date_from=date_from,
                date_to=date_to,
            )
        )
        return {row[0]: row[1:] for row in rows}

    def _values_of_move_totals(self, totals, date_to):
        """This invoice indicator's raw values, from ``_customer_move_totals``."""
        self.ensure_one()
        kind = self.indicator_type
        if kind == "revenue":
            return {pid: float(revenue) for pid, (revenue, _c, _l) in totals.items()}
        if kind == "invoice_count":
            return {
                pid: float(count) for pid, (_r, count, _l) in totals.items() if count
            }
        return {  # recency: days since the last invoice of the period
            pid: float((date_to - last).days)
            for pid, (_r, _c, last) in totals.items()
            if last
        }

    def _raw_values_revenue(self, partner_ids, company, date_from, date_to):
        totals = self._customer_move_totals(partner_ids, company, date_from, date_to)
        return self._values_of_move_totals(totals, date_to)

    _raw_values_invoice_count = _raw_values_revenue
    _raw_values_recency = _raw_values_revenue

    def _raw_values_referrals(self, partner_ids, company, date_from, date_to):
        return self._query_pairs(
            SQL(
                """
                SELECT p.referred_by_id, COUNT(*)
                  FROM res_partner p
                 WHERE p.referred_by_id = ANY(%(partners)s)
                   AND p.active
                   AND p.id = p.commercial_partner_id
                   AND (p.company_id IS NULL OR p.company_id = %(company)s)
                   AND p.create_date::date BETWEEN %(date_from)s AND %(date_to)s
                 GROUP BY p.referred_by_id
                """,
                company=company.id,
                partners=partner_ids,
                date_from=date_from,
                date_to=date_to,
            )
        )

    def _raw_values_potential(self, partner_ids, company, date_from, date_to):
        return self._query_pairs(
            SQL(
                """
                SELECT p.id, COALESCE(p.tier_potential, '0')::int
                  FROM res_partner p
                 WHERE p.id = ANY(%(partners)s)
                """,
                partners=partner_ids,
            )
        )

    def _raw_values_manual(self, partner_ids, company, date_from, date_to):
        return self._query_pairs(
            SQL(
                """
                SELECT p.id, p.tier_manual_score
                  FROM res_partner p
                 WHERE p.id = ANY(%(partners)s) AND p.tier_manual_score IS NOT NULL
                """,
                partners=partner_ids,
            )
        )
