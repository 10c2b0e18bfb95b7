from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PIN, LoyaltyCase


@tagged("post_install", "-at_install")
class TestAccounting(LoyaltyCase):
    """Counter sessions post the stored value, sales and payments: figures
    computed by hand on the generic chart of accounts (sales tax 15 %,
    taken as included in the prices paid at the counter)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The company gets its chart after its programmes exist: they get
        # their accounts, its payment methods their journals, then.
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company, install_demo=False
        )
        cls.tax = cls.env["account.tax"].browse(cls.company.account_sale_tax_id.id)
        cls.tax.amount = 15
        Method = cls.env["loyalty.payment.method"]
        methods = Method.search([("company_id", "=", cls.company.id)])
        cls.cash, cls.bank_card, cls.wechat = (
            methods.filtered(lambda m, code=code: m.code == code)
            for code in ("cash", "bank_card", "wechat")
        )
        Partner = cls.env["res.partner"]
        cls.gold_card = cls.make_card(
            Partner.create({"name": "Gold Member"}), level=cls.level_gold, points=1000
        )
        cls.silver_card = cls.make_card(
            Partner.create({"name": "Silver Member"}), level=cls.level_silver
        )
        for card in cls.gold_card | cls.silver_card:
            card._pin_set_new(PIN, PIN)
        cls.Session = cls.env["loyalty.counter.session"]

    def topup(self, card, amount, method, user=None):
        return self.as_user(user or self.cashier, "loyalty.counter").topup(
            {
                "card_id": card.id,
                "amount": amount,
                "payment_method_id": method.id,
                "idempotency_key": self.key(),
            }
        )

    def session_of(self, user=None):
        return self.Session.search(
            [
                ("user_id", "=", (user or self.cashier).id),
                ("company_id", "=", self.company.id),
                ("state", "=", "open"),
            ]
        )

    def account_totals(self, move):
        """Debit less credit per account code of a posted entry."""
        totals = {}
        for line in move.line_ids:
            code = line.account_id.code
            totals[code] = round(totals.get(code, 0.0) + line.balance, 2)
        return totals

    def day_of_operations(self):
        """The cashier's day: two top-ups with bonus, three consumptions
        (level discount, coupon, balance, points, three payment methods)."""
        self.topup(self.gold_card, 1000, self.cash)  # bonus 120
        self.topup(self.silver_card, 500, self.wechat)  # bonus 50
        # Gold: 600 less 5 % = 570; balance 500, 1000 points (10.00), 60 cash.
        self.confirm(
            card_id=self.gold_card.id,
            amount=600,
            balance_used=500,
            points_used=1000,
            pin=PIN,
            payment_method_id=self.cash.id,
        )
        # Silver: 200 less 2 % = 196, coupon 10 % = 19.60: 176.40;
        # balance 100, 76.40 by WeChat Pay.
        coupon = self.env["loyalty.card"].create(
            {
                "program_id": self.coupon_program.id,
                "partner_id": self.silver_card.partner_id.id,
                "points": 1,
            }
        )
        self.confirm(
            card_id=self.silver_card.id,
            amount=200,
            coupon_code=coupon.code,
            balance_used=100,
            pin=PIN,
            payment_method_id=self.wechat.id,
        )
        # Silver: 115 less 2 % = 112.70, all by bank card.
        self.confirm(
            card_id=self.silver_card.id,
            amount=115,
            payment_method_id=self.bank_card.id,
        )

    def test_day_closes_into_one_balanced_entry(self):
        self.day_of_operations()
        session = self.session_of()
        self.assertEqual(len(session), 1, "one open session gathers the day")
        self.assertEqual(len(session.topup_ids), 2)
        self.assertEqual(len(session.consumption_ids), 3)
        self.assertEqual(session.cash_expected, 1060)
        self.as_user(self.cashier, "loyalty.counter.session").browse(
            session.id
        ).action_close(cash_counted="1055")
        self.assertEqual(session.state, "closed")
        move = session.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.move_type, "entry")
        program = self.program.with_company(self.company)
        cash = self.cash.journal_id
        bank = self.wechat.journal_id
        expected = {
            # Cash: 1000 top-up + 60 consumption, 5 missing at the count.
            cash.default_account_id.code: 1055.00,
            cash.loss_account_id.code: 5.00,
            # Bank: 500 (WeChat top-up) + 76.40 (WeChat) + 112.70 (bank card).
            bank.default_account_id.code: 689.10,
            # Stored value: 1000 + 120 + 500 + 50 credited, 500 + 100 spent.
            program.stored_value_account_id.code: -1070.00,
            # Bonuses 120 + 50 and points 10.00, on the same expense account.
            program.bonus_expense_account_id.code: 180.00,
            # 570, 176.40 and 112.70 taxes included: untaxed 495.65 + 153.39
            # + 98.00, tax 74.35 + 23.01 + 14.70.
            program.counter_income_account_id.code: -747.04,
            self.tax.invoice_repartition_line_ids.filtered(
                lambda r: r.repartition_type == "tax"
            ).account_id.code: -112.06,
        }
        self.assertEqual(
            program.bonus_expense_account_id, program.points_expense_account_id
        )
        self.assertEqual(self.account_totals(move), expected)
        # One line per payment method, even on the same bank account.
        method_lines = move.line_ids.filtered(
            lambda line: line.account_id == bank.default_account_id
        )
        self.assertEqual(sorted(method_lines.mapped("balance")), [112.70, 576.40])
        tax_line = move.line_ids.filtered("tax_line_id")
        self.assertEqual(
            (tax_line.tax_line_id, tax_line.tax_base_amount), (self.tax, 747.04)
        )
        self.assertEqual(session.cash_difference, -5)
        # The books agree with the cards: 620 + 450.
        self.assertEqual(self.gold_card.balance + self.silver_card.balance, 1070)
        # Another top-up waits in a new open session.
        self.topup(self.gold_card, 100, self.cash)
        self.env.flush_all()
        report = self.env["loyalty.stored.value.report"].search(
            [("program_id", "=", self.program.id)]
        )
        # The cards made by the tests' base hold 500 and 100 that no session
        # booked: the difference the bookkeeper has to book.
        self.assertEqual(
            (
                report.booked_balance,
                report.open_session_balance,
                report.card_balance,
                report.difference,
            ),
            (1070, 100, 1770, 600),
        )
        check = self.env["loyalty.ledger.check"]._run(self.company)
        self.assertEqual((check.state, check.books_difference), ("ok", 600))
        self.assertEqual(
            self.env["loyalty.stored.value.report"]
            .with_user(self.manager)
            .search([("program_id", "=", self.program.id)]),
            report,
        )
        with self.assertRaises(AccessError):
            self.env["loyalty.stored.value.report"].with_user(self.cashier).search([])

    def test_close_errors_post_once(self):
        self.topup(self.gold_card, 100, self.cash)
        session = self.session_of()
        Session = self.as_user(self.cashier, "loyalty.counter.session")
        Session.browse(session.id).action_close()
        moves = self.env["account.move"].search_count([("ref", "=", session.name)])
        self.assertEqual(moves, 1)
        for _attempt in range(2):
            with self.assertRaisesMessage(UserError, "already closed"):
                Session.browse(session.id).action_close()
        self.assertEqual(
            self.env["account.move"].search_count([("ref", "=", session.name)]), 1
        )
        # The next operation opens a new session; the closed one stays closed.
        self.topup(self.gold_card, 50, self.bank_card)
        self.assertNotEqual(self.session_of(), session)
        self.assertEqual(session.state, "closed")

    def test_sessions_are_guarded(self):
        self.topup(self.gold_card, 100, self.cash)
        session = self.session_of()
        Session = self.as_user(self.cashier, "loyalty.counter.session")
        for values in ({"state": "closed"}, {"cash_counted": 1}, {"move_id": False}):
            with self.assertRaisesMessage(UserError, "only by closing"):
                Session.browse(session.id).write(values)
        # Not even with the closing's context, sent by a client.
        for user in (self.cashier, self.manager):
            with self.assertRaisesMessage(UserError, "only by closing"):
                self.as_user(user, "loyalty.counter.session").browse(
                    session.id
                ).with_context(loyalty_session_closing=True).write({"state": "closed"})
        with self.assertRaises(AccessError):
            Session.create({"user_id": self.cashier.id, "company_id": self.company.id})
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(self.cashier).create(
                {"move_type": "entry", "line_ids": []}
            )
        for bad in ("abc", float("nan"), -5, "1" * 10_000):
            with self.assertRaises(UserError):
                Session.browse(session.id).action_close(cash_counted=bad)
        self.assertEqual(session.state, "open")
        # Another cashier neither sees nor closes it.
        other = self.cashier.copy({"login": "loyalty_cashier_2"})
        with self.assertRaises(AccessError):
            self.as_user(other, "loyalty.counter.session").browse(
                session.id
            ).action_close()
        self.assertFalse(self.as_user(other, "loyalty.counter.session").search([]))
        # Another company's session: not even the manager of this one.
        company_b = self.env["res.company"].create({"name": "Other Loyalty Company"})
        with self.assertRaises(AccessError):
            self.as_user(self.manager, "loyalty.counter.session").browse(
                session.id
            ).with_company(company_b).with_context(
                allowed_company_ids=company_b.ids
            ).action_close()
        self.assertEqual(session.state, "open")
        # Its manager closes it.
        self.as_user(self.manager, "loyalty.counter.session").browse(
            session.id
        ).action_close()
        self.assertEqual(session.state, "closed")

    def test_payment_methods(self):
        Topup = self.as_user(self.cashier, "loyalty.topup")
        for bad in ("gold", 10**12, "12; DROP", "\x00"):
            with self.assertNothingChanges(UserError, "payment method"):
                Topup.create(
                    {"card_id": self.card.id, "amount": 10, "payment_method": bad}
                )
            with self.assertNothingChanges(UserError, "payment method"):
                Topup.create(
                    {"card_id": self.card.id, "amount": 10, "payment_method_id": bad}
                )
        # Older clients' codes still work (mobile payment is WeChat Pay).
        topup = Topup.create(
            {"card_id": self.card.id, "amount": 10, "payment_method": "mobile"}
        )
        self.assertEqual(topup.payment_method_id, self.wechat)
        # Another company's method is refused.
        company_b = self.env["res.company"].create({"name": "Other Loyalty Company"})
        foreign = self.env["loyalty.payment.method"].search(
            [("company_id", "=", company_b.id)], limit=1
        )
        self.assertTrue(foreign)
        with self.assertNothingChanges(UserError, "payment method"):
            Topup.create(
                {"card_id": self.card.id, "amount": 10, "payment_method_id": foreign.id}
            )
        with self.assertRaises(AccessError):
            self.as_user(self.cashier, "loyalty.payment.method").create(
                {"name": "Gift", "journal_id": self.cash.journal_id.id}
            )

    def test_missing_configuration_is_named(self):
        self.topup(self.gold_card, 500, self.cash)
        self.program.with_company(self.company).bonus_expense_account_id = False
        session = self.session_of()
        with self.assertRaisesMessage(UserError, "Top-up Bonus Account"):
            self.as_user(self.cashier, "loyalty.counter.session").browse(
                session.id
            ).action_close()
        self.assertEqual(session.state, "open")
        self.assertFalse(session.move_id)

    def test_second_currency_refused(self):
        other_currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("id", "!=", self.company.currency_id.id)], limit=1)
        )
        other_currency.active = True
        # A programme left in another currency than its company's books.
        self.env.cr.execute(
            "UPDATE loyalty_program SET currency_id = %s WHERE id = %s",
            [other_currency.id, self.program.id],
        )
        self.env.invalidate_all()
        with self.assertNothingChanges(UserError, "another currency", self.gold_card):
            self.topup(self.gold_card, 100, self.cash)
        with self.assertNothingChanges(UserError, "another currency", self.gold_card):
            self.confirm(card_id=self.gold_card.id, amount=10)

    @mute_logger("odoo.addons.loyalty_cards.models.loyalty_counter_session")
    def test_nightly_closing_isolates_a_bad_session(self):
        self.topup(self.gold_card, 500, self.cash)
        good = self.session_of()
        self.topup(self.silver_card, 500, self.cash, user=self.manager)
        bad = self.session_of(self.manager)
        # The manager's session cannot post: its programme lost an account.
        # (Written by hand: the top-ups' programme is stored, not writable.)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE loyalty_topup SET program_id = %s WHERE session_id = %s",
            [self.coupon_program.id, bad.id],
        )
        self.coupon_program.with_company(self.company).stored_value_account_id = False
        self.env.invalidate_all()
        self.Session._cron_close()
        self.assertEqual(good.state, "closed")
        self.assertTrue(good.move_id)
        self.assertEqual(bad.state, "open")
        self.assertFalse(bad.move_id)

    def test_company_without_chart(self):
        company = self.env["res.company"].create({"name": "No Chart Yet"})
        methods = self.env["loyalty.payment.method"].search(
            [("company_id", "=", company.id)]
        )
        self.assertEqual(
            set(methods.mapped("code")),
            {"cash", "bank_card", "wechat", "alipay", "transfer"},
        )
        self.assertFalse(methods.journal_id)
        program = self.env["loyalty.program"].create(
            {
                "name": "Chartless",
                "program_type": "loyalty",
                "is_member_program": True,
                "company_id": company.id,
                "reward_ids": [Command.create({"required_points": 100})],
            }
        )
        self.assertFalse(program.with_company(company).stored_value_account_id)
