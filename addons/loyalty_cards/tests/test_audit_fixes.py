from odoo.exceptions import AccessError, UserError

from .common import LoyaltyCase


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
