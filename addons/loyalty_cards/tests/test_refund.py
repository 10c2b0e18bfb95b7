from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PIN, LoyaltyCase


@tagged("post_install", "-at_install")
class TestRefund(LoyaltyCase):
    """Refunds of unused balance, with figures computed by hand on the
    generic chart of accounts. The programme's bonus table gives 120 on a
    top-up of 1000."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company, install_demo=False
        )
        methods = cls.env["loyalty.payment.method"].search(
            [("company_id", "=", cls.company.id)]
        )
        cls.cash, cls.wechat = (
            methods.filtered(lambda m, code=code: m.code == code)
            for code in ("cash", "wechat")
        )
        cls.Refund = cls.env["loyalty.card.refund"]
        cls.Session = cls.env["loyalty.counter.session"]
        cls.buyer = cls.env["res.partner"].create({"name": "Refunded Member"})
        cls.buyer_card = cls.make_card(cls.buyer)
        cls.buyer_card._pin_set_new(PIN, PIN)

    # --- helpers --------------------------------------------------------------

    def spend_day(self):
        """Top-up 1000 in cash (bonus 120), a purchase of 300 paid with the
        balance: 820 left on the card."""
        self.as_user(self.cashier, "loyalty.counter").topup(
            {
                "card_id": self.buyer_card.id,
                "amount": 1000,
                "payment_method_id": self.cash.id,
                "idempotency_key": self.key(),
            }
        )
        self.confirm(
            card_id=self.buyer_card.id,
            amount=300,
            balance_used=300,
            pin=PIN,
            payment_method_id=self.cash.id,
        )
        self.assertEqual(self.buyer_card.balance, 820)

    def refund(self, amount, user=None, **values):
        values.setdefault("card_id", self.buyer_card.id)
        values.setdefault("payment_method_id", self.cash.id)
        values.setdefault("reason", "Customer moves away")
        values.setdefault("idempotency_key", self.key())
        return self.as_user(user or self.manager, "loyalty.card.refund").create(
            {"amount": amount, **values}
        )

    def session_of(self, user):
        return self.Session.search(
            [
                ("user_id", "=", user.id),
                ("company_id", "=", self.company.id),
                ("state", "=", "open"),
            ]
        )

    def account_totals(self, move):
        totals = {}
        for line in move.line_ids:
            code = line.account_id.code
            totals[code] = round(totals.get(code, 0.0) + line.balance, 2)
        return totals

    def refund_snapshot(self):
        return self.snapshot(self.buyer_card), self.Refund.sudo().search_count([])

    def ledger_rows(self, kinds):
        return self.Ledger.search(
            [("card_id", "=", self.buyer_card.id), ("kind", "in", kinds)], order="id"
        )

    # --- figures --------------------------------------------------------------

    def test_refund_paid_first_books_and_cards(self):
        """Purchases use the money paid first (the default): of the 820 left,
        120 is the unused bonus, taken back; 700 is paid back in cash."""
        self.assertEqual(self.program.refund_bonus_rule, "paid_first")
        self.spend_day()
        self.env.flush_all()
        report = self.env["loyalty.stored.value.report"].search(
            [("program_id", "=", self.program.id)]
        )
        # The base cards' 500 and 100 were given at creation: no session
        # books them, before and after the refund alike.
        self.assertEqual(report.difference, 600)
        refund = self.refund(820)
        self.assertEqual(
            (refund.amount, refund.bonus_taken, refund.amount_paid),
            (820, 120, 700),
        )
        self.assertEqual((refund.balance_after, self.buyer_card.balance), (0, 0))
        self.assertEqual(refund.partner_id, self.buyer)
        self.assertEqual(refund.user_id, self.manager)
        self.assertTrue(refund.name.startswith("REF/"))
        rows = self.ledger_rows(["refund", "refund_bonus"])
        self.assertEqual(
            [(r.kind, r.delta, r.value_after) for r in rows],
            [("refund_bonus", -120, 700), ("refund", -700, 0)],
        )
        self.assertEqual(rows.mapped("ledger_description")[1], f"Refund {refund.name}")
        self.assertLedgerConsistent(self.buyer_card)
        # The manager's counter session holds it: 700 cash leaves the till.
        session = self.session_of(self.manager)
        self.assertEqual(refund.session_id, session)
        self.assertEqual(
            (session.refund_total, session.refund_bonus_total, session.cash_expected),
            (700, 120, -700),
        )
        # Open sessions: the liability equals the cards' balances.
        self.env.flush_all()
        report.invalidate_recordset()
        self.assertEqual(
            report.booked_balance + report.open_session_balance + report.difference,
            report.card_balance,
        )
        self.assertEqual(report.difference, 600)
        self.assertEqual(report.open_session_balance, 1120 - 300 - 820)
        self.as_user(self.manager, "loyalty.counter.session").browse(
            session.id
        ).action_close()
        program = self.program.with_company(self.company)
        cash_account = self.cash.journal_id.default_account_id
        expected = {
            # 820 off the stored value owed; 700 paid back in cash.
            program.stored_value_account_id.code: 820.00,
            cash_account.code: -700.00,
            # The bonus taken back reverses its expense.
            program.bonus_expense_account_id.code: -120.00,
        }
        self.assertEqual(self.account_totals(session.move_id), expected)
        self.assertEqual(session.cash_difference, 0)
        self.as_user(self.cashier, "loyalty.counter.session").browse(
            self.session_of(self.cashier).id
        ).action_close()
        # All posted: the books hold exactly the cards' balances (beyond the
        # 600 given at creation).
        self.env.flush_all()
        report.invalidate_recordset()
        self.assertEqual(report.open_session_balance, 0)
        self.assertEqual(report.booked_balance, 0)
        self.assertEqual(report.card_balance, 600)
        check = self.env["loyalty.ledger.check"]._run(self.company)
        self.assertEqual((check.state, check.books_difference), ("ok", 600))

    def test_refund_bonus_first(self):
        """Purchases use the bonus first: the 300 spent used the 120 bonus
        and 180 paid; all 820 left is paid money, paid back."""
        self.program.refund_bonus_rule = "bonus_first"
        self.spend_day()
        preview = self.Refund.with_user(self.manager).new(
            {"card_id": self.buyer_card.id, "amount": 820}
        )
        self.assertEqual(
            (preview.unused_bonus, preview.bonus_preview, preview.paid_preview),
            (0, 0, 820),
        )
        refund = self.refund(500, payment_method_id=self.wechat.id)
        self.assertEqual((refund.bonus_taken, refund.amount_paid), (0, 500))
        self.assertEqual(self.buyer_card.balance, 320)
        self.assertEqual(self.session_of(self.manager).cash_expected, 0)
        self.assertLedgerConsistent(self.buyer_card)

    def test_reversed_purchase_gives_its_bonus_back_as_bonus(self):
        """Purchases use the bonus first: the 300 spent used the 120 bonus
        and 180 paid. Reversing it gives the 300 back where it came from
        (bonus first): 120 of bonus again, and a refund of the whole 1120
        pays back the 1000 paid only, never the bonus."""
        self.program.refund_bonus_rule = "bonus_first"
        self.spend_day()
        consumption = self.env["loyalty.consumption"].search(
            [("card_id", "=", self.buyer_card.id)], order="id desc", limit=1
        )
        self.as_user(self.manager, "loyalty.counter").reverse(
            {
                "consumption_id": consumption.id,
                "full": True,
                "reason": "Returned goods",
                "idempotency_key": self.key(),
            }
        )
        self.assertEqual(self.buyer_card.balance, 1120)
        preview = self.Refund.with_user(self.manager).new(
            {"card_id": self.buyer_card.id, "amount": 1120}
        )
        self.assertEqual(
            (preview.unused_bonus, preview.bonus_preview, preview.paid_preview),
            (120, 120, 1000),
        )
        refund = self.refund(1120)
        self.assertEqual((refund.bonus_taken, refund.amount_paid), (120, 1000))
        self.assertEqual(self.buyer_card.balance, 0)
        self.assertLedgerConsistent(self.buyer_card)

    def test_partial_refunds_take_the_bonus_first(self):
        """Paid money first: refunds take the unused bonus back before paying
        money: 100 takes back 100 of bonus (nothing paid), then 720 takes the
        20 bonus left and pays 700."""
        self.spend_day()
        preview = self.Refund.with_user(self.manager).new(
            {"card_id": self.buyer_card.id, "amount": 100}
        )
        self.assertEqual(
            (preview.card_balance, preview.unused_bonus, preview.bonus_preview),
            (820, 120, 100),
        )
        self.assertEqual(preview.paid_preview, 0)
        first = self.refund(100)
        self.assertEqual((first.bonus_taken, first.amount_paid), (100, 0))
        second = self.refund(720)
        self.assertEqual((second.bonus_taken, second.amount_paid), (20, 700))
        self.assertEqual(self.buyer_card.balance, 0)
        # A later top-up brings new bonus: 500 gives 50; its spending (paid
        # money first) leaves the bonus whole.
        self.as_user(self.cashier, "loyalty.counter").topup(
            {
                "card_id": self.buyer_card.id,
                "amount": 500,
                "payment_method_id": self.cash.id,
                "idempotency_key": self.key(),
            }
        )
        self.confirm(card_id=self.buyer_card.id, amount=200, balance_used=200, pin=PIN)
        third = self.refund(350)
        self.assertEqual((third.bonus_taken, third.amount_paid), (50, 300))
        self.assertLedgerConsistent(self.buyer_card)
        session = self.session_of(self.manager)
        self.assertEqual(
            (session.refund_count, session.refund_total, session.refund_bonus_total),
            (3, 1000, 170),
        )

    def test_opening_balance_counts_as_paid(self):
        """A balance given at creation or by an adjustment is no bonus: it is
        paid back (the base card holds 500 given at its creation)."""
        refund = self.refund(200, card_id=self.card.id)
        self.assertEqual((refund.bonus_taken, refund.amount_paid), (0, 200))
        self.assertEqual(self.card.balance, 300)

    # --- bad input ------------------------------------------------------------

    def test_bad_input_changes_nothing(self):
        self.spend_day()
        before = self.refund_snapshot()
        coupon = self.Card.create(
            {"program_id": self.coupon_program.id, "partner_id": self.buyer.id}
        )
        company_b = self.env["res.company"].create({"name": "Other Refund Company"})
        foreign_method = self.env["loyalty.payment.method"].search(
            [("company_id", "=", company_b.id)], limit=1
        )
        cases = [
            ({"amount": 820.01}, "balance is only"),
            ({"amount": 10**6}, "balance is only"),
            ({"amount": 0}, "more than zero"),
            ({"amount": -5}, "cannot be negative"),
            ({"amount": float("nan")}, "must be a number"),
            ({"amount": float("inf")}, "must be a number"),
            ({"amount": "abc"}, "must be a number"),
            ({"amount": "1" * 10_000}, "must be a number"),
            ({"amount": "1" * 20}, "cannot exceed"),
            ({"amount": None}, "must be a number"),
            ({"amount": True}, "must be a number"),
            ({"amount": 10, "reason": ""}, "reason"),
            ({"amount": 10, "reason": "   "}, "reason"),
            ({"amount": 10, "reason": False}, "reason"),
            ({"amount": 10, "reason": "x" * 10_000}, "reason"),
            ({"amount": 10, "reason": "bad\x00byte"}, "reason"),
            ({"amount": 10, "payment_method_id": False}, "paid back"),
            ({"amount": 10, "payment_method_id": 10**12}, "payment method"),
            ({"amount": 10, "payment_method_id": "cash"}, "payment method"),
            ({"amount": 10, "payment_method_id": foreign_method.id}, "payment method"),
            ({"amount": 10, "card_id": 10**12}, "No member card"),
            ({"amount": 10, "card_id": -1}, "No member card"),
            ({"amount": 10, "card_id": "1; DROP"}, "No member card"),
            ({"amount": 10, "card_id": False}, "No member card"),
            ({"amount": 10, "card_id": coupon.id}, "not a member card"),
            ({"amount": 10, "idempotency_key": "x"}, "request key"),
            ({"amount": 10, "idempotency_key": "a" * 10_000}, "request key"),
        ]
        for values, pattern in cases:
            with self.subTest(values=str(values)[:80]):
                amount = values.pop("amount")
                with self.assertRaisesRegex(UserError, pattern):
                    self.refund(amount, **values)
                self.assertEqual(self.refund_snapshot(), before)
        self.assertFalse(self.session_of(self.manager).refund_ids)
        with self.assertRaises(UserError):
            self.as_user(self.manager, "loyalty.card.refund").create(["not a dict"])
        self.assertEqual(self.refund_snapshot(), before)

    def test_idempotent_key(self):
        self.spend_day()
        key = self.key()
        first = self.refund(300, idempotency_key=key)
        again = self.refund(300, idempotency_key=key)
        self.assertEqual(again, first)
        self.assertEqual(self.buyer_card.balance, 520)
        self.assertEqual(len(self.ledger_rows(["refund", "refund_bonus"])), 2)
        before = self.refund_snapshot()
        with self.assertRaisesRegex(UserError, "another operation"):
            self.refund(200, idempotency_key=key)
        # A key used by another operation (a top-up) is refused too.
        topup_key = self.key()
        self.as_user(self.cashier, "loyalty.counter").topup(
            {"card_id": self.card.id, "amount": 10, "idempotency_key": topup_key}
        )
        before = self.refund_snapshot()
        with self.assertRaisesRegex(UserError, "another operation"):
            self.refund(10, idempotency_key=topup_key)
        self.assertEqual(self.refund_snapshot(), before)

    # --- access ---------------------------------------------------------------

    def test_only_managers_refund(self):
        self.spend_day()
        refund = self.refund(100)
        before = self.refund_snapshot()
        for user in (self.cashier, self.portal_user):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.refund(100, user=user)
                with self.assertRaises(AccessError):
                    self.Card.with_user(user).browse(self.buyer_card.id).action_refund()
        # Direct writes over RPC, whoever sends them.
        for user in (self.cashier, self.manager):
            Refund = self.as_user(user, "loyalty.card.refund")
            for values in (
                {"amount": 1},
                {"amount_paid": 0, "bonus_taken": 100},
                {"reason": "changed"},
                {"session_id": False},
            ):
                # (AccessError is a UserError.)
                with self.assertRaises(UserError):
                    Refund.browse(refund.id).write(values)
            with self.assertRaises(UserError):
                Refund.browse(refund.id).unlink()
        # A manager cannot choose the computed parts of a refund.
        sneaky = self.refund(
            100, bonus_taken=0, amount_paid=100, balance_after=9999, session_id=False
        )
        self.assertEqual((sneaky.bonus_taken, sneaky.amount_paid), (20, 80))
        self.assertEqual(sneaky.session_id, self.session_of(self.manager))
        self.assertEqual(self.buyer_card.balance, 620)
        # Nor through defaults in the context of the request.
        Refund = self.as_user(self.manager, "loyalty.card.refund").with_context(
            default_program_id=self.coupon_program.id,
            default_amount_paid=100,
            default_bonus_taken=0,
            default_user_id=self.cashier.id,
        )
        sneaky = Refund.create(
            {
                "card_id": self.buyer_card.id,
                "amount": 20,
                "payment_method_id": self.cash.id,
                "reason": "Defaults",
            }
        )
        self.assertEqual((sneaky.bonus_taken, sneaky.amount_paid), (0, 20))
        self.assertEqual(sneaky.user_id, self.manager)
        self.assertEqual(self.buyer_card.program_id, self.program)
        self.assertEqual(self.buyer_card.balance, 600)
        self.assertEqual(self.refund_snapshot()[1], before[1] + 2)
        # The cashier reads refunds (own session totals), the portal does not.
        self.assertTrue(self.as_user(self.cashier, "loyalty.card.refund").search([]))
        with self.assertRaises(AccessError):
            self.env["loyalty.card.refund"].with_user(self.portal_user).search([])
        # Nor can the balance move by a write on the card.
        with self.assertRaises(UserError):
            self.Card.with_user(self.manager).browse(self.buyer_card.id).write(
                {"balance": 0}
            )
        self.assertEqual(refund.amount, 100)

    def test_other_company_card_refused(self):
        company_b = self.env["res.company"].create({"name": "Refund Company B"})
        self.manager.company_ids |= company_b
        Refund = (
            self.env["loyalty.card.refund"]
            .with_user(self.manager)
            .with_company(company_b)
            .with_context(allowed_company_ids=(company_b | self.company).ids)
        )
        before = self.refund_snapshot()
        with self.assertRaisesRegex(UserError, "switch to that company"):
            Refund.create(
                {
                    "card_id": self.card.id,
                    "amount": 10,
                    "reason": "wrong shop",
                    "payment_method_id": self.cash.id,
                }
            )
        self.assertEqual(self.refund_snapshot(), before)

    def test_card_action_and_form(self):
        self.spend_day()
        action = self.Card.with_user(self.manager).browse(self.buyer_card.id)
        action = action.action_refund()
        self.assertEqual(action["res_model"], "loyalty.card.refund")
        defaults = (
            self.env["loyalty.card.refund"]
            .with_user(self.manager)
            .with_context(**action["context"])
            .default_get(["card_id", "amount"])
        )
        self.assertEqual(defaults, {"card_id": self.buyer_card.id, "amount": 820})
