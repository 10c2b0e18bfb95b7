from odoo.exceptions import AccessError, UserError

from .common import PIN, LoyaltyCase


class TestCounterPin(LoyaltyCase):
    """Audit finding 2: a cashier sets the first PIN of an empty card only;
    the PIN of a card holding money (or reset by a manager) is set by a
    loyalty manager at the counter, logged, or by the holder in the portal."""

    def pin_rows(self, card):
        self.env.cr.execute(
            "SELECT pin_hash FROM loyalty_card_pin WHERE card_id = %s", [card.id]
        )
        return self.env.cr.fetchall()

    def test_cashier_refused_on_card_with_balance(self):
        card = self.other_card  # 100 of balance, no PIN
        self.assertFalse(card.pin_set)
        Counter = self.as_user(self.cashier, "loyalty.counter")
        summary = Counter.lookup(card.code)["card"]
        self.assertFalse(summary["pin_can_set"])
        with self.assertNothingChanges(AccessError, "loyalty manager sets it", card):
            Counter.set_pin(card.id, "135790", "135790")
        self.assertEqual(self.pin_rows(card), [])
        self.assertFalse(card.pin_set)
        # Spending the balance needs a PIN, which the card does not have.
        with self.assertNothingChanges(UserError, "no PIN yet", card):
            self.confirm(card_id=card.id, amount=50, balance_used=50, pin="135790")

    def test_cashier_sets_pin_of_empty_card(self):
        card = self.make_card(self.env["res.partner"].create({"name": "New Member"}))
        Counter = self.as_user(self.cashier, "loyalty.counter")
        self.assertTrue(Counter.lookup(card.code)["card"]["pin_can_set"])
        summary = Counter.set_pin(card.id, "135790", "135790")
        self.assertTrue(summary["pin_set"])
        self.assertFalse(summary["pin_can_set"])
        self.assertEqual(card._pin_attempt("135790")["status"], "ok")

    def test_cashier_refused_after_reset(self):
        card = self.make_card(self.env["res.partner"].create({"name": "Reset Member"}))
        card._pin_set_new("135790", "135790")
        card.with_user(self.manager)._pin_admin("reset", "Forgotten")
        self.assertFalse(card.pin_set)
        Counter = self.as_user(self.cashier, "loyalty.counter")
        with self.assertRaisesMessage(AccessError, "loyalty manager sets it"):
            Counter.set_pin(card.id, "192837", "192837")
        self.assertFalse(card.pin_set)

    def test_manager_sets_pin_logged(self):
        card = self.other_card
        messages = card.message_ids
        Counter = self.as_user(self.manager, "loyalty.counter")
        self.assertTrue(Counter.lookup(card.code)["card"]["pin_can_set"])
        Counter.set_pin(card.id, "135790", "135790")
        self.assertEqual(card._pin_attempt("135790")["status"], "ok")
        new = card.message_ids - messages
        bodies = " ".join(new.mapped("body"))
        self.assertIn("PIN set at the counter by %s" % self.manager.name, bodies)
        self.assertNotIn("135790", bodies)
        self.assertEqual(new.author_id, self.manager.partner_id)
        # Then the balance is spent with that PIN only.
        receipt = self.confirm(
            card_id=card.id, amount=50, balance_used=50, pin="135790"
        )
        self.assertEqual(receipt["balance_after"], 50.0)


