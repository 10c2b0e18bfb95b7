from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestInvoiceRequest(LoyaltyCase):
    """Customer invoices on request for counter operations, on the generic
    chart of accounts with a 15 % sales tax included in counter prices: a
    consumption of 115.00 is 100.00 of income and 15.00 of tax."""

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
        cls.buyer = cls.env["res.partner"].create({"name": "Invoice Buyer"})
        cls.buyer_card = cls.make_card(cls.buyer)
        program = cls.program.with_company(cls.company)
        cls.income = program.counter_income_account_id
        cls.stored_value = program.stored_value_account_id
        cls.Session = cls.env["loyalty.counter.session"]

    def consume(self, amount=115.0, card=None):
        self.confirm(
            card_id=(card or self.buyer_card).id,
            amount=amount,
            payment_method_id=self.cash.id,
        )
        return self.Consumption.search([], order="id desc", limit=1)

    def topup(self, amount, card=None):
        self.as_user(self.cashier, "loyalty.counter").topup(
            {
                "card_id": (card or self.buyer_card).id,
                "amount": amount,
                "payment_method_id": self.cash.id,
                "idempotency_key": self.key(),
            }
        )
        return self.env["loyalty.topup"].search([], order="id desc", limit=1)

    def request(self, operations, user=None):
        return operations.with_user(user or self.cashier).action_create_invoice()

    def account_total(self, account):
        self.env.flush_all()
        lines = self.env["account.move.line"].search(
            [
                ("account_id", "=", account.id),
                ("company_id", "=", self.company.id),
                ("parent_state", "=", "posted"),
            ]
        )
        return round(sum(lines.mapped("balance")), 2)

    def close(self):
        session = self.Session.search(
            [("user_id", "=", self.cashier.id), ("state", "=", "open")]
        )
        session.with_user(self.cashier).action_close()
        return session

    def report(self):
        self.env.flush_all()
        Report = self.env["loyalty.stored.value.report"]
        Report.invalidate_model()
        return Report.search([("program_id", "=", self.program.id)])

    def test_consumption_invoice_books_revenue_once(self):
        consumption = self.consume()
        self.assertEqual(consumption.net_amount, 115.0)
        self.request(consumption)
        invoice = consumption.sudo().invoice_id
        self.assertTrue(consumption.is_invoiced)
        self.assertEqual(consumption.invoice_name, invoice.name)
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.partner_id, self.buyer)
        self.assertEqual(invoice.invoice_origin, consumption.name)
        self.assertEqual(
            (invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total),
            (100.0, 15.0, 115.0),
        )
        self.assertEqual(invoice.invoice_line_ids.account_id, self.income)
        self.assertEqual(invoice.invoice_line_ids.tax_ids, self.tax)
        # Until the session is posted, only the invoice books the sale.
        self.assertEqual(self.account_total(self.income), -100.0)
        session = self.close()
        # Income and tax once, the receivable settled.
        self.assertEqual(self.account_total(self.income), -100.0)
        tax_account = self.tax.invoice_repartition_line_ids.account_id
        self.assertEqual(self.account_total(tax_account), -15.0)
        receivable = invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        self.assertEqual(self.account_total(receivable.account_id), 0.0)
        self.assertEqual(invoice.payment_state, "paid")
        session_line = session.move_id.line_ids.filtered(
            lambda line: line.account_id == receivable.account_id
        )
        self.assertEqual(
            (session_line.credit, session_line.partner_id), (115.0, self.buyer)
        )
        self.assertTrue(session_line.reconciled)
        cash_account = self.cash.journal_id.default_account_id
        self.assertEqual(self.account_total(cash_account), 115.0)

    def test_reversal_of_an_invoiced_consumption(self):
        """A consumption of 115.00 invoiced and closed, then reversed by a
        manager in a later session: that session books the cash given back
        against the invoice's receivable (not the income, which the invoice
        booked), and the credit note of the invoice settles it: income and
        tax come back to zero once."""
        consumption = self.consume()
        self.request(consumption)
        invoice = consumption.sudo().invoice_id
        self.close()
        # No credit note while nothing of the consumption is reversed.
        with self.assertRaises(UserError):
            invoice._reverse_moves()
        self.as_user(self.manager, "loyalty.counter").reverse(
            {
                "consumption_id": consumption.id,
                "full": True,
                "reason": "Returned goods",
                "idempotency_key": self.key(),
            }
        )
        session = self.Session.search(
            [("user_id", "=", self.manager.id), ("state", "=", "open")]
        )
        session.with_user(self.manager).action_close()
        receivable = invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        ).account_id
        tax_account = self.tax.invoice_repartition_line_ids.account_id
        cash_account = self.cash.journal_id.default_account_id
        # The sale stays booked until the credit note; the cash went back.
        self.assertEqual(self.account_total(self.income), -100.0)
        self.assertEqual(self.account_total(tax_account), -15.0)
        self.assertEqual(self.account_total(cash_account), 0.0)
        self.assertEqual(self.account_total(receivable), 115.0)
        session_line = session.move_id.line_ids.filtered(
            lambda line: line.account_id == receivable
        )
        self.assertEqual(
            (session_line.debit, session_line.partner_id), (115.0, self.buyer)
        )
        credit_note = invoice._reverse_moves()
        credit_note.action_post()
        (credit_note.line_ids | session_line).filtered(
            lambda line: line.account_id == receivable and not line.reconciled
        ).reconcile()
        self.assertEqual(self.account_total(self.income), 0.0)
        self.assertEqual(self.account_total(tax_account), 0.0)
        self.assertEqual(self.account_total(receivable), 0.0)

    def test_second_request_refused(self):
        consumption = self.consume()
        self.request(consumption)
        with self.assertRaisesMessage(UserError, "already has its invoice"):
            self.request(consumption)
        invoices = self.env["account.move"].search(
            [("loyalty_consumption_id", "=", consumption.id)]
        )
        self.assertEqual(len(invoices), 1)

    def settlement_lines(self, session):
        """{account code: (debit, credit)} of the session's entry."""
        result = {}
        for line in session.move_id.line_ids:
            debit, credit = result.get(line.account_id.code, (0.0, 0.0))
            result[line.account_id.code] = (
                round(debit + line.debit, 2),
                round(credit + line.credit, 2),
            )
        return result

    def test_closed_session_consumption_settled(self):
        """A consumption of 115.00 whose session is closed, invoiced days
        later: the invoice books 100 + 15 again, the cashier's next session
        books them back against the receivable and settles the invoice."""
        consumption = self.consume()
        first = self.close()
        before = self.report().difference
        tax_account = self.tax.invoice_repartition_line_ids.account_id
        self.request(consumption)
        invoice = consumption.sudo().invoice_id
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.partner_id, self.buyer)
        self.assertEqual(
            (invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total),
            (100.0, 15.0, 115.0),
        )
        settling = invoice.loyalty_settlement_session_id
        self.assertNotEqual(settling, first)
        self.assertEqual((settling.user_id, settling.state), (self.cashier, "open"))
        self.assertEqual(
            (settling.settlement_count, settling.settlement_total), (1, 115.0)
        )
        self.assertEqual(settling.settlement_invoice_ids, invoice)
        # Until the settling session is posted, the sale is booked twice.
        self.assertEqual(self.account_total(self.income), -200.0)
        self.assertEqual(self.account_total(tax_account), -30.0)
        self.assertAlmostEqual(self.report().difference, before, places=2)
        self.assertEqual(self.close(), settling)
        self.assertEqual(self.account_total(self.income), -100.0)
        self.assertEqual(self.account_total(tax_account), -15.0)
        receivable = invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        self.assertEqual(self.account_total(receivable.account_id), 0.0)
        self.assertEqual(
            self.account_total(self.cash.journal_id.default_account_id), 115.0
        )
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(
            self.settlement_lines(settling),
            {
                self.income.code: (100.0, 0.0),
                tax_account.code: (15.0, 0.0),
                receivable.account_id.code: (0.0, 115.0),
            },
        )
        tax_line = settling.move_id.line_ids.filtered("tax_repartition_line_id")
        self.assertEqual(tax_line.tax_repartition_line_id.tax_id, self.tax)
        self.assertEqual(tax_line.tax_base_amount, 100.0)
        income_line = settling.move_id.line_ids.filtered(
            lambda line: line.account_id == self.income
        )
        self.assertEqual(income_line.tax_ids, self.tax)
        receivable_line = settling.move_id.line_ids.filtered(
            lambda line: line.account_id == receivable.account_id
        )
        self.assertEqual(receivable_line.partner_id, self.buyer)
        self.assertTrue(receivable_line.reconciled)
        self.assertAlmostEqual(self.report().difference, before, places=2)

    def test_closed_session_topup_settled(self):
        """A top-up of 500.00 (bonus 50.00) whose session is closed, invoiced
        later: the stored value is booked once and the books agree with the
        cards before and after the settling session is posted."""
        before = self.report().difference
        topup = self.topup(500)
        self.assertEqual(topup.bonus, 50.0)
        self.close()
        self.assertEqual(self.account_total(self.stored_value), -550.0)
        self.request(topup)
        invoice = topup.sudo().invoice_id
        self.assertEqual(
            (invoice.state, invoice.amount_tax, invoice.amount_total),
            ("posted", 0.0, 500.0),
        )
        self.assertEqual(self.account_total(self.stored_value), -1050.0)
        self.assertAlmostEqual(self.report().difference, before, places=2)
        settling = self.close()
        self.assertEqual(invoice.loyalty_settlement_session_id, settling)
        self.assertEqual(self.account_total(self.stored_value), -550.0)
        receivable = invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        ).account_id
        self.assertEqual(self.account_total(receivable), 0.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(
            self.settlement_lines(settling),
            {self.stored_value.code: (500.0, 0.0), receivable.code: (0.0, 500.0)},
        )
        stored_line = settling.move_id.line_ids.filtered(
            lambda line: line.account_id == self.stored_value
        )
        self.assertEqual(stored_line.loyalty_program_id, self.program)
        self.assertAlmostEqual(self.report().difference, before, places=2)

    def test_closed_session_second_request_refused(self):
        consumption = self.consume()
        self.close()
        self.request(consumption)
        settling = consumption.sudo().invoice_id.loyalty_settlement_session_id
        with self.assertRaisesMessage(UserError, "already has its invoice"):
            self.request(consumption)
        self.assertEqual(
            self.env["account.move"].search_count(
                [("loyalty_consumption_id", "=", consumption.id)]
            ),
            1,
        )
        self.assertEqual(settling.settlement_count, 1)

    def test_closed_session_reversed_refused(self):
        consumption = self.consume()
        self.as_user(self.manager, "loyalty.counter").reverse(
            {
                "consumption_id": consumption.id,
                "amount": 15,
                "reason": "Returned goods",
                "idempotency_key": self.key(),
            }
        )
        self.close()
        with self.assertRaisesMessage(UserError, "has been reversed"):
            self.request(consumption)
        self.assertFalse(consumption.is_invoiced)
        self.assertFalse(
            self.Session.search(
                [("user_id", "=", self.cashier.id), ("state", "=", "open")]
            )
        )

    def test_closed_session_access(self):
        """Portal users cannot ask; nobody links an invoice to a settling
        session over RPC; Own Customers Only applies."""
        consumption = self.consume()
        other = self.consume(card=self.other_card)
        self.close()
        with self.assertRaises(AccessError):
            self.request(consumption, user=self.portal_user)
        restricted = mail_new_test_user(
            self.env,
            login="loyalty_own_settling",
            name="Own Customers Settling",
            groups="base.group_user,loyalty_cards.group_loyalty_cashier,"
            "customer_tiering.group_own_customers",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.buyer.user_id = restricted
        with self.assertRaises(AccessError):
            self.request(other, user=restricted)
        self.assertFalse(other.is_invoiced)
        self.request(consumption, user=restricted)
        invoice = consumption.sudo().invoice_id
        settling = invoice.loyalty_settlement_session_id
        self.assertEqual(settling.user_id, restricted)
        clerk = mail_new_test_user(
            self.env,
            login="loyalty_settling_clerk",
            name="Settling Clerk",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaisesMessage(UserError, "set by the invoice request only"):
            self.env["account.move"].with_user(clerk).create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.buyer.id,
                    "loyalty_settlement_session_id": settling.id,
                }
            )
        with self.assertRaisesMessage(UserError, "set by the invoice request only"):
            invoice.with_user(clerk).write({"loyalty_settlement_session_id": False})
        # Nor the cashier who asked for it.
        with self.assertRaisesMessage(UserError, "set by the invoice request only"):
            invoice.with_user(self.cashier).write(
                {"loyalty_settlement_session_id": False}
            )
        self.assertEqual(invoice.loyalty_settlement_session_id, settling)

    def test_closed_session_other_company_refused(self):
        """A cashier of another company cannot invoice the operation, nor
        open a session for it."""
        consumption = self.consume()
        self.close()
        other_company = self.env["res.company"].create({"name": "Other Shop"})
        stranger = mail_new_test_user(
            self.env,
            login="loyalty_other_company_cashier",
            name="Other Company Cashier",
            groups="base.group_user,loyalty_cards.group_loyalty_cashier",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        with self.assertRaises(AccessError):
            self.request(consumption, user=stranger)
        self.assertFalse(consumption.is_invoiced)
        self.assertFalse(self.Session.search([("user_id", "=", stranger.id)]))

    def test_closed_session_junk_refused(self):
        """Ids that do not exist or nothing to invoice: a clear error, no
        invoice, no session."""
        Consumption = self.Consumption.with_user(self.cashier)
        # MissingError: a UserError.
        with self.assertRaises(UserError):
            Consumption.browse(2**31 - 1).action_create_invoice()
        with self.assertRaisesMessage(UserError, "Choose what to invoice"):
            Consumption.browse().action_create_invoice()
        self.assertFalse(
            self.Session.search(
                [("user_id", "=", self.cashier.id), ("state", "=", "open")]
            )
        )

    def test_topup_invoice_not_taxable(self):
        before = self.report().difference
        topup = self.topup(500)  # bonus 50
        self.request(topup)
        invoice = topup.sudo().invoice_id
        self.assertEqual(
            (invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total),
            (500.0, 0.0, 500.0),
        )
        self.assertEqual(invoice.invoice_line_ids.account_id, self.stored_value)
        self.assertFalse(invoice.invoice_line_ids.tax_ids)
        # Books and cards agree while the session is open and once closed.
        self.assertAlmostEqual(self.report().difference, before, places=2)
        self.close()
        self.assertAlmostEqual(self.report().difference, before, places=2)
        self.assertEqual(self.account_total(self.stored_value), -550.0)
        self.assertEqual(invoice.payment_state, "paid")

    def test_session_invoices_several(self):
        first, second = self.consume(115.0), self.consume(230.0)
        topup = self.topup(100)
        session = first.session_id
        self.assertEqual(second.session_id, session)
        session.with_user(self.cashier).action_create_invoices()
        self.assertTrue(all((first | second).mapped("is_invoiced")))
        self.assertTrue(topup.is_invoiced)
        with self.assertRaisesMessage(UserError, "Nothing left to invoice"):
            session.with_user(self.cashier).action_create_invoices()
        self.close()
        self.assertEqual(self.account_total(self.income), -300.0)
        invoices = self.env["account.move"].search(
            [
                "|",
                ("loyalty_consumption_id", "in", (first | second).ids),
                ("loyalty_topup_id", "=", topup.id),
            ]
        )
        self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})

    def test_access(self):
        consumption = self.consume()
        # Portal users and users without the counter cannot ask.
        with self.assertRaises(AccessError):
            self.request(consumption, user=self.portal_user)
        # An invoice cannot be linked to an operation over RPC.
        clerk = mail_new_test_user(
            self.env,
            login="loyalty_invoicing",
            name="Invoicing Clerk",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaisesMessage(UserError, "created from the consumption"):
            self.env["account.move"].with_user(clerk).create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.buyer.id,
                    "loyalty_consumption_id": consumption.id,
                }
            )
        self.request(consumption)
        invoice = consumption.sudo().invoice_id.with_user(clerk)
        with self.assertRaisesMessage(UserError, "cannot be changed"):
            invoice.write({"loyalty_consumption_id": False})
        for action in (invoice.button_draft, invoice.button_cancel):
            with self.assertRaisesMessage(UserError, "cannot be cancelled"):
                action()
        self.assertEqual(invoice.state, "posted")

    def test_consumption_without_customer_refused(self):
        coupon = self.env["loyalty.card"].create(
            {"program_id": self.coupon_program.id, "points": 1}
        )
        self.confirm(
            card_id=False,
            coupon_code=coupon.code,
            amount=100,
            payment_method_id=self.cash.id,
        )
        consumption = self.Consumption.search([], order="id desc", limit=1)
        self.assertFalse(consumption.partner_id)
        with self.assertRaisesMessage(UserError, "no customer"):
            self.request(consumption)

    def test_own_customers_cashier(self):
        """A cashier limited to their own customers invoices their
        customers' operations only."""
        restricted = mail_new_test_user(
            self.env,
            login="loyalty_own_invoicing",
            name="Own Customers Cashier",
            groups="base.group_user,loyalty_cards.group_loyalty_cashier,"
            "customer_tiering.group_own_customers",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.buyer.user_id = restricted
        own = self.consume()
        others = self.consume(card=self.other_card)
        with self.assertRaises(AccessError):
            self.request(others, user=restricted)
        with self.assertRaises(AccessError):
            self.request(own | others, user=restricted)
        self.assertFalse((own | others).mapped("is_invoiced")[0])
        self.assertFalse(
            self.env["account.move"].search_count(
                [("loyalty_consumption_id", "in", (own | others).ids)]
            )
        )
        self.request(own, user=restricted)
        self.assertTrue(own.is_invoiced)
        self.assertFalse(others.is_invoiced)
