"""Benchmark of the revisit planning: N customers across four tiers, each
with a done revisit of its tier's rule, of which D are due today.

Full scale (make bench): 200,000 customers, 10,000 of them due. Targets:
the scheduled planning creates the 10,000 revisits (and their activities)
within 30 s; an immediate re-run with a fresh pass over every customer
creates none, within 5 s.

The customers and their past revisits are inserted with plain SQL (the ORM
would take hours); the planning runs as the scheduled action does, batch by
batch, in one transaction.
"""

from bench_common import profiled, report, scale, timer

from odoo import Command, fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from odoo.addons.revisit_plan.tools import batching

SCALES = {"smoke": (2_000, 100), "medium": (20_000, 1_000), "full": (200_000, 10_000)}
# Share of the customers per tier (VIP, important, regular, prospect).
TIER_SHARES = (1, 2, 3, 4)


@tagged("post_install", "-at_install")
class TestBenchRevisitPlan(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers, cls.due = SCALES[scale()]
        cls.company = cls.env["res.company"].create({"name": "Revisit Benchmark Co"})
        cls.env = cls.env["base"].with_company(cls.company).env
        cls.salesperson = cls.env["res.users"].create(
            {
                "name": "Bench Salesperson",
                "login": "rp_bench_sales",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set(cls.env.ref("base.group_user").ids)],
            }
        )
        cls.tiers = cls.env["customer.tier"].create(
            [
                {"name": name, "rank": rank, "min_score": score}
                for name, rank, score in (
                    ("VIP", 1, 80),
                    ("Important", 2, 60),
                    ("Regular", 3, 35),
                    ("Prospect", 4, 0),
                )
            ]
        )
        cls.rules = cls.env["revisit.rule"].create(
            [
                {
                    "name": f"Every {number} {unit}",
                    "tier_ids": [Command.set(tier.ids)],
                    "cadence_number": number,
                    "cadence_unit": unit,
                    "lead_days": 7,
                    "note_template": "<p>Call {customer} ({tier})</p>",
                }
                for tier, (number, unit) in zip(
                    cls.tiers,
                    ((1, "months"), (3, "months"), (1, "years"), (2, "years")),
                    strict=True,
                )
            ]
        )
        cls._make_data()

    @classmethod
    def _make_data(cls):
        cr = cls.env.cr
        key = str(cls.company.id)
        tier_ids = cls.tiers.ids
        cr.execute(
            SQL(
                """
                INSERT INTO res_partner (name, active, is_company, type, customer_rank,
                                         company_id, user_id, tier_id, email,
                                         email_normalized, autopost_bills,
                                         create_uid, write_uid, create_date, write_date)
                SELECT 'Bench customer ' || i, true, true, 'contact', 1,
                       %(company)s, %(user)s,
                       jsonb_build_object(%(key)s, (%(tiers)s::int[])[
                           CASE WHEN mod(i, 10) < 1 THEN 1
                                WHEN mod(i, 10) < 3 THEN 2
                                WHEN mod(i, 10) < 6 THEN 3 ELSE 4 END]),
                       'bench' || i || '@example.com', 'bench' || i || '@example.com',
                       'ask', 1, 1, now(), now()
                  FROM generate_series(1, %(n)s) i
                RETURNING id
                """,
                company=cls.company.id,
                user=cls.salesperson.id,
                key=key,
                tiers=tier_ids,
                n=cls.customers,
            )
        )
        cls.partner_ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)",
            [cls.partner_ids],
        )
        # Every customer was revisited under its tier's rule: about one in
        # customers/due (picked by a hash of its id, across all tiers) long
        # ago, so it is due now; the others a week ago.
        every = cls.customers // cls.due
        rule_of_tier = {rule.tier_ids.id: rule.id for rule in cls.rules}
        cr.execute(
            SQL(
                """
                INSERT INTO revisit_record (partner_id, company_id, rule_id, tier_id,
                                            date_due, date_done, state, satisfaction,
                                            user_id, create_uid, write_uid,
                                            create_date, write_date)
                SELECT p.id, %(company)s, r.rule_id, r.tier_id, d.day, d.day, 'done',
                       1 + mod(p.id, 5), %(user)s, 1, 1, now(), now()
                  FROM res_partner p
                  JOIN unnest(%(tiers)s::int[], %(rules)s::int[]) AS r(tier_id, rule_id)
                    ON r.tier_id = %(partner_tier)s
                 CROSS JOIN LATERAL (
                       SELECT CASE WHEN mod(abs(hashint4(p.id)), %(every)s) = 0
                                   THEN %(today)s::date - 800
                                   ELSE %(today)s::date - 7 END AS day
                       ) d
                 WHERE p.id = ANY(%(partners)s)
                """,
                company=cls.company.id,
                user=cls.salesperson.id,
                tiers=list(rule_of_tier),
                rules=list(rule_of_tier.values()),
                partner_tier=cls.env["res.partner"]._tier_id_sql(cls.company),
                every=every,
                partners=cls.partner_ids,
                # The planning's day is the user's (in its time zone), which
                # may already be tomorrow for the database's current_date.
                today=fields.Date.context_today(cls.rules),
            )
        )
        cr.execute(
            "SELECT COUNT(*) FROM unnest(%s::int[]) AS p(id) "
            "WHERE mod(abs(hashint4(p.id)), %s) = 0",
            [cls.partner_ids, every],
        )
        cls.expected_due = cr.fetchone()[0]
        cr.execute("ANALYZE res_partner")
        cr.execute("ANALYZE revisit_record")

    def run_planning(self):
        """The scheduled action's steps until nothing remains; return the
        number of steps."""
        steps, remaining = 0, 1
        while remaining:
            _done, remaining = self.rules._plan_step()
            steps += 1
        self.env.flush_all()
        return steps

    def planned_count(self):
        self.env.cr.execute(
            "SELECT COUNT(*), COUNT(DISTINCT (partner_id, rule_id)) "
            "FROM revisit_record WHERE company_id = %s AND state = 'planned'",
            [self.company.id],
        )
        return self.env.cr.fetchone()

    def test_planning(self):
        results = {
            "customers": self.customers,
            "due_customers": self.expected_due,
            "batch_size": batching.batch_size(self.env),
        }
        with timer(results, "planning_s"), profiled("the planning"):
            results["planning_steps"] = self.run_planning()
        planned, distinct = self.planned_count()
        results["revisits_created"] = planned
        self.env.cr.execute(
            "SELECT COUNT(*) FROM mail_activity WHERE res_model = 'revisit.record' "
            "AND res_id IN (SELECT id FROM revisit_record WHERE company_id = %s "
            "AND state = 'planned')",
            [self.company.id],
        )
        results["activities_created"] = self.env.cr.fetchone()[0]
        # An immediate re-run, with a fresh pass over every customer.
        self.rules.write({"date_scan": False})
        with timer(results, "rerun_s"):
            self.run_planning()
        planned_again, _distinct = self.planned_count()
        results["revisits_created_by_rerun"] = planned_again - planned
        report("revisit_plan", results)

        # Invariants, at any scale.
        self.assertEqual(planned, self.expected_due)
        self.assertEqual(distinct, planned, "no duplicate")
        self.assertEqual(results["activities_created"], planned)
        self.assertEqual(results["revisits_created_by_rerun"], 0)
