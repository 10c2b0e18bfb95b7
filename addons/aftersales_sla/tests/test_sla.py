from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import AftersalesCase, utc


class TestTicketSla(AftersalesCase):
    def test_tier_team_and_policy_at_creation(self):
        with freeze_time(utc(2026, 11, 30, 2)):  # Monday 10:00 Shanghai
            ticket = self.make_ticket(self.gold_customer, severity_id=self.critical.id)
        self.assertEqual(ticket.tier_id, self.gold, "the tier is copied at creation")
        self.assertEqual(
            ticket.team_id, self.vip_team, "the dedicated team of the tier"
        )
        self.assertEqual(ticket.sla_policy_id, self.gold_policy)
        self.assertEqual(ticket.fee_policy, "free")
        self.assertTrue(ticket.number.startswith("AS/"))
        self.assertEqual(
            self.line(ticket, "response").date_deadline, utc(2026, 11, 30, 2, 30)
        )
        self.assertEqual(
            self.line(ticket, "resolution").date_deadline, utc(2026, 11, 30, 10)
        )
        self.assertFalse(
            self.line(ticket, "on_site"), "remote tickets have no on-site target"
        )
        self.assertEqual(ticket.sla_status, "ok")
        self.assertEqual(ticket.date_sla_deadline, utc(2026, 11, 30, 2, 30))

    def test_no_policy_no_service_level(self):
        ticket = self.make_ticket(self.basic_customer, severity_id=self.critical.id)
        self.assertFalse(ticket.sla_line_ids)
        self.assertEqual(ticket.sla_status, "none")

    def test_created_at_the_weekend_on_office_hours(self):
        with freeze_time(utc(2026, 11, 28, 2)):  # Saturday
            ticket = self.make_ticket()
        self.assertEqual(
            self.line(ticket, "response").date_deadline, utc(2026, 11, 30, 3)
        )
        # 2 working days of 8 hours from Monday 09:00: Tuesday 18:00.
        self.assertEqual(
            self.line(ticket, "resolution").date_deadline, utc(2026, 12, 1, 10)
        )

    def test_on_site_target(self):
        repair = self.env.ref("aftersales_sla.type_repair")
        with freeze_time(utc(2026, 11, 30, 2)):
            ticket = self.make_ticket(self.gold_customer, type_id=repair.id)
        self.assertEqual(ticket.service_mode, "on_site")
        self.assertEqual(
            self.line(ticket, "on_site").date_deadline, utc(2026, 11, 30, 6)
        )
        with freeze_time(utc(2026, 11, 30, 5)):
            ticket.with_user(self.agent).action_check_in()
        self.assertEqual(self.line(ticket, "on_site").status, "achieved")
        self.assertEqual(ticket.checkin_user_id, self.agent)
        with self.assertRaisesMessage(UserError, "already checked in"):
            ticket.with_user(self.agent).action_check_in()
        with self.assertRaisesMessage(UserError, "Write the service report"):
            self.leave_site(ticket.with_user(self.agent), "<p><br></p>")
        self.assertFalse(ticket.date_checkout)
        self.leave_site(ticket.with_user(self.agent), "<p>Compressor replaced.</p>")
        self.assertTrue(ticket.date_checkout)
        self.assertEqual(ticket.service_report, "<p>Compressor replaced.</p>")

    def test_leave_site_asks_for_the_report(self):
        """Leave Site opens a dialog for the service report (it answered with
        an error when the report was not written yet); the report is checked
        like any input, and nothing changes when it is refused."""
        repair = self.env.ref("aftersales_sla.type_repair")
        ticket = self.make_ticket(self.gold_customer, type_id=repair.id)
        as_agent = ticket.with_user(self.agent)
        # The ticket's creation ends its transaction (changes made in the
        # transaction that creates a record are not tracked).
        self.env.cr.precommit.run()
        as_agent.action_check_in()
        action = as_agent.action_check_out()
        self.assertEqual(action["res_model"], "aftersales.ticket.checkout")
        self.assertEqual(action["target"], "new")
        self.assertFalse(ticket.date_checkout)
        for report, message in [
            ("<p>Fixed\x00</p>", "cannot be stored"),
            ("<p>" + "x" * 100_001 + "</p>", "is limited to"),
        ]:
            with self.assertRaisesMessage(UserError, message):
                as_agent._check_out(report)
        self.assertFalse(ticket.date_checkout or ticket.service_report)
        self.leave_site(as_agent, "<p>Door seal replaced.</p>")
        self.assertTrue(ticket.date_checkout)
        self.assertIn("Door seal replaced.", ticket.message_ids[0].body)
        # Arrival and departure are tracked facts, which the history shows in
        # its reader's language, not notes in the technician's language.
        self.env.cr.precommit.run()
        ticket.invalidate_recordset(["message_ids"])
        tracked = ticket.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("date_checkin", tracked)
        self.assertIn("date_checkout", tracked)
        self.assertFalse(
            ticket.message_ids.filtered(lambda m: "Arrived on site" in str(m.body))
        )
        with self.assertRaisesMessage(UserError, "Check in on site"):
            as_agent.action_check_out()

    def test_first_response_by_agent_message(self):
        with freeze_time(utc(2026, 11, 30, 2)):
            ticket = self.make_ticket()
        response = self.line(ticket, "response")
        with freeze_time(utc(2026, 11, 30, 2, 30)):
            ticket.with_user(self.agent).message_post(
                body="Internal note",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            ticket.message_post(
                body="Any news?",
                author_id=self.basic_customer.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(
            response.status,
            "running",
            "notes and the customer's messages do not answer",
        )
        with freeze_time(utc(2026, 11, 30, 3)):
            ticket.with_user(self.agent).message_post(
                body="We are on it",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(response.status, "achieved")
        self.assertEqual(ticket.date_first_response, utc(2026, 11, 30, 3))

    def test_first_response_by_moving_in_progress_late(self):
        with freeze_time(utc(2026, 11, 30, 2)):
            ticket = self.make_ticket()
        with freeze_time(utc(2026, 11, 30, 6)):  # 3 working hours later
            ticket.with_user(self.agent).stage_id = self.stage("in_progress")
        self.assertEqual(
            self.line(ticket, "response").status, "failed", "reached too late"
        )
        self.assertEqual(ticket.sla_status, "failed")

    def test_pause_and_resume_across_a_holiday(self):
        """Waiting on the customer pauses the clock; resuming pushes the
        deadline by the working time paused, a holiday in between not
        counted."""
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "calendar_id": self.office.id,
                "date_from": utc(2026, 11, 30, 16),  # Tuesday 00:00 Shanghai
                "date_to": utc(2026, 12, 1, 15, 59, 59),
            }
        )
        with freeze_time(utc(2026, 11, 30, 2)):  # Monday 10:00
            ticket = self.make_ticket()
        resolution = self.line(ticket, "resolution")
        # 16 working hours: Monday 7 h, Tuesday off, Wednesday 8 h, Thursday 1 h.
        self.assertEqual(resolution.date_deadline, utc(2026, 12, 3, 2))
        with freeze_time(utc(2026, 11, 30, 9)):  # Monday 17:00
            ticket.stage_id = self.stage("waiting")
        self.assertEqual(resolution.status, "paused")
        self.assertEqual(ticket.sla_status, "ok")
        with freeze_time(utc(2026, 12, 2, 2)):  # Wednesday 10:00
            ticket.stage_id = self.stage("in_progress")
        self.assertEqual(resolution.status, "running")
        # Paused Monday 17:00-18:00 and Wednesday 09:00-10:00: 2 working hours,
        # so Thursday 10:00 becomes Thursday 12:00.
        self.assertAlmostEqual(resolution.paused_hours, 2)
        self.assertEqual(resolution.date_deadline, utc(2026, 12, 3, 4))

    def test_severity_change_replans_but_failed_stays_failed(self):
        with freeze_time(utc(2026, 11, 30, 2)):
            ticket = self.make_ticket(self.gold_customer, severity_id=self.normal.id)
        with freeze_time(utc(2026, 11, 30, 3)):
            self.env["aftersales.ticket.sla"]._cron_check_sla()
        self.assertEqual(self.line(ticket, "response").status, "failed")
        self.gold_policy.severity_ids -= self.critical
        policy = self.gold_policy.copy(
            {
                "name": "Gold critical",
                "severity_ids": [(6, 0, self.critical.ids)],
                "resolution_target": 4,
            }
        )
        with freeze_time(utc(2026, 11, 30, 3)):
            ticket.severity_id = self.critical
        self.assertEqual(ticket.sla_policy_id, policy)
        self.assertEqual(self.line(ticket, "response").status, "failed")
        self.assertEqual(
            self.line(ticket, "resolution").date_deadline, utc(2026, 11, 30, 6)
        )
        self.assertEqual(ticket.assessed_by_id, self.env.user)

    def test_tier_change_replans_open_tickets(self):
        with freeze_time(utc(2026, 11, 30, 2)):
            ticket = self.make_ticket(self.basic_customer)
            self.assertEqual(ticket.sla_policy_id, self.basic_policy)
            self.basic_customer.with_company(self.company)._tier_override(
                self.gold, "Upgrade"
            )
        self.assertEqual(ticket.tier_id, self.gold)
        self.assertEqual(ticket.sla_policy_id, self.gold_policy)
        self.assertEqual(
            self.line(ticket, "response").date_deadline, utc(2026, 11, 30, 2, 30)
        )

    def test_resolution_reopen_and_first_contact(self):
        with freeze_time(utc(2026, 11, 30, 2)):
            ticket = self.make_ticket()
        with freeze_time(utc(2026, 11, 30, 4)):
            ticket.stage_id = self.stage("resolved")
        resolution = self.line(ticket, "resolution")
        self.assertEqual(resolution.status, "achieved")
        self.assertAlmostEqual(ticket.handling_hours, 2.0)  # Monday 10:00-12:00
        with freeze_time(utc(2026, 11, 30, 6)):
            ticket.stage_id = self.stage("in_progress")
        self.assertEqual(ticket.reopen_count, 1)
        self.assertEqual(resolution.status, "running")
        self.assertFalse(ticket.date_resolved)

    def test_cancel_and_complaint_closure(self):
        complaint = self.env.ref("aftersales_sla.type_complaint")
        ticket = self.make_ticket(type_id=complaint.id)
        with self.assertRaisesMessage(
            UserError, "needs a root cause and a corrective action"
        ):
            ticket.stage_id = self.stage("closed")
        self.assertEqual(ticket.stage_kind, "new")
        ticket.write(
            {
                "root_cause_id": self.env.ref("aftersales_sla.root_cause_delay").id,
                "corrective_action": "<p>A second agent on the phone line.</p>",
            }
        )
        ticket.stage_id = self.stage("closed")
        self.assertTrue(ticket.date_closed and ticket.date_resolved)
        other = self.make_ticket()
        other.stage_id = self.stage("cancelled")
        self.assertEqual(set(other.sla_line_ids.mapped("status")), {"cancelled"})

    def test_round_robin_and_least_open(self):
        second = self.aftersales_manager.copy(
            {"login": "as_agent_2", "name": "Agent Two"}
        )
        self.team.write(
            {
                "member_ids": [(6, 0, (self.agent | second).ids)],
                "assignment_method": "round_robin",
            }
        )
        users = [self.make_ticket().user_id for _i in range(3)]
        self.assertEqual(users, [self.agent, second, self.agent])
        self.team.assignment_method = "least_open"
        self.assertEqual(self.make_ticket().user_id, second)

    def test_tickets_go_only_to_members_who_can_work_them(self):
        """Members without after-sales rights in the team's company (such as
        a plain employee added to the team) never get tickets assigned."""
        plain = mail_new_test_user(
            self.env,
            login="as_plain",
            name="Plain Employee",
            groups="base.group_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        elsewhere = mail_new_test_user(
            self.env,
            login="as_elsewhere",
            name="Agent Elsewhere",
            groups="base.group_user,aftersales_sla.group_aftersales_user",
            company_id=self.env.ref("base.main_company").id,
            company_ids=[Command.set(self.env.ref("base.main_company").ids)],
        )
        self.team.write(
            {
                "member_ids": [Command.set((plain | elsewhere | self.agent).ids)],
                "assignment_method": "round_robin",
            }
        )
        users = [self.make_ticket().user_id for _i in range(3)]
        self.assertEqual(users, [self.agent] * 3)
        self.team.assignment_method = "least_open"
        ticket = self.make_ticket()
        self.assertEqual(ticket.user_id, self.agent)
        ticket.with_user(self.agent).read(["name"])
        with self.assertRaisesMessage(ValidationError, "after-sales rights"):
            self.team.member_ids = [Command.set(plain.ids)]

    def test_bad_policies(self):
        Policy = self.env["aftersales.sla.policy"]
        base = {
            "name": "Bad",
            "company_id": self.company.id,
            "tier_ids": [(6, 0, self.gold.ids)],
            "severity_ids": [(6, 0, self.low.ids)],
            "calendar_id": self.office.id,
            "response_target": 1,
            "resolution_target": 1,
        }
        for values, message in (
            ({"response_target": -1}, "negative target"),
            ({"resolution_target": 0}, "greater than zero"),
            ({"calendar_id": False}, "needs a working calendar"),
            ({"warning_percent": 120}, "between 0 and 100"),
            (
                {"severity_ids": [(6, 0, self.normal.ids)]},
                "both apply to tier Gold and severity Normal",
            ),
        ):
            with self.assertRaisesMessage(ValidationError, message):
                Policy.create({**base, **values})
        self.assertFalse(Policy.search([("name", "=", "Bad")]))
        # A policy naming a team is more specific: no overlap.
        specific = Policy.create(
            {
                **base,
                "severity_ids": [(6, 0, self.normal.ids)],
                "team_ids": [(6, 0, self.vip_team.ids)],
            }
        )
        self.assertTrue(specific)

    def test_policy_targets_are_bounded(self):
        """Targets are numbers of at most a year of working time: NaN,
        infinity and a million working days passed the checks, then hung or
        crashed every ticket of the tier."""
        policy = self.basic_policy.with_user(self.aftersales_manager)
        for values in (
            {"resolution_target": float("nan")},
            {"response_target": float("inf")},
            {"resolution_target": 1e6},
            {"on_site_target": 367},
            {"response_target": 8785},
            {"response_target": 527041, "response_unit": "minutes"},
        ):
            with (
                self.subTest(values=values),
                self.assertRaisesMessage(ValidationError, "a year of working time"),
            ):
                policy.write(values)
        policy.write({"resolution_target": 366})
        with freeze_time(utc(2026, 11, 30, 2)):
            ticket = self.make_ticket()
        # 366 days of 8 working hours from Monday 10:00: a Tuesday 17 months on.
        self.assertEqual(
            self.line(ticket, "resolution").date_deadline, utc(2028, 4, 25, 2)
        )

    def past_only(self, calendar):
        """The calendar's working time moved to a week of 2020."""
        calendar.attendance_ids.write(
            {"date_from": "2020-01-06", "date_to": "2020-01-10"}
        )

    def test_policy_calendar_needs_working_time_ahead(self):
        calendar = self.make_calendar("Past only", "Asia/Shanghai")
        self.past_only(calendar)
        with self.assertRaisesMessage(
            ValidationError, "Past only of policy Basic has no working time"
        ):
            self.basic_policy.with_user(self.aftersales_manager).calendar_id = calendar

    def test_calendar_without_working_time_gives_a_clear_error(self):
        """The calendar of a policy loses its working time afterwards: an
        agent creating a ticket is told which policy and calendar (a raw
        ValueError came out of the planner)."""
        self.past_only(self.office)
        with self.assertRaisesMessage(
            UserError, "Basic cannot plan its deadlines: calendar Office Shanghai"
        ):
            self.Ticket.with_user(self.agent).create(
                {"name": "Door jams", "partner_id": self.basic_customer.id}
            )

    def test_user_form_assessment(self):
        ticket = self.make_ticket()
        form = Form(ticket.with_user(self.agent))
        form.severity_id = self.high
        form.complexity = "high"
        form.save()
        self.assertEqual(ticket.assessed_by_id, self.agent)


class TestSettings(AftersalesCase):
    def test_settings_within_bounds(self):
        """A NaN or infinite handling time target was accepted."""
        Settings = self.settings_as_admin()
        for values, message in (
            ({"aftersales_target_handling_hours": float("nan")}, "at most 8784"),
            ({"aftersales_target_handling_hours": float("inf")}, "at most 8784"),
        ):
            with (
                self.subTest(values=values),
                self.assertRaisesMessage(ValidationError, message),
            ):
                Settings.create(values)
        Settings.create({"aftersales_target_handling_hours": 8784}).execute()
        self.assertEqual(self.company.aftersales_target_handling_hours, 8784)
