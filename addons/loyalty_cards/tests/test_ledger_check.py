from .common import LoyaltyCase


class TestLedgerCheck(LoyaltyCase):
    def test_consistent_cards(self):
        self.confirm(amount=100, balance_used=20, pin="246810")
        check = self.env["loyalty.ledger.check"]._run(self.company)
        self.assertEqual(check.state, "ok")
        self.assertEqual(check.card_count, 2)
        self.assertFalse(check.line_ids)

    def test_reports_differences(self):
        # Someone bypasses the ledger (raw SQL): the nightly check tells.
        self.env.cr.execute(
            "UPDATE loyalty_card SET balance = balance + 7, points = points - 3 "
            "WHERE id = %s",
            [self.card.id],
        )
        self.env.invalidate_all()
        with self.assertLogs(
            "odoo.addons.loyalty_cards.models.loyalty_ledger_check", "WARNING"
        ) as logs:
            check = self.env["loyalty.ledger.check"]._run(self.company)
        self.assertIn("2 card values", logs.output[0])
        self.assertEqual((check.state, check.mismatch_count), ("mismatch", 2))
        differences = {
            line.account: (line.card_value, line.ledger_value, line.difference)
            for line in check.line_ids
        }
        self.assertEqual(
            differences, {"balance": (507, 500, 7), "points": (1997, 2000, -3)}
        )
        self.assertIn(self.manager.partner_id, check.message_ids[0].partner_ids)
        self.assertEqual(
            self.env["loyalty.ledger.check"].with_user(self.manager).search([]), check
        )

    def test_cron_checks_every_company(self):
        checks = self.env["loyalty.ledger.check"]._cron_check()
        self.assertIn(self.company, checks.company_id)
