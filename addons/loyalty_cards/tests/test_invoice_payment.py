from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import PIN, LoyaltyCase


@tagged("post_install", "-at_install")
class TestInvoicePayment(LoyaltyCase):
    """Register Payment on the member card journal: an invoice of 150.00
    paid from a card holding 500.00, on the generic chart of accounts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company, install_demo=False
        )
        cls.journal = cls.env["account.journal"].search(
            [("company_id", "=", cls.company.id), ("loyalty_member_card", "=", True)]
        )
        cls.stored_value = cls.program.with_company(cls.company).stored_value_account_id
        # Invoicing rights and the counter: the least a clerk needs.
        cls.clerk = mail_new_test_user(
            cls.env,
            login="loyalty_billing",
            name="Billing Clerk",
            groups="base.group_user,account.group_account_invoice,"
            "loyalty_cards.group_loyalty_cashier",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.manager.groups_id = [
            Command.link(cls.env.ref("account.group_account_invoice").id)
        ]

    def make_invoice(self, partner=None, amount=150.0):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or self.member).id,
                "company_id": self.company.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "After-sales fee",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def register(self, invoice, user=None, **values):
        wizard = (
            self.env["account.payment.register"]
            .with_user(user or self.clerk)
            .with_company(self.company)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": self.journal.id, **values})
        )
        return wizard._create_payments()

    def report(self):
        self.env.flush_all()
        Report = self.env["loyalty.stored.value.report"]
        Report.invalidate_model()
        return Report.search([("program_id", "=", self.program.id)])

    def test_journal_is_set_up(self):
        self.assertEqual(len(self.journal), 1)
        self.assertEqual(self.journal.type, "bank")
        self.assertFalse(self.journal.outbound_payment_method_line_ids)
        self.assertEqual(self.stored_value.account_type, "liability_current")

    def test_pay_invoice_with_pin(self):
        invoice = self.make_invoice()
        before = self.report()
        books_before, difference_before = before.booked_balance, before.difference
        payment = self.register(invoice, loyalty_pin=PIN)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(payment.loyalty_card_id, self.card)
        self.assertEqual(payment.amount, 150.0)
        self.assertEqual(self.card.balance, 350.0)
        row = self.Ledger.search(
            [("card_id", "=", self.card.id), ("kind", "=", "invoice_payment")]
        )
        self.assertEqual(len(row), 1)
        self.assertEqual((row.delta, row.value_after), (-150.0, 350.0))
        self.assertEqual(
            (row.order_model, row.order_id), ("account.payment", payment.id)
        )
        self.assertEqual(row.user_id, self.clerk)
        # Stored value debited 150, receivable credited 150.
        move = payment.move_id
        self.assertEqual(move.state, "posted")
        totals = {line.account_id: line.balance for line in move.line_ids}
        receivable = self.member.with_company(
            self.company
        ).property_account_receivable_id
        self.assertEqual(totals, {self.stored_value: 150.0, receivable: -150.0})
        liability = move.line_ids.filtered(
            lambda line: line.account_id == self.stored_value
        )
        self.assertEqual(liability.loyalty_program_id, self.program)
        # The books moved with the card: their difference is unchanged.
        after = self.report()
        self.assertAlmostEqual(after.booked_balance, books_before - 150.0, places=2)
        self.assertAlmostEqual(after.difference, difference_before, places=2)
        self.assertLedgerConsistent()
        check = self.env["loyalty.ledger.check"].sudo()._run(self.company)
        self.assertFalse(check.line_ids)

    def test_register_form_proposes_the_card(self):
        """Through the form, as in the browser: the member card journal
        shows the customer's card with its balance and asks the PIN."""
        invoice = self.make_invoice()
        Wizard = (
            self.env["account.payment.register"]
            .with_user(self.clerk)
            .with_company(self.company)
            .with_context(active_model="account.move", active_ids=invoice.ids)
        )
        with Form(Wizard) as form:
            form.journal_id = self.journal
            self.assertEqual(form.loyalty_card_id, self.card)
            self.assertEqual(form.loyalty_card_balance, 500.0)
            form.loyalty_pin = PIN
        form.record.action_create_payments()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(self.card.balance, 350.0)
        self.assertFalse(form.record.loyalty_pin, "the PIN is not kept")

    def test_wrong_pin_refused_and_counted(self):
        invoice = self.make_invoice()
        with self.assertNothingChanges(UserError, "4 attempts left"):
            self.register(invoice, loyalty_pin="135799")
        self.assertEqual(invoice.payment_state, "not_paid")
        with self.assertNothingChanges(UserError, "Enter the customer's PIN"):
            self.register(invoice)
        self.assertFalse(
            self.env["account.payment"].search([("loyalty_card_id", "!=", False)])
        )

    def test_balance_too_low_refused(self):
        invoice = self.make_invoice(amount=500.01)
        with self.assertNothingChanges(UserError, "too low"):
            self.register(invoice, loyalty_pin=PIN)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_other_customers_card_refused(self):
        invoice = self.make_invoice(partner=self.other)
        with self.assertNothingChanges(UserError, "another customer", self.card):
            self.register(invoice, loyalty_card_id=self.card.id, loyalty_pin=PIN)

    def test_junk_input_refused(self):
        invoice = self.make_invoice()
        for pin in ("abc", "1" * 10000, "12\x0034", " ", 123456, ["246810"]):
            with self.assertNothingChanges(UserError, "PIN"):
                self.register(invoice, loyalty_pin=pin)
        with self.assertNothingChanges(UserError, "Choose the member card"):
            self.register(invoice, loyalty_card_id=False, loyalty_pin=PIN)

    def test_other_company_card_refused(self):
        company_b = self.env["res.company"].create({"name": "Card Company B"})
        program_b = self.program.copy(
            {"name": "Company B Members", "company_id": company_b.id}
        )
        card_b = self.make_card(self.member, balance=0.0, program_id=program_b.id)
        self.env["loyalty.history"]._ledger_post(
            [
                {
                    "card": card_b.id,
                    "account": "balance",
                    "delta": 500.0,
                    "kind": "adjustment",
                    "description": "Opening",
                }
            ]
        )
        self.clerk.company_ids = [Command.link(company_b.id)]
        invoice = self.make_invoice()
        # The card of another company is not even readable from this one.
        with self.assertNothingChanges(UserError, "Card Company B", card_b):
            self.register(invoice, loyalty_card_id=card_b.id, loyalty_pin=PIN)

    def test_bad_amounts_refused(self):
        invoice = self.make_invoice()
        for amount, message in (
            (-10.0, "cannot be negative"),
            (float("nan"), "must be a number"),
            (float("inf"), "must be a number"),
            ("12abc", "must be a number"),
            (0.0, "more than zero"),
        ):
            with self.assertNothingChanges(UserError, message):
                self.register(invoice, loyalty_pin=PIN, amount=amount)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_manager_approval(self):
        invoice = self.make_invoice()
        # The approval is a manager's: a clerk ticking it is refused.
        with self.assertNothingChanges(AccessError, "manager"):
            self.register(invoice, loyalty_manager_approval=True)
        payment = self.register(
            invoice, user=self.manager, loyalty_manager_approval=True
        )
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(payment.loyalty_card_id, self.card)
        self.assertEqual(self.card.balance, 350.0)

    def test_partial_payment_then_rest(self):
        invoice = self.make_invoice()
        self.register(invoice, loyalty_pin=PIN, amount=100.0)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(invoice.amount_residual, 50.0)
        self.register(invoice, loyalty_pin=PIN)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(self.card.balance, 350.0)
        self.assertLedgerConsistent()

    def test_paid_payment_cannot_be_undone(self):
        invoice = self.make_invoice()
        payment = self.register(invoice, loyalty_pin=PIN).with_user(self.clerk)
        for action in (
            payment.action_draft,
            payment.action_cancel,
            payment.move_id.button_draft,
            payment.move_id.button_cancel,
        ):
            with self.assertNothingChanges(UserError, "cannot be cancelled"):
                action()
        with self.assertRaisesMessage(UserError, "cannot be cancelled"):
            payment.move_id.sudo()._reverse_moves(cancel=True)
        self.assertEqual(payment.move_id.state, "posted")
        self.assertEqual(self.card.balance, 350.0)

    def test_direct_payment_on_card_journal_refused(self):
        """Over RPC, a payment on the member card journal, with or without a
        card, cannot be posted: the card's ledger does not carry it."""
        Payment = self.env["account.payment"].with_user(self.clerk)
        for values in ({}, {"loyalty_card_id": self.card.id}):
            payment = Payment.create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.member.id,
                    "amount": 150.0,
                    "journal_id": self.journal.id,
                    **values,
                }
            )
            with self.assertNothingChanges(
                UserError, "Register Payment|does not match"
            ):
                payment.action_post()
        payment = Payment.create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.member.id,
                "amount": 150.0,
                "journal_id": self.journal.id,
            }
        )
        with self.assertRaisesMessage(UserError, "cannot be changed"):
            payment.write({"loyalty_card_id": self.card.id})
        # A hand-made entry on the journal is refused as well.
        move = (
            self.env["account.move"]
            .with_user(self.clerk)
            .create(
                {
                    "journal_id": self.journal.id,
                    "line_ids": [
                        Command.create(
                            {"account_id": self.stored_value.id, "debit": 10.0}
                        ),
                        Command.create(
                            {
                                "account_id": self.journal.default_account_id.id,
                                "credit": 10.0,
                            }
                        ),
                    ],
                }
            )
        )
        with self.assertRaisesMessage(UserError, "Register Payment"):
            move.action_post()

    def test_cashier_without_invoicing_rights(self):
        invoice = self.make_invoice()
        with self.assertRaises(AccessError):
            self.register(invoice, user=self.cashier, loyalty_pin=PIN)
        self.assertEqual(self.card.balance, 500.0)
