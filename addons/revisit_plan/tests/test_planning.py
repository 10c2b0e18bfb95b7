from datetime import date, timedelta
from unittest.mock import patch

import psycopg2
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger

from .common import RevisitCase

LOGGER = "odoo.addons.revisit_plan.models.revisit_rule"


class SimulatedCrash(BaseException):
    """The worker dies (killed, out of memory): not an error of a rule, which
    the planning would log and skip."""


class PlanningCase(RevisitCase):
    def run_cron(self, max_calls=50):
        """Call the planning action as the scheduler does, each call in its
        own savepoint (the scheduler commits each), and call again only while
        the call reports work done and work remaining (Odoo's ir.cron takes
        "nothing done" as "no progress API, nothing left"); return the
        progress [(done, remaining)] of every call."""
        progress = []
        with patch.object(
            type(self.env["ir.cron"]),
            "_notify_progress",
            lambda self_, done, remaining, deactivate=False: progress.append(
                (done, remaining)
            ),
        ):
            for _i in range(max_calls):
                with self.env.cr.savepoint():
                    self.Rule._cron_plan_revisits()
                if not progress[-1][0] or not progress[-1][1]:
                    break
        return progress


class TestDueDates(RevisitCase):
    """The due-date rule at its edges, as the planning's query computes it."""

    def date_due(self, last, number, unit, lead, today):
        """The due date the planning gives on ``today`` to a new customer
        last revisited on ``last`` (None: never) under a rule of ``number``
        ``unit`` and ``lead`` days; None when it is not due."""
        rule = self.rule_bronze
        rule.write({"cadence_number": number, "cadence_unit": unit, "lead_days": lead})
        customer = self.make_customer(f"Edge {last} {number} {unit}", self.bronze)
        if last:
            self.done_revisit(customer, rule, last)
        return {row[0]: row[2] for row in rule._due_partners(today)}.get(customer.id)

    def test_cadence_arithmetic(self):
        cases = [
            # last done, number, unit, expected next due
            (date(2025, 1, 31), 1, "months", date(2025, 2, 28)),
            (date(2024, 1, 31), 1, "months", date(2024, 2, 29)),
            (date(2024, 2, 29), 1, "years", date(2025, 2, 28)),
            (date(2024, 2, 29), 4, "years", date(2028, 2, 29)),
            (date(2025, 11, 30), 3, "months", date(2026, 2, 28)),
            (date(2025, 12, 31), 2, "weeks", date(2026, 1, 14)),
            (date(2025, 3, 1), 10, "days", date(2025, 3, 11)),
        ]
        for last, number, unit, expected in cases:
            with self.subTest(last=last, number=number, unit=unit):
                self.assertEqual(
                    self.date_due(last, number, unit, 0, expected), expected
                )
                self.assertIsNone(
                    self.date_due(last, number, unit, 0, expected - timedelta(days=1))
                )

    def test_lead_time_boundary(self):
        last = date(2025, 2, 15)  # monthly: due on 15 March
        due = date(2025, 3, 15)
        self.assertEqual(self.date_due(last, 1, "months", 5, date(2025, 3, 10)), due)
        self.assertIsNone(self.date_due(last, 1, "months", 5, date(2025, 3, 9)))
        self.assertEqual(self.date_due(last, 1, "months", 0, due), due)
        self.assertIsNone(self.date_due(last, 1, "months", 0, date(2025, 3, 14)))
        today = date(2025, 3, 14)
        self.assertEqual(
            self.date_due(None, 1, "years", 0, today), today, "never revisited"
        )
        self.assertEqual(
            self.date_due(date(2024, 1, 1), 1, "months", 5, today), today, "overdue"
        )

    def test_selection_at_month_ends_and_leap_days(self):
        """The selection query takes the customers whose next revisit (the
        last one plus the cadence) falls on or before today plus the lead
        time, at month ends and on leap days, for each cadence unit; their
        revisit is due then, or today when that is past."""
        today = date(2025, 3, 10)
        last_dates = [
            date(2024, 2, 29),
            date(2024, 3, 10),
            date(2024, 3, 11),
            date(2025, 1, 31),
            date(2025, 2, 8),
            date(2025, 2, 9),
            date(2025, 2, 28),
            date(2025, 3, 3),
            date(2025, 3, 4),
        ]
        rule = self.rule_bronze
        for number, unit, lead in (
            (1, "months", 5),
            (1, "years", 0),
            (1, "weeks", 1),
            (10, "days", 3),
        ):
            rule.write({"cadence_number": number, "cadence_unit": unit})
            rule.lead_days = lead
            customers = self.env["res.partner"]
            for i, last in enumerate(last_dates):
                customer = self.make_customer(f"Edge {unit} {i}", self.bronze)
                self.done_revisit(customer, rule, last)
                customers |= customer
            due = {row[0]: row[2] for row in rule._due_partners(today)}
            for customer, last in zip(customers, last_dates, strict=True):
                with self.subTest(unit=unit, last=last):
                    next_date = last + relativedelta(**{unit: number})
                    if next_date <= today + timedelta(days=lead):
                        self.assertEqual(due.get(customer.id), max(next_date, today))
                    else:
                        self.assertNotIn(customer.id, due)
            # Out of the way of the next unit's customers.
            self.set_tier(customers, self.gold)
            customers.active = False


