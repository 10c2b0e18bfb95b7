from odoo import fields, models
from odoo.tools import SQL


class CustomerTierIndicator(models.Model):
    _inherit = "customer.tier.indicator"

    indicator_type = fields.Selection(
        selection_add=[("aftersales_satisfaction", "After-sales satisfaction")],
        ondelete={"aftersales_satisfaction": "cascade"},
    )

    def _raw_values_aftersales_satisfaction(
        self, partner_ids, company, date_from, date_to
    ):
        """Average rating (1 to 5) the customer gave its tickets in the period."""
        return self._query_pairs(
            SQL(
                """
                SELECT t.commercial_partner_id, AVG(r.rating)
                  FROM rating_rating r
                  JOIN aftersales_ticket t ON t.id = r.res_id
                 WHERE r.res_model = 'aftersales.ticket'
                   AND r.consumed AND r.rating > 0
                   AND t.company_id = %(company)s
                   AND t.commercial_partner_id = ANY(%(partners)s)
                   AND r.write_date::date BETWEEN %(date_from)s AND %(date_to)s
                 GROUP BY t.commercial_partner_id
                """,
                company=company.id,
                partners=partner_ids,
                date_from=date_from,
                date_to=date_to,
            )
        )
