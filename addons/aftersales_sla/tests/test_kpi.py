from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError

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
        # Rates are fractions, which the pivot shows as percentages.
        self.assertEqual(response, 0.5)  # T1, T3 met; T2, T4 missed
        self.assertEqual(resolution, 0.5)
        self.assertEqual(rate, 0.75)
        self.assertAlmostEqual(fcr, 2 / 3, places=4)  # T1, T2 yes; T3 reopened
        self.assertEqual(satisfaction, 0.5)
        self.assertEqual(breaches, 4)  # the response and resolution of T2 and T4

    def dashboard(self, *args):
        return (
            self.env["aftersales.kpi.dashboard"]
            .with_user(self.aftersales_manager)
            .with_company(self.company)
            .get_dashboard_data(*args)
        )

    def test_dashboard_against_targets(self):
        data = self.dashboard("2026-12-01", "2026-12-31")
        self.assertEqual(data["ticket_count"], 4)
        self.assertEqual(data["breach_count"], 4)
        kpis = {kpi["key"]: kpi for kpi in data["kpis"]}
        fcr = kpis["fcr_rate"]
        self.assertEqual(fcr["label"], "First-contact Resolution")
        self.assertAlmostEqual(fcr["actual"], 200 / 3, places=2)
        self.assertEqual(fcr["target"], 85.0)
        self.assertIs(fcr["met"], False, "66.7 % misses the 85 % target")
        self.assertEqual(kpis["resolution_rate"]["actual"], 75.0)
        self.assertEqual(kpis["resolution_compliance"]["actual"], 50.0)
        self.assertIs(kpis["resolution_compliance"]["met"], False)
        # The trend: twelve months up to December 2026, the figures in the last.
        trend = fcr["trend"]
        self.assertEqual(len(trend), 12)
        self.assertEqual(trend[-1]["month"], "Dec 26")
        self.assertAlmostEqual(trend[-1]["value"], 200 / 3, places=2)
        self.assertIsNone(trend[0]["value"])
        self.assertIn(self.team.id, [team["id"] for team in data["teams"]])
        self.assertIn(self.basic.id, [tier["id"] for tier in data["tiers"]])
        self.assertEqual(self.dashboard("2026-11-01", "2026-11-30")["ticket_count"], 0)
        self.assertEqual(
            self.dashboard("2026-12-01", "2026-12-31", False, self.gold.id)[
                "ticket_count"
            ],
            0,
        )
        self.assertEqual(
            self.dashboard("2026-12-01", "2026-12-31", False, self.basic.id)[
                "ticket_count"
            ],
            4,
        )
        action = (
            self.env["aftersales.kpi.dashboard"]
            .with_user(self.aftersales_manager)
            .action_open_analysis("2026-12-01", "2026-12-31")
        )
        self.assertEqual(action["res_model"], "aftersales.ticket.report")

    def test_dashboard_open_ended_and_reversed_periods(self):
        """A period to the last day there is counts every ticket (it failed
        with an OverflowError); a period ending before it starts is refused."""
        data = self.dashboard("2026-12-01", "9999-12-31")
        self.assertEqual(data["ticket_count"], 4)
        analysis = (
            self.env["aftersales.kpi.dashboard"]
            .with_user(self.aftersales_manager)
            .with_company(self.company)
            .action_open_analysis("2026-12-01", "9999-12-31")
        )
        self.assertEqual(
            self.env["aftersales.ticket.report"]
            .with_user(self.aftersales_manager)
            .search_count(analysis["domain"]),
            4,
        )
        self.assertEqual(self.dashboard("0001-01-01", "0001-01-31")["ticket_count"], 0)
        with self.assertRaisesMessage(ValidationError, "ends before it starts"):
            self.dashboard("2026-12-31", "2026-12-01")

    def test_dashboard_refuses_bad_input(self):
        """Filters from the screen are checked before any query."""
        for args, message in [
            (("2026-13-01", "2026-12-31"), "must be a date"),
            (("2026-12-01\x00", "2026-12-31"), "must be a date"),
            ((1, "2026-12-31"), "must be a date"),
            (("2026-12-01", "x" * 10_000), "must be a date"),
            (("2026-12-01", "2026-12-31", 2**40), "team does not exist"),
            (("2026-12-01", "2026-12-31", "1"), "team does not exist"),
            (("2026-12-01", "2026-12-31", False, float("nan")), "tier does not exist"),
        ]:
            with self.assertRaisesMessage(UserError, message):
                self.dashboard(*args)

    def test_dashboard_for_managers_only(self):
        with self.assertRaises(AccessError):
            self.env["aftersales.kpi.dashboard"].with_user(
                self.agent
            ).get_dashboard_data("2026-12-01", "2026-12-31")

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
