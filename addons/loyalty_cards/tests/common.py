import uuid
from contextlib import contextmanager

from odoo import Command
from odoo.http import root

from odoo.addons.customer_tiering.tests.common import TierCase
from odoo.addons.mail.tests.common import mail_new_test_user

PIN = "246810"

# Python 3.11 before 3.11.8 can fail to parse Odoo's manifests in several
# threads at once ("AST constructor recursion depth mismatch", CPython
# gh-106905), which the HTTP server does on the first burst of static
# requests of a browser test. Compute the list of static folders once, here,
# while the tests are collected, before any browser runs.
_STATIC_FOLDERS = root.statics


class LoyaltyCase(TierCase):
    """customer_tiering's test company and tiers (Gold, Silver, Bronze,
    Basic), with a member programme (1 point per unit of money, a point
    worth 0.01, four levels mapped to the tiers, a top-up bonus table), a
    coupon programme (10 % off, at most 30), a cashier, the tier manager as
    loyalty manager, a portal customer and a few member cards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Card = cls.env["loyalty.card"]
        cls.Consumption = cls.env["loyalty.consumption"]
        cls.Ledger = cls.env["loyalty.history"]
        cls.currency = cls.company.currency_id
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Test Member Card",
                "program_type": "loyalty",
                "is_member_program": True,
                "company_id": cls.company.id,
                "member_point_value": 0.01,
                "rule_ids": [
                    Command.create(
                        {"reward_point_mode": "money", "reward_point_amount": 1}
                    )
                ],
                "reward_ids": [Command.create({"required_points": 100})],
                "topup_bonus_ids": [
                    Command.create({"min_amount": 500, "bonus_amount": 50}),
                    Command.create({"min_amount": 1000, "bonus_amount": 120}),
                ],
            }
        )
        Level = cls.env["loyalty.card.level"]
        cls.level_std, cls.level_silver, cls.level_gold, cls.level_vip = Level.create(
            [
                {
                    "name": name,
                    "program_id": cls.program.id,
                    "rank": rank,
                    "discount_percent": discount,
                    "earn_multiplier": multiplier,
                    "tier_ids": [Command.set(tiers.ids)],
                }
                for name, rank, discount, multiplier, tiers in (
                    ("Standard", 4, 0, 1.0, cls.basic),
                    ("Silver", 3, 2, 1.2, cls.bronze),
                    ("Gold", 2, 5, 1.5, cls.silver),
                    ("VIP", 1, 10, 2.0, cls.gold),
                )
            ]
        )
        cls.coupon_program = cls.env["loyalty.program"].create(
            {
                "name": "Test Coupon",
                "program_type": "coupons",
                "company_id": cls.company.id,
                "trigger": "with_code",
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount_mode": "percent",
                            "discount": 10,
                            "discount_max_amount": 30,
                            "discount_applicability": "order",
                        }
                    )
                ],
            }
        )
        groups = "base.group_user,loyalty_cards.group_loyalty_cashier"
        cls.cashier = mail_new_test_user(
            cls.env,
            login="loyalty_cashier",
            name="Loyalty Cashier",
            groups=groups,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.manager.groups_id = [
            Command.link(cls.env.ref("loyalty_cards.group_loyalty_manager").id)
        ]
        cls.portal_user = mail_new_test_user(
            cls.env,
            login="loyalty_portal",
            name="Portal Member",
            email="portal.member@example.com",
            groups="base.group_portal",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.member = cls.portal_user.partner_id
        cls.other = cls.env["res.partner"].create(
            {"name": "Other Member", "email": "other@example.com"}
        )
        cls.card = cls.make_card(cls.member, balance=500, points=2000)
        cls.card._pin_set_new(PIN, PIN)
        cls.other_card = cls.make_card(cls.other, balance=100)

    @classmethod
    def make_card(cls, partner, level=None, balance=0.0, points=0.0, **values):
        return cls.env["loyalty.card"].create(
            {
                "program_id": cls.program.id,
                "partner_id": partner.id,
                "level_id": level.id if level else False,
                "balance": balance,
                "points": points,
                **values,
            }
        )

    @staticmethod
    def key():
        return f"test-{uuid.uuid4().hex}"

    def as_user(self, user, model):
        return self.env[model].with_user(user).with_company(self.company)

    def confirm(self, user=None, **values):
        """loyalty.counter.confirm as ``user`` (the cashier by default)."""
        values.setdefault("idempotency_key", self.key())
        values.setdefault("card_id", self.card.id)
        return self.as_user(user or self.cashier, "loyalty.counter").confirm(values)

    def snapshot(self, *cards):
        """What must not change when a request fails: values and row counts."""
        cards = cards or (self.card,)
        self.env.invalidate_all()
        return (
            [(c.points, c.balance) for c in cards],
            self.Ledger.search_count([("account", "!=", False)]),
            self.Consumption.sudo().search_count([]),
            self.env["loyalty.topup"].sudo().search_count([]),
        )

    def assertLedgerConsistent(self, *cards):
        """Each card equals the sum of its ledger."""
        self.env.invalidate_all()
        for card in cards or (self.card,):
            for account in ("points", "balance"):
                rows = self.Ledger.search(
                    [("card_id", "=", card.id), ("account", "=", account)]
                )
                self.assertAlmostEqual(
                    card[account],
                    sum(rows.mapped("delta")),
                    places=2,
                    msg=f"{account} of {card.display_name} differs from its ledger",
                )

    @contextmanager
    def assertNothingChanges(self, exception, pattern, *cards):
        """The block fails with ``exception`` (message matching ``pattern``)
        and leaves the cards, the ledger and the operations as they were."""
        before = self.snapshot(*cards)
        with self.assertRaisesMessage(exception, pattern) as catcher:
            yield catcher
        self.assertEqual(self.snapshot(*cards), before)