@freeze_time(RevisitCase.TODAY)
class TestPlanning(PlanningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = cls.TODAY
        cls.vip_due = cls.make_customer("Vip Due", cls.gold, cls.sales1)
        cls.done_revisit(cls.vip_due, cls.rule_gold, today - timedelta(days=27))
        cls.vip_later = cls.make_customer("Vip Later", cls.gold, cls.sales1)
        cls.done_revisit(cls.vip_later, cls.rule_gold, today - timedelta(days=10))
        cls.regular_never = cls.make_customer("Regular Never", cls.bronze, cls.sales2)
        cls.prospect_recent = cls.make_customer(
            "Prospect Recent", cls.basic, cls.sales2
        )
        cls.done_revisit(cls.prospect_recent, cls.rule_basic, date(2024, 6, 1))
        cls.no_tier = cls.make_customer("No Tier", None, cls.sales1)

    def mine(self):
        return self.Record.sudo().search(
            [("company_id", "=", self.company.id), ("state", "=", "planned")]
        )

    def test_plans_due_customers_with_activities_and_no_email(self):
        mails_before = self.env["mail.mail"].search_count([])
        self.run_cron()
        planned = self.mine()
        self.assertEqual(planned.partner_id, self.vip_due | self.regular_never)
        vip = planned.filtered(lambda r: r.partner_id == self.vip_due)
        self.assertEqual(vip.rule_id, self.rule_gold)
        self.assertEqual(vip.date_due, date(2025, 3, 11), "11 February + 1 month")
        self.assertEqual(vip.user_id, self.sales1)
        self.assertEqual(vip.tier_id, self.gold)
        self.assertEqual(vip.revisit_type_id, self.visit)
        self.assertEqual(vip.activity_id.activity_type_id, self.visit)
        self.assertEqual(vip.activity_id.user_id, self.sales1)
        self.assertEqual(vip.activity_id.date_deadline, vip.date_due)
        self.assertEqual(vip.activity_id.summary, "Monthly")
        never = planned - vip
        self.assertEqual(never.date_due, self.TODAY, "never revisited: due today")
        self.assertEqual(never.user_id, self.sales2)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)

    def test_rerun_plans_nothing(self):
        self.run_cron()
        first = self.mine()
        self.env.flush_all()
        self.assertEqual(self.run_cron(), [(0, 0)])
        self.Record.sudo().search([]).invalidate_recordset()
        self.assertEqual(self.mine(), first)
        # A new day: the stale pass (its rules count as done), then the rules
        # again, still nothing new.
        count = self.Record.sudo().search_count([])
        with freeze_time(self.TODAY + timedelta(days=1)):
            progress = self.run_cron()
        rules = len(self.Rule.sudo().search([]))
        self.assertEqual(progress[0], (rules, rules), "the stale pass of every rule")
        self.assertEqual(progress[-1], (0, 0))
        self.assertEqual(self.Record.sudo().search_count([]), count)
        self.assertEqual(self.mine(), first)

    def test_database_refuses_a_second_planned_revisit(self):
        self.run_cron()
        vip = self.mine().filtered(lambda r: r.partner_id == self.vip_due)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation) as catcher,
        ):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "INSERT INTO revisit_record (partner_id, company_id, rule_id, "
                    "date_due, state) VALUES (%s, %s, %s, %s, 'planned')",
                    [vip.partner_id.id, self.company.id, vip.rule_id.id, self.TODAY],
                )
        self.assertIn("revisit_record_planned_rule_uniq", str(catcher.exception))

    def test_open_revisit_of_any_kind_blocks_planning(self):
        self.Record.schedule_revisit(self.vip_due, "Asked by phone", delay_days=20)
        self.run_cron()
        self.assertFalse(
            self.mine().filtered(lambda r: r.partner_id == self.vip_due and r.rule_id)
        )

    def test_tier_change_moves_customer_to_new_rule(self):
        self.run_cron()
        old = self.mine().filtered(lambda r: r.partner_id == self.regular_never)
        self.assertEqual(old.rule_id, self.rule_bronze)
        activity = old.activity_id
        self.set_tier(self.regular_never, self.silver)
        with freeze_time(self.TODAY + timedelta(days=1)):
            self.run_cron()
        self.assertEqual(old.state, "cancelled")
        self.assertFalse(activity.exists())
        new = self.planned(self.regular_never)
        self.assertEqual(new.rule_id, self.rule_silver)
        self.assertEqual(new.tier_id, self.silver)
        self.assertTrue(new.activity_id)

    def test_batches_progress_and_resume_after_crash(self):
        self.env["ir.config_parameter"].set_param("revisit_plan.batch_size", 2)
        extra = self.env["res.partner"]
        for i in range(5):
            extra |= self.make_customer(f"Batch {i}", self.silver, self.sales1)
        original = type(self.Record)._create_planned
        calls = []

        def crash_on_second(records, *args, **kwargs):
            calls.append(1)
            if len(calls) == 2:
                original(records, *args, **kwargs)
                raise SimulatedCrash()
            return original(records, *args, **kwargs)

        # Not assertRaises: it would roll back the batches done before too.
        crashed = False
        with patch.object(type(self.Record), "_create_planned", crash_on_second):
            try:
                self.run_cron()
            except SimulatedCrash:
                crashed = True
        self.assertTrue(crashed)
        self.assertEqual(
            self.mine().partner_id, self.vip_due, "the crashed batch left no trace"
        )
        progress = self.run_cron()
        planned = self.mine()
        self.assertEqual(planned.partner_id, extra | self.vip_due | self.regular_never)
        self.assertEqual(len(planned), len(planned.partner_id), "nobody twice")
        self.assertTrue(all(done <= 2 for done, _r in progress))
        self.assertEqual(progress[-1][1], 0)

    def test_round_robin_and_fixed_responsible(self):
        self.rule_bronze.write(
            {
                "responsible": "round_robin",
                "user_ids": [Command.set((self.sales1 | self.sales2).ids)],
            }
        )
        more = self.env["res.partner"]
        for i in range(3):
            more |= self.make_customer(f"Robin {i}", self.bronze)
        self.run_cron()
        users = [self.planned(p).user_id for p in self.regular_never | more]
        self.assertEqual(users, [self.sales1, self.sales2, self.sales1, self.sales2])
        self.rule_gold.write({"responsible": "fixed", "user_id": self.manager.id})
        fixed = self.make_customer("Fixed", self.gold, self.sales1)
        with freeze_time(self.TODAY + timedelta(days=1)):
            self.run_cron()
        self.assertEqual(self.planned(fixed).user_id, self.manager)

    def test_note_template_and_partner_filter(self):
        self.rule_silver.write(
            {
                "note_template": "<p>Call {customer} ({tier}), last {last_revisit}</p>",
                "partner_domain": "[('name', 'ilike', 'Filtered')]",
            }
        )
        inside = self.make_customer("Filtered <b>In</b>", self.silver)
        outside = self.make_customer("Not Selected", self.silver)
        self.run_cron()
        self.assertTrue(self.planned(inside))
        self.assertFalse(self.planned(outside))
        note = str(self.planned(inside).activity_id.note)
        self.assertIn("Filtered &lt;b&gt;In&lt;/b&gt;", note, "values are escaped")
        self.assertIn("(Silver)", note)
        self.assertIn("last -", note)

    def test_activities_read_in_their_assignees_language(self):
        """The summary, note and revisit name of an activity were stored in
        the language of whoever planned it (the scheduler's English, ISO
        dates): they are now written in the language of the salesperson who
        reads them."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["revisit_plan"], ["zh_CN"])
        self.sales1.lang = "zh_CN"
        self.rule_gold.write(
            {"summary": "Monthly visit", "note_template": "<p>Due {due_date}</p>"}
        )
        self.rule_gold.with_context(lang="zh_CN").write(
            {"summary": "每月拜访", "note_template": "<p>到期 {due_date}</p>"}
        )
        self.gold.with_context(lang="zh_CN").name = "金卡"
        self.run_cron()
        vip = self.planned(self.vip_due)
        self.assertEqual(vip.user_id, self.sales1)
        activity = vip.activity_id
        self.assertEqual(activity.summary, "每月拜访")
        self.assertIn("到期", str(activity.note))
        self.assertNotIn("2025-03-11", str(activity.note), "a date, not ISO text")
        self.assertIn("2025", str(activity.note))
        self.assertNotIn("2025-03-11", activity.res_name)
        self.assertNotIn("Revisit of", activity.res_name)
        english = self.planned(self.regular_never).activity_id
        self.assertEqual(english.user_id, self.sales2)
        self.assertIn("Revisit of", english.res_name)

    def test_first_step_of_the_day_reports_its_work(self):
        """The stale pass cancels nothing on most days: it still reports work
        done, or the scheduler (which stops on "nothing done") would never
        reach the planning."""
        progress = self.run_cron()
        self.assertGreater(progress[0][0], 0)
        self.assertGreater(progress[0][1], 0)
        self.assertEqual(progress[-1][1], 0)
        self.assertTrue(self.planned(self.vip_due))

    def test_a_failing_rule_is_skipped_and_the_others_planned(self):
        """A rule the database cannot run (saved before the checks below, say)
        is logged and left until the next day, in the stale pass (a filter
        that fails) as in the planning (a cadence beyond the dates the
        database holds); the other rules are planned and the run ends."""
        self.env.cr.execute(
            "UPDATE revisit_rule SET partner_domain = %s WHERE id = %s",
            ["[('id', '=', 'abc')]", self.rule_bronze.id],
        )
        self.env.cr.execute(
            "UPDATE revisit_rule SET cadence_number = 1000000, cadence_unit = 'years' "
            "WHERE id = %s",
            [self.rule_gold.id],
        )
        self.env.invalidate_all()
        fine = self.make_customer("Important Fine", self.silver, self.sales1)
        with (
            mute_logger("odoo.sql_db"),
            self.assertLogs(LOGGER, "ERROR") as logs,
        ):
            progress = self.run_cron()
        self.assertEqual(progress[-1][1], 0, "the run ends")
        self.assertLess(len(progress), 10)
        self.assertTrue(self.planned(fine), "the other rules are planned")
        self.assertFalse(self.planned(self.regular_never))
        self.assertFalse(self.planned(self.vip_due))
        failures = "\n".join(logs.output)
        self.assertIn("rule 'Yearly'", failures)
        self.assertIn("rule 'Monthly'", failures)
        # Mended, the rules plan again the next day.
        self.env.cr.execute(
            "UPDATE revisit_rule SET partner_domain = '[]', cadence_number = 1, "
            "cadence_unit = 'months' WHERE id IN %s",
            [(self.rule_bronze.id, self.rule_gold.id)],
        )
        self.env.invalidate_all()
        with freeze_time(self.TODAY + timedelta(days=1)):
            self.run_cron()
        self.assertTrue(self.planned(self.regular_never))
        self.assertTrue(self.planned(self.vip_due))

    def test_plan_now_names_a_rule_the_database_cannot_run(self):
        self.env.cr.execute(
            "UPDATE revisit_rule SET partner_domain = %s WHERE id = %s",
            ["[('id', '=', 'abc')]", self.rule_bronze.id],
        )
        self.env.invalidate_all()
        with self.assertRaisesMessage(ValidationError, "Yearly is not valid"):
            self.rule_bronze.with_user(self.manager).action_plan_now()

    def test_archived_rule_cancels_its_planned_revisits(self):
        self.run_cron()
        vip = self.planned(self.vip_due)
        self.rule_gold.action_archive()
        self.assertEqual(vip.state, "cancelled")
        self.assertFalse(vip.activity_id)


@freeze_time(RevisitCase.TODAY)
class TestRetentionRules(PlanningCase):
    """Rules on a lifecycle stage: one revisit per entry into the stage."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_at_risk = cls.Rule.create(
            {
                "name": "Retention call",
                "company_id": cls.company.id,
                "lifecycle_stage": "at_risk",
                "stage_delay_days": 3,
                "activity_type_id": cls.call.id,
            }
        )
        cls.silent = cls.make_customer("Gone Silent", cls.gold, cls.sales1)
        cls.entry = cls.enter_stage(cls.silent, "at_risk", cls.TODAY - timedelta(1))
        cls.fine = cls.make_customer("Still Buying", cls.gold, cls.sales2)
        cls.enter_stage(cls.fine, "active", cls.TODAY - timedelta(days=1))

    def test_entering_the_stage_plans_one_retention_revisit(self):
        self.run_cron()
        revisit = self.planned(self.silent, self.rule_at_risk)
        self.assertEqual(len(revisit), 1)
        self.assertEqual(revisit.lifecycle_history_id, self.entry)
        self.assertEqual(revisit.lifecycle_stage, "at_risk")
        self.assertEqual(revisit.date_due, self.TODAY + timedelta(days=2))
        self.assertEqual(revisit.user_id, self.sales1, "the salesperson")
        self.assertEqual(revisit.activity_id.user_id, self.sales1)
        self.assertFalse(self.planned(self.fine, self.rule_at_risk))
        # The tier's own revisit does not hold it back, nor the reverse.
        self.assertTrue(self.planned(self.silent, self.rule_gold))
        # Done, it is not planned again for the same entry.
        revisit._record_outcome({"channel": "phone", "satisfaction": "3"})
        self.assertEqual(revisit.date_done, self.TODAY, "the outcome's day")
        with freeze_time(self.TODAY + timedelta(days=1)):
            self.run_cron()
        self.assertFalse(self.planned(self.silent, self.rule_at_risk))

    def test_a_new_entry_gets_a_new_revisit_and_leaving_cancels(self):
        self.run_cron()
        first = self.planned(self.silent, self.rule_at_risk)
        # Back to buying: the planned call goes at the next run.
        self.enter_stage(self.silent, "active", self.TODAY)
        with freeze_time(self.TODAY + timedelta(days=1)):
            self.run_cron()
        self.assertEqual(first.state, "cancelled")
        self.assertFalse(self.planned(self.silent, self.rule_at_risk))
        # At risk again later: a new entry, a new revisit.
        later = self.TODAY + timedelta(days=40)
        entry = self.enter_stage(self.silent, "at_risk", later)
        with freeze_time(later + timedelta(days=10)):
            self.run_cron()
        second = self.planned(self.silent, self.rule_at_risk)
        self.assertEqual(second.lifecycle_history_id, entry)
        self.assertEqual(second.date_due, later + timedelta(days=10), "late: today")

    def test_database_refuses_a_second_revisit_of_one_entry(self):
        self.run_cron()
        revisit = self.planned(self.silent, self.rule_at_risk)
        revisit._record_outcome({"channel": "phone"})
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation) as catcher,
        ):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "INSERT INTO revisit_record (partner_id, company_id, rule_id, "
                    "lifecycle_history_id, date_due, state) "
                    "VALUES (%s, %s, %s, %s, %s, 'planned')",
                    [
                        self.silent.id,
                        self.company.id,
                        self.rule_at_risk.id,
                        self.entry.id,
                        self.TODAY,
                    ],
                )
        self.assertIn("revisit_record_stage_entry_uniq", str(catcher.exception))

    def test_stage_combined_with_tiers(self):
        self.rule_at_risk.tier_ids = self.silver
        self.run_cron()
        self.assertFalse(self.planned(self.silent, self.rule_at_risk), "gold")
        self.set_tier(self.silent, self.silver)
        with freeze_time(self.TODAY + timedelta(days=1)):
            self.run_cron()
        self.assertTrue(self.planned(self.silent, self.rule_at_risk))


