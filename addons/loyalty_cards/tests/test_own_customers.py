from odoo import Command
from odoo.exceptions import UserError

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import PIN, LoyaltyCase


class TestOwnCustomers(LoyaltyCase):
    """Own Customers Only: a cashier in that group works with the cards of
    the customers they look after only; other cashiers and managers see
    all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restricted = mail_new_test_user(
            cls.env,
            login="loyalty_own_cashier",
            name="Own Customers Cashier",
            groups="base.group_user,loyalty_cards.group_loyalty_cashier,"
            "customer_tiering.group_own_customers",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        # The member is the restricted cashier's customer; the other one is
        # looked after by an account team the cashier is not in.
        cls.member.user_id = cls.restricted
        cls.teammate = cls.env["res.partner"].create(
            {"name": "Team Customer", "email": "team@example.com"}
        )
        cls.team_card = cls.make_card(cls.teammate, balance=50)
        cls.teammate.with_company(cls.company).account_team_ids = [
            Command.set(cls.restricted.ids)
        ]
        cls.bearer = cls.Card.create({"program_id": cls.coupon_program.id, "points": 1})

    def test_restricted_cashier_sees_own_customers(self):
        self.confirm(amount=40)
        self.confirm(card_id=self.other_card.id, amount=30)
        Topup = self.as_user(self.cashier, "loyalty.topup")
        for card in (self.card, self.other_card):
            Topup.create({"card_id": card.id, "amount": 20})
        cards = self.card | self.other_card | self.team_card | self.bearer
        Card = self.as_user(self.restricted, "loyalty.card")
        # Coupons, bearer ones included, are not listed to cashiers (they
        # read member cards only); the counter reaches them by their code.
        self.assertEqual(
            Card.search([("id", "in", cards.ids)]), self.card | self.team_card
        )
        self.assertFalse(Card.search([("id", "=", self.bearer.id)]))
        consumptions = self.as_user(self.restricted, "loyalty.consumption").search([])
        self.assertEqual(consumptions.card_id, self.card)
        topups = self.as_user(self.restricted, "loyalty.topup").search([])
        self.assertEqual(topups.card_id, self.card)
        rows = self.as_user(self.restricted, "loyalty.history").search(
            [("card_id", "in", cards.ids)]
        )
        self.assertEqual(rows.card_id, self.card | self.team_card)
        # The counter works for their customers, not for the others.
        Counter = self.as_user(self.restricted, "loyalty.counter")
        self.assertEqual(Counter.lookup(self.card.code)["kind"], "card")
        self.assertEqual(Counter.lookup(self.team_card.code)["kind"], "card")
        receipt = Counter.confirm(
            {
                "card_id": self.card.id,
                "amount": 20,
                "balance_used": 10,
                "pin": PIN,
                "idempotency_key": self.key(),
            }
        )
        self.assertEqual(receipt["balance_used"], 10)
        with self.assertRaisesMessage(UserError, "No member card"):
            Counter.lookup(self.other_card.code)
        with self.assertNothingChanges(UserError, "No member card", self.other_card):
            Counter.confirm(
                {
                    "card_id": self.other_card.id,
                    "amount": 20,
                    "idempotency_key": self.key(),
                }
            )

    def test_others_see_all(self):
        cards = self.card | self.other_card | self.team_card
        # A cashier outside the group.
        self.assertEqual(
            self.as_user(self.cashier, "loyalty.card").search(
                [("id", "in", cards.ids)]
            ),
            cards,
        )
        self.assertEqual(
            self.as_user(self.cashier, "loyalty.counter").lookup(self.other_card.code)[
                "kind"
            ],
            "card",
        )
        # A loyalty manager in the group.
        self.manager.groups_id = [
            Command.link(self.env.ref("customer_tiering.group_own_customers").id)
        ]
        self.assertEqual(
            self.as_user(self.manager, "loyalty.card").search(
                [("id", "in", cards.ids)]
            ),
            cards,
        )
        adjustment = self.as_user(self.manager, "loyalty.card.adjustment").create(
            {
                "card_id": self.other_card.id,
                "account": "points",
                "delta": 5,
                "reason": "Goodwill",
            }
        )
        self.assertEqual(
            self.as_user(self.manager, "loyalty.card.adjustment").search([]),
            adjustment,
        )
