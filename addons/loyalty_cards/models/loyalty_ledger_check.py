import logging

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Cards compared per query.
CHECK_BATCH = 20_000


class LoyaltyLedgerCheck(models.Model):
    """A nightly comparison of every guarded card (member cards, issued
    coupons) with the sum of its ledger: the points and the balance must
    equal the sums of their movements. Any difference is listed, logged as
    a warning and posted for the managers to follow."""

    _name = "loyalty.ledger.check"
    _inherit = ["mail.thread"]
    _description = "Ledger Check"
    _order = "date desc, id desc"
    _rec_name = "date"

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    card_count = fields.Integer(string="Cards Checked", readonly=True)
    mismatch_count = fields.Integer(string="Differences", readonly=True)
    state = fields.Selection(
        [("ok", "Consistent"), ("mismatch", "Differences found")],
        readonly=True,
        required=True,
        default="ok",
    )
    line_ids = fields.One2many(
        "loyalty.ledger.check.line",
        "check_id",
        string="Cards with Differences",
        readonly=True,
    )
    books_difference = fields.Monetary(
        string="Books Differ by",
        readonly=True,
        currency_field="currency_id",
        help="Sum of the differences, per member programme, between the cards' "
        "balances and the stored value in the books (posted sessions) and in "
        "open sessions.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.model
    def _cron_check(self):
        """Scheduled action: check every company's cards."""
        companies = self.env["res.company"].sudo().search([])
        return self.sudo()._run(companies)

    @api.model
    def _run(self, companies):
        """Check the cards of ``companies``, one aggregate query per batch of
        cards; return the check records."""
        self.env.flush_all()
        checks = self.browse()
        for company in companies:
            last_id, count, lines = 0, 0, []
            while True:
                rows = self.env.execute_query(
                    SQL(
                        """
                        WITH cards AS (
                            SELECT id, points, balance FROM loyalty_card
                             WHERE ledger_guarded AND company_id = %(company)s
                               AND id > %(last)s
                             ORDER BY id LIMIT %(limit)s
                        ), sums AS (
                            SELECT h.card_id,
                                   SUM(h.delta) FILTER (WHERE h.account = 'points')
                                       AS points,
                                   SUM(h.delta) FILTER (WHERE h.account = 'balance')
                                       AS balance
                              FROM loyalty_history h
                              JOIN cards c ON c.id = h.card_id
                             WHERE h.account IS NOT NULL
                             GROUP BY h.card_id
                        )
                        SELECT c.id, c.points, COALESCE(s.points, 0),
                               COALESCE(c.balance, 0), COALESCE(s.balance, 0)
                          FROM cards c LEFT JOIN sums s ON s.card_id = c.id
                         ORDER BY c.id
                        """,
                        company=company.id,
                        last=last_id,
                        limit=CHECK_BATCH,
                    )
                )
                if not rows:
                    break
                count += len(rows)
                last_id = rows[-1][0]
                for card_id, points, points_sum, balance, balance_sum in rows:
                    for account, value, total in (
                        ("points", points or 0.0, points_sum),
                        ("balance", balance, balance_sum),
                    ):
                        if abs(float(value) - float(total)) >= 0.005:
                            lines.append(
                                {
                                    "card_id": card_id,
                                    "account": account,
                                    "card_value": float(value),
                                    "ledger_value": float(total),
                                }
                            )
            check = self.create(
                {
                    "company_id": company.id,
                    "card_count": count,
                    "mismatch_count": len(lines),
                    "state": "mismatch" if lines else "ok",
                    "line_ids": [fields.Command.create(line) for line in lines],
                }
            )
            if lines:
                _logger.warning(
                    "Loyalty ledger check: %s card values of company %s differ "
                    "from their ledger (check %s)",
                    len(lines),
                    company.id,
                    check.id,
                )
                check.message_post(
                    body=self.env._(
                        "%(count)s card values differ from their ledger.",
                        count=len(lines),
                    ),
                    partner_ids=self._manager_partners(company).ids,
                )
            check._check_books()
            checks |= check
        return checks

    def _check_books(self):
        """Compare the books with the cards (the stored value report) and
        record the total difference of the company's programmes."""
        self.ensure_one()
        rows = (
            self.env["loyalty.stored.value.report"]
            .sudo()
            .search([("company_id", "=", self.company_id.id)])
        )
        self.books_difference = self.currency_id.round(
            sum(abs(row.difference) for row in rows)
        )

    @api.model
    def _manager_partners(self, company):
        group = self.env.ref(
            "loyalty_cards.group_loyalty_manager", raise_if_not_found=False
        )
        if not group:
            return self.env["res.partner"]
        users = group.users.filtered(
            lambda u: company in u.company_ids and not u.share and u.active
        )
        return users.partner_id
