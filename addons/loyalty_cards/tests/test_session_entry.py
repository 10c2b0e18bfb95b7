from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestSessionEntry(LoyaltyCase):
    """A closed session's entry is posted in the company's counter journal
    and stays as posted: an accountant corrects it by a reversal, never by
    a reset to draft, a cancel, an edit or a deletion. The closing dialog
    shows a session only to those who may close it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company, install_demo=False
        )
        cls.cash = cls.env["loyalty.payment.method"].search(
            [("company_id", "=", cls.company.id), ("code", "=", "cash")]
        )
        cls.billing = mail_new_test_user(
            cls.env,
            login="loyalty_billing",
            name="Billing User",
            groups="base.group_user,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.Session = cls.env["loyalty.counter.session"]

    def topup(self, amount=100, user=None):
        user = user or self.cashier
        self.as_user(user, "loyalty.counter").topup(
            {
                "card_id": self.card.id,
                "amount": amount,
                "payment_method_id": self.cash.id,
                "idempotency_key": self.key(),
            }
        )
        return self.Session.search(
            [
                ("user_id", "=", user.id),
                ("company_id", "=", self.company.id),
                ("state", "=", "open"),
            ]
        )

    def closed_session(self, amount=100):
        session = self.topup(amount)
        self.as_user(self.cashier, "loyalty.counter.session").browse(
            session.id
        ).action_close()
        self.assertEqual(session.state, "closed")
        return session

    def stored_value_difference(self):
        self.env.flush_all()
        self.env.invalidate_all()
        report = self.env["loyalty.stored.value.report"].search(
            [("program_id", "=", self.program.id)]
        )
        return report.booked_balance, report.difference

    # --- the counter journal --------------------------------------------------

    def test_entries_in_the_counter_journal(self):
        journal = self.company.loyalty_counter_journal_id
        self.assertEqual(
            (journal.name, journal.code, journal.type, journal.company_id),
            ("Member Card Counter", "CNTR", "general", self.company),
        )
        first = self.closed_session().move_id
        second = self.closed_session(50).move_id
        self.assertEqual(first.journal_id, journal)
        self.assertEqual(second.journal_id, journal)
        self.assertTrue(first.name.startswith("CNTR/"), first.name)
        self.assertEqual(first.sequence_prefix, second.sequence_prefix)
        self.assertEqual(second.sequence_number, first.sequence_number + 1)
        # No customer invoice number was taken.
        self.assertFalse(
            self.env["account.move"].search_count(
                [
                    ("journal_id.type", "=", "sale"),
                    ("ref", "in", [first.ref, second.ref]),
                ]
            )
        )
        # The setup is idempotent: run again, it keeps the journal.
        self.env["loyalty.program"]._accounting_setup(self.company)
        self.assertEqual(self.company.loyalty_counter_journal_id, journal)
        self.assertEqual(
            self.env["account.journal"].search_count(
                [("company_id", "=", self.company.id), ("code", "=like", "CNT%")]
            ),
            1,
        )

    def test_counter_journal_comes_with_the_chart(self):
        company = self.env["res.company"].create({"name": "Chart Later Co"})
        self.assertFalse(company.loyalty_counter_journal_id)
        self.env["account.chart.template"].try_loading(
            "generic_coa", company=company, install_demo=False
        )
        journal = company.loyalty_counter_journal_id
        self.assertEqual((journal.code, journal.type), ("CNTR", "general"))
        other = self.env["res.company"].create({"name": "Taken Code Co"})
        self.env["account.chart.template"].try_loading(
            "generic_coa", company=other, install_demo=False
        )
        # A journal of the company already holds the code: the next one.
        other.loyalty_counter_journal_id = False
        self.env["loyalty.program"]._accounting_setup(other)
        self.assertEqual(other.loyalty_counter_journal_id.code, "CNT1")

    # --- the entry stays as posted --------------------------------------------

    def test_billing_user_cannot_undo_a_session_entry(self):
        session = self.closed_session()
        move = session.move_id
        before = self.stored_value_difference()
        Move = self.env["account.move"].with_user(self.billing)
        billing_move = Move.browse(move.id)
        self.assertFalse(billing_move.show_reset_to_draft_button)
        line = billing_move.line_ids.filtered("loyalty_program_id")
        attempts = (
            billing_move.button_draft,
            billing_move.button_cancel,
            billing_move.unlink,
            lambda: billing_move.write({"state": "draft"}),
            lambda: billing_move.write({"state": "cancel"}),
            lambda: billing_move.write({"date": "2000-01-01"}),
            lambda: line.write({"credit": line.credit + 1}),
            lambda: line.write(
                {"account_id": self.cash.journal_id.default_account_id.id}
            ),
            lambda: billing_move.write(
                {
                    "line_ids": [
                        Command.create({"account_id": line.account_id.id, "debit": 1}),
                        Command.create({"account_id": line.account_id.id, "credit": 1}),
                    ]
                }
            ),
        )
        for attempt in attempts:
            with self.assertRaisesMessage(
                UserError, "corrections go through reversals"
            ):
                attempt()
        # Not even as the superuser.
        with self.assertRaisesMessage(UserError, "corrections go through reversals"):
            move.sudo().button_draft()
        self.env.invalidate_all()
        self.assertEqual(move.state, "posted")
        self.assertEqual(len(move.line_ids), 2)
        self.assertEqual(self.stored_value_difference(), before)
        self.assertEqual(session.state, "closed")
        # The correction: a reversal.
        reversal = move._reverse_moves()
        self.assertEqual(reversal.reversed_entry_id, move)

    def test_other_entries_still_reset_to_draft(self):
        self.closed_session()
        journal = self.env["account.journal"].search(
            [
                ("company_id", "=", self.company.id),
                ("type", "=", "general"),
                ("id", "!=", self.company.loyalty_counter_journal_id.id),
            ],
            limit=1,
        )
        account = self.cash.journal_id.default_account_id
        Move = self.env["account.move"].with_user(self.billing)
        move = Move.create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "line_ids": [
                    Command.create({"account_id": account.id, "debit": 10}),
                    Command.create({"account_id": account.id, "credit": 10}),
                ],
            }
        )
        move.action_post()
        self.assertTrue(move.show_reset_to_draft_button)
        move.button_draft()
        self.assertEqual(move.state, "draft")
        move.button_cancel()
        self.assertEqual(move.state, "cancel")

    # --- the closing dialog ---------------------------------------------------

    def test_close_dialog_only_for_who_may_close(self):
        session = self.topup()
        Wizard = self.env["loyalty.counter.session.close"]
        count = Wizard.sudo().search_count([])
        other = self.cashier.copy({"login": "loyalty_cashier_other"})
        company_b = self.env["res.company"].create({"name": "Other Dialog Co"})
        cashier_b = mail_new_test_user(
            self.env,
            login="loyalty_cashier_b",
            name="Cashier B",
            groups="base.group_user,loyalty_cards.group_loyalty_cashier",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        for user, company in ((other, self.company), (cashier_b, company_b)):
            as_user = Wizard.with_user(user).with_context(
                allowed_company_ids=company.ids
            )
            # (The user may read their own company's sessions: none here.)
            self.assertFalse(
                self.env["loyalty.counter.session"]
                .with_user(user)
                .with_context(allowed_company_ids=company.ids)
                .search([("id", "=", session.id)])
            )
            with self.assertRaises(AccessError):
                as_user.create({"session_id": session.id})
            with self.assertRaises(AccessError):
                as_user.with_context(default_session_id=session.id).default_get(
                    ["session_id", "cash_expected"]
                )
            with self.assertRaises(AccessError):
                as_user.with_context(default_session_id=session.id).create({})
        as_cashier = Wizard.with_user(self.cashier).with_company(self.company)
        for bad in ("1", -1, 0, 2**31, 1.0, True, None, [session.id], 99999999):
            with self.assertRaises(UserError):
                as_cashier.create({"session_id": bad})
        self.assertEqual(Wizard.sudo().search_count([]), count)
        # Its cashier (and a manager) open it and see the cash expected.
        for user in (self.cashier, self.manager):
            wizard = (
                Wizard.with_user(user)
                .with_company(self.company)
                .create({"session_id": session.id})
            )
            self.assertEqual(wizard.cash_expected, 100)
        wizard.action_close()
        self.assertEqual(session.state, "closed")