class TestCashierCoupons(LoyaltyCase):
    """Audit finding 4: cashiers read member cards only; coupon codes are
    reached through the counter's lookup and redemption."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.holder = cls.env["res.partner"].create({"name": "Coupon Holder"})
        cls.holder_card = cls.make_card(cls.holder, level=cls.level_gold)
        wizard = (
            cls.env["loyalty.coupon.issue"]
            .with_user(cls.manager)
            .with_company(cls.company)
            .create(
                {
                    "program_id": cls.coupon_program.id,
                    "name": "Audit Batch",
                    "audience_level_ids": [(6, 0, cls.level_gold.ids)],
                }
            )
        )
        action = wizard.action_issue()
        cls.coupon = cls.env["loyalty.coupon.batch"].browse(action["res_id"]).coupon_ids
        cls.coupon.ensure_one()

    def test_cashier_lists_no_coupon(self):
        Card = self.as_user(self.cashier, "loyalty.card")
        rows = Card.search_read(
            [("program_type", "=", "coupons"), ("points", ">=", 1)],
            ["code", "partner_id"],
        )
        self.assertEqual(rows, [])
        self.assertFalse(Card.search([("code", "=", self.coupon.code)]))
        with self.assertRaises(AccessError):
            Card.browse(self.coupon.id).read(["code"])
        # Member cards stay readable, and managers still list the coupons.
        self.assertEqual(
            Card.search([("id", "=", self.holder_card.id)]).code, self.holder_card.code
        )
        Manager = self.as_user(self.manager, "loyalty.card")
        self.assertEqual(
            Manager.search([("program_type", "=", "coupons")]).ids, self.coupon.ids
        )

    def test_counter_redeems_coupon(self):
        Counter = self.as_user(self.cashier, "loyalty.counter")
        preview = Counter.preview(
            {
                "card_id": self.holder_card.id,
                "amount": 200,
                "coupon_code": self.coupon.code,
            }
        )
        # Gold takes 5 % (10), the coupon 10 % of the rest, at most 30: 19.
        self.assertEqual(preview["coupon_discount"], 19)
        receipt = self.confirm(
            card_id=self.holder_card.id, amount=200, coupon_code=self.coupon.code
        )
        self.assertEqual(
            (receipt["coupon_discount"], receipt["net_amount"]), (19.0, 171.0)
        )
        self.assertEqual(self.coupon.points, 0)
        # The cashier reads the consumption, the coupon's name included.
        consumption = self.as_user(self.cashier, "loyalty.consumption").browse(
            receipt["id"]
        )
        self.assertEqual(
            consumption.web_read({"coupon_id": {"fields": {"display_name": {}}}})[0][
                "coupon_id"
            ]["id"],
            self.coupon.id,
        )


class TestAdjustmentReplay(LoyaltyCase):
    """Audit finding 5: a request key reused for another adjustment is
    refused; the same request returns the first adjustment."""

    def test_reused_key(self):
        Adjustment = self.as_user(self.manager, "loyalty.card.adjustment")
        key = self.key()
        first = Adjustment.create(
            {
                "card_id": self.card.id,
                "account": "points",
                "delta": 5,
                "reason": "Goodwill",
                "idempotency_key": key,
            }
        )
        self.assertEqual(self.card.points, 2005)
        for other in (
            {"card_id": self.other_card.id},
            {"account": "balance"},
            {"delta": 999},
            {"delta": "5"},
        ):
            with self.subTest(**other):
                with self.assertNothingChanges(
                    UserError,
                    "already used for another operation",
                    self.card,
                    self.other_card,
                ):
                    Adjustment.create(
                        {
                            "card_id": self.card.id,
                            "account": "points",
                            "delta": 5,
                            "reason": "Other",
                            "idempotency_key": key,
                            **other,
                        }
                    )
        again = Adjustment.create(
            {
                "card_id": self.card.id,
                "account": "points",
                "delta": 5.0,
                "reason": "Goodwill",
                "idempotency_key": key,
            }
        )
        self.assertEqual(again, first)
        self.assertEqual(self.card.points, 2005)


class TestAmountText(LoyaltyCase):
    """Audit finding 6: amounts as text take digits and a dot only."""

    def test_comma_refused(self):
        Counter = self.as_user(self.cashier, "loyalty.counter")
        for text in ("12,5", "10,000", "1 000", "12.5.1", "１２", "12.5€"):
            with self.subTest(text=text):
                with self.assertNothingChanges(UserError, "digits and a dot"):
                    Counter.preview({"card_id": self.card.id, "amount": text})
                with self.assertNothingChanges(UserError, "digits and a dot"):
                    Counter.topup(
                        {
                            "card_id": self.card.id,
                            "amount": text,
                            "idempotency_key": self.key(),
                        }
                    )
        self.assertEqual(
            Counter.preview({"card_id": self.card.id, "amount": " 12.5 "})["amount"],
            12.5,
        )
        Session = self.env["loyalty.counter.session"]
        self.assertEqual(Session._close_check_cash("12.5"), 12.5)
        for text in ("12,5", "10,000"):
            with self.assertRaisesMessage(UserError, "digits and a dot"):
                Session._close_check_cash(text)


class TestReplayOtherCashier(LoyaltyCase):
    """Audit finding 8: a consumption key replayed by a cashier of another
    company does not return the first cashier's receipt."""

    def test_other_company_cashier(self):
        company_b = self.env["res.company"].create({"name": "Replay Company B"})
        cashier_b = self.env["res.users"].create(
            {
                "name": "Cashier B",
                "login": "audit_cashier_b",
                "company_id": company_b.id,
                "company_ids": [(6, 0, company_b.ids)],
                "groups_id": [
                    (6, 0, [self.env.ref("loyalty_cards.group_loyalty_cashier").id])
                ],
            }
        )
        key = self.key()
        first = self.confirm(amount=100, idempotency_key=key)
        Counter = self.env["loyalty.counter"].with_user(cashier_b)
        Counter = Counter.with_company(company_b)
        with self.assertNothingChanges(UserError, "already used for another operation"):
            Counter.confirm(
                {"card_id": self.card.id, "amount": 100, "idempotency_key": key}
            )
        # The first cashier's replay still returns the first receipt.
        again = self.confirm(amount=100, idempotency_key=key)
        self.assertTrue(again["replayed"])
        self.assertEqual(again["id"], first["id"])


