"""Benchmark of after-sales service levels with many open tickets.

Full scale (make bench): 100,000 open tickets with their response and
resolution targets. Targets: planning a ticket's deadlines within 5 ms (p95),
the breach scan within 100 ms, escalating 1,000 breaches within 10 s.

Tickets and their target lines are inserted with plain SQL (the ORM would
take long to create them); planning, scanning and escalating run through the
addon's own code.
"""

import statistics
import time
from datetime import timedelta

from bench_common import profiled, report, scale, timer

from odoo import Command, fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from odoo.addons.aftersales_sla.tools.sla_planner import PlannerCache

SCALES = {
    "smoke": (2_000, 100, 50),
    "medium": (20_000, 1_000, 200),
    "full": (100_000, 1_000, 500),
}


# Outside an addon, Odoo's test classes need their tags set explicitly.
@tagged("post_install", "-at_install")
class TestBenchAftersalesSla(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tickets, cls.breaches, cls.samples = SCALES[scale()]
        cls.company = cls.env["res.company"].create({"name": "After-sales Benchmark"})
        cls.env = cls.env["base"].with_company(cls.company).env
        cls.tier = cls.env["customer.tier"].create(
            {
                "name": "Bench tier",
                "rank": 1,
                "min_score": 0,
                "company_id": cls.company.id,
            }
        )
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Bench office",
                "tz": "Asia/Shanghai",
                "company_id": cls.company.id,
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "name": f"{day} {start}",
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": "morning" if start < 12 else "afternoon",
                        }
                    )
                    for day in range(5)
                    for start, end in ((9, 12), (13, 18))
                ],
            }
        )
        leader = cls.env["res.users"].create(
            {
                "name": "Bench leader",
                "login": "bench_leader",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
            }
        )
        cls.team = cls.env["aftersales.team"].create(
            {"name": "Bench team", "company_id": cls.company.id, "leader_id": leader.id}
        )
        severities = cls.env["aftersales.severity"].search([])
        cls.policy = cls.env["aftersales.sla.policy"].create(
            {
                "name": "Bench policy",
                "company_id": cls.company.id,
                "tier_ids": [Command.set(cls.tier.ids)],
                "severity_ids": [Command.set(severities.ids)],
                "calendar_id": cls.calendar.id,
                "response_target": 4,
                "resolution_target": 3,
                "escalation_ids": [
                    Command.create({"trigger": "breach", "action": "notify_leader"}),
                    Command.create(
                        {
                            "trigger": "breach",
                            "target": "resolution",
                            "action": "raise_severity",
                        }
                    ),
                ],
            }
        )
        cls.partner = cls.env["res.partner"].create(
            {"name": "Bench customer", "is_company": True}
        )
        cls._make_tickets()

    @classmethod
    def _make_tickets(cls):
        """N open tickets with a running resolution target each; the first
        ``breaches`` are past their deadline, the rest due in the future."""
        cr = cls.env.cr
        stage = cls.env["aftersales.stage"].search(
            [("kind", "=", "in_progress")], limit=1
        )
        severity = cls.env.ref("aftersales_sla.severity_normal")
        now = fields.Datetime.now()
        cr.execute(
            SQL(
                """
                INSERT INTO aftersales_ticket (name, number, company_id, partner_id,
                    commercial_partner_id, tier_id, team_id, stage_id, stage_kind,
                    severity_id, service_mode, fee_policy, date_received, sla_policy_id,
                    sla_status, active, create_uid, write_uid, create_date, write_date)
                SELECT 'Bench ticket ' || i, 'BENCH/' || i, %(company)s, %(partner)s,
                       %(partner)s, %(tier)s, %(team)s, %(stage)s, 'in_progress',
                       %(severity)s, 'remote', 'charged', %(now)s, %(policy)s,
                       'ok', true, 1, 1, %(now)s, %(now)s
                  FROM generate_series(1, %(n)s) i
                RETURNING id
                """,
                company=cls.company.id,
                partner=cls.partner.id,
                tier=cls.tier.id,
                team=cls.team.id,
                stage=stage.id,
                severity=severity.id,
                now=now,
                policy=cls.policy.id,
                n=cls.tickets,
            )
        )
        cls.ticket_ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            SQL(
                """
                INSERT INTO aftersales_ticket_sla (ticket_id, company_id, policy_id,
                    target, date_start, target_hours, paused_hours, date_deadline,
                    date_warning, warned, status,
                    create_uid, write_uid, create_date, write_date)
                SELECT t.id, %(company)s, %(policy)s, 'resolution', %(now)s, 24, 0,
                       CASE WHEN t.n <= %(breaches)s THEN %(past)s ELSE %(future)s END,
                       CASE WHEN t.n <= %(breaches)s THEN %(past)s ELSE %(future)s END,
                       true, 'running', 1, 1, %(now)s, %(now)s
                  FROM (SELECT id, row_number() OVER (ORDER BY id) AS n
                          FROM unnest(%(ids)s::int[]) AS id) t
                """,
                company=cls.company.id,
                policy=cls.policy.id,
                now=now,
                breaches=cls.breaches,
                past=now - timedelta(hours=1),
                future=now + timedelta(days=30),
                ids=cls.ticket_ids,
            )
        )
        cr.execute("ANALYZE aftersales_ticket")
        cr.execute("ANALYZE aftersales_ticket_sla")

    def test_plan_scan_escalate(self):
        Ticket = self.env["aftersales.ticket"]
        Line = self.env["aftersales.ticket.sla"]
        results = {"open_tickets": self.tickets, "breaches": self.breaches}

        # Planning: each sampled ticket planned on its own (a cold planner per
        # ticket, as when one ticket is created), then all of them in one batch.
        sample = Ticket.browse(self.ticket_ids[-self.samples :])
        sample.sla_line_ids.write({"status": "cancelled"})
        durations = []
        for ticket in sample:
            start = time.perf_counter()
            Line._apply_policies(ticket, PlannerCache())
            durations.append((time.perf_counter() - start) * 1000)
        durations.sort()
        results["planning_ms_p50"] = round(statistics.median(durations), 2)
        results["planning_ms_p95"] = round(durations[int(len(durations) * 0.95) - 1], 2)
        sample.sla_line_ids.filtered(lambda line: line.status != "cancelled").write(
            {"status": "cancelled"}
        )
        with timer(results, "planning_batch_s"):
            Line._apply_policies(sample, PlannerCache())
        results["planning_batch_ms_per_ticket"] = round(
            results["planning_batch_s"] * 1000 / len(sample), 3
        )
        self.env.flush_all()

        # The scan alone: the query the scheduled check runs, served by the
        # partial index, without claiming anything.
        now = fields.Datetime.now()
        with timer(results, "breach_scan_s"):
            self.env.cr.execute(
                "SELECT id FROM aftersales_ticket_sla WHERE status = 'running' "
                "AND date_deadline <= %s ORDER BY date_deadline LIMIT %s",
                [now, self.breaches],
            )
            due = self.env.cr.fetchall()
        self.env.cr.execute(
            "EXPLAIN SELECT id FROM aftersales_ticket_sla WHERE status = 'running' "
            "AND date_deadline <= %s ORDER BY date_deadline LIMIT %s",
            [now, self.breaches],
        )
        plan = " ".join(row[0] for row in self.env.cr.fetchall())
        results["breach_scan_uses_index"] = (
            "aftersales_ticket_sla_running_deadline_idx" in plan
        )

        # The scheduled check takes the due lines of every company, earliest
        # first: other companies' (the demo data's, due once the database is
        # a few hours old) come before this benchmark's breaches, so they
        # count in its limit (with a margin for those falling due meanwhile).
        self.env.cr.execute(
            "SELECT COUNT(*) FROM aftersales_ticket_sla WHERE status = 'running' "
            "AND date_deadline <= %s AND company_id != %s",
            [now + timedelta(minutes=5), self.company.id],
        )
        others = self.env.cr.fetchone()[0]
        results["other_companies_due"] = others

        # Escalating: the scheduled check claims the breaches, runs the steps
        # (leader activities, severities raised and re-planned) and logs.
        with timer(results, "escalation_s"), profiled("escalating the breaches"):
            Line._cron_check_sla(limit=self.breaches + others)
            # As the cron's commit would: the precommit work (tracking
            # messages of the raised severities) counts too.
            self.env.cr.flush()
        report("aftersales_sla", results)

        self.assertEqual(len(due), self.breaches)
        self.assertTrue(results["breach_scan_uses_index"])
        failed = Line.search_count(
            [("status", "=", "failed"), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(failed, self.breaches)
        logs = self.env["aftersales.sla.escalation.log"].search_count(
            [("company_id", "=", self.company.id)]
        )
        self.assertEqual(logs, self.breaches * 2, "two steps, once each")
        activities = self.env["mail.activity"].search_count(
            [("res_model", "=", "aftersales.ticket"), ("res_id", "in", self.ticket_ids)]
        )
        self.assertEqual(activities, self.breaches)
        # A second check finds nothing more to escalate.
        Line._cron_check_sla(limit=self.breaches)
        self.assertEqual(
            self.env["aftersales.sla.escalation.log"].search_count(
                [("company_id", "=", self.company.id)]
            ),
            self.breaches * 2,
        )