class TestRuleValidation(RevisitCase):
    def test_bad_rules_are_refused_and_change_nothing(self):
        rule = self.rule_silver
        cases = [
            ({"cadence_number": 0}, "positive number"),
            ({"cadence_number": -2}, "positive number"),
            ({"lead_days": -1}, "cannot be negative"),
            ({"lead_days": 90}, r"shorter than its cadence \(at least 84 days\)"),
            ({"cadence_unit": "weeks", "lead_days": 21}, "shorter than its cadence"),
            ({"responsible": "fixed", "user_id": False}, "needs the user"),
            ({"responsible": "round_robin"}, "needs the users"),
            (
                {"tier_ids": [Command.clear()], "partner_domain": "[]"},
                "needs tiers, a lifecycle stage or a customer filter",
            ),
            ({"stage_delay_days": 91}, "0 to 90 days"),
            ({"partner_domain": "[('no_such_field', '=', 1)]"}, "not valid"),
            # Compiles, but fails in the database.
            ({"partner_domain": "[('id', '=', 'abc')]"}, "not valid"),
            ({"partner_domain": "[('birthday', '=', 'soon')]"}, "not valid"),
            ({"cadence_number": 1_000_000, "cadence_unit": "years"}, "ten years"),
            ({"cadence_number": 121}, r"ten years \(120 Months\)"),
            ({"cadence_number": 3651, "cadence_unit": "days"}, "ten years"),
        ]
        for values, pattern in cases:
            with self.subTest(values=values):
                with self.assertRaisesMessage(ValidationError, pattern):
                    rule.write(values)
                    self.env.flush_all()
                rule.invalidate_recordset()
                self.assertEqual(
                    (rule.cadence_number, rule.cadence_unit, rule.lead_days),
                    (3, "months", 7),
                )
                self.assertEqual(rule.tier_ids, self.silver)
        with self.assertRaisesMessage(ValidationError, "positive number"):
            self.Rule.create(
                {
                    "name": "Zero",
                    "tier_ids": [Command.set(self.gold.ids)],
                    "cadence_number": 0,
                }
            )
        self.assertFalse(self.Rule.search([("name", "=", "Zero")]))
        portal = self.env["res.users"].create(
            {
                "name": "Portal Revisitor",
                "login": "rp_portal_revisitor",
                "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )
        with self.assertRaisesMessage(ValidationError, "internal users only"):
            rule.write({"responsible": "fixed", "user_id": portal.id})
            self.env.flush_all()
        with self.assertRaisesMessage(UserError, "whole number"):
            rule.write({"cadence_number": 2**31})
        with self.assertRaisesMessage(UserError, "not a record"):
            rule.write({"tier_ids": [Command.link(2**31)]})
        rule.write({"cadence_number": 10, "cadence_unit": "years"})
        self.assertEqual(rule.cadence_number, 10)

    def test_manager_cannot_save_a_rule_that_would_stop_the_planning(self):
        """As the revisit manager, who configures rules: a filter that fails
        in the database, a cadence beyond ten years or a number beyond
        PostgreSQL's range are refused when saved."""
        rule = self.rule_silver.with_user(self.manager)
        for values, error, pattern in (
            ({"partner_domain": "[('id', '=', 'abc')]"}, ValidationError, "not valid"),
            (
                {"cadence_number": 1_000_000, "cadence_unit": "years"},
                ValidationError,
                "ten years",
            ),
            ({"lead_days": 2**31}, UserError, "whole number"),
        ):
            with self.subTest(values=values):
                with self.assertRaisesMessage(error, pattern):
                    rule.write(values)
                    self.env.flush_all()
        with self.assertRaisesMessage(ValidationError, "not valid"):
            self.Rule.with_user(self.manager).create(
                {"name": "Bad", "partner_domain": "[('id', '=', 'abc')]"}
            )
        rule.invalidate_recordset()
        self.assertEqual((rule.partner_domain, rule.cadence_number), ("[]", 3))
