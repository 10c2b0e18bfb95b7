from odoo import fields, models
from odoo.tools import SQL


class CustomerTierIndicator(models.Model):
    _inherit = "customer.tier.indicator"

    indicator_type = fields.Selection(
        selection_add=[("member_consumption", "Member consumption amount")],
        ondelete={"member_consumption": "cascade"},
        help="Invoiced revenue: posted customer invoices minus credit notes, "
        "untaxed, in the company currency. Number of invoices: posted customer "
        "invoices (purchase frequency). Days since the last invoice: recency of "
        "the last posted invoice in the period. Referred customers: customers "
        "created in the period whose 'Referred by' is this customer. Potential "
        "rating: the 0 to 5 stars staff give on the customer. Manual score: the "
        "0 to 100 score staff set on the customer. Member consumption amount: the "
        "net amount of the customer's purchases at the counter with a member card "
        "or a coupon.",
    )

    def _raw_values_member_consumption(self, partner_ids, company, date_from, date_to):
        """Net amount of the customers' consumptions at the counter (after
        discounts, whatever paid them) in the period."""
        return self._query_pairs(
            SQL(
                """
                SELECT c.commercial_partner_id, SUM(c.net_amount)
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
