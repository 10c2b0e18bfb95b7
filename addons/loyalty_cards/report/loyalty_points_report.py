from odoo import fields, models, tools
from odoo.tools import SQL


class LoyaltyPointsReport(models.Model):
    """Points of member cards from their ledger, one row per card: earned
    (every gain of points), spent (every loss but expiry), expired and
    outstanding (earned - spent - expired, the card's points). The
    outstanding points, at the value of a point, are what the programme
    still owes in rewards."""

    _name = "loyalty.points.report"
    _description = "Member Points Analysis"
    _auto = False
    _order = "program_id, partner_id"
    _rec_name = "card_id"

    card_id = fields.Many2one("loyalty.card", string="Member Card", readonly=True)
    program_id = fields.Many2one("loyalty.program", string="Programme", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    level_id = fields.Many2one("loyalty.card.level", string="Card Level", readonly=True)
    points_earned = fields.Float(string="Earned", digits=(16, 2), readonly=True)
    points_spent = fields.Float(string="Spent", digits=(16, 2), readonly=True)
    points_expired = fields.Float(string="Expired", digits=(16, 2), readonly=True)
    points_outstanding = fields.Float(
        string="Outstanding",
        digits=(16, 2),
        readonly=True,
        help="Points still on the cards: the programme's liability for rewards.",
    )
    outstanding_value = fields.Monetary(
        readonly=True,
        help="Outstanding points at the programme's value of a point.",
    )

    def _query(self):
        return SQL(
            """
            SELECT c.id AS id,
                   c.id AS card_id,
                   c.program_id AS program_id,
                   c.company_id AS company_id,
                   p.currency_id AS currency_id,
                   c.partner_id AS partner_id,
                   c.level_id AS level_id,
                   COALESCE(s.earned, 0) AS points_earned,
                   COALESCE(s.spent, 0) AS points_spent,
                   COALESCE(s.expired, 0) AS points_expired,
                   COALESCE(s.earned, 0) - COALESCE(s.spent, 0)
                       - COALESCE(s.expired, 0) AS points_outstanding,
                   ROUND(((COALESCE(s.earned, 0) - COALESCE(s.spent, 0)
                       - COALESCE(s.expired, 0))
                       * COALESCE(p.member_point_value, 0))::numeric, 2)
                       AS outstanding_value
              FROM loyalty_card c
              JOIN loyalty_program p ON p.id = c.program_id
              LEFT JOIN (
                    SELECT h.card_id,
                           SUM(h.delta) FILTER (WHERE h.delta > 0) AS earned,
                           -SUM(h.delta) FILTER (
                               WHERE h.delta < 0 AND h.kind IS DISTINCT FROM 'expired'
                           ) AS spent,
                           -SUM(h.delta) FILTER (WHERE h.kind = 'expired') AS expired
                      FROM loyalty_history h
                     WHERE h.account = 'points'
                     GROUP BY h.card_id
                   ) s ON s.card_id = c.id
             WHERE c.is_member_card
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
