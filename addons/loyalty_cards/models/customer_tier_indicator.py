from odoo import api, fields, models
from odoo.tools import SQL


class CustomerTierIndicator(models.Model):
    _inherit = "customer.tier.indicator"

    indicator_type = fields.Selection(
        selection_add=[("member_consumption", "Member consumption amount")],
        ondelete={"member_consumption": "cascade"},
    )

    def _raw_values_member_consumption(self, partner_ids, company, date_from, date_to):
        """Net amount of the customers' consumptions at the counter (after
        discounts, whatever paid them) in the period, less what their
        reversals reversed."""
        return self._query_pairs(
            SQL(
                """
                SELECT c.commercial_partner_id,
                       SUM(c.net_amount - COALESCE((
                           SELECT SUM(r.net_amount)
                             FROM loyalty_consumption_reversal r
                            WHERE r.consumption_id = c.id), 0))
                  FROM loyalty_consumption c
                 WHERE c.commercial_partner_id = ANY(%(partners)s)
                   AND c.company_id = %(company)s
                   AND c.date >= %(date_from)s
                   AND c.date < %(date_to)s::date + 1
                 GROUP BY c.commercial_partner_id
                """,
                partners=partner_ids,
                company=company.id,
                date_from=date_from,
                date_to=date_to,
            )
        )

    @api.model
    def _purchase_queries(self, company):
        """The customers' purchases, with the consumptions at the counter:
        each is a purchase of its commercial partner on its day, unless it
        was reversed in full."""
        return [
            *super()._purchase_queries(company),
            SQL(
                """SELECT c.commercial_partner_id AS partner_id,
                          c.date::date AS date
                     FROM loyalty_consumption c
                    WHERE c.company_id = %s
                      AND c.commercial_partner_id IS NOT NULL
                      AND NOT EXISTS (
                          SELECT 1 FROM loyalty_consumption_reversal r
                           WHERE r.consumption_id = c.id AND r.is_final)""",
                company.id,
            ),
        ]
