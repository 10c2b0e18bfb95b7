from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form

from ..tools import batching
from .common import RevisitCase

LOGGER = "odoo.addons.revisit_plan.models.revisit_record"


@freeze_time(RevisitCase.TODAY)
class TestOutcome(RevisitCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.make_customer("Outcome Customer", cls.gold, cls.sales1)

    def setUp(self):
        super().setUp()
        self.revisit = self.Record.schedule_revisit(
            self.customer, "Quarterly check", user=self.sales1
        ).with_user(self.sales1)

    def test_outcome_form_records_and_plans_follow_up(self):
        activity = self.revisit.activity_id
        action = self.revisit.action_record_outcome()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.sales1)
            .with_context(**action["context"])
        )
        self.assertEqual(wizard.channel, "phone", "from the Revisit call type")
        wizard.channel = "wechat"
        wizard.satisfaction = "4"
        wizard.feedback = "Happy with the new machine"
        wizard.issues = "Manual missing"
        wizard.follow_up = True
        wizard.follow_up_days = 5
        wizard.follow_up_note = "Bring the manual"
        result = wizard.save().action_confirm()
        revisit = self.revisit
        self.assertEqual(revisit.state, "done")
        self.assertEqual(revisit.date_done, self.TODAY)
        self.assertEqual(
            (revisit.channel, revisit.satisfaction, revisit.feedback, revisit.issues),
            ("wechat", 4, "Happy with the new machine", "Manual missing"),
        )
        self.assertTrue(revisit.follow_up_needed)
        self.assertFalse(activity.exists(), "the activity is done")
        self.assertIn(
            "Happy with the new machine",
            revisit.message_ids.mapped(lambda m: str(m.body)).__str__(),
        )
        follow_up = revisit.next_revisit_id
        self.assertEqual(result["res_id"], follow_up.id, "the next one is shown")
        self.assertEqual(follow_up.state, "planned")
        self.assertEqual(follow_up.date_due, self.TODAY + timedelta(days=5))
        self.assertEqual(follow_up.reason, "Bring the manual")
        self.assertEqual(follow_up.origin_ref, revisit)
        self.assertEqual(follow_up.activity_id.user_id, self.sales1)
        self.assertEqual(self.customer.date_last_revisit, self.TODAY)
        self.assertEqual(self.customer.last_revisit_satisfaction, 4)
        self.assertEqual(self.customer.date_next_revisit, follow_up.date_due)

    def test_revisit_planned_by_hand_in_the_form(self):
        form = Form(self.Record.with_user(self.sales1))
        form.partner_id = self.customer
        form.date_due = self.TODAY + timedelta(days=2)
        form.reason = "Promised a call back"
        revisit = form.save()
        self.assertEqual(revisit.user_id, self.sales1)
        self.assertEqual(revisit.activity_id.activity_type_id, self.call)
        self.assertEqual(revisit.activity_id.date_deadline, revisit.date_due)
        self.assertEqual(revisit.activity_id.summary, "Promised a call back")

    def test_mark_activity_done_without_form(self):
        self.revisit.activity_id.with_user(self.sales1).action_feedback(
            feedback="Done by phone"
        )
        self.assertEqual(self.revisit.state, "done")
        self.assertEqual(self.revisit.feedback, "Done by phone")
        self.assertEqual(self.revisit.channel, "phone")

    def test_cancelling_the_activity_cancels_the_revisit(self):
        self.revisit.activity_id.with_user(self.sales1).unlink()
        self.assertEqual(self.revisit.state, "cancelled")

    def test_rescheduling_the_activity_moves_the_revisit(self):
        new_date = self.TODAY + timedelta(days=9)
        self.revisit.activity_id.with_user(self.sales1).date_deadline = new_date
        self.assertEqual(self.revisit.date_due, new_date)

    def test_bad_outcome_changes_nothing(self):
        with self.assertRaisesMessage(ValidationError, "between 1 and 5, not 6"):
            self.revisit._record_outcome({"channel": "phone", "satisfaction": 6})
        with self.assertRaisesMessage(ValidationError, "between 1 and 5, not -1"):
            self.revisit.sudo().write({"satisfaction": -1})
        with self.assertRaisesMessage(UserError, "in the past"):
            self.revisit._record_outcome(
                {"channel": "phone", "follow_up": True, "follow_up_days": -3}
            )
        # Through the outcome form, as the salesperson: a follow-up beyond
        # what a person plans is refused.
        for days in (10_000_000, 3 * 365 + 1):
            wizard = (
                self.env["revisit.outcome"]
                .with_user(self.sales1)
                .create(
                    {
                        "revisit_id": self.revisit.id,
                        "channel": "phone",
                        "follow_up": True,
                        "follow_up_days": days,
                    }
                )
            )
            with self.assertRaisesMessage(UserError, "at most 1095 days ahead"):
                wizard.action_confirm()
        with self.assertRaisesMessage(UserError, "at most 1095; not 4000"):
            self.Record.schedule_revisit(self.customer, "Far away", delay_days=4000)
        with self.assertRaisesMessage(ValidationError, "between 1 and 5, not abc"):
            self.revisit._record_outcome({"channel": "phone", "satisfaction": "abc"})
        self.assertEqual(self.revisit.state, "planned")
        self.assertEqual(self.revisit.satisfaction, 0)
        self.assertTrue(self.revisit.activity_id)
        self.revisit._record_outcome({"channel": "phone", "satisfaction": "3"})
        with self.assertRaisesMessage(UserError, "already recorded"):
            self.revisit._record_outcome({"channel": "phone", "satisfaction": "5"})
        self.assertEqual(self.revisit.satisfaction, 3)

    def test_bad_form_input_is_refused_clearly(self):
        """What a client may send to the forms, as the revisit user: words or
        numbers beyond PostgreSQL's range where a number is due, values a
        choice does not offer, ids of nothing. A clear error, nothing
        written."""
        Outcome = self.env["revisit.outcome"].with_user(self.sales1)
        base = {"revisit_id": self.revisit.id, "channel": "phone", "follow_up": True}
        cases = [
            ({"follow_up_days": "abc"}, "whole number"),
            ({"follow_up_days": 2**31}, "whole number"),
            ({"follow_up_days": 1.5}, "whole number"),
            ({"channel": "fax"}, "not one of the choices"),
            ({"satisfaction": "9"}, "not one of the choices"),
            ({"follow_up_user_id": 2**31}, "not a record"),
            ({"revisit_id": 2**31}, "not a record"),
            ({"feedback": "nul\x00"}, "NUL"),
        ]
        for values, pattern in cases:
            with self.subTest(values=values):
                with self.assertRaisesMessage(UserError, pattern):
                    Outcome.create({**base, **values})
        with self.assertRaisesMessage(UserError, "whole number of days"):
            self.revisit._record_outcome(
                {"channel": "phone", "follow_up": True, "follow_up_days": "abc"}
            )
        with self.assertRaisesMessage(UserError, "one user"):
            self.revisit._record_outcome(
                {"channel": "phone", "follow_up": True, "follow_up_user_id": 2**31}
            )
        Schedule = self.env["revisit.schedule"].with_user(self.sales1)
        base = {"partner_id": self.customer.id, "reason": "Call"}
        for values, pattern in (
            ({"delay_days": 2**31}, "whole number"),
            ({"delay_days": "abc"}, "whole number"),
            ({"partner_id": 2**31}, "not a record"),
            ({"user_id": -1}, "not a record"),
        ):
            with self.subTest(values=values):
                with self.assertRaisesMessage(UserError, pattern):
                    Schedule.create({**base, **values})
        with self.assertRaisesMessage(UserError, "not a record"):
            self.Record.with_user(self.sales1).create(
                {"partner_id": 2**31, "date_due": self.TODAY}
            )
        self.assertEqual(self.revisit.state, "planned")
        self.assertTrue(self.revisit.activity_id)

    def test_schedule_wizard_as_revisit_user(self):
        wizard = Form(
            self.env["revisit.schedule"]
            .with_user(self.sales1)
            .with_context(active_model="res.partner", active_id=self.customer.id)
        )
        wizard.reason = "Promised a demo"
        wizard.delay_days = 4
        wizard.user_id = self.sales2
        action = wizard.save().action_schedule()
        revisit = self.Record.browse(action["res_id"])
        self.assertEqual(revisit.state, "planned")
        self.assertEqual(revisit.user_id, self.sales2)
        self.assertEqual(revisit.requested_by_id, self.sales1)
        self.assertEqual(
            revisit.activity_id.date_deadline, self.TODAY + timedelta(days=4)
        )


