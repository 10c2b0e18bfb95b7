from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import LoyaltyCase


class CloseTourCase(LoyaltyCase, HttpCase):
    """A sale of 100 on the member card (60 from the balance, 40 in cash)
    and the session's closing, through the counter screen; the generic chart
    of accounts with its sales tax at 15 %, included in the counter's prices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company, install_demo=False
        )
        cls.tax = cls.env["account.tax"].browse(cls.company.account_sale_tax_id.id)
        cls.tax.amount = 15
        cls.cash = cls.env["loyalty.payment.method"].search(
            [("company_id", "=", cls.company.id), ("code", "=", "cash")]
        )
        cls.card.code = "TQ7M2XPA9RTD4HWE"
        cls.Session = cls.env["loyalty.counter.session"]

    def account_totals(self, move):
        """Debit less credit per account code of a posted entry."""
        totals = {}
        for line in move.line_ids:
            code = line.account_id.code
            totals[code] = round(totals.get(code, 0.0) + line.balance, 2)
        return totals

    def run_cashier_tour(self, tour, cash_counted):
        # The tour first asks to close a session before any sale: the RPC
        # layer logs that refusal.
        with mute_logger("odoo.http"):
            self.start_tour("/odoo/loyalty-counter", tour, login="loyalty_cashier")
        session = self.Session.search([("user_id", "=", self.cashier.id)])
        self.assertEqual(len(session), 1)
        self.assertEqual(session.state, "closed")
        consumption = session.consumption_ids
        self.assertEqual(
            (
                consumption.amount,
                consumption.balance_used,
                consumption.amount_due,
                consumption.payment_method_id,
            ),
            (100, 60, 40, self.cash),
        )
        self.assertEqual(
            (session.cash_expected, session.cash_counted, session.cash_difference),
            (40, cash_counted, cash_counted - 40),
        )
        self.card.invalidate_recordset()
        self.assertEqual(self.card.balance, 440)
        self.assertLedgerConsistent()
        return session

    def expected_totals(self, cash_counted):
        """100 taxes included: 86.96 untaxed and 13.04 of tax, paid 60 from
        the stored value and 40 in cash; a missing coin is a cash loss."""
        program = self.program.with_company(self.company)
        journal = self.cash.journal_id
        tax_account = self.tax.invoice_repartition_line_ids.filtered(
            lambda r: r.repartition_type == "tax"
        ).account_id
        expected = {
            program.stored_value_account_id.code: 60.00,
            journal.default_account_id.code: cash_counted,
            program.counter_income_account_id.code: -86.96,
            tax_account.code: -13.04,
        }
        if cash_counted != 40:
            expected[journal.loss_account_id.code] = round(40 - cash_counted, 2)
        return expected


@tagged("post_install", "-at_install")
class TestCounterCloseTour(CloseTourCase):
    def test_cashier_sells_and_closes_then_manager_sees_the_entry(self):
        session = self.run_cashier_tour("loyalty_cards_counter_close_tour", 40)
        move = session.move_id
        self.assertEqual(
            (move.state, move.move_type, move.ref), ("posted", "entry", session.name)
        )
        self.assertEqual(self.account_totals(move), self.expected_totals(40))
        self.assertEqual(sum(move.line_ids.mapped("debit")), 100)
        self.assertEqual(sum(move.line_ids.mapped("credit")), 100)
        # A loyalty manager who may read the books opens the session and
        # its entry.
        self.manager.groups_id = [
            Command.link(self.env.ref("account.group_account_readonly").id)
        ]
        self.start_tour(
            "/odoo/action-loyalty_cards.loyalty_counter_session_action",
            "loyalty_cards_session_entry_tour",
            login=self.manager.login,
        )
        # Looking changed nothing.
        self.assertEqual(move.state, "posted")
        self.assertEqual(self.account_totals(move), self.expected_totals(40))

    def test_close_session_button_refusals(self):
        Counter = self.as_user(self.cashier, "loyalty.counter")
        # No open session: a clear error, nothing opened.
        with self.assertRaisesMessage(UserError, "no open counter session"):
            Counter.session_close_action()
        self.assertFalse(self.Session.search([("user_id", "=", self.cashier.id)]))
        # Junk arguments are refused by the RPC signature, nothing changes.
        with self.assertRaises(TypeError):
            Counter.session_close_action("1 OR 1=1")
        self.confirm(amount=10, payment_method_id=self.cash.id)
        session = self.Session.search([("user_id", "=", self.cashier.id)])
        action = Counter.session_close_action()
        self.assertEqual(
            (action["res_model"], action["target"], action["context"]),
            (
                "loyalty.counter.session.close",
                "new",
                {"default_session_id": session.id},
            ),
        )
        # Another cashier gets their own session's dialog, never this one.
        other = mail_new_test_user(
            self.env,
            login="loyalty_cashier_2",
            groups="base.group_user,loyalty_cards.group_loyalty_cashier",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaisesMessage(UserError, "no open counter session"):
            self.as_user(other, "loyalty.counter").session_close_action()
        # A user without the cashier group cannot use it.
        with self.assertRaises(AccessError):
            self.as_user(self.portal_user, "loyalty.counter").session_close_action()
        # Opening the dialog closes nothing.
        self.assertEqual(session.state, "open")
        self.assertFalse(session.move_id)


@tagged("post_install", "-at_install")
class TestCounterClosePhoneTour(CloseTourCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_cashier_on_a_phone_sells_and_closes_with_a_difference(self):
        session = self.run_cashier_tour("loyalty_cards_counter_close_phone_tour", 38)
        move = session.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(self.account_totals(move), self.expected_totals(38))
