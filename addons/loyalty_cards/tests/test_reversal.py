from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import PIN, LoyaltyCase


@tagged("post_install", "-at_install")
class TestReversal(LoyaltyCase):
    """Reversals of counter consumptions, figures computed by hand. The test
    member's card holds 500 of balance and 2000 points, at the Standard
    level (no discount, 1 point per unit of money)."""

    def reverse(self, user=None, **values):
        values.setdefault("idempotency_key", self.key())
        values.setdefault("reason", "Returned goods")
        return self.as_user(user or self.cashier, "loyalty.counter").reverse(values)

    def buy(self):
        """200: 50 from the balance, 1000 points (10.00), 140 otherwise;
        190 points earned (on 200 less the 10 the points paid)."""
        receipt = self.confirm(amount=200, balance_used=50, points_used=1000, pin=PIN)
        self.assertEqual(
            (receipt["net_amount"], receipt["amount_due"], receipt["points_earned"]),
            (200, 140, 190),
        )
        self.assertEqual((self.card.balance, self.card.points), (450, 1190))
        return self.Consumption.browse(receipt["id"])

    def ledger_of(self, reversal):
        return self.Ledger.search(
            [
                ("order_model", "=", "loyalty.consumption.reversal"),
                ("order_id", "=", reversal["id"]),
            ],
            order="id",
        )

    def test_full_reversal_by_its_cashier(self):
        consumption = self.buy()
        receipt = self.reverse(consumption_id=consumption.id, full=True)
        self.assertEqual(
            {
                name: receipt[name]
                for name in (
                    "net_amount",
                    "balance_used",
                    "points_used",
                    "points_value",
                    "amount_due",
                    "points_earned",
                    "shortfall",
                    "is_final",
                    "remaining",
                )
            },
            {
                "net_amount": 200,
                "balance_used": 50,
                "points_used": 1000,
                "points_value": 10,
                "amount_due": 140,
                "points_earned": 190,
                "shortfall": 0,
                "is_final": True,
                "remaining": 0,
            },
        )
        self.assertEqual(receipt["card"]["balance"], 500)
        self.assertEqual(receipt["card"]["points"], 2000)
        self.assertEqual((self.card.balance, self.card.points), (500, 2000))
        rows = self.ledger_of(receipt)
        self.assertEqual(
            [(row.kind, row.account, row.delta, row.value_after) for row in rows],
            [
                ("reversal", "balance", 50, 500),
                ("reversal", "points", 1000, 2190),
                ("reversal", "points", -190, 2000),
            ],
        )
        self.assertEqual(rows.consumption_id, consumption)
        self.assertEqual(rows[0].ledger_description, f"Reversal: {receipt['name']}")
        reversal = self.env["loyalty.consumption.reversal"].browse(receipt["id"])
        self.assertEqual(reversal.session_id, consumption.session_id)
        self.assertEqual(reversal.reason, "Returned goods")
        self.assertEqual(reversal.user_id, self.cashier)
        self.assertEqual(consumption.reversible_amount, 0)
        self.assertEqual(consumption.reversed_amount, 200)
        self.assertLedgerConsistent()
        with self.assertNothingChanges(UserError, "already fully reversed"):
            self.reverse(consumption_id=consumption.id, full=True)
        with self.assertNothingChanges(UserError, "already fully reversed"):
            self.reverse(consumption_id=consumption.id, amount=1)

    def test_partial_reversals_balance_then_paid_otherwise_then_points(self):
        consumption = self.buy()
        # 30: from the balance; 28.50 of the 190 points earned go away.
        first = self.reverse(consumption_id=consumption.id, amount="30")
        self.assertEqual(
            (first["balance_used"], first["amount_due"], first["points_value"]),
            (30, 0, 0),
        )
        self.assertEqual((first["points_used"], first["points_earned"]), (0, 28.5))
        self.assertEqual((self.card.balance, self.card.points), (480, 1161.5))
        # 100 more (130 in all): the last 20 of the balance, 80 paid otherwise;
        # 123.50 points earned in all, 95 of them now.
        second = self.reverse(consumption_id=consumption.id, amount=100)
        self.assertEqual(
            (second["balance_used"], second["amount_due"], second["points_value"]),
            (20, 80, 0),
        )
        self.assertEqual(second["points_earned"], 95)
        self.assertEqual((self.card.balance, self.card.points), (500, 1066.5))
        self.assertEqual(consumption.reversible_amount, 70)
        with self.assertNothingChanges(UserError, "Only .*70.00.* can still"):
            self.reverse(consumption_id=consumption.id, amount=70.01)
        # The rest: 60 paid otherwise and the points' 10.00 (1000 points);
        # the last 66.50 points earned.
        last = self.reverse(consumption_id=consumption.id, amount=70)
        self.assertEqual(
            (last["balance_used"], last["amount_due"], last["points_value"]),
            (0, 60, 10),
        )
        self.assertEqual((last["points_used"], last["points_earned"]), (1000, 66.5))
        self.assertTrue(last["is_final"])
        self.assertFalse(first["is_final"] or second["is_final"])
        self.assertEqual((self.card.balance, self.card.points), (500, 2000))
        self.assertEqual(consumption.reversal_count, 3)
        self.assertLedgerConsistent()
        # The payment method of the consumption gives the money back.
        reversals = consumption.reversal_ids
        self.assertEqual(
            reversals.filtered("amount_due").payment_method_id,
            consumption.payment_method_id,
        )
        self.assertFalse(
            reversals.filtered(lambda r: not r.amount_due).payment_method_id
        )

    def test_idempotent(self):
        consumption = self.buy()
        key = self.key()
        first = self.reverse(
            consumption_id=consumption.id, amount=30, idempotency_key=key
        )
        before = self.snapshot()
        again = self.reverse(
            consumption_id=consumption.id, amount=30, idempotency_key=key
        )
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(again["id"], first["id"])
        self.assertTrue(again["replayed"])
        self.assertEqual(consumption.reversal_count, 1)
        with self.assertNothingChanges(UserError, "already used for another"):
            self.reverse(consumption_id=consumption.id, amount=31, idempotency_key=key)
        # A key of another operation is refused too.
        other_key = self.key()
        self.confirm(amount=10, idempotency_key=other_key)
        with self.assertNothingChanges(UserError, "already used for another"):
            self.reverse(
                consumption_id=consumption.id, amount=5, idempotency_key=other_key
            )

    def test_who_may_reverse(self):
        self.company.loyalty_reversal_minutes = 30
        consumption = self.buy()
        other_cashier = mail_new_test_user(
            self.env,
            login="other_loyalty_cashier",
            groups="base.group_user,loyalty_cards.group_loyalty_cashier",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertNothingChanges(AccessError, "another cashier"):
            self.reverse(other_cashier, consumption_id=consumption.id, amount=1)
        later = fields.Datetime.now() + timedelta(minutes=31)
        with freeze_time(later), self.assertNothingChanges(AccessError, "within 30"):
            self.reverse(consumption_id=consumption.id, amount=1)
        with freeze_time(later):
            self.assertFalse(consumption.with_user(self.cashier).can_reverse)
            self.assertTrue(consumption.with_user(self.manager).can_reverse)
            self.reverse(self.manager, consumption_id=consumption.id, amount=1)
        consumption.invalidate_recordset(["can_reverse"])
        self.assertTrue(consumption.with_user(self.cashier).can_reverse)
        self.reverse(consumption_id=consumption.id, amount=1)
        self.company.loyalty_reversal_minutes = 0
        with self.assertNothingChanges(AccessError, "Only a manager"):
            self.reverse(consumption_id=consumption.id, amount=1)
        with self.assertNothingChanges(AccessError, "Only a manager may accept"):
            self.reverse(consumption_id=consumption.id, amount=1, accept_shortfall=True)
        # Users who are not cashiers cannot reverse at all.
        with self.assertNothingChanges(AccessError, "cashiers and managers"):
            self.reverse(self.portal_user, consumption_id=consumption.id, amount=1)
        self.assertEqual(consumption.reversed_amount, 2)

    def test_bad_input_changes_nothing(self):
        consumption = self.buy()
        good = {"consumption_id": consumption.id, "amount": 10}
        cases = [
            ({"amount": "ten"}, "must be a number"),
            ({"amount": float("nan")}, "must be a number"),
            ({"amount": float("inf")}, "must be a number"),
            ({"amount": -5}, "cannot be negative"),
            ({"amount": 0}, "Enter the amount"),
            ({"amount": None}, "Enter the amount"),
            ({"amount": [10]}, "must be a number"),
            ({"amount": 200.01}, "can still be reversed"),
            ({"amount": 10, "full": True}, "either in full"),
            ({"full": "yes"}, "yes or no"),
            ({"accept_shortfall": "1"}, "yes or no"),
            ({"consumption_id": "abc"}, "No consumption"),
            ({"consumption_id": -1}, "No consumption"),
            ({"consumption_id": 2**40}, "No consumption"),
            ({"consumption_id": False}, "No consumption"),
            ({"reason": ""}, "is required"),
            ({"reason": "x" * 10000}, "limited to 200"),
            ({"reason": "bad\x00reason"}, "NUL"),
            ({"reason": 42}, "must be text"),
            ({"idempotency_key": "short"}, "request key"),
            ({"idempotency_key": "x" * 10000}, "request key"),
        ]
        for change, pattern in cases:
            with self.subTest(change=change):
                with self.assertNothingChanges(UserError, pattern):
                    self.reverse(**{**good, **change})
        with self.assertNothingChanges(UserError, "Nothing to reverse"):
            self.as_user(self.cashier, "loyalty.counter").reverse("all")

    def test_other_company_refused(self):
        consumption = self.buy()
        elsewhere = self.env["res.company"].create({"name": "Elsewhere"})
        self.manager.company_ids = [Command.link(elsewhere.id)]
        with self.assertNothingChanges(UserError, "belongs to"):
            self.env["loyalty.counter"].with_user(self.manager).with_context(
                allowed_company_ids=[elsewhere.id, self.company.id]
            ).reverse(
                {
                    "consumption_id": consumption.id,
                    "full": True,
                    "reason": "Wrong company",
                    "idempotency_key": self.key(),
                }
            )
        # Someone who works only elsewhere does not even see it.
        stranger = mail_new_test_user(
            self.env,
            login="loyalty_stranger",
            groups="base.group_user,loyalty_cards.group_loyalty_cashier",
            company_id=elsewhere.id,
            company_ids=[Command.set(elsewhere.ids)],
        )
        with self.assertNothingChanges(UserError, "No consumption"):
            self.env["loyalty.counter"].with_user(stranger).with_context(
                allowed_company_ids=elsewhere.ids
            ).reverse(
                {
                    "consumption_id": consumption.id,
                    "full": True,
                    "reason": "Not mine",
                    "idempotency_key": self.key(),
                }
            )

    def test_points_earned_already_spent(self):
        """100 paid otherwise earns 100 points; the customer spends them all
        on a purchase of 80 (1.00), which earns 79 (on 80 less 1.00).
        Reversing the first purchase would take back 100 points of the 79
        held: a shortfall of 21."""
        customer = self.env["res.partner"].create({"name": "Spender"})
        card = self.make_card(customer)
        card._pin_set_new(PIN, PIN)
        first = self.confirm(card_id=card.id, amount=100)
        self.assertEqual(first["points_earned"], 100)
        second = self.confirm(card_id=card.id, amount=80, points_used=100, pin=PIN)
        self.assertEqual((second["points_value"], second["points_earned"]), (1, 79))
        self.assertEqual(card.points, 79)
        with self.assertNothingChanges(UserError, "already spent 21.0", card):
            self.reverse(consumption_id=first["id"], full=True)
        with self.assertNothingChanges(UserError, "already spent 21.0", card):
            self.reverse(self.manager, consumption_id=first["id"], full=True)
        receipt = self.reverse(
            self.manager, consumption_id=first["id"], full=True, accept_shortfall=True
        )
        self.assertEqual(
            (receipt["points_earned"], receipt["shortfall"], receipt["card"]["points"]),
            (100, 21, 0),
        )
        reversal = self.env["loyalty.consumption.reversal"].browse(receipt["id"])
        self.assertEqual(reversal.shortfall_value, 0.21)
        self.assertEqual(
            self.ledger_of(receipt).mapped("delta"), [-79.0], "never a negative card"
        )
        self.assertEqual(card.points, 0)
        self.assertLedgerConsistent(card)

    def test_coupon_works_again_after_a_full_reversal(self):
        coupon = self.Card.create(
            {
                "program_id": self.coupon_program.id,
                "partner_id": self.member.id,
                "points": 1,
            }
        )
        # 100 less 10 % = 90.
        receipt = self.confirm(amount=100, coupon_code=coupon.code)
        self.assertEqual((receipt["net_amount"], coupon.points), (90, 0))
        with self.assertRaisesMessage(UserError, "cannot be used"):
            self.confirm(amount=100, coupon_code=coupon.code)
        # A partial reversal keeps the coupon used.
        self.reverse(consumption_id=receipt["id"], amount=40)
        self.assertEqual(coupon.points, 0)
        last = self.reverse(consumption_id=receipt["id"], full=True)
        self.assertTrue(last["coupon_restored"])
        self.assertEqual(last["net_amount"], 50)
        self.assertEqual(coupon.points, 1)
        self.assertFalse(coupon.date_used)
        rows = self.Ledger.search([("card_id", "=", coupon.id)], order="id")
        self.assertEqual(
            [(row.kind, row.delta) for row in rows],
            [("coupon_redeem", -1), ("reversal", 1)],
        )
        again = self.confirm(amount=100, coupon_code=coupon.code)
        self.assertEqual(again["coupon_discount"], 10)
        self.assertEqual(coupon.points, 0)

    def test_campaign_report_counts_the_coupon_once(self):
        batch = self.env["loyalty.coupon.batch"].create(
            {"name": "Reversed batch", "program_id": self.coupon_program.id}
        )
        coupon = batch._issue_coupons([self.member.id], 1)
        Report = self.env["loyalty.campaign.report"]

        def figures():
            self.env.flush_all()
            self.env.invalidate_all()
            rows = Report.search([("batch_id", "=", batch.id)])
            return [(r.redeemed_count, r.discount_amount, r.revenue) for r in rows]

        # 100 less 10 % = 90; 40 reversed leaves 50 of revenue.
        first = self.confirm(amount=100, coupon_code=coupon.code)
        self.reverse(consumption_id=first["id"], amount=40)
        self.assertEqual(figures(), [(1, 10, 50)])
        self.reverse(consumption_id=first["id"], full=True)
        self.assertEqual(figures(), [(0, 0, 0)])
        # 200 less 10 % = 180: the coupon's one redemption now.
        self.confirm(amount=200, coupon_code=coupon.code)
        self.assertEqual(figures(), [(1, 20, 180)])

    def test_expired_coupon_stays_used(self):
        coupon = self.Card.create(
            {
                "program_id": self.coupon_program.id,
                "partner_id": self.member.id,
                "points": 1,
                "expiration_date": fields.Date.today() + timedelta(days=1),
            }
        )
        receipt = self.confirm(amount=100, coupon_code=coupon.code)
        with freeze_time(fields.Date.today() + timedelta(days=2)):
            last = self.reverse(self.manager, consumption_id=receipt["id"], full=True)
        self.assertFalse(last["coupon_restored"])
        self.assertEqual(coupon.points, 0)

    def test_tier_indicator_counts_net(self):
        self.confirm(card_id=self.other_card.id, amount=120)
        kept = self.confirm(card_id=self.other_card.id, amount=80)
        self.reverse(consumption_id=kept["id"], amount=30)
        gone = self.confirm(amount=40)
        self.reverse(consumption_id=gone["id"], full=True)
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
        self.env.flush_all()
        today = fields.Date.today()
        values = indicator._get_raw_values(
            [self.other.id, self.member.id], self.company, today
        )
        self.assertEqual(values.get(self.other.id), 170.0)
        self.assertFalse(values.get(self.member.id))
        # A consumption reversed in full is no purchase.
        queries = self.env["customer.tier.indicator"]._purchase_queries(self.company)
        partners = set()
        for query in queries[-1:]:
            partners |= {row[0] for row in self.env.execute_query(query)}
        self.assertIn(self.other.id, partners)
        self.assertNotIn(self.member.id, partners)

    def test_nobody_writes_reversals_or_ledger_rows_directly(self):
        consumption = self.buy()
        receipt = self.reverse(consumption_id=consumption.id, amount=10)
        Reversal = self.env["loyalty.consumption.reversal"]
        for user in (self.cashier, self.manager):
            with self.subTest(user=user.login):
                with self.assertNothingChanges(AccessError, "."):
                    Reversal.with_user(user).create(
                        {
                            "consumption_id": consumption.id,
                            "name": "Forged",
                            "reason": "Forged",
                            "net_amount": 100,
                            "balance_used": 100,
                            "company_id": self.company.id,
                            "currency_id": self.currency.id,
                            "date": fields.Datetime.now(),
                        }
                    )
                # The model refuses any change (UserError) before the access rights
                # (AccessError, a UserError too) do.
                with self.assertNothingChanges(UserError, "."):
                    Reversal.with_user(user).browse(receipt["id"]).write(
                        {"balance_used": 1000}
                    )
                with self.assertNothingChanges(AccessError, "."):
                    Reversal.with_user(user).browse(receipt["id"]).unlink()
                if user == self.cashier:
                    with self.assertNothingChanges(AccessError, "."):
                        self.Ledger.with_user(user).create(
                            {
                                "card_id": self.card.id,
                                "kind": "reversal",
                                "account": "balance",
                                "delta": 1000,
                            }
                        )
                with self.assertNothingChanges(UserError, "."):
                    consumption.with_user(user).write({"coupon_returned": True})
        # Not even as superuser.
        reversal = Reversal.browse(receipt["id"])
        with self.assertNothingChanges(UserError, "cannot be changed"):
            reversal.write({"balance_used": 1000})
        with self.assertNothingChanges(UserError, "cannot be deleted"):
            reversal.unlink()
        # The cashier reads the reversal; the wizard goes through reverse().
        self.assertEqual(
            Reversal.with_user(self.cashier).search([("id", "=", receipt["id"])]),
            reversal,
        )
        wizard = (
            self.env["loyalty.consumption.reverse"]
            .with_user(self.cashier)
            .create(
                {
                    "consumption_id": consumption.id,
                    "full": False,
                    "amount": 15,
                    "reason": "Wizard",
                }
            )
        )
        wizard.action_reverse()
        self.assertEqual(consumption.reversed_amount, 25)
        self.assertEqual(self.card.balance, 475)

    def test_own_customers_only(self):
        """A cashier in Own Customers Only neither sees nor reverses the
        consumptions of customers they do not look after."""
        restricted = mail_new_test_user(
            self.env,
            login="loyalty_own_reverser",
            groups="base.group_user,loyalty_cards.group_loyalty_cashier,"
            "customer_tiering.group_own_customers",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.member.user_id = restricted
        mine = self.confirm(restricted, amount=40)
        theirs = self.confirm(card_id=self.other_card.id, amount=30)
        self.reverse(self.manager, consumption_id=theirs["id"], amount=5)
        with self.assertNothingChanges(UserError, "No consumption", self.other_card):
            self.reverse(restricted, consumption_id=theirs["id"], full=True)
        self.reverse(restricted, consumption_id=mine["id"], amount=10)
        Reversal = self.as_user(restricted, "loyalty.consumption.reversal")
        self.assertEqual(Reversal.search([]).consumption_id.ids, [mine["id"]])


@tagged("post_install", "-at_install")
class TestReversalAccounting(LoyaltyCase):
    """A reversal is booked by the reverser's open session: the mirror of
    its part of the sale (generic chart, sales tax 15 % included)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company, install_demo=False
        )
        cls.tax = cls.env["account.tax"].browse(cls.company.account_sale_tax_id.id)
        cls.tax.amount = 15
        methods = cls.env["loyalty.payment.method"].search(
            [("company_id", "=", cls.company.id)]
        )
        cls.cash = methods.filtered(lambda m: m.code == "cash")
        cls.gold_card = cls.make_card(
            cls.env["res.partner"].create({"name": "Gold Member"}),
            level=cls.level_gold,
            points=1000,
        )
        cls.gold_card._pin_set_new(PIN, PIN)
        cls.Session = cls.env["loyalty.counter.session"]

    def reverse(self, user=None, **values):
        values.setdefault("idempotency_key", self.key())
        values.setdefault("reason", "Returned goods")
        return self.as_user(user or self.cashier, "loyalty.counter").reverse(values)

    def session_of(self, user=None):
        return self.Session.search(
            [
                ("user_id", "=", (user or self.cashier).id),
                ("company_id", "=", self.company.id),
                ("state", "=", "open"),
            ]
        )

    def account_totals(self, move):
        totals = {}
        for line in move.line_ids:
            code = line.account_id.code
            totals[code] = round(totals.get(code, 0.0) + line.balance, 2)
        return totals

    def accounts(self):
        program = self.program.with_company(self.company)
        return (
            self.cash.journal_id.default_account_id.code,
            program.stored_value_account_id.code,
            program.points_expense_account_id.code,
            program.counter_income_account_id.code,
            self.tax.invoice_repartition_line_ids.filtered(
                lambda r: r.repartition_type == "tax"
            ).account_id.code,
        )

    def buy(self):
        """Top-up 1000 in cash (bonus 120), then 600 less 5 % = 570: balance
        500, 1000 points (10.00), 60 in cash."""
        self.as_user(self.cashier, "loyalty.counter").topup(
            {
                "card_id": self.gold_card.id,
                "amount": 1000,
                "payment_method_id": self.cash.id,
                "idempotency_key": self.key(),
            }
        )
        return self.confirm(
            card_id=self.gold_card.id,
            amount=600,
            balance_used=500,
            points_used=1000,
            pin=PIN,
            payment_method_id=self.cash.id,
        )

    def test_session_books_the_reversal(self):
        receipt = self.buy()
        # 520 of 570: the 500 of balance and 20 of the 60 in cash.
        reversal = self.reverse(consumption_id=receipt["id"], amount=520)
        self.assertEqual((reversal["balance_used"], reversal["amount_due"]), (500, 20))
        session = self.session_of()
        self.assertEqual(len(session), 1)
        self.assertEqual(session.reversal_ids.ids, [reversal["id"]])
        self.assertEqual(session.reversal_total, 520)
        # Cash: 1000 + 60 received, 20 given back.
        self.assertEqual(session.cash_expected, 1040)
        self.as_user(self.cashier, "loyalty.counter.session").browse(
            session.id
        ).action_close(cash_counted=1040)
        move = session.move_id
        self.assertEqual(move.state, "posted")
        cash, stored, expense, income, tax = self.accounts()
        self.assertEqual(
            self.account_totals(move),
            {
                cash: 1040.00,
                # 1000 + 120 credited; 500 spent, 500 given back.
                stored: -1120.00,
                # Bonus 120 and the points' 10.00 (not reversed).
                expense: 130.00,
                # Sold 570 (495.65 + 74.35), reversed 520 (452.17 + 67.83):
                # 50 remain, 43.48 + 6.52.
                income: -43.48,
                tax: -6.52,
            },
        )
        self.assertEqual(session.cash_difference, 0)
        self.assertEqual(self.gold_card.balance, 1120)

    def test_reversal_of_a_closed_session_goes_to_the_open_one(self):
        receipt = self.buy()
        first = self.session_of()
        first.with_user(self.cashier).action_close()
        # The rest of the consumption, all of it: 570.
        reversal = self.reverse(self.manager, consumption_id=receipt["id"], full=True)
        second = self.session_of(self.manager)
        self.assertEqual(second.reversal_ids.ids, [reversal["id"]])
        self.assertEqual(first.state, "closed")
        self.assertEqual(second.cash_expected, -60)
        second.with_user(self.manager).action_close()
        cash, stored, expense, income, tax = self.accounts()
        self.assertEqual(
            self.account_totals(second.move_id),
            {
                cash: -60.00,
                stored: -500.00,
                expense: -10.00,
                income: 495.65,
                tax: 74.35,
            },
        )
        self.assertEqual((self.gold_card.balance, self.gold_card.points), (1120, 1000))
        # The books and the cards agree on what the sessions moved.
        self.env.flush_all()
        report = self.env["loyalty.stored.value.report"].search(
            [("program_id", "=", self.program.id)]
        )
        self.assertEqual(report.booked_balance, 1120)

    def test_open_session_counts_the_balance_given_back(self):
        receipt = self.buy()
        self.reverse(consumption_id=receipt["id"], amount=100)
        self.env.flush_all()
        report = self.env["loyalty.stored.value.report"].search(
            [("program_id", "=", self.program.id)]
        )
        # Top-up 1120, spent 500, given back 100.
        self.assertEqual(report.open_session_balance, 720)
