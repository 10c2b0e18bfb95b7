from odoo import fields, models, tools
from odoo.tools import SQL


class LoyaltyCampaignReport(models.Model):
    """Coupon campaigns from issue to redemption: one row per coupon issued
    in a batch, with its customer's tier and card level at issue, whether
    it was redeemed, the discount it gave and the net amount of the
    consumption that used it."""

    _name = "loyalty.campaign.report"
    _description = "Coupon Campaign Analysis"
    _auto = False
    _order = "date_issue desc"
    _rec_name = "batch_id"

    batch_id = fields.Many2one("loyalty.coupon.batch", readonly=True)
    program_id = fields.Many2one("loyalty.program", string="Programme", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    tier_id = fields.Many2one("customer.tier", string="Tier at Issue", readonly=True)
    level_id = fields.Many2one(
        "loyalty.card.level", string="Card Level at Issue", readonly=True
    )
    is_flash = fields.Boolean(string="Flash Offer", readonly=True)
    date_issue = fields.Datetime(string="Issued On", readonly=True)
    date_redeemed = fields.Datetime(string="Redeemed On", readonly=True)
    issued_count = fields.Integer(string="Issued", readonly=True)
    redeemed_count = fields.Integer(string="Redeemed", readonly=True)
    redemption_rate = fields.Float(
        string="Redemption Rate (%)", digits=(5, 1), readonly=True, aggregator="avg"
    )
    discount_amount = fields.Monetary(string="Discount Given", readonly=True)
    revenue = fields.Monetary(
        readonly=True,
        help="Net amount of the consumptions that used the coupons, less their "
        "reversals.",
    )

    def _query(self):
        return SQL(
            """
            SELECT c.id AS id,
                   c.coupon_batch_id AS batch_id,
                   c.program_id AS program_id,
                   c.company_id AS company_id,
                   p.currency_id AS currency_id,
                   c.partner_id AS partner_id,
                   c.issue_tier_id AS tier_id,
                   c.issue_level_id AS level_id,
                   COALESCE(p.is_flash, FALSE) AS is_flash,
                   b.date AS date_issue,
                   c.date_used AS date_redeemed,
                   1 AS issued_count,
                   CASE WHEN c.date_used IS NULL THEN 0 ELSE 1 END
                       AS redeemed_count,
                   CASE WHEN c.date_used IS NULL THEN 0.0 ELSE 100.0 END
                       AS redemption_rate,
                   COALESCE(co.coupon_discount, 0) AS discount_amount,
                   COALESCE(co.net_amount, 0) - COALESCE((
                       SELECT SUM(r.net_amount)
                         FROM loyalty_consumption_reversal r
                        WHERE r.consumption_id = co.id), 0) AS revenue
              FROM loyalty_card c
              JOIN loyalty_coupon_batch b ON b.id = c.coupon_batch_id
              JOIN loyalty_program p ON p.id = c.program_id
              -- The consumption the coupon paid for; one that a reversal
              -- gave the coupon back from does not count.
              LEFT JOIN loyalty_consumption co
                     ON co.coupon_id = c.id AND co.coupon_returned IS NOT TRUE
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )
