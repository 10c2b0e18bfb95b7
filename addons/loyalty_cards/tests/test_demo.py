from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoActivity(TransactionCase):
    """The demo's counter work (``loyalty.demo._demo_activity``): two
    cashiers' sessions closed with the cash counted and posted, and the books
    agree with the cards. Runs only on a database installed with demo data
    and a chart of accounts."""

    def setUp(self):
        super().setUp()
        self.mei = self.env.ref(
            "loyalty_cards.user_demo_cashier_mei", raise_if_not_found=False
        )
        self.program = self.env.ref(
            "loyalty_cards.loyalty_program_demo_member", raise_if_not_found=False
        )
        if not (self.mei and self.program and self.env.company.chart_template):
            self.skipTest("Needs the demo data and a chart of accounts.")
        self.marc = self.env.ref("base.user_demo")
        self.Session = self.env["loyalty.counter.session"]

    def sessions_of(self, user):
        return self.Session.search(
            [("user_id", "=", user.id), ("company_id", "=", self.env.company.id)],
            order="id",
        )

    def test_two_cashiers_sessions_closed_and_posted(self):
        marc, mei = self.sessions_of(self.marc), self.sessions_of(self.mei)
        self.assertEqual((len(marc), len(mei)), (2, 2))
        for session in marc | mei:
            self.assertEqual(session.state, "closed", session.name)
            self.assertEqual(session.move_id.state, "posted", session.name)
            self.assertEqual(session.move_id.ref, session.name)
            lines = session.move_id.line_ids
            self.assertAlmostEqual(
                sum(lines.mapped("debit")), sum(lines.mapped("credit")), places=2
            )
        # Mei's first round: 88 in cash (lotus tea), 66 less 30 of balance
        # (portal member, no level discount) and 18 given back in cash for
        # the tea: 106 expected, 104 counted.
        first = mei[0]
        self.assertEqual(
            (first.cash_expected, first.cash_counted, first.cash_difference),
            (106, 104, -2),
        )
        loss = first.move_id.line_ids.filtered(
            lambda line: line.account_id == first._close_cash_journal().loss_account_id
        )
        self.assertEqual(loss.mapped("debit"), [2.0])
        # The others were counted as expected.
        for session in marc | mei[1]:
            self.assertEqual(session.cash_difference, 0, session.name)
            self.assertEqual(session.cash_counted, session.cash_expected, session.name)
        # Each consumption, top-up and refund of the demo is in a closed session.
        cards = self.env["loyalty.card"].search([("program_id", "=", self.program.id)])
        consumptions = self.env["loyalty.consumption"].search(
            [("card_id", "in", cards.ids)]
        )
        self.assertTrue(consumptions)
        self.assertEqual(set(consumptions.session_id.mapped("state")), {"closed"})

    def test_books_agree_with_cards(self):
        self.env.flush_all()
        report = self.env["loyalty.stored.value.report"].search(
            [("program_id", "=", self.program.id)]
        )
        cards = self.env["loyalty.card"].search([("program_id", "=", self.program.id)])
        self.assertEqual(report.card_balance, round(sum(cards.mapped("balance")), 2))
        self.assertEqual(
            (report.booked_balance, report.open_session_balance, report.difference),
            (report.card_balance, 0, 0),
        )
        self.assertTrue(report.card_balance)
        # The ledger check agrees: every card equals its ledger, books too.
        check = self.env["loyalty.ledger.check"]._run(self.env.company)
        self.assertEqual((check.state, check.books_difference), ("ok", 0))
