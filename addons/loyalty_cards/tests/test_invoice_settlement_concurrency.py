"""The invoice of an operation of a closed counter session, requested while
the requester's open session is being closed, from two transactions, on
data committed for the purpose (the fixture of test_invoice_concurrency,
its session closed) and removed afterwards: the closing waits for the
request, so the invoice is always settled by a session posted after it."""

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from . import test_invoice_concurrency
from .test_concurrency import thread_env


@tagged("post_install", "-at_install")
class TestInvoiceSettlementConcurrency(test_invoice_concurrency.TestInvoiceConcurrency):
    # The parent's own test runs in its own class.
    test_invoice_in_progress_holds_the_closing = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.ids.get("skip"):
            return
        with cls.registry.cursor() as cr:
            env = thread_env(cls.registry, cr)
            cashier = env["res.users"].browse(cls.ids["cashier"])
            env["loyalty.counter.session"].browse(cls.ids["session"]).with_user(
                cashier
            ).action_close()
            # The cashier's next session, with a consumption of its own.
            card = env["loyalty.card"].browse(cls.ids["card"])
            env["loyalty.counter"].with_user(cashier).with_company(
                card.company_id
            ).confirm(
                {
                    "card_id": card.id,
                    "amount": 230,
                    "payment_method": "cash",
                    "idempotency_key": f"{cls.tag}-second",
                }
            )
            cls.ids["settling"] = (
                env["loyalty.counter.session"]
                .search([("user_id", "=", cashier.id), ("state", "=", "open")])
                .id
            )

    @mute_logger("odoo.sql_db")
    def test_request_in_progress_holds_the_settling_closing(self):
        if self.ids.get("skip"):
            self.skipTest("The main company has no chart of accounts.")
        settling_id = self.ids["settling"]
        self.assertTrue(settling_id)
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = thread_env(self.registry, cr_a)
            env_b = thread_env(self.registry, cr_b)
            self.request(env_a)
            invoice = env_a["account.move"].search(
                [("loyalty_consumption_id", "=", self.ids["consumption"])]
            )
            self.assertEqual(invoice.loyalty_settlement_session_id.id, settling_id)
            # The settling session cannot be closed without the invoice.
            settling = (
                env_b["loyalty.counter.session"]
                .with_user(self.ids["cashier"])
                .browse(settling_id)
            )
            with self.assertRaisesRegex(UserError, "being recorded"):
                settling.action_close()
            cr_b.rollback()
            cr_a.commit()
        with self.registry.cursor() as cr:
            env = thread_env(self.registry, cr)
            session = env["loyalty.counter.session"].browse(settling_id)
            session.with_user(self.ids["cashier"]).action_close()
            self.assertEqual(session.state, "closed")
            invoice = env["account.move"].search(
                [("loyalty_consumption_id", "=", self.ids["consumption"])]
            )
            self.assertEqual(invoice.payment_state, "paid")
            # The settling session's income: its own sale of 230.00 (twice
            # the invoiced 115.00, so twice its untaxed amount) less what it
            # books back for the invoice: minus the invoice's untaxed amount.
            program = env["loyalty.program"].browse(self.ids["program"])
            income = program.with_company(session.company_id).counter_income_account_id
            lines = session.move_id.line_ids.filtered(
                lambda line: line.account_id == income
            )
            self.assertTrue(invoice.amount_untaxed)
            self.assertAlmostEqual(
                sum(lines.mapped("balance")), -invoice.amount_untaxed, delta=0.01
            )
