from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestCounterTour(LoyaltyCase, HttpCase):
    def test_cashier_pays_with_balance_and_pin(self):
        self.card.code = "TQ7M2XPA9RTD4HWE"
        self.start_tour(
            "/odoo/loyalty-counter",
            "loyalty_cards_counter_tour",
            login="loyalty_cashier",
        )
        self.card.invalidate_recordset()
        self.assertEqual(self.card.balance, 440)
        consumption = self.Consumption.search([("card_id", "=", self.card.id)])
        self.assertEqual(len(consumption), 1)
        self.assertEqual(
            (consumption.amount, consumption.balance_used, consumption.cashier_id),
            (100, 60, self.cashier),
        )
        # The screen sent the payment method it offered first, for the 40 due.
        self.assertEqual(
            consumption.payment_method_id,
            self.env["loyalty.payment.method"].search(
                [("company_id", "=", self.company.id)], limit=1
            ),
        )
        self.assertTrue(consumption.payment_method_id)
        self.assertLedgerConsistent()


@tagged("post_install", "-at_install")
class TestCounterPhoneTour(LoyaltyCase, HttpCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_cashier_on_a_phone_sees_a_wrong_pin(self):
        self.assertEqual(self.currency.name, "USD")
        self.card.code = "TQ7M2XPA9RTD4HWE"
        # The wrong PIN's refusal is logged by the RPC layer.
        with mute_logger("odoo.http"):
            self.start_tour(
                "/odoo/loyalty-counter",
                "loyalty_cards_counter_phone_tour",
                login="loyalty_cashier",
            )
        self.card.invalidate_recordset()
        self.assertEqual(self.card.balance, 440)
        consumption = self.Consumption.search([("card_id", "=", self.card.id)])
        self.assertEqual((consumption.amount, consumption.balance_used), (1700, 60))
        self.assertLedgerConsistent()


@tagged("post_install", "-at_install")
class TestPortalPinTour(LoyaltyCase, HttpCase):
    def test_customer_changes_the_pin_in_the_portal(self):
        self.start_tour(
            f"/my/member_cards/{self.card.id}",
            "loyalty_cards_portal_pin_tour",
            login="loyalty_portal",
        )
        self.assertEqual(self.card._pin_attempt("192837")["status"], "ok")
