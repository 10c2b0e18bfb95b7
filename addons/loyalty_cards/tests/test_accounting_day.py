from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import PIN, LoyaltyCase


@tagged("post_install", "-at_install")
class TestAccountingDay(LoyaltyCase):
    """A day of mixed operations, every account total computed by hand, on
    the generic chart of accounts (sales tax 15 %, included in the prices
    paid at the counter).

    A programme of its own ("Day Member Card": a point worth 0.01, 1 point
    per unit of money; Gold 5 % off, Silver 2 % off, Standard none; bonus
    50 on a top-up of 500, 120 on 1000), whose cards hold nothing but what
    the day gives them, so that its books and its cards must agree to the
    cent.

    The cashier's session:

    ====  ==========================================  =======================
    op    what                                        booked
    ====  ==========================================  =======================
    T1    top-up A 1000 cash, bonus 120               cash 1000, SV -1120,
                                                      bonus 120
    T2    top-up B 500 WeChat Pay, bonus 50           bank 500, SV -550,
                                                      bonus 50
    T3    top-up C 1000 bank card, bonus 120          bank 1000, SV -1120,
                                                      bonus 120
    T4    top-up D 200 cash, no bonus                 cash 200, SV -200
    C1    A (Gold) 600 - 5 % = 570: balance 500,      income -495.65,
          1000 points (10.00), 60 cash                tax -74.35, SV 500,
                                                      points 10, cash 60
    C2    B (Silver) 200 - 2 % = 196, coupon 10 %     income -153.39,
          (19.60) = 176.40: balance 100, 76.40        tax -23.01, SV 100,
          WeChat Pay                                  bank 76.40
    C3    B (Silver) 115 - 2 % = 112.70, bank card    income -98.00,
                                                      tax -14.70, bank 112.70
    C4    C 300, all from the balance                 income -260.87,
                                                      tax -39.13, SV 300
    R1    C3 reversed in part: 50, back to the        income 43.48, tax 6.52,
          bank card                                   bank -50
    ====  ==========================================  =======================

    The manager's session: C's card refunded in full, 820 (of C's 1000 paid
    and 120 bonus, the 300 spent used the money paid first): 120 of unused
    bonus taken back, 700 paid back in cash: SV 820, cash -700, bonus -120.

    Outside the sessions: an invoice of 150 (no tax) to D, income -150 and
    receivable 150; paid by Register Payment with the Member Card journal
    from D's card: SV 150, receivable -150.

    Day totals (debit positive): cash 1260 - 700 = 560; bank 500 + 1000 +
    76.40 + 112.70 - 50 = 1639.10; stored value -2990 + 900 + 820 + 150 =
    -1120; bonus and points expense (one account in the generic chart) 290
    + 10 - 120 = 180; income -(495.65 + 153.39 + 98.00 + 260.87 - 43.48) -
    150 = -1114.43; tax -(74.35 + 23.01 + 14.70 + 39.13 - 6.52) = -144.67;
    receivable 150 - 150 = 0. Debits 2379.10 = credits 2379.10.

    The cards after the day: A 1120 - 500 = 620, B 550 - 100 = 450, C 0,
    D 200 - 150 = 50: 1120, the stored value liability."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company, install_demo=False
        )
        cls.tax = cls.env["account.tax"].browse(cls.company.account_sale_tax_id.id)
        cls.tax.amount = 15
        cls.day_program = cls.env["loyalty.program"].create(
            {
                "name": "Day Member Card",
                "program_type": "loyalty",
                "is_member_program": True,
                "company_id": cls.company.id,
                "member_point_value": 0.01,
                "rule_ids": [
                    Command.create(
                        {"reward_point_mode": "money", "reward_point_amount": 1}
                    )
                ],
                "reward_ids": [Command.create({"required_points": 100})],
                "topup_bonus_ids": [
                    Command.create({"min_amount": 500, "bonus_amount": 50}),
                    Command.create({"min_amount": 1000, "bonus_amount": 120}),
                ],
                "member_level_ids": [
                    Command.create(
                        {
                            "name": "Day Gold",
                            "rank": 1,
                            "discount_percent": 5,
                            "earn_multiplier": 1.5,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Day Silver",
                            "rank": 2,
                            "discount_percent": 2,
                            "earn_multiplier": 1.2,
                        }
                    ),
                    Command.create({"name": "Day Standard", "rank": 3}),
                ],
            }
        )
        gold, silver, standard = cls.day_program.member_level_ids.sorted("rank")
        Partner = cls.env["res.partner"]
        cls.card_a, cls.card_b, cls.card_c, cls.card_d = (
            cls.env["loyalty.card"].create(
                {
                    "program_id": cls.day_program.id,
                    "partner_id": Partner.create({"name": name}).id,
                    "level_id": level.id,
                    "points": points,
                }
            )
            for name, level, points in (
                ("Day Member A", gold, 1000),
                ("Day Member B", silver, 0),
                ("Day Member C", standard, 0),
                ("Day Member D", standard, 0),
            )
        )
        cls.day_cards = cls.card_a | cls.card_b | cls.card_c | cls.card_d
        for card in cls.day_cards:
            card._pin_set_new(PIN, PIN)
        methods = cls.env["loyalty.payment.method"].search(
            [("company_id", "=", cls.company.id)]
        )
        cls.cash, cls.bank_card, cls.wechat = (
            methods.filtered(lambda m, code=code: m.code == code)
            for code in ("cash", "bank_card", "wechat")
        )
        cls.member_journal = cls.env["account.journal"].search(
            [("company_id", "=", cls.company.id), ("loyalty_member_card", "=", True)]
        )
        cls.clerk = mail_new_test_user(
            cls.env,
            login="loyalty_day_clerk",
            name="Day Billing Clerk",
            groups="base.group_user,account.group_account_invoice,"
            "loyalty_cards.group_loyalty_cashier",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.Session = cls.env["loyalty.counter.session"]

    # --- helpers --------------------------------------------------------------

    def topup(self, card, amount, method, user=None):
        return self.as_user(user or self.cashier, "loyalty.counter").topup(
            {
                "card_id": card.id,
                "amount": amount,
                "payment_method_id": method.id,
                "idempotency_key": self.key(),
            }
        )

    def refund(self, card, amount, method, user=None):
        return self.as_user(user or self.manager, "loyalty.card.refund").create(
            {
                "card_id": card.id,
                "amount": amount,
                "payment_method_id": method.id,
                "reason": "Moves away",
                "idempotency_key": self.key(),
            }
        )

    def session_of(self, user):
        return self.Session.search(
            [
                ("user_id", "=", user.id),
                ("company_id", "=", self.company.id),
                ("state", "=", "open"),
            ]
        )

    def close(self, user, cash_counted=None):
        session = self.session_of(user)
        self.assertEqual(len(session), 1)
        self.as_user(user, "loyalty.counter.session").browse(session.id).action_close(
            cash_counted=cash_counted
        )
        self.assertEqual((session.state, session.move_id.state), ("closed", "posted"))
        return session

    def pay_invoice_from_card(self, partner, amount):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
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
        payment = (
            self.env["account.payment.register"]
            .with_user(self.clerk)
            .with_company(self.company)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": self.member_journal.id, "loyalty_pin": PIN})
            ._create_payments()
        )
        self.assertEqual(invoice.payment_state, "paid")
        return invoice, payment

    @staticmethod
    def account_totals(moves):
        """Debit less credit per account code of posted entries."""
        totals = {}
        for line in moves.line_ids:
            code = line.account_id.code
            totals[code] = round(totals.get(code, 0.0) + line.balance, 2)
        return {code: total for code, total in totals.items() if total}

    def day(self):
        """The day of the class docstring; (invoice, payment)."""
        self.topup(self.card_a, 1000, self.cash)
        self.topup(self.card_b, 500, self.wechat)
        self.topup(self.card_c, 1000, self.bank_card)
        self.topup(self.card_d, 200, self.cash)
        self.assertEqual(
            self.day_cards.mapped("balance"), [1120.0, 550.0, 1120.0, 200.0]
        )
        c1 = self.confirm(
            card_id=self.card_a.id,
            amount=600,
            balance_used=500,
            points_used=1000,
            pin=PIN,
            payment_method_id=self.cash.id,
        )
        self.assertEqual(
            (c1["net_amount"], c1["points_value"], c1["amount_due"]), (570, 10, 60)
        )
        coupon = self.env["loyalty.card"].create(
            {
                "program_id": self.coupon_program.id,
                "partner_id": self.card_b.partner_id.id,
                "points": 1,
            }
        )
        c2 = self.confirm(
            card_id=self.card_b.id,
            amount=200,
            coupon_code=coupon.code,
            balance_used=100,
            pin=PIN,
            payment_method_id=self.wechat.id,
        )
        self.assertEqual(
            (c2["level_discount"], c2["coupon_discount"], c2["amount_due"]),
            (4, 19.6, 76.4),
        )
        c3 = self.confirm(
            card_id=self.card_b.id, amount=115, payment_method_id=self.bank_card.id
        )
        self.assertEqual((c3["net_amount"], c3["amount_due"]), (112.7, 112.7))
        c4 = self.confirm(card_id=self.card_c.id, amount=300, balance_used=300, pin=PIN)
        self.assertEqual((c4["net_amount"], c4["amount_due"]), (300, 0))
        r1 = self.as_user(self.cashier, "loyalty.counter").reverse(
            {
                "consumption_id": c3["id"],
                "amount": 50,
                "reason": "One item returned",
                "idempotency_key": self.key(),
            }
        )
        self.assertEqual(
            (r1["net_amount"], r1["amount_due"], r1["balance_used"]), (50, 50, 0)
        )
        refund = self.refund(self.card_c, 820, self.cash)
        self.assertEqual((refund.bonus_taken, refund.amount_paid), (120, 700))
        return self.pay_invoice_from_card(self.card_d.partner_id, 150)

    def report_row(self):
        self.env.flush_all()
        Report = self.env["loyalty.stored.value.report"]
        Report.invalidate_model()
        return Report.search([("program_id", "=", self.day_program.id)])

    # --- the day --------------------------------------------------------------

    def test_mixed_day_books_every_account(self):
        invoice, payment = self.day()
        cashier_session = self.session_of(self.cashier)
        self.assertEqual(
            (
                cashier_session.topup_count,
                cashier_session.consumption_count,
                cashier_session.reversal_count,
            ),
            (4, 4, 1),
        )
        # Cash: 1000 + 200 top-ups, 60 of C1.
        self.assertEqual(cashier_session.cash_expected, 1260)
        manager_session = self.session_of(self.manager)
        self.assertEqual(manager_session.cash_expected, -700)
        # Before the closings the open sessions hold the day's stored value.
        row = self.report_row()
        self.assertEqual(
            (row.booked_balance, row.open_session_balance, row.card_balance),
            (-150, 1270, 1120),
        )
        self.assertEqual(row.difference, 0)
        cashier_session = self.close(self.cashier, cash_counted=1260)
        manager_session = self.close(self.manager)

        program = self.day_program.with_company(self.company)
        cash = self.cash.journal_id.default_account_id
        bank = self.wechat.journal_id.default_account_id
        self.assertEqual(self.bank_card.journal_id.default_account_id, bank)
        stored_value = program.stored_value_account_id
        expense = program.bonus_expense_account_id
        self.assertEqual(program.points_expense_account_id, expense)
        income = program.counter_income_account_id
        self.assertEqual(invoice.invoice_line_ids.account_id, income)
        tax = self.tax.invoice_repartition_line_ids.filtered(
            lambda r: r.repartition_type == "tax"
        ).account_id
        receivable = invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        ).account_id
        self.assertEqual(len({cash, bank, stored_value, expense, income, tax}), 6)
        self.assertEqual(
            self.account_totals(cashier_session.move_id),
            {
                cash.code: 1260.00,
                bank.code: 1639.10,
                stored_value.code: -2090.00,
                expense.code: 300.00,
                income.code: -964.43,
                tax.code: -144.67,
            },
        )
        self.assertEqual(
            self.account_totals(manager_session.move_id),
            {cash.code: -700.00, stored_value.code: 820.00, expense.code: -120.00},
        )
        day_moves = (
            cashier_session.move_id
            | manager_session.move_id
            | invoice
            | payment.move_id
        )
        self.assertEqual(set(day_moves.mapped("state")), {"posted"})
        totals = self.account_totals(day_moves)
        self.assertEqual(
            totals,
            {
                cash.code: 560.00,
                bank.code: 1639.10,
                stored_value.code: -1120.00,
                expense.code: 180.00,
                income.code: -1114.43,
                tax.code: -144.67,
            },
        )
        self.assertNotIn(receivable.code, totals, "the invoice is paid off")
        self.assertAlmostEqual(sum(totals.values()), 0, places=2)
        # The liability equals the cards: 620 + 450 + 0 + 50.
        self.assertEqual(self.day_cards.mapped("balance"), [620.0, 450.0, 0.0, 50.0])
        self.assertEqual(
            -totals[stored_value.code], sum(self.day_cards.mapped("balance"))
        )
        row = self.report_row()
        self.assertEqual(
            (
                row.booked_balance,
                row.open_session_balance,
                row.card_balance,
                row.difference,
            ),
            (1120, 0, 1120, 0),
        )
        self.assertLedgerConsistent(*self.day_cards)
        check = self.env["loyalty.ledger.check"]._run(self.company)
        self.assertEqual(check.state, "ok")
        self.assertFalse(check.line_ids)
        # The books differ from the cards only by the base cards' opening
        # balances (500 and 100, given at creation in the other programme).
        self.assertEqual(check.books_difference, 600)

    # --- what the day refuses -------------------------------------------------

    def test_second_currency_refused(self):
        """A programme whose currency is not the company's: every operation
        that would book it is refused, nothing changes. (Top-up and
        consumption: also TestAccounting.test_second_currency_refused.)"""
        self.topup(self.card_c, 1000, self.cash)
        other_currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("id", "!=", self.company.currency_id.id)], limit=1)
        )
        other_currency.active = True
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE loyalty_program SET currency_id = %s WHERE id = %s",
            [other_currency.id, self.day_program.id],
        )
        self.env.invalidate_all()
        card = self.card_c
        with self.assertNothingChanges(UserError, "another currency", card):
            self.topup(card, 100, self.cash)
        with self.assertNothingChanges(UserError, "another currency", card):
            self.confirm(card_id=card.id, amount=10, payment_method_id=self.cash.id)
        with self.assertNothingChanges(UserError, "another currency", card):
            self.refund(card, 100, self.cash)

    def test_other_company_card_refused(self):
        """A card of another company: the counter of this one refuses it,
        whoever works at both. (Consumption: also
        TestCounter.test_wrong_company; invoice payment:
        TestInvoicePayment.test_other_company_card_refused.)"""
        company_b = self.env["res.company"].create({"name": "Day Company B"})
        program_b = self.env["loyalty.program"].create(
            {
                "name": "Company B Members",
                "program_type": "loyalty",
                "is_member_program": True,
                "company_id": company_b.id,
                "reward_ids": [Command.create({"required_points": 100})],
            }
        )
        card_b = self.env["loyalty.card"].create(
            {"program_id": program_b.id, "partner_id": self.other.id}
        )
        # Of company A only: the card does not exist for them.
        with self.assertNothingChanges(UserError, "No member card", card_b):
            self.topup(card_b, 100, self.cash)
        # Of both, working in A: refused, told where the card belongs.
        for user in (self.cashier, self.manager):
            user.company_ids = [Command.link(company_b.id)]
        both = {"allowed_company_ids": [self.company.id, company_b.id]}
        with self.assertNothingChanges(UserError, "Day Company B", card_b):
            self.env["loyalty.counter"].with_user(self.cashier).with_context(
                **both
            ).topup(
                {
                    "card_id": card_b.id,
                    "amount": 100,
                    "payment_method_id": self.cash.id,
                    "idempotency_key": self.key(),
                }
            )
        with self.assertNothingChanges(UserError, "Day Company B", card_b):
            self.env["loyalty.counter"].with_user(self.cashier).with_context(
                **both
            ).confirm(
                {"card_id": card_b.id, "amount": 10, "idempotency_key": self.key()}
            )
        with self.assertNothingChanges(UserError, "Day Company B", card_b):
            self.env["loyalty.card.refund"].with_user(self.manager).with_context(
                **both
            ).create(
                {
                    "card_id": card_b.id,
                    "amount": 1,
                    "payment_method_id": self.cash.id,
                    "reason": "Wrong company",
                    "idempotency_key": self.key(),
                }
            )
        self.assertFalse(
            self.Session.search([("company_id", "=", company_b.id)]),
            "no session opened in company B",
        )
