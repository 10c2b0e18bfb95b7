from odoo import Command, fields
from odoo.exceptions import AccessError, UserError

from .common import PIN, LoyaltyCase

GENERIC = "^This coupon code cannot be used.$"


class TestCounter(LoyaltyCase):
    def test_lookup_forgives_spaces_case_and_full_width(self):
        Counter = self.as_user(self.cashier, "loyalty.counter")
        code = self.card.code
        typed = [
            code,
            code.lower(),
            f"  {self.card.member_number}  ",
            "-".join(code[i : i + 4] for i in range(0, 16, 4)).lower(),
            "".join(chr(ord(ch) + 0xFEE0) for ch in code),  # full-width input
        ]
        for text in typed:
            result = Counter.lookup(text)
            self.assertEqual(result["kind"], "card")
            self.assertEqual(result["card"]["id"], self.card.id)
            self.assertEqual(result["card"]["balance"], 500)
            self.assertEqual(result["card"]["level"], "Standard")

    def test_level_discount_and_points_earned(self):
        self.card.sudo().level_id = self.level_gold
        receipt = self.confirm(amount=200)
        # Gold: 5 % off, points x 1.5 on the net amount (1 point per unit).
        self.assertEqual(receipt["level_discount"], 10)
        self.assertEqual(receipt["net_amount"], 190)
        self.assertEqual(receipt["amount_due"], 190)
        self.assertEqual(receipt["points_earned"], 285)
        self.assertEqual(self.card.points, 2285)
        consumption = self.Consumption.browse(receipt["id"])
        self.assertEqual(consumption.cashier_id, self.cashier)
        self.assertEqual(consumption.level_id, self.level_gold)
        self.assertEqual(consumption.ledger_ids.mapped("kind"), ["earn"])
        self.assertLedgerConsistent()

    def test_pay_with_balance_and_points(self):
        receipt = self.confirm(amount=100, balance_used=60, points_used=1000, pin=PIN)
        # 1000 points x 0.01 = 10; points are earned on what money paid (90).
        self.assertEqual(receipt["points_value"], 10)
        self.assertEqual(receipt["amount_due"], 30)
        self.assertEqual(receipt["points_earned"], 90)
        self.assertEqual(receipt["balance_after"], 440)
        self.assertEqual(receipt["points_after"], 1090)
        self.assertEqual((self.card.balance, self.card.points), (440, 1090))
        kinds = self.Consumption.browse(receipt["id"]).ledger_ids.mapped("kind")
        self.assertCountEqual(kinds, ["spend_balance", "redeem_points", "earn"])
        self.assertLedgerConsistent()

    def test_points_cannot_pay_before_they_are_held(self):
        with self.assertNothingChanges(UserError, "holds only 2000"):
            self.confirm(amount=100, points_used=2050, pin=PIN)

    def test_pin_is_required_to_spend(self):
        with self.assertNothingChanges(UserError, "Enter the customer's PIN"):
            self.confirm(amount=50, balance_used=10)
        with self.assertNothingChanges(UserError, "Wrong PIN"):
            self.confirm(amount=50, balance_used=10, pin="135790")
        card = self.make_card(
            self.env["res.partner"].create({"name": "No PIN"}), balance=50
        )
        with self.assertNothingChanges(UserError, "no PIN yet", card):
            self.confirm(card_id=card.id, amount=50, balance_used=10, pin="135790")
        # Earning alone needs no PIN.
        self.confirm(card_id=card.id, amount=50)

    def test_replayed_key_has_one_effect(self):
        key = self.key()
        first = self.confirm(amount=100, balance_used=40, pin=PIN, idempotency_key=key)
        before = self.snapshot()
        again = self.confirm(amount=100, balance_used=40, pin=PIN, idempotency_key=key)
        self.assertEqual(self.snapshot(), before)
        self.assertTrue(again["replayed"])
        self.assertEqual(again["id"], first["id"])
        self.assertEqual(again["balance_after"], 460)
        with self.assertNothingChanges(UserError, "already used for another"):
            self.confirm(amount=99, balance_used=40, pin=PIN, idempotency_key=key)
        with self.assertNothingChanges(UserError, "one of your stores"):
            self.confirm(amount=10, store_id=self.other.id)
        with self.assertNothingChanges(UserError, "Unknown channel"):
            self.confirm(amount=10, channel="drone")
        with self.assertNothingChanges(UserError, "request key must be"):
            self.confirm(amount=10, idempotency_key="short")

    def test_bad_amounts(self):
        cases = [
            (0, "more than zero"),
            (-5, "cannot be negative"),
            (float("nan"), "must be a number"),
            (float("inf"), "must be a number"),
            ("NaN", "must be a number"),
            ("12abc", "must be a number"),
            (None, "must be a number"),
            (True, "must be a number"),
            (10**12, "cannot exceed"),
        ]
        for amount, message in cases:
            with self.subTest(amount=amount):
                with self.assertNothingChanges(UserError, message):
                    self.confirm(amount=amount)
        with self.assertNothingChanges(UserError, "cannot be negative"):
            self.confirm(amount=100, balance_used=-10, pin=PIN)
        with self.assertNothingChanges(UserError, "balance is only"):
            self.confirm(amount=1000, balance_used=600, pin=PIN)
        with self.assertNothingChanges(UserError, "more than the"):
            self.confirm(amount=50, balance_used=45, points_used=1000, pin=PIN)

    def test_unusable_cards(self):
        expired = self.make_card(
            self.env["res.partner"].create({"name": "Expired"}),
            expiration_date=fields.Date.subtract(fields.Date.today(), days=1),
        )
        with self.assertNothingChanges(UserError, "expired on", expired):
            self.confirm(card_id=expired.id, amount=10)
        with self.assertRaisesMessage(UserError, "expired on"):
            self.as_user(self.cashier, "loyalty.counter").lookup(expired.code)
        closed = self.make_card(self.env["res.partner"].create({"name": "Closed"}))
        closed.active = False
        with self.assertNothingChanges(UserError, "is closed", closed):
            self.confirm(card_id=closed.id, amount=10)
        self.program.action_archive()
        with self.assertNothingChanges(UserError, "is archived"):
            self.confirm(amount=10)

    def test_wrong_company(self):
        company_b = self.env["res.company"].create({"name": "Loyalty Company B"})
        program_b = self.program.copy(
            {"company_id": company_b.id, "member_level_ids": [], "topup_bonus_ids": []}
        )
        card_b = self.env["loyalty.card"].create(
            {"program_id": program_b.id, "partner_id": self.other.id, "balance": 80}
        )
        # A cashier of company A only: the card does not exist for them.
        with self.assertNothingChanges(UserError, "No member card", card_b):
            self.confirm(card_id=card_b.id, amount=10)
        with self.assertRaisesMessage(UserError, "No member card or usable coupon"):
            self.as_user(self.cashier, "loyalty.counter").lookup(card_b.code)
        # A cashier of both companies working in A: told to switch.
        self.cashier.company_ids = [Command.link(company_b.id)]
        both = (
            self.env["loyalty.counter"]
            .with_user(self.cashier)
            .with_context(allowed_company_ids=[self.company.id, company_b.id])
        )
        with self.assertNothingChanges(
            UserError, "belongs to Loyalty Company B", card_b
        ):
            both.confirm(
                {"card_id": card_b.id, "amount": 10, "idempotency_key": self.key()}
            )
        self.env.invalidate_all()
        receipt = (
            self.env["loyalty.counter"]
            .with_user(self.cashier)
            .with_company(company_b)
            .confirm(
                {"card_id": card_b.id, "amount": 10, "idempotency_key": self.key()}
            )
        )
        self.assertEqual(self.Consumption.browse(receipt["id"]).company_id, company_b)

    def test_bad_codes(self):
        Counter = self.as_user(self.cashier, "loyalty.counter")
        code = self.card.code
        for text in (
            "X" * 10240,
            "",
            "   ",
            "0" + code[1:],  # look-alikes of O and I are not in the alphabet
            "I" + code[1:],
            code[:-1] + ("Z" if code[-1] != "Z" else "Y"),
            code[:3] + "\u0410" + code[4:],  # a Cyrillic A
            code + code,
            "'; DROP TABLE loyalty_card; --",
        ):
            with self.subTest(code=text[:20]):
                with self.assertNothingChanges(UserError, "No member card or usable"):
                    Counter.lookup(text)

    def test_bad_ids_and_text_over_rpc(self):
        """What an RPC client may send instead of an id or a text gets a clear
        error and changes nothing: ids beyond PostgreSQL's integers, strings,
        NUL characters, values of the wrong type."""
        Counter = self.as_user(self.cashier, "loyalty.counter")
        Topup = self.as_user(self.cashier, "loyalty.topup")
        bad_ids = (2**31, 2**63, -1, "abc", "1 OR 1=1", str(self.card.id), 1.5, [1])
        for bad in bad_ids:
            with self.subTest(card_id=bad):
                with self.assertNothingChanges(UserError, "No member card"):
                    self.confirm(card_id=bad, amount=10)
                with self.assertNothingChanges(UserError, "No member card"):
                    Counter.preview({"card_id": bad, "amount": 10})
                with self.assertNothingChanges(UserError, "No member card"):
                    Counter.set_pin(bad, "135790", "135790")
                with self.assertNothingChanges(UserError, "No member card"):
                    Counter.topup(
                        {"card_id": bad, "amount": 10, "idempotency_key": self.key()}
                    )
            with self.subTest(store_id=bad):
                with self.assertNothingChanges(UserError, "one of your stores"):
                    self.confirm(amount=10, store_id=bad)
        for note in ("a\x00b", "x" * 10240, ["list"]):
            with self.subTest(note=note[:5]):
                with self.assertNothingChanges(UserError, "The note"):
                    self.confirm(amount=10, note=note)
                with self.assertNothingChanges(UserError, "The note"):
                    Topup.create({"card_id": self.card.id, "amount": 10, "note": note})
        for code in ("\x00", self.card.code + "\x00", "A\x00" * 5):
            with self.subTest(code=code):
                with self.assertNothingChanges(UserError, "No member card or usable"):
                    Counter.lookup(code)
                with self.assertNothingChanges(UserError, "cannot be used"):
                    self.confirm(amount=10, coupon_code=code)
        for channel in (["counter"], {"a": 1}, 7):
            with self.subTest(channel=channel):
                with self.assertNothingChanges(UserError, "Unknown channel"):
                    self.confirm(amount=10, channel=channel)
        for values in ([1, 2], "values", None, 42):
            with self.subTest(values=values):
                with self.assertNothingChanges(UserError, "Nothing to"):
                    Counter.confirm(values)
                with self.assertNothingChanges(UserError, "Nothing to"):
                    Counter.topup(values)
        key = self.key()
        self.confirm(amount=10, idempotency_key=key)
        for amount in ("abc", [10], float("nan")):
            with self.subTest(replayed_amount=amount):
                with self.assertNothingChanges(UserError, "already used for another"):
                    self.confirm(amount=amount, idempotency_key=key)

    def test_topup_preview_shows_the_bonus_and_writes_nothing(self):
        Counter = self.as_user(self.cashier, "loyalty.counter")
        before = self.snapshot()
        preview = Counter.topup_preview({"card_id": self.card.id, "amount": 1000})
        self.assertEqual(
            (preview["amount"], preview["bonus"], preview["balance_after"]),
            (1000, 120, 1620),
        )
        self.assertEqual(preview["currency_id"], self.currency.id)
        self.assertEqual(self.snapshot(), before)
        for values, message in (
            ({"card_id": self.card.id, "amount": "1e400"}, "amount"),
            ({"card_id": self.card.id, "amount": float("nan")}, "number"),
            ({"card_id": 2**40, "amount": 10}, "No member card"),
            ({"card_id": "x\x00", "amount": 10}, "No member card"),
            ("not a dict", "Nothing to top up"),
        ):
            with (
                self.subTest(values=values),
                self.assertNothingChanges(UserError, message),
            ):
                Counter.topup_preview(values)
        with self.assertRaises(AccessError):
            self.as_user(self.portal_user, "loyalty.counter").topup_preview(
                {"card_id": self.card.id, "amount": 10}
            )

    def test_topup_with_bonus(self):
        Topup = self.as_user(self.cashier, "loyalty.topup")
        Counter = self.as_user(self.cashier, "loyalty.counter")
        topup = Topup.create({"card_id": self.card.id, "amount": 1000})
        self.assertEqual(
            (topup.bonus, topup.total, topup.balance_after), (120, 1120, 1620)
        )
        self.assertEqual(topup.cashier_id, self.cashier)
        small = Topup.create({"card_id": self.card.id, "amount": 499.99})
        self.assertEqual(small.bonus, 0)
        key = self.key()
        first = Counter.topup(
            {"card_id": self.card.id, "amount": 500, "idempotency_key": key}
        )
        before = self.snapshot()
        again = Counter.topup(
            {"card_id": self.card.id, "amount": 500, "idempotency_key": key}
        )
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(first["name"], again["name"])
        self.assertEqual(self.card.balance, 500 + 1120 + 499.99 + 550)
        self.assertLedgerConsistent()
        for amount, message in (
            (0, "more than zero"),
            (-100, "negative"),
            (float("nan"), "number"),
        ):
            with self.assertNothingChanges(UserError, message):
                Topup.create({"card_id": self.card.id, "amount": amount})
        with self.assertNothingChanges(UserError, "payment method"):
            Topup.create(
                {"card_id": self.card.id, "amount": 10, "payment_method": "gold"}
            )
        with self.assertRaisesMessage(UserError, "cannot be changed"):
            topup.with_user(self.cashier).write({"amount": 1})
        self.program.member_allow_topup = False
        with self.assertNothingChanges(UserError, "cannot be topped up"):
            Topup.create({"card_id": self.card.id, "amount": 10})

    def test_manager_adjustment(self):
        Adjustment = self.as_user(self.manager, "loyalty.card.adjustment")
        adjustment = Adjustment.create(
            {
                "card_id": self.card.id,
                "account": "balance",
                "delta": -120.5,
                "reason": "Refund",
            }
        )
        self.assertEqual((adjustment.value_after, self.card.balance), (379.5, 379.5))
        self.assertIn("Refund", self.card.message_ids[0].body)
        with self.assertNothingChanges(UserError, "Not enough balance"):
            Adjustment.create(
                {
                    "card_id": self.card.id,
                    "account": "balance",
                    "delta": -1000,
                    "reason": "x",
                }
            )
        with self.assertNothingChanges(UserError, "changes something"):
            Adjustment.create({"card_id": self.card.id, "delta": 0, "reason": "x"})
        with self.assertNothingChanges(UserError, "reason"):
            Adjustment.create({"card_id": self.card.id, "delta": 5, "reason": "  "})
        with self.assertNothingChanges(AccessError, "managers"):
            self.as_user(self.cashier, "loyalty.card.adjustment").create(
                {"card_id": self.card.id, "delta": 5, "reason": "x"}
            )
        self.assertLedgerConsistent()

    def test_new_card_level_follows_tier(self):
        vip = self.env["res.partner"].create(
            {"name": "VIP Customer", "is_company": True}
        )
        vip._tier_override(self.gold, "test")
        card = self.make_card(vip)
        self.assertEqual(card.level_id, self.level_vip)
        self.assertEqual(
            self.make_card(self.env["res.partner"].create({"name": "New"})).level_id,
            self.level_std,
        )

    def test_coupon_only_purchase(self):
        batch = self.env["loyalty.coupon.batch"].create(
            {"name": "Walk-in", "program_id": self.coupon_program.id}
        )
        walk_in = self.env["res.partner"].create({"name": "Walk-in"})
        coupon = batch._issue_coupons([walk_in.id], 1)
        # Bearer coupons: whoever presents the code uses them.
        self.coupon_program.coupon_bearer = True
        Counter = self.as_user(self.cashier, "loyalty.counter")
        self.assertEqual(Counter.lookup(coupon.code)["kind"], "coupon")
        receipt = Counter.confirm(
            {"coupon_code": coupon.code, "amount": 120, "idempotency_key": self.key()}
        )
        self.assertEqual((receipt["coupon_discount"], receipt["net_amount"]), (12, 108))
        self.assertFalse(receipt["card"])
        consumption = self.Consumption.browse(receipt["id"])
        self.assertEqual(consumption.partner_id, walk_in)
        self.assertTrue(coupon.date_used)
        second = batch._issue_coupons([walk_in.id], 1)
        with self.assertNothingChanges(UserError, "Paying with balance"):
            Counter.confirm(
                {
                    "coupon_code": second.code,
                    "amount": 10,
                    "balance_used": 5,
                    "idempotency_key": self.key(),
                }
            )

    def test_named_coupon_needs_its_holder(self):
        """A coupon issued to a customer is theirs: without the programme's
        bearer option, the counter accepts it only with the holder's member
        card, and refuses it otherwise with the one generic coupon error."""
        batch = self.env["loyalty.coupon.batch"].create(
            {"name": "Named", "program_id": self.coupon_program.id}
        )
        coupon = batch._issue_coupons([self.other.id], 1)
        Counter = self.as_user(self.cashier, "loyalty.counter")
        with self.assertNothingChanges(UserError, "No member card or usable coupon"):
            Counter.lookup(coupon.code)
        for card_id in (False, self.card.id):  # nobody's card, someone else's
            with self.assertNothingChanges(UserError, GENERIC):
                self.confirm(card_id=card_id, amount=120, coupon_code=coupon.code)
        self.assertFalse(coupon.date_used)
        receipt = self.confirm(
            card_id=self.other_card.id, amount=120, coupon_code=coupon.code
        )
        self.assertEqual(receipt["coupon_discount"], 12)
        self.assertTrue(coupon.date_used)
        # Bearer coupons of the programme go to whoever presents them.
        self.coupon_program.coupon_bearer = True
        second = batch._issue_coupons([self.other.id], 1)
        receipt = self.confirm(card_id=False, amount=50, coupon_code=second.code)
        self.assertEqual(receipt["coupon_discount"], 5)
