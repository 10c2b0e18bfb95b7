from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError

from .common import AftersalesCase, utc


class TestKpi(AftersalesCase):
    """KPI figures on a known set of four tickets of December 2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Stage = cls.env["aftersales.stage"]
        resolved = Stage.search([("kind", "=", "resolved")], limit=1)
        in_progress = Stage.search([("kind", "=", "in_progress")], limit=1)
        with freeze_time(utc(2026, 12, 1, 2)):  # Tuesday 10:00 Shanghai
            cls.t1, cls.t2, cls.t3, cls.t4 = cls.env["aftersales.ticket"].create(
                [
                    {"name": f"KPI {i}", "partner_id": cls.basic_customer.id}
                    for i in range(4)
                ]
            )
        # T1: answered in time, resolved in time, rated "satisfied".
        with freeze_time(utc(2026, 12, 1, 3)):
            cls.t1.with_user(cls.agent).message_post(
                body="On it", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            cls.t1.stage_id = resolved
        cls.rate(cls.t1, 5)
        # T3: resolved, reopened, resolved again: not a first-contact resolution.
        with freeze_time(utc(2026, 12, 1, 3)):
            cls.t3.stage_id = in_progress
            cls.t3.stage_id = resolved
            cls.t3.stage_id = in_progress
            cls.t3.stage_id = resolved
        # T2: answered late, resolved late, rated "dissatisfied".
        with freeze_time(utc(2026, 12, 4, 2)):
            cls.env["aftersales.ticket.sla"]._cron_check_sla()
            cls.t2.stage_id = resolved
        cls.rate(cls.t2, 1)
        # T4 stays open.

    @classmethod
    def rate(cls, ticket, value):
        """The customer clicks a smiley of the rating request."""
        ticket.rating_apply(value, token=ticket._rating_get_access_token())

    def test_report_figures(self):
        domain = [("company_id", "=", self.company.id)]
        values = self.env["aftersales.ticket.report"]._read_group(
            domain,
            [],
            [
                "ticket_count:sum",
                "response_compliance:avg",
                "resolution_compliance:avg",
                "resolution_rate:avg",
                "fcr_rate:avg",
                "satisfaction_rate:avg",
                "breach_count:sum",
            ],
        )[0]
        count, response, resolution, rate, fcr, satisfaction, breaches = values
        self.assertEqual(count, 4)
        self.assertEqual(response, 50.0)  # T1, T3 met; T2, T4 missed
        self.assertEqual(resolution, 50.0)
        self.assertEqual(rate, 75.0)
        self.assertAlmostEqual(fcr, 200 / 3, places=2)  # T1, T2 yes; T3 reopened
        self.assertEqual(satisfaction, 50.0)
        self.assertEqual(breaches, 4)  # the response and resolution of T2 and T4

    def test_dashboard_against_targets(self):
        dashboard = (
            self.env["aftersales.kpi.dashboard"]
            .with_user(self.aftersales_manager)
            .create({"date_from": date(2026, 12, 1), "date_to": date(2026, 12, 31)})
        )
        self.assertEqual(dashboard.ticket_count, 4)
        self.assertIn("66.7 %", dashboard.kpi_html)
        self.assertIn(
            "text-danger", dashboard.kpi_html, "66.7 % misses the 85 % target"
        )
        self.assertIn("75.0 %", dashboard.kpi_html)
        other = (
            self.env["aftersales.kpi.dashboard"]
            .with_user(self.aftersales_manager)
            .create({"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30)})
        )
        self.assertEqual(other.ticket_count, 0)
        action = dashboard.action_open_analysis()
        self.assertEqual(action["res_model"], "aftersales.ticket.report")

    def test_dashboard_open_ended_and_reversed_periods(self):
        """A period to the last day there is counts every ticket (it failed
        with an OverflowError); a period ending before it starts is refused."""
        Dashboard = self.env["aftersales.kpi.dashboard"].with_user(
            self.aftersales_manager
        )
        dashboard = Dashboard.create(
            {"date_from": date(2026, 12, 1), "date_to": date(9999, 12, 31)}
        )
        self.assertEqual(dashboard.ticket_count, 4)
        self.assertIn("75.0 %", dashboard.kpi_html)
        analysis = dashboard.action_open_analysis()
        self.assertEqual(
            self.env["aftersales.ticket.report"]
            .with_user(self.aftersales_manager)
            .search_count(analysis["domain"]),
            4,
        )
        with self.assertRaisesMessage(ValidationError, "ends before it starts"):
            Dashboard.create(
                {"date_from": date(2026, 12, 31), "date_to": date(2026, 12, 1)}
            )

    def test_satisfaction_indicator(self):
        """Plugs into customer tiers: the average rating of the period."""
        indicator = (
            self.env["customer.tier.indicator"]
            .with_context(skip_tier_weight_check=True)
            .create(
                {
                    "name": "After-sales satisfaction",
                    "indicator_type": "aftersales_satisfaction",
                    "company_id": self.company.id,
                }
            )
        )
        partners = self.basic_customer | self.gold_customer
        values = indicator._get_raw_values(partners.ids, self.company, date.today())
        self.assertEqual(values, {self.basic_customer.id: 3.0})
