from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError

from odoo.addons.aftersales_sla.tests.common import AftersalesCase, utc


class TestFollowUpRevisit(AftersalesCase):
    def revisits(self, ticket):
        """The revisits planned from a ticket, found by their origin."""
        return self.env["revisit.record"].search(
            [("origin_ref", "=", f"{ticket._name},{ticket.id}")]
        )

    def activity(self, revisit):
        return self.env["mail.activity"].search(
            [("res_model", "=", revisit._name), ("res_id", "=", revisit.id)]
        )

    def test_follow_up_revisit_planned_on_close(self):
        self.company.aftersales_followup_days = 5
        with freeze_time(utc(2026, 11, 30, 2)):
            ticket = self.make_ticket(self.gold_customer, user_id=self.agent.id)
            ticket.stage_id = self.stage("resolved")
        self.assertFalse(self.revisits(ticket), "a resolved ticket is not closed yet")
        as_agent = ticket.with_user(self.agent)
        with freeze_time(utc(2026, 12, 1, 2)):
            as_agent.stage_id = self.stage("closed")
        revisit = self.revisits(ticket)
        self.assertEqual(len(revisit), 1)
        self.assertEqual(revisit.partner_id, self.gold_customer)
        self.assertEqual(revisit.user_id, self.agent, "the ticket's agent revisits")
        activity = self.activity(revisit)
        self.assertEqual(str(activity.date_deadline), "2026-12-06", "closed + 5 days")
        self.assertEqual(revisit.state, "planned")
        self.assertIn(ticket.number, revisit.reason)
        self.assertEqual(activity.user_id, self.agent)
        self.assertEqual(as_agent.revisit_count, 1)
        action = as_agent.action_open_revisits()
        self.assertEqual(
            (action["res_model"], action["res_id"]), (revisit._name, revisit.id)
        )
        # Reopened and closed again while the revisit is still planned: the
        # same revisit, not a second one.
        as_agent.stage_id = self.stage("in_progress")
        as_agent.stage_id = self.stage("closed")
        self.assertEqual(self.revisits(ticket), revisit)

    def test_settings_within_bounds(self):
        """A follow-up delay longer than revisits may be planned stopped every
        ticket from closing."""
        Settings = self.settings_as_admin()
        for values, message in (
            ({"aftersales_followup_days": 5000}, "at most 1095 days"),
            ({"aftersales_followup_days": -1}, "cannot be negative"),
        ):
            with (
                self.subTest(values=values),
                self.assertRaisesMessage(ValidationError, message),
            ):
                Settings.create(values)
        Settings.create({"aftersales_followup_days": 1095}).execute()
        ticket = self.make_ticket()
        ticket.stage_id = self.stage("closed")
        self.assertEqual(ticket.revisit_count, 1)

    def test_follow_up_without_agent_and_cancelled_tickets(self):
        self.company.aftersales_followup_days = 0
        ticket = self.make_ticket()
        ticket.user_id = False
        ticket.stage_id = self.stage("closed")
        revisit = self.revisits(ticket)
        self.assertEqual(
            self.activity(revisit).date_deadline, fields.Date.context_today(ticket)
        )
        self.assertTrue(revisit.user_id, "revisit_plan finds a responsible")
        cancelled = self.make_ticket()
        cancelled.stage_id = self.stage("cancelled")
        self.assertFalse(self.revisits(cancelled), "no follow-up of a cancelled ticket")
