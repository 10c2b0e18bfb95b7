from odoo.tests import HttpCase, new_test_user, tagged

from .common import AftersalesCase


@tagged("post_install", "-at_install")
class TestTours(AftersalesCase, HttpCase):
    def test_agent_takes_answers_and_closes(self):
        new_test_user(
            self.env,
            login="as_tour_agent",
            name="Agent Tour",
            groups="base.group_user,aftersales_sla.group_aftersales_user",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        agent = self.env["res.users"].search([("login", "=", "as_tour_agent")])
        self.team.member_ids |= agent
        ticket = self.make_ticket()
        self.assertFalse(ticket.user_id.filtered(lambda u: u == agent))
        self.start_tour(
            f"/odoo/action-aftersales_sla.aftersales_ticket_action/{ticket.id}",
            "aftersales_agent_tour",
            login="as_tour_agent",
        )
        self.assertEqual(ticket.user_id, agent)
        self.assertEqual(self.line(ticket, "response").status, "achieved")
        self.assertEqual(ticket.stage_kind, "closed")
        self.assertTrue(ticket.rating_ids, "the customer is asked for a rating")

    def test_portal_customer_opens_and_rates(self):
        customer = new_test_user(
            self.env,
            login="as_tour_portal",
            groups="base.group_portal",
            name="Portal Tour",
        )
        customer.partner_id.parent_id = self.basic_customer
        closed = self.Ticket.create(
            {"name": "Fixed compressor", "partner_id": customer.partner_id.id}
        )
        closed.stage_id = self.stage("closed")
        self.start_tour("/my/tickets", "aftersales_portal_tour", login="as_tour_portal")
        created = self.Ticket.search([("name", "=", "The cold room alarm rings")])
        self.assertEqual(created.partner_id, customer.partner_id)
        self.assertEqual(closed.rating_ids.rating, 5)
        self.assertEqual(closed.rating_ids.feedback, "Fast and friendly.")

    def test_manager_reads_the_kpi_dashboard(self):
        """The dashboard shows each KPI against its target and its trend, for
        a period and a tier, and opens the analysis of the same tickets."""
        resolved = self.make_ticket(partner=self.gold_customer)
        resolved.stage_id = self.stage("resolved")
        waiting = self.make_ticket()
        (resolved | waiting).write({"date_received": "2026-12-02 08:00:00"})
        self.start_tour(
            "/odoo/action-aftersales_sla.aftersales_kpi_dashboard_action",
            "aftersales_kpi_dashboard_tour",
            login="as_manager",
        )
