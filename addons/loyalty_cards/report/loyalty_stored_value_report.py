from odoo import fields, models, tools
from odoo.tools import SQL


class LoyaltyStoredValueReport(models.Model):
    """The books against the cards, per member programme: the stored value
    liability of the posted counter sessions, the cards' balances, and what
    lies between (operations of sessions still open, movements that are not
    counter operations: opening balances, adjustments)."""

    _name = "loyalty.stored.value.report"
    _description = "Stored Value: Books and Cards"
    _auto = False
    _order = "company_id, program_id"
    _rec_name = "program_id"

    program_id = fields.Many2one("loyalty.program", string="Programme", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    booked_balance = fields.Monetary(
        string="In the Books",
        readonly=True,
        help="Credit less debit of the stored value lines of posted sessions.",
    )
    card_balance = fields.Monetary(
        string="On the Cards", readonly=True, help="Sum of the cards' balances."
    )
    open_session_balance = fields.Monetary(
        string="In Open Sessions",
        readonly=True,
        help="Top-ups and bonuses less balance spent and refunded, in sessions not "
        "yet posted.",
    )
    difference = fields.Monetary(
        readonly=True,
        help="On the cards less in the books less in open sessions: balance "
        "movements that no session books (opening balances, adjustments).",
    )

    def _query(self):
        return SQL(
            """
            WITH cards AS (
                SELECT program_id, SUM(COALESCE(balance, 0)) AS balance
                  FROM loyalty_card
                 GROUP BY program_id
            ), books AS (
                SELECT loyalty_program_id AS program_id,
                       SUM(credit - debit) AS balance
                  FROM account_move_line
                 WHERE loyalty_program_id IS NOT NULL AND parent_state = 'posted'
                 GROUP BY loyalty_program_id
            ), open_sessions AS (
                SELECT program_id, SUM(delta) AS balance FROM (
                    -- An invoiced top-up's amount is in the books already.
                    SELECT t.program_id,
                           t.bonus + CASE WHEN EXISTS (
                               SELECT 1 FROM account_move m
                                WHERE m.loyalty_topup_id = t.id
                                  AND m.state = 'posted'
                           ) THEN 0 ELSE t.amount END AS delta
                      FROM loyalty_topup t
                      JOIN loyalty_counter_session s ON s.id = t.session_id
                     WHERE s.state = 'open'
                    UNION ALL
                    SELECT c.program_id, -c.balance_used
                      FROM loyalty_consumption c
                      JOIN loyalty_counter_session s ON s.id = c.session_id
                     WHERE s.state = 'open' AND c.balance_used > 0
                    UNION ALL
                    SELECT r.program_id, -r.amount
                      FROM loyalty_card_refund r
                      JOIN loyalty_counter_session s ON s.id = r.session_id
                     WHERE s.state = 'open'
                    UNION ALL
                    SELECT r.program_id, r.balance_used
                      FROM loyalty_consumption_reversal r
                      JOIN loyalty_counter_session s ON s.id = r.session_id
                     WHERE s.state = 'open' AND r.balance_used > 0
                    UNION ALL
                    -- The invoice of a top-up of a closed session booked its
                    -- amount a second time, until its settling session is
                    -- posted (and books it back).
                    SELECT t.program_id, -t.amount
                      FROM account_move m
                      JOIN loyalty_topup t ON t.id = m.loyalty_topup_id
                      JOIN loyalty_counter_session s
                        ON s.id = m.loyalty_settlement_session_id
                     WHERE s.state = 'open' AND m.state = 'posted'
                ) moves
                 GROUP BY program_id
            )
            SELECT p.id AS id,
                   p.id AS program_id,
                   p.company_id,
                   p.currency_id,
                   COALESCE(b.balance, 0) AS booked_balance,
                   COALESCE(c.balance, 0) AS card_balance,
                   COALESCE(o.balance, 0) AS open_session_balance,
                   COALESCE(c.balance, 0) - COALESCE(b.balance, 0)
                       - COALESCE(o.balance, 0) AS difference
              FROM loyalty_program p
              LEFT JOIN cards c ON c.program_id = p.id
              LEFT JOIN books b ON b.program_id = p.id
              LEFT JOIN open_sessions o ON o.program_id = p.id
             WHERE p.is_member_program
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
