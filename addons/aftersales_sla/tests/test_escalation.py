from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command

from .common import AftersalesCase, utc


class TestEscalation(AftersalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supervisor = cls.manager
        cls.gold_policy.write(
            {
                "warning_percent": 50,
                "escalation_ids": [
                    Command.create(
                        {
                            "trigger": "warning",
                            "target": "response",
                            "action": "notify_leader",
                        }
                    ),
                    Command.create(
                        {
                            "trigger": "breach",
                            "target": "any",
                            "action": "reassign_user",
                            "user_id": cls.supervisor.id,
                        }
                    ),
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
        cls.SlaLine = cls.env["aftersales.ticket.sla"]

    def scan(self, when):
        progress = []
        with (
            freeze_time(when),
            patch.object(
                type(self.env["ir.cron"]),
                "_notify_progress",
                lambda self_, done, remaining, deactivate=False: progress.append(
                    (done, remaining)
                ),
            ),
        ):
            self.SlaLine._cron_check_sla()
        return progress

    def test_warning_then_breach_each_step_once(self):
        with freeze_time(utc(2026, 11, 30, 2)):
            ticket = self.make_ticket(self.gold_customer, severity_id=self.normal.id)
        response = self.line(ticket, "response")
        self.assertEqual(response.warning_at, utc(2026, 11, 30, 2, 15))

        self.assertEqual(self.scan(utc(2026, 11, 30, 2, 10)), [(0, 0)])
        self.assertEqual(ticket.sla_status, "ok")

        self.scan(utc(2026, 11, 30, 2, 20))
        self.assertTrue(response.warned)
        self.assertEqual(ticket.sla_status, "warning")
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "aftersales.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(activity.user_id, self.leader)
        self.assertIn("At risk", activity.summary)
        self.assertIn(
            "Service level at risk: First response", ticket.message_ids[0].body
        )

        self.scan(utc(2026, 11, 30, 2, 40))
        self.assertEqual(response.status, "failed")
        self.assertEqual(ticket.sla_status, "failed")
        self.assertEqual(ticket.user_id, self.supervisor)
        self.assertIn("reassigned to Manager Ma", ticket.message_ids[0].body)

        # A later scan finds nothing more to do for it: no second escalation.
        messages = len(ticket.message_ids)
        self.scan(utc(2026, 11, 30, 2, 50))
        self.assertEqual(len(ticket.message_ids), messages)
        steps = self.env["aftersales.sla.escalation.log"].search(
            [("ticket_id", "=", ticket.id)]
        )
        self.assertEqual(len(steps), 2)

    def test_escalation_never_twice_even_when_claimed_again(self):
        """The log's unique key makes a step run once, even if a line were
        scanned twice (two workers)."""
        with freeze_time(utc(2026, 11, 30, 2)):
            ticket = self.make_ticket(self.gold_customer, severity_id=self.normal.id)
        line = self.line(ticket, "resolution")
        first = line._escalate("breach")
        second = line._escalate("breach")
        self.assertTrue(first[ticket.id])
        self.assertEqual(second, {})
        self.assertEqual(ticket.severity_id, self.high, "raised once, not twice")

    def test_breach_raises_severity_and_replans(self):
        with freeze_time(utc(2026, 11, 30, 2)):
            ticket = self.make_ticket(self.gold_customer, severity_id=self.normal.id)
        self.scan(utc(2026, 11, 30, 10, 30))  # after the 8 h resolution deadline
        self.assertEqual(ticket.severity_id, self.high)
        self.assertEqual(
            self.line(ticket, "resolution").status, "failed", "stays failed"
        )
        self.assertIn("severity raised to High", ticket.message_ids[0].body)

    def test_batches_report_progress(self):
        with freeze_time(utc(2026, 11, 30, 2)):
            for _i in range(3):
                self.make_ticket(self.gold_customer, severity_id=self.normal.id)
        with freeze_time(utc(2026, 11, 30, 2, 40)):
            with patch.object(
                type(self.env["ir.cron"]),
                "_notify_progress",
                lambda self_, done, remaining, deactivate=False: progress.append(
                    (done, remaining)
                ),
            ):
                progress = []
                self.SlaLine._cron_check_sla(limit=2)
                self.SlaLine._cron_check_sla(limit=2)
        # Three response breaches, two per call (past their deadline, they
        # fail without a warning first).
        self.assertEqual(progress, [(2, 1), (1, 0)])
