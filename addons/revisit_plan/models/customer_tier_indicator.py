from odoo import fields, models
from odoo.tools import SQL


class CustomerTierIndicator(models.Model):
    _inherit = "customer.tier.indicator"

    indicator_type = fields.Selection(
        selection_add=[("revisit_satisfaction", "Revisit satisfaction")],
        ondelete={"revisit_satisfaction": "cascade"},
    )

    def _raw_values_revisit_satisfaction(
        self, partner_ids, company, date_from, date_to
    ):
        """Average satisfaction (1 to 5) of the customers' revisits done in
        the period and rated; customers without one are left out."""
        return self._query_pairs(
            SQL(
                """
                SELECT r.partner_id, AVG(r.satisfaction)
                  FROM revisit_record r
                 WHERE r.partner_id = ANY(%(partners)s)
                   AND r.company_id = %(company)s
                   AND r.state = 'done'
                   AND r.satisfaction > 0
                   AND r.date_done BETWEEN %(date_from)s AND %(date_to)s
                 GROUP BY r.partner_id
                """,
                partners=partner_ids,
                company=company.id,
                date_from=date_from,
                date_to=date_to,
            )
        )