class TestCashierCreatesCard(LoyaltyCase):
    """Audit finding 9: a cashier enrols a member, but the number, the
    validity and the closing of a card are the managers'."""

    def test_manager_fields_refused(self):
        Card = self.as_user(self.cashier, "loyalty.card")
        partner = self.env["res.partner"].create({"name": "Enrolled"})
        base = {"program_id": self.program.id, "partner_id": partner.id}
        count = self.Card.with_context(active_test=False).search_count([])
        for extra in (
            {"code": "AAAA"},
            {"code": False},
            {"active": False},
            {"expiration_date": "2099-01-01"},
        ):
            with self.subTest(**extra):
                with self.assertRaisesMessage(AccessError, "Only loyalty managers"):
                    Card.create({**base, **extra})
        self.assertEqual(
            self.Card.with_context(active_test=False).search_count([]), count
        )
        card = Card.create({**base, "active": True})
        self.assertEqual(len(card.code), 16)
        self.assertFalse(card.expiration_date)
        # Managers still may.
        other = self.env["res.partner"].create({"name": "Enrolled Later"})
        managed = self.as_user(self.manager, "loyalty.card").create(
            {
                "program_id": self.program.id,
                "partner_id": other.id,
                "expiration_date": "2099-01-01",
            }
        )
        self.assertEqual(str(managed.expiration_date), "2099-01-01")


class TestAmountRoundsToZero(LoyaltyCase):
    """Audit finding 10: an amount that rounds to zero is refused with a
    clear message, not taken for a positive one."""

    def test_below_a_cent(self):
        Counter = self.as_user(self.cashier, "loyalty.counter")
        for tiny in ("0.004", 0.004, 0.0049):
            with self.subTest(tiny=tiny):
                with self.assertNothingChanges(UserError, "rounds to zero"):
                    Counter.preview({"card_id": self.card.id, "amount": tiny})
                with self.assertNothingChanges(UserError, "rounds to zero"):
                    Counter.topup_preview({"card_id": self.card.id, "amount": tiny})
                with self.assertNothingChanges(UserError, "rounds to zero"):
                    Counter.topup(
                        {
                            "card_id": self.card.id,
                            "amount": tiny,
                            "idempotency_key": self.key(),
                        }
                    )
                with self.assertNothingChanges(UserError, "rounds to zero"):
                    self.confirm(amount=tiny)
        partner = self.env["res.partner"].create({"name": "Tiny Points"})
        count = self.Card.search_count([])
        for user in (self.cashier, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaisesMessage(UserError, "rounds to zero"):
                    self.as_user(user, "loyalty.card").create(
                        {
                            "program_id": self.program.id,
                            "partner_id": partner.id,
                            "points": "0.004",
                        }
                    )
        self.assertEqual(self.Card.search_count([]), count)
        # Half a cent rounds to a cent.
        self.assertEqual(
            Counter.preview({"card_id": self.card.id, "amount": 0.005})["amount"], 0.01
        )

    def test_currency_without_cents(self):
        currency = self.env["res.currency"].new({"rounding": 1.0})
        Card = self.env["loyalty.card"]
        self.assertEqual(Card._loyalty_amount("12.4", currency=currency), 12.0)
        with self.assertRaisesMessage(UserError, "rounds to zero"):
            Card._loyalty_amount(0.4, currency=currency)


class TestPointsValueFloored(LoyaltyCase):
    """Audit finding 11: points pay what they are worth, rounded down to the
    currency; points worth less than a cent are refused."""

    def test_points_value(self):
        Counter = self.as_user(self.cashier, "loyalty.counter")
        values = {"card_id": self.card.id, "amount": 10}
        for points in (0.5, 0.49, "0.99"):
            with self.subTest(points=points):
                with self.assertNothingChanges(UserError, "worth less than"):
                    Counter.preview({**values, "points_used": points})
                with self.assertNothingChanges(UserError, "worth less than"):
                    self.confirm(**values, points_used=points, pin=PIN)
        # 1.5 points at 0.01 are worth 0.015: they pay 0.01, never 0.02.
        preview = Counter.preview({**values, "points_used": 1.5})
        self.assertEqual((preview["points_value"], preview["amount_due"]), (0.01, 9.99))
        receipt = self.confirm(**values, points_used=1.5, pin=PIN)
        self.assertEqual(receipt["points_value"], 0.01)
        self.assertAlmostEqual(
            receipt["points_after"], 2000 - 1.5 + receipt["points_earned"], places=2
        )
        # 57 points are worth 0.57 exactly (no float error rounds them down).
        preview = Counter.preview({**values, "points_used": 57})
        self.assertEqual(preview["points_value"], 0.57)
        self.assertLedgerConsistent()


class TestCounterPinPoints(LoyaltyCase):
    """Audit finding 2, points: points that can pay are value too."""

    def test_cashier_refused_on_card_with_points(self):
        card = self.make_card(
            self.env["res.partner"].create({"name": "Points Only"}), points=300
        )
        Counter = self.as_user(self.cashier, "loyalty.counter")
        self.assertFalse(Counter.lookup(card.code)["card"]["pin_can_set"])
        with self.assertRaisesMessage(AccessError, "balance or points"):
            Counter.set_pin(card.id, "135790", "135790")
        self.assertFalse(card.pin_set)
        # Points that cannot pay are no value: the cashier may set the PIN.
        self.program.member_point_value = 0
        Counter.set_pin(card.id, "135790", "135790")
        self.assertTrue(card.pin_set)
