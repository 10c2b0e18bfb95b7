from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time

from ..tools import codes
from ..tools import pin as pin_tools
from .common import PIN, LoyaltyCase


class TestPinTools(LoyaltyCase):
    def test_normalize_and_weak(self):
        self.assertEqual(pin_tools.normalize_pin("246810"), "246810")
        self.assertEqual(pin_tools.normalize_pin(" ２４６８１０ "), "246810")
        self.assertEqual(pin_tools.normalize_pin(13579), "013579")
        for bad in (
            "24681",
            "2468100",
            "24681a",
            "abcdef",
            "",
            None,
            12.5,
            "２４６８１",
            "१२३४५६",
        ):
            self.assertIsNone(pin_tools.normalize_pin(bad), bad)
        for weak in ("000000", "111111", "123456", "234567", "987654", "890123"):
            self.assertTrue(pin_tools.is_weak(weak), weak)
        for fine in ("246810", "135790", "192837", "123465"):
            self.assertFalse(pin_tools.is_weak(fine), fine)

    def test_hash_is_salted_and_keyed(self):
        first, second = pin_tools.hash_pin(PIN), pin_tools.hash_pin(PIN)
        self.assertNotEqual(first, second, "each hash has its own salt")
        self.assertNotIn(PIN, first)
        self.assertTrue(first.startswith("hmac-sha256$"))
        self.assertTrue(pin_tools.verify_pin(PIN, first))
        self.assertFalse(pin_tools.verify_pin("135790", first))
        self.assertIsNone(pin_tools.verify_pin(PIN, first, secret=b"another key"))

    def test_codes(self):
        generated = {codes.generate_code() for _i in range(2000)}
        self.assertEqual(len(generated), 2000)
        for code in generated:
            self.assertEqual(len(code), 16)
            self.assertLessEqual(set(code), set(codes.ALPHABET))
        self.assertGreaterEqual(codes.RANDOM_BITS, 80)
        self.assertEqual(len(codes.ALPHABET), 32)
        self.assertFalse(set("01IO") & set(codes.ALPHABET))
        self.assertEqual(len(self.card.code), 16)


