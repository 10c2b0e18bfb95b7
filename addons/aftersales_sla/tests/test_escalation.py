from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command

from .common import AftersalesCase, utc


class TestEscalation(AftersalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supervisor = cls.aftersales_manager
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

    def last_note(self, ticket):
        """The newest message with a text (tracking messages have none)."""
        return ticket.message_ids.filtered("body")[:1].body or ""

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
        self.assertEqual(response.date_warning, utc(2026, 11, 30, 2, 15))

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
        self.assertIn("Service level at risk: First response", self.last_note(ticket))

        self.scan(utc(2026, 11, 30, 2, 40))
        self.assertEqual(response.status, "failed")
        self.assertEqual(ticket.sla_status, "failed")
        self.assertEqual(ticket.user_id, self.supervisor)
        self.assertIn("reassigned to Manager Ma", self.last_note(ticket))

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
        first = line._escalate(failed=line)
        second = line._escalate(failed=line)
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
        self.assertIn("severity raised to High", self.last_note(ticket))

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

    def test_leader_gets_one_activity_naming_every_missed_target(self):
        """Two targets of one ticket missed in one scan, a leader who does not
        follow the ticket: one activity for the leader naming both (Odoo would
        subscribe the leader once per activity and the scan would crash)."""
        self.gold_policy.escalation_ids = [
            Command.create(
                {"trigger": "breach", "target": "any", "action": "notify_leader"}
            )
        ]
        with freeze_time(utc(2026, 11, 30, 2)):
            ticket = self.make_ticket(self.gold_customer, severity_id=self.normal.id)
        self.assertNotIn(self.leader.partner_id, ticket.message_partner_ids)
        progress = self.scan(utc(2026, 11, 30, 12))  # response and resolution missed
        self.assertEqual(progress, [(2, 0)])
        activities = ticket.activity_ids.filtered(lambda a: a.user_id == self.leader)
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.summary, "Missed: First response, Resolution")
        self.assertIn(self.leader.partner_id, ticket.message_partner_ids)

    def test_one_failing_ticket_does_not_stop_the_scan(self):
        """A ticket whose escalation fails is logged with its reference and
        skipped; the other tickets of the scan are escalated, and later scans
        are not wedged by it."""
        with freeze_time(utc(2026, 11, 30, 2)):
            bad = self.make_ticket(self.gold_customer, severity_id=self.normal.id)
            good = self.make_ticket(self.gold_customer, severity_id=self.normal.id)
        Ticket = type(self.Ticket)
        original = Ticket._message_log_batch

        def log_batch(tickets, bodies=None, **kwargs):
            if bad.id in (bodies or {}):
                raise ValueError("broken ticket")
            return original(tickets, bodies=bodies, **kwargs)

        with (
            patch.object(Ticket, "_message_log_batch", log_batch),
            self.assertLogs(
                "odoo.addons.aftersales_sla.models.aftersales_ticket_sla", "ERROR"
            ) as logs,
        ):
            progress = self.scan(utc(2026, 11, 30, 12))
        self.assertEqual(progress, [(4, 0)])
        self.assertIn(bad.number, logs.output[0])
        self.assertEqual(good.user_id, self.supervisor, "escalated")
        self.assertIn("Service level missed", self.last_note(good))
        self.assertNotIn("Service level missed", self.last_note(bad))
        self.assertEqual(
            set(
                bad.sla_line_ids.filtered(lambda line: line.target != "on_site").mapped(
                    "status"
                )
            ),
            {"failed"},
            "its targets stay marked",
        )
        with freeze_time(utc(2026, 11, 30, 2)):
            later = self.make_ticket(self.gold_customer, severity_id=self.normal.id)
        self.scan(utc(2026, 11, 30, 12))
        self.assertEqual(later.user_id, self.supervisor, "later scans go on")
