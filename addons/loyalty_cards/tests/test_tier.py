from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields

from .common import LoyaltyCase


class TestTiers(LoyaltyCase):
    def test_member_consumption_indicator(self):
        company_child = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": self.other.id}
        )
        self.other.is_company = True
        child_card = self.make_card(company_child)
        self.confirm(card_id=child_card.id, amount=120)
        self.confirm(card_id=self.other_card.id, amount=80)
        self.confirm(amount=40)
        indicator = (
            self.env["customer.tier.indicator"]
            .with_context(skip_tier_weight_check=True)
            .create(
                {
                    "name": "Member spend",
                    "indicator_type": "member_consumption",
                    "weight": 10,
                    "company_id": self.company.id,
                }
            )
        )
        today = fields.Date.today()
        partners = [self.other.id, self.member.id, self.gold.id]
        self.env.flush_all()
        with self.assertQueryCount(1):
            values = indicator._get_raw_values(partners, self.company, today)
        # The contact's consumptions count for its company.
        self.assertEqual(values, {self.other.id: 200.0, self.member.id: 40.0})
        before = indicator._raw_values_member_consumption(
            partners,
            self.company,
            today - timedelta(days=30),
            today - timedelta(days=1),
        )
        self.assertEqual(before, {})
        other_company = self.env["res.company"].create({"name": "Elsewhere"})
        self.assertEqual(
            indicator._raw_values_member_consumption(
                partners, other_company, today, today
            ),
            {},
        )

    def test_tier_change_moves_the_card_level(self):
        customer = self.env["res.partner"].create(
            {"name": "Rising", "is_company": True}
        )
        card = self.make_card(customer)
        self.assertEqual(card.level_id, self.level_std)
        customer._tier_override(self.silver, "grew")
        self.assertEqual(card.level_id, self.level_gold)
        customer._tier_override(self.gold, "grew again")
        self.assertEqual(card.level_id, self.level_vip)
        # A tier with no level mapped keeps the card where it is.
        self.level_silver.tier_ids = False
        customer._tier_override(self.bronze, "fell")
        self.assertEqual(card.level_id, self.level_vip)

    def test_align_levels(self):
        customer = self.env["res.partner"].create({"name": "Old", "is_company": True})
        card = self.make_card(customer)
        self.env["res.partner"].browse(customer.id).with_company(
            self.company
        ).sudo().write({"tier_id": self.gold.id})
        self.program.with_user(self.manager).action_member_align_levels()
        self.assertEqual(card.level_id, self.level_vip)

    def test_counter_purchases_make_the_lifecycle(self):
        """A customer who buys only at the counter: new after a first
        purchase, active once no longer new, at risk when silent for long,
        lost after the company's limit, by the dates of its consumptions."""
        customer = self.make_customer("Counter Only")
        card = self.make_card(customer)
        first_day = date(2026, 3, 2)
        with freeze_time(first_day):
            self.confirm(card_id=card.id, amount=50)
        self.assertEqual(
            self.Consumption.search([("card_id", "=", card.id)]).date.date(),
            first_day,
        )

        def stage_on(day):
            with freeze_time(day):
                self.evaluate()
            return customer.with_company(self.company).lifecycle_stage

        self.assertEqual(stage_on(first_day + timedelta(days=10)), "new")
        self.assertEqual(stage_on(first_day + timedelta(days=100)), "active")
        self.assertEqual(stage_on(first_day + timedelta(days=200)), "at_risk")
        self.assertEqual(stage_on(first_day + timedelta(days=400)), "lost")
        # A new purchase at the counter wins the customer back.
        with freeze_time(first_day + timedelta(days=410)):
            self.confirm(card_id=card.id, amount=20)
        self.assertEqual(stage_on(first_day + timedelta(days=411)), "won_back")
