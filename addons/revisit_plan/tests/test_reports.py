from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .common import RevisitCase


@freeze_time(RevisitCase.TODAY)
class TestReports(RevisitCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.a = cls.make_customer("Report A", cls.gold, cls.sales1)
        cls.b = cls.make_customer("Report B", cls.silver, cls.sales2)
        last_week = cls.TODAY - timedelta(days=3)
        cls.done_revisit(
            cls.a, cls.rule_gold, last_week, satisfaction=5, tier_id=cls.gold.id
        )
        cls.done_revisit(
            cls.a, cls.rule_gold, last_week, satisfaction=3, tier_id=cls.gold.id
        )
        cls.done_revisit(
            cls.b,
            cls.rule_silver,
            last_week,
            satisfaction=0,
            tier_id=cls.silver.id,
        )
        cls.Record.sudo().create(
            {
                "partner_id": cls.b.id,
                "company_id": cls.company.id,
                "date_due": last_week,
                "state": "missed",
                "user_id": cls.sales2.id,
                "tier_id": cls.silver.id,
            }
        )

    def test_completion_and_satisfaction_by_tier(self):
        self.env.flush_all()
        rows = self.env["revisit.report"]._read_group(
            [("company_id", "=", self.company.id)],
            ["tier_id"],
            ["completion_rate:avg", "missed_count:sum", "satisfaction:avg"],
        )
        figures = {tier: values for tier, *values in rows}
        self.assertEqual(figures[self.gold], [100.0, 0, 4.0])
        self.assertEqual(figures[self.silver], [50.0, 1, False])

    def test_weekly_summary_off_by_default_then_sent(self):
        mails = self.env["revisit.report"]._cron_weekly_summary()
        self.assertFalse(
            mails.filtered(lambda m: self.company.name in (m.subject or ""))
        )
        self.company.revisit_weekly_summary = True
        mails = self.env["revisit.report"]._cron_weekly_summary()
        mail = mails.filtered(lambda m: self.company.name in m.subject)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.manager.partner_id)
        body = mail.body_html
        self.assertIn("Done: 3", body)
        self.assertIn("Missed: 1", body)
        self.assertIn("Completion rate: 75.0 %", body)
        self.assertIn("Average satisfaction: 4.0", body)

    def test_weekly_summary_of_one_company_failing_does_not_stop_the_others(self):
        other = self.env["res.company"].create(
            {"name": "Other Summary Co", "revisit_weekly_summary": True}
        )
        self.manager.company_ids = [Command.link(other.id)]
        self.company.revisit_weekly_summary = True
        Report = type(self.env["revisit.report"])
        values = Report._weekly_summary_values

        def failing(records, company, date_from, date_to):
            if company == self.company:
                raise ValueError("broken figures")
            return values(records, company, date_from, date_to)

        with (
            patch.object(Report, "_weekly_summary_values", failing),
            self.assertLogs(
                "odoo.addons.revisit_plan.models.revisit_report", "ERROR"
            ) as logs,
        ):
            mails = self.env["revisit.report"]._cron_weekly_summary()
        self.assertIn(self.company.name, logs.output[0])
        self.assertTrue(mails.filtered(lambda m: other.name in m.subject))
        self.assertFalse(mails.filtered(lambda m: self.company.name in m.subject))

    def test_revisit_satisfaction_indicator(self):
        indicator = (
            self.env["customer.tier.indicator"]
            .with_context(skip_tier_weight_check=True)
            .create(
                {
                    "name": "Revisit satisfaction",
                    "indicator_type": "revisit_satisfaction",
                    "weight": 10,
                    "company_id": self.company.id,
                    "band_ids": [Command.create({"threshold": 4, "points": 100})],
                }
            )
        )
        values = indicator._get_raw_values(
            (self.a | self.b).ids, self.company, date(2025, 3, 10)
        )
        self.assertEqual(values, {self.a.id: 4.0}, "unrated revisits do not count")
        # Outside the period: nothing.
        values = indicator._get_raw_values(
            (self.a | self.b).ids, self.company, date(2024, 3, 1)
        )
        self.assertEqual(values, {})


@freeze_time(RevisitCase.TODAY)
class TestRetentionReport(RevisitCase):
    """Retention revisits in the analysis, and whether their customers bought
    again within the retention window, from every source of purchases."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls.Rule.create(
            {
                "name": "Retention call",
                "company_id": cls.company.id,
                "lifecycle_stage": "at_risk",
            }
        )
        cls.back, cls.silent = (
            cls.make_customer("Came Back", cls.gold, cls.sales1),
            cls.make_customer("Stayed Silent", cls.gold, cls.sales1),
        )
        cls.done_day = cls.TODAY - timedelta(days=50)
        for customer in cls.back | cls.silent:
            entry = cls.enter_stage(customer, "at_risk", cls.done_day)
            cls.done_revisit(
                customer, cls.rule, cls.done_day, lifecycle_history_id=entry.id
            )
        # A revisit of a cadence rule is no retention revisit.
        cls.done_revisit(cls.back, cls.rule_gold, cls.done_day)

    def purchases(self, *rows):
        """Patch the base's extension point with these (partner, date)
        purchases, as an addon recording purchases elsewhere would."""
        Indicator = type(self.env["customer.tier.indicator"])
        values = SQL(", ").join(
            SQL("(%s, %s::date)", partner.id, day) for partner, day in rows
        )
        return patch.object(
            Indicator,
            "_purchase_queries",
            lambda self_, company: [
                SQL("SELECT * FROM (VALUES %s) AS v(partner_id, date)", values)
            ],
        )

    def figures(self):
        self.env.flush_all()
        return {
            partner: (bought, rate)
            for partner, bought, rate in self.env["revisit.report"]._read_group(
                [("company_id", "=", self.company.id), ("is_retention", "=", True)],
                ["partner_id", "bought_again"],
                ["repurchase_rate:avg"],
            )
        }

    def test_repurchase_within_the_window(self):
        self.assertEqual(self.company.revisit_retention_days, 30)
        with self.purchases(
            (self.back, self.done_day + timedelta(days=30)),
            (self.silent, self.done_day - timedelta(days=1)),
            (self.silent, self.done_day + timedelta(days=31)),
        ):
            self.assertEqual(
                self.figures(),
                {self.back: (True, 100.0), self.silent: (False, 0.0)},
            )
            rows = self.env["revisit.report"]._read_group(
                [("company_id", "=", self.company.id)],
                ["is_retention"],
                ["repurchase_rate:avg", "__count"],
            )
            self.assertEqual(
                {retention: (rate, count) for retention, rate, count in rows},
                {True: (50.0, 2), False: (False, 1)},
            )
            self.company.revisit_retention_days = 31
            self.assertEqual(self.figures()[self.silent], (True, 100.0))

    def test_retention_window_bounds(self):
        for days in (0, 366):
            with self.subTest(days=days):
                with self.assertRaisesMessage(ValidationError, "between 1 and 365"):
                    self.company.revisit_retention_days = days
        self.assertEqual(self.company.revisit_retention_days, 30)
