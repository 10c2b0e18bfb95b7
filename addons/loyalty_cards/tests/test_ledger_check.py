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

    def test_every_guarded_card_has_a_company_to_be_checked(self):
        """The nightly check goes company by company: member programmes, flash
        offers and coupon batches need their company, so no card escapes."""
        from odoo.exceptions import ValidationError

        with self.assertRaisesMessage(ValidationError, "give it its company"):
            self.program.company_id = False
        with self.assertRaisesMessage(ValidationError, "give it its company"):
            self.env["loyalty.program"].create(
                {
                    "name": "Shared members",
                    "program_type": "loyalty",
                    "is_member_program": True,
                    "company_id": False,
                    "currency_id": self.currency.id,
                }
            )
        self.coupon_program.company_id = False
        with self.assertRaisesMessage(ValidationError, "give it its company"):
            self.env["loyalty.coupon.batch"].create(
                {"name": "Shared", "program_id": self.coupon_program.id}
            )
        with self.assertRaisesMessage(ValidationError, "from a coupon programme"):
            self.env["loyalty.coupon.batch"].create(
                {"name": "Members", "program_id": self.program.id}
            )
