from odoo.tests import HttpCase, tagged

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