@freeze_time(RevisitCase.TODAY)
class TestMissed(RevisitCase):
    def test_overdue_beyond_grace_becomes_missed_and_manager_told(self):
        self.company.revisit_grace_days = 7
        self.sales1.revisit_manager_id = self.manager
        customer = self.make_customer("Late Customer", self.gold, self.sales1)
        other = self.make_customer("Just In Grace", self.gold, self.sales2)
        with freeze_time(self.TODAY - timedelta(days=8)):
            late = self.Record.schedule_revisit(customer, "Late")
        with freeze_time(self.TODAY - timedelta(days=7)):
            in_grace = self.Record.schedule_revisit(other, "In grace")
        activity = late.activity_id
        self.Record._cron_mark_missed()
        self.assertEqual(late.state, "missed")
        self.assertFalse(activity.exists())
        self.assertEqual(in_grace.state, "planned")
        self.assertTrue(in_grace.activity_id)
        notification = self.env["mail.message"].search(
            [("partner_ids", "in", self.manager.partner_id.ids)],
            order="id desc",
            limit=1,
        )
        self.assertIn("Missed revisits: 1", notification.subject)
        self.assertIn("Late Customer", str(notification.body))
        # Missed, the customer is due again: the next planning plans anew.
        self.assertFalse(self.planned(customer))
        self.rule_gold._plan_step()
        self.rule_gold._plan_step()
        self.assertTrue(self.planned(customer))
        # A missed revisit still takes its outcome when done late.
        late._record_outcome({"channel": "phone", "satisfaction": "2"})
        self.assertEqual(late.state, "done")

    def test_a_revisit_that_fails_does_not_hold_up_the_others(self):
        """One revisit whose activity cannot be removed (a module's hook that
        fails) is logged and marked missed all the same; the others of the
        batch are marked as usual and the run ends."""
        customers = [
            self.make_customer(f"Late {i}", self.gold, self.sales1) for i in range(3)
        ]
        with freeze_time(self.TODAY - timedelta(days=30)):
            late = self.Record.browse()
            for customer in customers:
                late |= self.Record.schedule_revisit(customer, "Late")
        activities = late.activity_id
        broken = late[1].activity_id
        Activity = type(self.env["mail.activity"])
        unlink = Activity.unlink

        def failing_unlink(activities):
            if broken in activities:
                raise ValueError("a module's hook failed")
            return unlink(activities)

        progress = []
        with (
            patch.object(Activity, "unlink", failing_unlink),
            patch.object(
                type(self.env["ir.cron"]),
                "_notify_progress",
                lambda self_, done, remaining, deactivate=False: progress.append(
                    (done, remaining)
                ),
            ),
            self.assertLogs(LOGGER, "ERROR") as logs,
        ):
            self.Record._cron_mark_missed()
        self.assertIn(f"revisit {late[1].id}", logs.output[0])
        self.assertEqual(late.mapped("state"), ["missed"] * 3)
        self.assertEqual(activities.exists(), broken, "what failed is left, and logged")
        self.assertEqual(progress[-1][1], 0, "nothing left: the run ends")

    def test_grace_period_bounds_and_batch_size_parameter(self):
        for days in (-1, 366, 2**31 - 1):
            with self.subTest(days=days):
                with self.assertRaisesMessage(ValidationError, "between 0 and 365"):
                    self.company.revisit_grace_days = days
                    self.env.flush_all()
        with self.assertRaisesMessage(UserError, "whole number"):
            self.env["res.config.settings"].create({"revisit_grace_days": 2**31})
        # A typo in the batch size parameter does not stop the scheduled
        # actions: the default is used, and the typo logged.
        self.env["ir.config_parameter"].set_param("revisit_plan.batch_size", "1O0")
        with self.assertLogs("odoo.addons.revisit_plan.tools.batching", "WARNING"):
            self.assertEqual(batching.batch_size(self.env), 1000)
        self.env["ir.config_parameter"].set_param("revisit_plan.batch_size", "50")
        self.assertEqual(batching.batch_size(self.env), 50)
