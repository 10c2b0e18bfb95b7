import logging
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.loyalty_cards.models import loyalty_counter_session
from odoo.addons.mail.tests.common import mail_new_test_user

from .common import LoyaltyCase

LOGGER = "odoo.addons.loyalty_cards.models.loyalty_counter_session"


@tagged("post_install", "-at_install")
class TestSessionCron(LoyaltyCase):
    """The nightly closing walks the open sessions after its cursor: the
    sessions that cannot be posted (here a company without a chart of
    accounts) are logged by name and skipped, never raised, and never hold
    back the closable sessions behind them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company, install_demo=False
        )
        cls.cash = cls.env["loyalty.payment.method"].search(
            [("company_id", "=", cls.company.id), ("code", "=", "cash")]
        )
        # A company without a chart: its payment methods have no journal.
        cls.company_nc = cls.env["res.company"].create({"name": "No Chart Co"})
        cls.program_nc = cls.env["loyalty.program"].create(
            {
                "name": "Chartless Card",
                "program_type": "loyalty",
                "is_member_program": True,
                "company_id": cls.company_nc.id,
                "reward_ids": [Command.create({"required_points": 100})],
            }
        )
        cls.cash_nc = cls.env["loyalty.payment.method"].search(
            [("company_id", "=", cls.company_nc.id), ("code", "=", "cash")]
        )
        cls.card_nc = (
            cls.env["loyalty.card"]
            .with_company(cls.company_nc)
            .create(
                {
                    "program_id": cls.program_nc.id,
                    "partner_id": cls.env["res.partner"]
                    .create({"name": "Chartless Member"})
                    .id,
                }
            )
        )
        cls.cashiers_nc = [
            mail_new_test_user(
                cls.env,
                login=login,
                name=login,
                groups="base.group_user,loyalty_cards.group_loyalty_cashier",
                company_id=cls.company_nc.id,
                company_ids=[Command.set(cls.company_nc.ids)],
            )
            for login in ("cashier_nc_1", "cashier_nc_2")
        ]
        cls.Session = cls.env["loyalty.counter.session"]
        # The sessions of the database (demo) are not this test's.
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE loyalty_counter_session SET state = 'closed' WHERE state = 'open'"
        )
        cls.env.invalidate_all()

    def topup(self, user, company, card, method, amount=100):
        self.env["loyalty.counter"].with_user(user).with_context(
            allowed_company_ids=company.ids
        ).topup(
            {
                "card_id": card.id,
                "amount": amount,
                "payment_method_id": method.id,
                "idempotency_key": self.key(),
            }
        )
        return self.Session.search(
            [
                ("user_id", "=", user.id),
                ("company_id", "=", company.id),
                ("state", "=", "open"),
            ]
        )

    def run_cron(self):
        """One call of the scheduled action, with batches of 2 (standing in
        for 50): (sessions tried, sessions remaining, the progress reported,
        the ERROR lines logged)."""
        Cron = self.env.registry["ir.cron"]
        with (
            patch.object(loyalty_counter_session, "CLOSE_BATCH", 2),
            patch.object(Cron, "_notify_progress", autospec=True) as notify,
            self.assertLogs(LOGGER, level="DEBUG") as logs,
        ):
            # (assertLogs wants one line at least, the call may log none.)
            logging.getLogger(LOGGER).debug("Nightly closing called by the test.")
            result = self.Session._cron_close()
        errors = [
            record.getMessage()
            for record in logs.records
            if record.levelname == "ERROR"
        ]
        return result, notify.call_args.kwargs, errors

    def test_failing_sessions_do_not_hold_back_the_others(self):
        bad1 = self.topup(
            self.cashiers_nc[0], self.company_nc, self.card_nc, self.cash_nc
        )
        bad2 = self.topup(
            self.cashiers_nc[1], self.company_nc, self.card_nc, self.cash_nc
        )
        good = self.topup(self.cashier, self.company, self.card, self.cash)
        self.assertEqual(len(bad1 | bad2 | good), 3)
        self.assertLess(bad1.id, bad2.id)
        self.assertLess(bad2.id, good.id)
        # Night 1, call 1: the first batch fails entirely, each session is
        # named, nothing raises, and the closable one remains to be tried.
        result, progress, errors = self.run_cron()
        self.assertEqual(result, (2, 1))
        self.assertEqual(progress, {"done": 2, "remaining": 1})
        self.assertEqual(
            errors,
            [
                f"Closing counter session {session.name} failed; skipped, "
                "the job goes on."
                for session in (bad1, bad2)
            ],
        )
        self.assertEqual((bad1.state, bad2.state, good.state), ("open",) * 3)
        # Call 2 goes past them to the closable session.
        result, progress, errors = self.run_cron()
        self.assertEqual(result, (1, 0))
        self.assertEqual(progress, {"done": 1, "remaining": 0})
        self.assertEqual(errors, [])
        self.assertEqual(good.state, "closed")
        self.assertEqual(good.move_id.state, "posted")
        self.assertFalse(bad1.move_id | bad2.move_id)
        # The end was reached: the cursor is forgotten, the next run starts
        # over, fails again on the two, logs them and does not raise.
        self.assertFalse(
            self.env["ir.config_parameter"].get_param(
                loyalty_counter_session.CLOSE_CURSOR
            )
        )
        result, progress, errors = self.run_cron()
        self.assertEqual(result, (2, 0))
        self.assertEqual(progress, {"done": 2, "remaining": 0})
        self.assertEqual(len(errors), 2)
        self.assertEqual((bad1.state, bad2.state), ("open", "open"))

    def test_cursor_of_another_day_is_ignored(self):
        good = self.topup(self.cashier, self.company, self.card, self.cash)
        # A cursor left by an earlier night (past this session) is not
        # this night's: the closing starts over.
        self.env["ir.config_parameter"].set_param(
            loyalty_counter_session.CLOSE_CURSOR, f"2000-01-01:{good.id + 1000}"
        )
        result, progress, _errors = self.run_cron()
        self.assertEqual(result, (1, 0))
        self.assertEqual(good.state, "closed")
        # This night's cursor holds: a session before it waits for the end.
        other = self.topup(self.cashier, self.company, self.card, self.cash)
        today = fields.Date.context_today(self.Session)
        self.env["ir.config_parameter"].set_param(
            loyalty_counter_session.CLOSE_CURSOR, f"{today}:{other.id}"
        )
        result, progress, _errors = self.run_cron()
        self.assertEqual(result, (0, 0))
        self.assertEqual(other.state, "open")
        result, progress, _errors = self.run_cron()
        self.assertEqual(result, (1, 0))
        self.assertEqual(other.state, "closed")
