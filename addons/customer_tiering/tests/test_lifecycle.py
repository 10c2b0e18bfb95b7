from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.mail.tests.common import mail_new_test_user

from ..tools import lifecycle
from .common import evaluate_skipping_one

TODAY = date(2026, 6, 15)


@tagged("post_install", "-at_install")
class TestLifecycle(AccountTestInvoicingCommon):
    """Lifecycle stages from purchase dates, computed by the evaluations, with
    a hand-made population whose stages are known."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(
            "customer_tiering.group_customer_tier_manager"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write({"tier_scope": "all"})
        cls.env["res.partner"].search([("customer_rank", ">", 0)]).customer_rank = 0
        cls.env["customer.tier"].create(
            {
                "name": "Everyone",
                "rank": 1,
                "min_score": 0,
                "company_id": cls.company.id,
            }
        )
        cls.env["customer.tier.indicator"].create(
            {"name": "Revenue", "indicator_type": "revenue", "weight": 100}
        )
        cls.salesperson = mail_new_test_user(
            cls.env,
            login="lifecycle_salesperson",
            groups="base.group_user,base.group_partner_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def customer(self, name, *days_ago, **values):
        partner = self.env["res.partner"].create(
            {"name": name, "is_company": True, "customer_rank": 1, **values}
        )
        for days in days_ago:
            self.init_invoice(
                "out_invoice",
                partner,
                TODAY - timedelta(days=days),
                post=True,
                amounts=[100],
            )
        return partner

    def evaluate(self, when=TODAY):
        with freeze_time(when):
            return self.env["customer.tier.evaluation"]._launch_and_run(self.company)

    def stage(self, partner):
        return partner.with_company(self.company).lifecycle_stage

    def test_stages_of_a_known_population(self):
        new = self.customer("New", 30)
        active = self.customer(
            "Active", 200, 170, 140, 110, 80, 50, 20, user_id=self.salesperson.id
        )
        at_risk = self.customer(
            "At Risk",
            300,
            270,
            240,
            210,
            180,
            150,
            120,
            90,
            user_id=self.salesperson.id,
        )
        lost = self.customer("Lost", 800, 500)
        won_back = self.customer("Won Back", 900, 40)
        one_timer = self.customer("One Timer", 200)
        never = self.customer("Never Bought")
        evaluation = self.evaluate()
        self.assertEqual(
            {p.name: self.stage(p) for p in (new, active, at_risk, lost, won_back)},
            {
                "New": "new",
                "Active": "active",
                "At Risk": "at_risk",
                "Lost": "lost",
                "Won Back": "won_back",
            },
        )
        self.assertEqual(self.stage(one_timer), "at_risk", "200 days > 2 x 90 days")
        self.assertFalse(self.stage(never))
        history = self.env["customer.lifecycle.history"].search(
            [("evaluation_id", "=", evaluation.id)]
        )
        self.assertEqual(len(history), 6)
        self.assertEqual(set(history.mapped("date")), {TODAY})
        at_risk_type = self.env.ref(
            "customer_tiering.mail_activity_type_customer_at_risk"
        )
        self.assertFalse(
            at_risk.activity_ids.filtered(lambda a: a.activity_type_id == at_risk_type),
            "found at risk by a first evaluation: nobody is told",
        )
        # Nothing changed: a new run writes nothing.
        again = self.evaluate()
        self.assertFalse(
            self.env["customer.lifecycle.history"].search_count(
                [("evaluation_id", "=", again.id)]
            )
        )
        # Time passes: the new customer becomes active, the lost one stays.
        later = self.evaluate(TODAY + timedelta(days=100))
        moves = self.env["customer.lifecycle.history"].search(
            [("evaluation_id", "=", later.id)]
        )
        self.assertEqual(
            {(m.partner_id.name, m.old_stage, m.new_stage) for m in moves}
            & {("New", "new", "active"), ("Lost", "lost", "lost")},
            {("New", "new", "active")},
        )
        self.assertEqual(self.stage(lost), "lost")
        # The active customer went at risk: its salesperson is told.
        self.assertEqual(self.stage(active), "at_risk")
        activity = active.activity_ids.filtered(
            lambda a: a.activity_type_id == at_risk_type
        )
        self.assertEqual(activity.user_id, self.salesperson)

    def test_one_customer_failing_its_stage_hook_is_skipped(self):
        """Tiers and stages due for several customers at once, and the stage
        hook failing for one of them: that one is logged and left without a
        tier, a stage or a history row; the others get all three and the run
        ends."""
        customers = [self.customer(f"Buyer {i}", 30 + i) for i in range(3)]
        bad = customers[1]
        History = type(self.env["customer.lifecycle.history"])
        original = History._on_stage_changes

        def hook(records, changes):
            if any(change.partner_id == bad.id for change in changes):
                raise ValueError("a plugin's hook fails for this customer")
            return original(records, changes)

        evaluation = evaluate_skipping_one(
            self, self.evaluate, bad, History, "_on_stage_changes", hook
        )
        history = self.env["customer.lifecycle.history"].search(
            [("evaluation_id", "=", evaluation.id)]
        )
        good = [c for c in customers if c != bad]
        self.assertEqual(sorted(history.partner_id.ids), sorted(c.id for c in good))
        self.assertEqual({self.stage(c) for c in good}, {"new"})
        self.assertTrue(all(c.with_company(self.company).tier_id for c in good))
        self.assertFalse(self.stage(bad))
        self.assertFalse(bad.with_company(self.company).tier_id)

    def test_stage_since_is_the_date_of_the_last_move(self):
        """The "Stage Since" date is the date the customer entered its stage in the
        company (its last lifecycle movement there), as a salesperson reads
        it on the form; nothing in a company where it has no stage."""
        newcomer = self.customer("Newcomer", 30, user_id=self.salesperson.id)
        lost = self.customer("Gone", 800, 500, user_id=self.salesperson.id)
        self.evaluate()
        later = TODAY + timedelta(days=100)
        self.evaluate(later)

        def since(partner):
            partner.invalidate_recordset(["lifecycle_date"])
            return partner.with_user(self.salesperson).lifecycle_date

        self.assertEqual(self.stage(newcomer), "active")
        self.assertEqual(since(newcomer), later, "new, then active 100 days later")
        self.assertEqual(self.stage(lost), "lost")
        self.assertEqual(since(lost), TODAY, "lost since the first evaluation")
        # Searched as it reads (list filters, RPC clients).
        Partner = self.env["res.partner"].with_user(self.salesperson)
        for domain, expected in (
            ([("lifecycle_date", "=", later)], newcomer),
            ([("lifecycle_date", "=", TODAY)], lost),
            ([("lifecycle_date", "<", later)], lost),
            ([("lifecycle_date", ">=", TODAY)], newcomer | lost),
            ([("lifecycle_date", "!=", TODAY)], newcomer),
        ):
            with self.subTest(domain=domain):
                found = Partner.search([*domain, ("id", "in", (newcomer | lost).ids)])
                self.assertEqual(found, expected)
        self.assertNotIn(
            newcomer, Partner.search([("lifecycle_date", "=", TODAY - timedelta(1))])
        )
        self.assertEqual(
            Partner.search([("lifecycle_date", "=", False), ("name", "=", "Gone")]),
            self.env["res.partner"],
        )
        for bad in ("not a date", "2026-13-45", 10**20, float("nan")):
            with self.subTest(bad=bad), self.assertRaises(UserError):
                Partner.search([("lifecycle_date", "=", bad)])
        other = self.env["res.company"].create({"name": "Other Lifecycle Company"})
        self.assertFalse(newcomer.with_company(other).lifecycle_stage)
        self.assertFalse(newcomer.with_company(other).lifecycle_date)
        never = self.customer("Never Bought Either")
        self.assertFalse(since(never))

    def test_nobody_writes_a_stage_by_hand(self):
        partner = self.customer("Hand")
        editor = self.salesperson
        for values in ({"lifecycle_stage": "active"}, {"lifecycle_date": TODAY}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                partner.with_user(editor).write(values)

    def test_bad_thresholds(self):
        for values, message in (
            ({"lifecycle_lost_days": 100}, "at risk before they are lost"),
            ({"lifecycle_new_days": -1}, "between 1 and 3650"),
            ({"lifecycle_risk_floor_days": 0}, "between 1 and 3650"),
            ({"lifecycle_risk_factor": 0.5}, "1 to 20 times"),
            ({"lifecycle_lost_days": 10**6}, "between 1 and 3650"),
        ):
            with self.subTest(values=values):
                with self.assertRaises(ValidationError) as caught:
                    self.company.write(values)
                self.assertIn(message, str(caught.exception))
        self.assertEqual(self.company.lifecycle_lost_days, 365)

    def test_rules_of_the_stage_function(self):
        settings = self.company._lifecycle_settings()

        def stage(first, last, gap=None, returned=None):
            return lifecycle.stage(
                TODAY,
                (
                    TODAY - timedelta(days=first),
                    TODAY - timedelta(days=last),
                    gap,
                    returned and TODAY - timedelta(days=returned),
                ),
                settings,
            )

        self.assertEqual(stage(400, 366), "lost")
        self.assertEqual(stage(400, 365, gap=200), "active", "365 days is not lost yet")
        self.assertEqual(stage(400, 61, gap=20), "at_risk", "the floor: 60 days")
        self.assertEqual(stage(400, 60, gap=20), "active")
        self.assertEqual(stage(400, 181), "at_risk", "one-time buyers: 2 x 90 days")
        self.assertEqual(stage(90, 90), "new")
        self.assertEqual(stage(91, 91), "active")
        self.assertEqual(stage(900, 90, gap=810, returned=90), "won_back")
        self.assertEqual(stage(900, 91, gap=810, returned=91), "active")
        self.assertIsNone(lifecycle.stage(TODAY, (None, None, None, None), settings))


@tagged("post_install", "-at_install")
class TestLifecycleReports(AccountTestInvoicingCommon):
    """Churn, retention and cohorts of a small population computed by hand
    (lost after 60 days), read by a tier user."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(
            "customer_tiering.group_customer_tier_user"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "lifecycle_lost_days": 60,
                "lifecycle_single_gap_days": 20,
                "lifecycle_risk_floor_days": 10,
            }
        )

        def customer(name, *days):
            partner = cls.env["res.partner"].create({"name": name, "is_company": True})
            for day in days:
                cls.init_invoice("out_invoice", partner, day, post=True, amounts=[10])
            return partner

        cls.p1 = customer("P1", date(2026, 1, 10), date(2026, 2, 10), date(2026, 3, 10))
        cls.p2 = customer("P2", date(2026, 3, 20), date(2026, 5, 25))
        cls.p3 = customer("P3", date(2026, 4, 5))

    def groups(self, model, groupby, measures):
        with freeze_time(TODAY):
            return {
                group[groupby]: tuple(group[m] for m in measures)
                for group in self.env[model].read_group(
                    [("company_id", "=", self.company.id)],
                    measures,
                    [groupby],
                    lazy=False,
                )
            }

    def test_churn_and_retention_by_month(self):
        measures = ["active_count", "lost_count", "churn_rate", "retention_rate"]
        groups = self.groups("customer.churn.report", "month:month", measures)
        rates = {
            month: (active, lost, round(churn, 2), round(retention, 2))
            for month, (active, lost, churn, retention) in groups.items()
        }
        self.assertEqual(
            rates,
            {
                "February 2026": (1, 0, 0.0, 100.0),
                "March 2026": (1, 0, 0.0, 100.0),
                "April 2026": (2, 0, 0.0, 100.0),
                "May 2026": (3, 1, 33.33, 66.67),
                "June 2026": (2, 1, 50.0, 50.0),
            },
        )

    def test_cohorts(self):
        groups = self.groups(
            "customer.cohort.report", "month_index", ["retention", "customer_count"]
        )
        self.assertEqual(
            {
                index: (round(retention, 2), count)
                for index, (retention, count) in groups.items()
            },
            {
                0: (100.0, 3),
                1: (33.33, 1),
                2: (66.67, 2),
                3: (0.0, 0),
                4: (0.0, 0),
                5: (0.0, 0),
            },
        )
        with freeze_time(TODAY):
            january = self.env["customer.cohort.report"].search_read(
                [("company_id", "=", self.company.id), ("partner_id", "=", self.p1.id)],
                ["month_index", "customer_count"],
            )
        self.assertEqual([row["month_index"] for row in january], [0, 1, 2, 3, 4, 5])
        self.assertEqual([row["customer_count"] for row in january], [1, 1, 1, 0, 0, 0])