class TestPin(LoyaltyCase):
    def stored_hash(self, card=None):
        self.env.cr.execute(
            "SELECT pin_hash FROM loyalty_card_pin WHERE card_id = %s",
            [(card or self.card).id],
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    def test_set_and_change(self):
        card = self.make_card(self.env["res.partner"].create({"name": "Pin Owner"}))
        self.assertFalse(card.pin_set)
        with self.assertRaisesMessage(UserError, "differ"):
            card._pin_set_new("135790", "135791")
        with self.assertRaisesMessage(UserError, "too easy"):
            card._pin_set_new("123456", "123456")
        for bad in ("12345", "abcdef", "13579O", "1357901"):
            with self.assertRaisesMessage(UserError, "exactly 6 digits"):
                card._pin_set_new(bad, bad)
        self.assertFalse(self.stored_hash(card))
        card._pin_set_new("135790", "135790")
        self.assertTrue(card.pin_set)
        with self.assertRaisesMessage(UserError, "already has a PIN"):
            card._pin_set_new("192837", "192837")
        with self.assertRaisesMessage(UserError, "Wrong PIN"):
            card._pin_change("111222", "192837", "192837")
        card._pin_change("135790", "192837", "192837")
        self.assertEqual(card._pin_attempt("192837")["status"], "ok")
        self.assertIn("PIN changed", card.message_ids[0].body)

    def test_lockout_after_five(self):
        card = self.card
        for remaining in (4, 3, 2, 1):
            result = card._pin_attempt("135790")
            self.assertEqual(
                (result["status"], result["remaining"]), ("wrong", remaining)
            )
        self.assertEqual(card.pin_failed_count, 4)
        result = card._pin_attempt("135790")
        self.assertEqual(result["status"], "locked")
        self.assertTrue(result["just_locked"])
        self.assertTrue(card.pin_locked)
        self.assertEqual(card.member_status, "locked")
        # Locked: even the right PIN is refused, for the period of the settings.
        self.assertEqual(card._pin_attempt(PIN)["status"], "locked")
        with self.assertRaisesMessage(UserError, "locked until"):
            self.confirm(amount=10, balance_used=5, pin=PIN)
        self.assertAlmostEqual(
            card.date_pin_locked_until,
            fields.Datetime.now() + timedelta(minutes=30),
            delta=timedelta(minutes=1),
        )
        with freeze_time(fields.Datetime.now() + timedelta(minutes=31)):
            self.assertEqual(card._pin_attempt(PIN)["status"], "ok")

    def test_lock_period_from_settings(self):
        self.company.loyalty_pin_lock_minutes = 5
        for _i in range(5):
            self.card._pin_attempt("135790")
        self.assertAlmostEqual(
            self.card.date_pin_locked_until,
            fields.Datetime.now() + timedelta(minutes=5),
            delta=timedelta(minutes=1),
        )

    def test_right_pin_resets_the_count(self):
        self.card._pin_attempt("135790")
        self.card._pin_attempt("135790")
        self.assertEqual(self.card._pin_attempt(PIN)["status"], "ok")
        self.assertEqual(self.card.pin_failed_count, 0)

    def test_non_digit_pins_change_nothing(self):
        for bad in ("abcdef", "12 345", "1234567", "²³⁴⁵⁶⁷", "24681O"):
            with self.assertNothingChanges(UserError, "exactly 6 digits"):
                self.confirm(amount=10, balance_used=5, pin=bad)
        self.assertEqual(self.card.pin_failed_count, 0)
        # Full-width digits from a Chinese input method are digits.
        self.confirm(amount=10, balance_used=5, pin="２４６８１０")

    def test_manager_unlocks_and_resets_with_reason(self):
        for _i in range(5):
            self.card._pin_attempt("135790")
        self.assertTrue(self.card.pin_locked)
        card_as_cashier = self.card.with_user(self.cashier)
        with self.assertRaises(AccessError):
            card_as_cashier._pin_admin("unlock", "please")
        with self.assertRaises(AccessError):
            card_as_cashier.action_pin_admin()
        wizard = (
            self.env["loyalty.pin.admin"]
            .with_user(self.manager)
            .create(
                {
                    "card_ids": [(6, 0, self.card.ids)],
                    "action": "unlock",
                    "reason": "ID checked",
                }
            )
        )
        wizard.action_apply()
        self.assertFalse(self.card.pin_locked)
        self.assertIn("ID checked", self.card.message_ids[0].body)
        self.assertEqual(self.card._pin_attempt(PIN)["status"], "ok")
        with self.assertRaisesMessage(UserError, "reason"):
            self.card.with_user(self.manager)._pin_admin("reset", " ")
        self.card.with_user(self.manager)._pin_admin("reset", "Forgotten")
        self.assertFalse(self.card.pin_set)
        self.assertFalse(self.stored_hash())
        self.assertIn("Forgotten", self.card.message_ids[0].body)
        with self.assertRaisesMessage(UserError, "no PIN yet"):
            self.card._pin_attempt(PIN)

    def test_changed_key_is_not_a_wrong_pin(self):
        with patch.object(pin_tools, "get_secret", return_value=b"a new key"):
            result = self.card._pin_attempt(PIN)
            self.assertEqual(result["status"], "stale_key")
            with self.assertRaisesMessage(UserError, "manager must reset"):
                self.card._pin_verify(PIN)
        self.assertEqual(self.card.pin_failed_count, 0)

    def test_hash_is_unreadable(self):
        """No field holds the hash: no view, read, search, export or RPC
        can reach it, not even as superuser."""
        self.assertTrue(self.stored_hash())
        export_group = self.env.ref("base.group_allow_export")
        (self.manager | self.cashier).groups_id = [(4, export_group.id)]
        for user in (self.env.user, self.manager, self.cashier):
            Card = self.env["loyalty.card"].with_user(user)
            names = Card.fields_get()
            self.assertFalse(
                [name for name in names if "hash" in name or name == "pin"]
            )
            values = Card.browse(self.card.id).read()[0]
            self.assertFalse(
                [
                    v
                    for v in values.values()
                    if isinstance(v, str) and "hmac-sha256" in v
                ]
            )
            with self.assertRaises(ValueError):
                Card.browse(self.card.id).read(["pin_hash"])
            with self.assertRaises(ValueError):
                Card.search([("pin_hash", "!=", False)])
            with self.assertRaises(ValueError):
                Card.browse(self.card.id).export_data(["pin_hash"])
        exported = (
            self.env["loyalty.card"]
            .browse(self.card.id)
            .export_data(list(self.env["loyalty.card"].fields_get()))["datas"][0]
        )
        self.assertFalse(
            [v for v in exported if isinstance(v, str) and "hmac-sha256" in v]
        )
