from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestStoredValueLimits(LoyaltyCase):
    """Limits on stored value (off by default). The base card holds 500; the
    bonus table gives 50 from 500 and 120 from 1000."""

    def topup(self, amount, card=None, user=None):
        return self.as_user(user or self.cashier, "loyalty.counter").topup(
            {
                "card_id": (card or self.card).id,
                "amount": amount,
                "idempotency_key": self.key(),
            }
        )

    def preview(self, amount, card=None):
        return self.as_user(self.cashier, "loyalty.counter").topup_preview(
            {"card_id": (card or self.card).id, "amount": amount}
        )

    def adjust(self, delta, user=None):
        return self.as_user(user or self.manager, "loyalty.card.adjustment").create(
            {
                "card_id": self.card.id,
                "account": "balance",
                "delta": delta,
                "reason": "Correction",
            }
        )

    def test_off_by_default(self):
        self.assertEqual(
            (self.program.max_card_balance, self.program.max_topup_amount), (0, 0)
        )
        self.assertFalse(self.preview(20_000)["max_amount"])
        self.topup(20_000)
        self.assertEqual(self.card.balance, 500 + 20_000 + 120)
        self.adjust(50_000)
        self.assertEqual(self.card.balance, 70_620)

    def test_max_topup(self):
        self.program.max_topup_amount = 1000
        self.assertEqual(self.preview(200)["max_amount"], 1000)
        for amount in (1000.01, 1500, "5000"):
            with self.subTest(amount=amount):
                with self.assertNothingChanges(UserError, r"at most \D{0,3}1,000\.00"):
                    self.topup(amount)
                with self.assertNothingChanges(UserError, "at most"):
                    self.preview(amount)
        result = self.topup(1000)
        self.assertEqual((result["amount"], result["bonus"]), (1000, 120))
        self.assertEqual(self.card.balance, 1620)
        self.assertLedgerConsistent()

    def test_max_card_balance(self):
        """A cap of 5000 on a card holding 500: a top-up may add 4500, bonus
        included: 4380 (+120 bonus) is the most, 4381 is refused."""
        self.program.max_card_balance = 5000
        preview = self.preview(100)
        self.assertEqual((preview["max_amount"], preview["balance_after"]), (4380, 600))
        with self.assertNothingChanges(UserError, r"4,380\.00") as catcher:
            self.topup(4381)
        self.assertIn("5,000.00", str(catcher.exception))
        self.assertIn("5,001.00", str(catcher.exception))
        with self.assertNothingChanges(UserError, r"4,380\.00"):
            self.preview(4381)
        self.assertEqual(self.preview(4380)["balance_after"], 5000)
        self.topup(4380)
        self.assertEqual(self.card.balance, 5000)
        # Full: nothing more, not even a cent.
        with self.assertNothingChanges(UserError, r"most it may receive now is"):
            self.topup(0.01)
        # 450 of room: 450 reaches no bonus (it starts at 500) and fits.
        self.adjust(-450)
        self.assertEqual(self.preview(450)["max_amount"], 450)
        self.topup(450)
        self.assertEqual(self.card.balance, 5000)
        self.assertLedgerConsistent()

    def test_both_limits(self):
        self.program.write({"max_card_balance": 5000, "max_topup_amount": 1000})
        self.assertEqual(self.preview(10)["max_amount"], 1000)
        self.adjust(3500)  # 4000 on the card: 1000 of room
        # 950 + 50 of bonus fills the card; 1000 would bring 120 more.
        self.assertEqual(self.preview(10)["max_amount"], 950)
        with self.assertNothingChanges(UserError, r"950\.00"):
            self.topup(1000)
        self.topup(950)
        self.assertEqual(self.card.balance, 5000)

    def test_adjustments_respect_the_cap(self):
        self.program.max_card_balance = 1000
        with self.assertNothingChanges(UserError, r"at most \D{0,3}500\.00"):
            self.adjust(500.01)
        self.adjust(500)
        self.assertEqual(self.card.balance, 1000)
        # Taking off always passes, and points are not capped.
        self.adjust(-100)
        self.as_user(self.manager, "loyalty.card.adjustment").create(
            {
                "card_id": self.card.id,
                "account": "points",
                "delta": 10_000,
                "reason": "Points are no stored value",
            }
        )
        # A cap below the balance already held: the card keeps it, gets no more.
        self.program.max_card_balance = 500
        self.assertEqual(self.card.balance, 900)
        with self.assertNothingChanges(UserError, "at most"):
            self.topup(10)
        self.assertLedgerConsistent()

    def test_refund_ignores_limits(self):
        self.program.write({"max_card_balance": 100, "max_topup_amount": 10})
        cash = self.env["loyalty.payment.method"].search(
            [("company_id", "=", self.company.id), ("code", "=", "cash")]
        )
        refund = self.as_user(self.manager, "loyalty.card.refund").create(
            {
                "card_id": self.card.id,
                "amount": 450,
                "payment_method_id": cash.id,
                "reason": "Over the new cap",
            }
        )
        self.assertEqual((refund.amount_paid, self.card.balance), (450, 50))

    def test_bad_limits(self):
        for field in ("max_card_balance", "max_topup_amount"):
            for bad in (-1, 10**10, float("nan"), float("inf"), "abc", "\x00", [1]):
                with self.subTest(field=field, bad=bad):
                    with self.assertRaisesRegex(UserError, "must|between"):
                        self.program.write({field: bad})
            # Cashiers do not set limits.
            with self.assertRaises(AccessError):
                self.program.with_user(self.cashier).write({field: 10})
        with self.assertRaisesRegex(UserError, "not one of the choices"):
            self.program.write({"refund_bonus_rule": "refund_everything"})
        # The constraint stands behind the check (a value written in SQL).
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE loyalty_program SET max_card_balance = -5 WHERE id = %s",
            [self.program.id],
        )
        self.program.invalidate_recordset()
        with self.assertRaises(ValidationError):
            self.program._check_stored_value_limits()
        self.env.cr.execute(
            "UPDATE loyalty_program SET max_card_balance = 0 WHERE id = %s",
            [self.program.id],
        )
        self.program.invalidate_recordset()
        self.assertEqual(
            (self.program.max_card_balance, self.program.max_topup_amount), (0, 0)
        )
        self.program.with_user(self.manager).write(
            {"max_card_balance": 5000, "max_topup_amount": 1000}
        )
        self.assertEqual(self.program.max_card_balance, 5000)
