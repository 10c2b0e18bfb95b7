from odoo import Command
from odoo.exceptions import AccessError, UserError

from .common import LoyaltyCase


class TestAccess(LoyaltyCase):
    def test_cashier_cannot_change_money_but_by_the_flows(self):
        card = self.card.with_user(self.cashier)
        self.assertEqual(card.balance, 500)
        with self.assertNothingChanges(UserError, "balance of a card changes only"):
            card.write({"balance": 9999})
        with self.assertNothingChanges(AccessError, "managers"):
            card.write({"level_id": self.level_vip.id})
        with self.assertNothingChanges(AccessError, "managers"):
            card.write({"partner_id": self.cashier.partner_id.id})
        with self.assertNothingChanges(AccessError, "flows only"):
            card.write({"coupon_used_date": "2020-01-01 00:00:00"})
        self.assertEqual(self.card.partner_id, self.member)
        with self.assertRaises(AccessError):
            self.env["loyalty.card.adjustment"].with_user(self.cashier).search([])
        with self.assertNothingChanges(AccessError, "managers"):
            card.action_adjust()
        with self.assertRaises(AccessError):
            self.env["loyalty.history"].with_user(self.cashier).create(
                {"card_id": self.card.id, "description": "gift", "issued": 100}
            )
        with self.assertRaises(AccessError):
            self.env["loyalty.consumption"].with_user(self.cashier).create(
                {"name": "x", "card_id": self.card.id, "amount": 1}
            )
        wizard_model = self.env["loyalty.card.update.balance"].with_user(self.cashier)
        with self.assertRaises(AccessError):
            wizard_model.create(
                {"card_id": self.card.id, "new_balance": 9999, "description": "x"}
            )
        # Cashiers enrol members; the level follows the customer's tier.
        Card = self.env["loyalty.card"].with_user(self.cashier)
        newcomer = self.env["res.partner"].create({"name": "Newcomer"})
        with self.assertRaisesMessage(AccessError, "managers"):
            Card.create(
                {
                    "program_id": self.program.id,
                    "partner_id": newcomer.id,
                    "level_id": self.level_vip.id,
                }
            )
        enrolled = Card.create(
            {"program_id": self.program.id, "partner_id": newcomer.id}
        )
        self.assertEqual(enrolled.level_id, self.level_std)
        # The flows themselves are open to cashiers.
        self.confirm(amount=10)
        self.env["loyalty.topup"].with_user(self.cashier).create(
            {"card_id": self.card.id, "amount": 10}
        )

    def test_users_without_the_group(self):
        employee = self.env["res.users"].create(
            {
                "name": "Plain Employee",
                "login": "plain_employee",
                "groups_id": [Command.set(self.env.ref("base.group_user").ids)],
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        with self.assertRaises(AccessError):
            self.confirm(user=employee, amount=10)
        with self.assertRaises(AccessError):
            self.env["loyalty.consumption"].with_user(employee).counter_lookup(
                self.card.code
            )
        with self.assertRaises(AccessError):
            self.env["loyalty.card"].with_user(employee).search([])

    def test_portal_user_reaches_nothing_by_rpc(self):
        """Portal pages read the customer's own cards for them; through the
        models, a portal user reaches no card, no ledger line, no operation,
        not even their own."""
        portal = self.portal_user
        for model in (
            "loyalty.card",
            "loyalty.history",
            "loyalty.consumption",
            "loyalty.topup",
            "loyalty.card.level",
            "loyalty.program",
            "loyalty.coupon.batch",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(portal).search_read([], ["id"])
        for card in (self.card, self.other_card):
            with self.assertRaises(AccessError):
                card.with_user(portal).read(["balance"])
            with self.assertRaises(UserError):
                card.with_user(portal).export_data(["code", "balance"])
        with self.assertRaises(AccessError):
            self.env["loyalty.consumption"].with_user(portal).counter_lookup(
                self.other_card.code
            )
        with self.assertRaises(AccessError):
            self.env["loyalty.topup"].with_user(portal).create(
                {"card_id": self.card.id, "amount": 10}
            )

    def test_companies_are_apart(self):
        company_b = self.env["res.company"].create({"name": "Access Company B"})
        program_b = self.env["loyalty.program"].create(
            {
                "name": "B Members",
                "program_type": "loyalty",
                "is_member_program": True,
                "company_id": company_b.id,
                "reward_ids": [Command.create({"required_points": 10})],
            }
        )
        level_b = self.env["loyalty.card.level"].create(
            {"name": "B Level", "program_id": program_b.id, "rank": 1}
        )
        card_b = self.env["loyalty.card"].create(
            {"program_id": program_b.id, "partner_id": self.other.id}
        )
        manager = self.env["loyalty.card"].with_user(self.manager)
        self.assertNotIn(card_b, manager.search([]))
        self.assertIn(self.card, manager.search([]))
        self.assertFalse(
            self.env["loyalty.card.level"]
            .with_user(self.manager)
            .search([("id", "=", level_b.id)])
        )
        with self.assertRaises(AccessError):
            card_b.with_user(self.manager).read(["balance"])
        with self.assertNothingChanges(UserError, "No member card", card_b):
            self.env["loyalty.topup"].with_user(self.manager).create(
                {"card_id": card_b.id, "amount": 10}
            )
