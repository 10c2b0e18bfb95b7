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

    def test_agent_leaves_site_with_report_and_invoices(self):
        """On site, Leave Site asks for the service report in a dialog; the
        agent then invoices the customer, whose invoice says the discount.
        In the main company, whose books the invoice needs."""
        company = self.env.ref("base.main_company")
        agent = new_test_user(
            self.env,
            login="as_tour_onsite",
            name="Technician Tour",
            groups="base.group_user,aftersales_sla.group_aftersales_user",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
        )
        env = self.env["base"].with_company(company).env
        tier = env["customer.tier"].search([("company_id", "=", company.id)], limit=1)
        tier.write(
            {"aftersales_fee_policy": "discounted", "aftersales_fee_discount": 20}
        )
        customer = env["res.partner"].create(
            {"name": "Cold Store Ltd", "is_company": True}
        )
        customer._tier_override(tier, "Tour")
        ticket = env["aftersales.ticket"].create(
            {
                "name": "Cold room door leaks",
                "partner_id": customer.id,
                "company_id": company.id,
                "type_id": self.env.ref("aftersales_sla.type_repair").id,
            }
        )
        ticket.team_id.member_ids |= agent
        ticket.user_id = agent
        self.assertEqual(ticket.service_mode, "on_site")
        self.assertEqual(ticket.fee_policy, "discounted")
        env["aftersales.ticket.line"].create(
            {
                "ticket_id": ticket.id,
                "name": "Door seal",
                "quantity": 1,
                "price_unit": 50,
            }
        )
        self.start_tour(
            f"/odoo/action-aftersales_sla.aftersales_ticket_action/{ticket.id}",
            "aftersales_onsite_tour",
            login="as_tour_onsite",
        )
        self.assertTrue(ticket.date_checkin and ticket.date_checkout)
        self.assertIn("Door seal replaced", ticket.service_report)
        self.assertEqual(ticket.invoice_id.state, "draft")
        self.assertIn(
            f"{tier.name} customer discount: 20%",
            ticket.invoice_id.invoice_line_ids.name,
        )

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

    def test_new_customer_opens_a_first_request_with_a_photo(self):
        """A customer without any ticket finds After-sales Tickets on the
        portal home, opens a first request for a product with a photo."""
        customer = new_test_user(
            self.env,
            login="as_tour_first",
            groups="base.group_portal",
            name="First Customer",
        )
        customer.partner_id.parent_id = self.basic_customer
        product = self.env["product.product"].create(
            {"name": "Freezer FZ-90", "sale_ok": True}
        )
        self.start_tour(
            "/my", "aftersales_portal_first_request_tour", login="as_tour_first"
        )
        ticket = self.Ticket.search([("name", "=", "The freezer door does not close")])
        self.assertEqual(ticket.partner_id, customer.partner_id)
        self.assertEqual(ticket.product_id, product)
        self.assertEqual(ticket.message_ids.attachment_ids.mapped("name"), ["door.png"])
