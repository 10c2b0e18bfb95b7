from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form

from ..tools import codes
from .common import PIN, LoyaltyCase

GENERIC = "^This coupon code cannot be used.$"


class TestCoupons(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.vip = Partner.create(
            {"name": "Coupon VIP", "is_company": True, "email": "vip@example.com"}
        )
        cls.important = Partner.create(
            {"name": "Coupon Important", "is_company": True, "city": "Coupon Town"}
        )
        cls.regular = Partner.create({"name": "Coupon Regular", "is_company": True})
        cls.vip._tier_override(cls.gold, "test")
        cls.important._tier_override(cls.silver, "test")
        cls.regular._tier_override(cls.bronze, "test")
        cls.gold_card = cls.make_card(cls.regular, level=cls.level_gold)

    def issue(self, user=None, **values):
        wizard = (
            self.env["loyalty.coupon.issue"]
            .with_user(user or self.manager)
            .with_company(self.company)
            .create({"program_id": self.coupon_program.id, "name": "Batch", **values})
        )
        action = wizard.action_issue()
        return self.env["loyalty.coupon.batch"].browse(action["res_id"])

    def test_issue_by_tiers(self):
        batch = self.issue(
            audience_tier_ids=[Command.set((self.gold | self.silver).ids)],
            count_per_customer=2,
            expiration_date=fields.Date.add(fields.Date.today(), days=30),
        )
        coupons = batch.coupon_ids
        self.assertEqual(len(coupons), 4)
        self.assertEqual(coupons.partner_id, self.vip | self.important)
        self.assertEqual(set(coupons.mapped("points")), {1.0})
        self.assertTrue(all(c.ledger_guarded for c in coupons))
        self.assertEqual(
            coupons.filtered(lambda c: c.partner_id == self.vip).issue_tier_id,
            self.gold,
        )
        self.assertEqual(len(set(coupons.mapped("code"))), 4)
        for code in coupons.mapped("code"):
            self.assertEqual(codes.normalize_code(code), code)
        self.assertEqual((batch.coupon_count, batch.redeemed_count), (4, 0))
        self.assertLedgerConsistent(*coupons)
        # One email per coupon whose customer has an address, in the queue.
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "loyalty.card"), ("res_id", "in", coupons.ids)])
        )
        self.assertEqual(len(mails), 2)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        vip_codes = coupons.filtered(lambda c: c.partner_id == self.vip).mapped(
            "member_number"
        )
        self.assertEqual(
            {code for code in vip_codes for mail in mails if code in mail.body_html},
            set(vip_codes),
        )

    def test_audience_levels_domain_and_union(self):
        wizard = Form(
            self.env["loyalty.coupon.issue"]
            .with_user(self.manager)
            .with_company(self.company)
        )
        wizard.program_id = self.coupon_program
        wizard.audience_tier_ids.add(self.gold)
        self.assertEqual(wizard.audience_count, 1)
        wizard.audience_level_ids.add(self.level_gold)
        self.assertEqual(wizard.audience_count, 2, "tiers and levels add up")
        wizard.audience_domain = (
            "[('is_company', '=', True), ('name', 'ilike', 'Regular')]"
        )
        self.assertEqual(wizard.audience_count, 1, "the filter narrows down")
        batch = self.issue(audience_domain="[('city', '=', 'Coupon Town')]")
        self.assertEqual(batch.coupon_ids.partner_id, self.important)

    def test_audience_summary_reads_clearly(self):
        """One count, in words: nothing chosen yet, "1 customer matches",
        "N customers match" (not "0 customers match" beside the filter's
        "44 record(s)")."""
        wizard = Form(
            self.env["loyalty.coupon.issue"]
            .with_user(self.manager)
            .with_company(self.company)
        )
        wizard.program_id = self.coupon_program
        self.assertIn("no customer is chosen yet", wizard.audience_summary)
        wizard.audience_tier_ids.add(self.gold)
        self.assertEqual(wizard.audience_summary, "1 customer matches.")
        wizard.audience_level_ids.add(self.level_gold)
        self.assertEqual(wizard.audience_summary, "2 customers match.")

    def test_issue_bad_input(self):
        with self.assertRaisesMessage(ValidationError, "Choose the audience"):
            self.issue()
        with self.assertRaisesMessage(UserError, "from 1 to 100"):
            self.issue(
                audience_tier_ids=[Command.set(self.gold.ids)], count_per_customer=0
            )
        with self.assertRaisesMessage(UserError, "expired already"):
            self.issue(
                audience_tier_ids=[Command.set(self.gold.ids)],
                expiration_date=fields.Date.subtract(fields.Date.today(), days=1),
            )
        with self.assertRaisesMessage(ValidationError, "not a valid filter"):
            self.issue(audience_domain="[('name', '=', ")
        for bad in (
            "[('no_such_field', '=', 1)]",
            "[('name', 'no-such-operator', 1)]",
            "[('parent_id.no_such_field', '=', 1)]",
            "[1, 2, 3]",
        ):
            with (
                self.subTest(domain=bad),
                self.assertRaisesMessage(ValidationError, "not a valid filter"),
            ):
                self.issue(audience_domain=bad)
        with self.assertRaisesMessage(UserError, "No customer matches"):
            self.issue(audience_domain="[('name', '=', 'nobody at all')]")
        with self.assertRaises(AccessError):
            self.issue(
                user=self.cashier, audience_tier_ids=[Command.set(self.gold.ids)]
            )
        self.assertFalse(
            self.env["loyalty.coupon.batch"].search(
                [("program_id", "=", self.coupon_program.id)]
            )
        )

    def test_redeem_with_card_once(self):
        batch = self.issue(audience_level_ids=[Command.set(self.level_gold.ids)])
        coupon = batch.coupon_ids
        receipt = self.confirm(
            card_id=self.gold_card.id, amount=200, coupon_code=coupon.member_number
        )
        # Gold takes 5 % (10), the coupon 10 % of the rest, at most 30: 19.
        self.assertEqual(receipt["level_discount"], 10)
        self.assertEqual(receipt["coupon_discount"], 19)
        self.assertEqual(receipt["net_amount"], 171)
        self.assertEqual(coupon.points, 0)
        self.assertTrue(coupon.date_used)
        self.assertLedgerConsistent(coupon)
        with self.assertNothingChanges(UserError, GENERIC, self.gold_card):
            self.confirm(card_id=self.gold_card.id, amount=50, coupon_code=coupon.code)
        self.assertEqual((batch.redeemed_count, batch.redemption_rate), (1, 100.0))
        self.assertEqual((batch.discount_total, batch.revenue), (19, 171))

    def test_one_error_for_every_bad_code(self):
        """Unknown, expired, used, someone else's, another company's, garbage:
        the cashier (and a guesser) learns nothing about which it is."""
        batch = self.issue(
            audience_tier_ids=[Command.set((self.gold | self.bronze).ids)]
        )
        regular_coupon = batch.coupon_ids.filtered(
            lambda c: c.partner_id == self.regular
        )
        vip_coupon = batch.coupon_ids.filtered(lambda c: c.partner_id == self.vip)
        used = regular_coupon
        self.confirm(card_id=self.gold_card.id, amount=10, coupon_code=used.code)
        expired_batch = self.issue(
            audience_level_ids=[Command.set(self.level_gold.ids)]
        )
        expired = expired_batch.coupon_ids
        expired.sudo().expiration_date = fields.Date.subtract(
            fields.Date.today(), days=1
        )
        company_b = self.env["res.company"].create({"name": "Coupon Company B"})
        program_b = self.coupon_program.copy({"company_id": company_b.id})
        foreign_company = (
            self.env["loyalty.coupon.batch"]
            .sudo()
            .create({"name": "B", "program_id": program_b.id})
            ._issue_coupons([self.regular.id], 1)
        )
        archived_batch = self.issue(
            audience_level_ids=[Command.set(self.level_gold.ids)]
        )
        unknown = codes.generate_code()
        bad_codes = {
            "unknown": unknown,
            "expired": expired.code,
            "used": used.code,
            "someone else's": vip_coupon.code,
            "another company's": foreign_company.code,
            "10 kB": "A" * 10240,
            "look-alike": "O" + unknown[1:],
            "member card": self.card.code,
        }
        messages = set()
        for what, code in bad_codes.items():
            with self.subTest(what=what):
                with self.assertNothingChanges(
                    UserError, GENERIC, self.gold_card
                ) as catcher:
                    self.confirm(card_id=self.gold_card.id, amount=10, coupon_code=code)
                messages.add(str(catcher.exception))
        self.assertEqual(len(messages), 1)
        self.coupon_program.action_archive()
        with self.assertNothingChanges(UserError, GENERIC, self.gold_card):
            self.confirm(
                card_id=self.gold_card.id,
                amount=10,
                coupon_code=archived_batch.coupon_ids.code,
            )

    def test_campaign_report(self):
        self.card.sudo().level_id = self.level_silver
        batch = self.issue(
            audience_tier_ids=[Command.set((self.gold | self.bronze).ids)],
            audience_level_ids=[Command.set(self.level_silver.ids)],
        )
        self.assertEqual(len(batch.coupon_ids), 3)
        regular_coupon = batch.coupon_ids.filtered(
            lambda c: c.partner_id == self.regular
        )
        self.assertEqual(regular_coupon.issue_level_id, self.level_gold)
        self.confirm(
            card_id=self.gold_card.id, amount=100, coupon_code=regular_coupon.code
        )
        member_coupon = batch.coupon_ids.filtered(lambda c: c.partner_id == self.member)
        self.confirm(
            amount=300, coupon_code=member_coupon.code, balance_used=10, pin=PIN
        )
        self.env.flush_all()
        Report = self.env["loyalty.campaign.report"].with_user(self.manager)
        rows = Report._read_group(
            [("batch_id", "=", batch.id)],
            ["tier_id"],
            [
                "issued_count:sum",
                "redeemed_count:sum",
                "redemption_rate:avg",
                "discount_amount:sum",
                "revenue:sum",
            ],
        )
        by_tier = {tier.name or "none": values for tier, *values in rows}
        # Regular (gold card): 100 - 5 = 95, coupon 9.5; member (silver card,
        # no tier): 300 - 6 = 294, coupon 29.4.
        self.assertEqual(by_tier["Gold"], [1, 0, 0.0, 0.0, 0.0])
        self.assertEqual(by_tier["Bronze"], [1, 1, 100.0, 9.5, 85.5])
        self.assertEqual(by_tier["none"], [1, 1, 100.0, 29.4, 264.6])
        total = Report._read_group(
            [("batch_id", "=", batch.id)], [], ["redemption_rate:avg"]
        )[0][0]
        self.assertAlmostEqual(total, 66.67, places=2)
        with self.assertRaises(AccessError):
            Report.with_user(self.cashier).search([])
