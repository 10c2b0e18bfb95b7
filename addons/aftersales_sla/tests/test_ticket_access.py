from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form

from .common import AftersalesCase, utc

# What an agent tried to forge over RPC (the audit's reproduction): the
# milestones, service levels, number and invoice KPIs and fees come from.
FORGED = {
    "first_response_at": "2020-01-01 00:00:00",
    "resolved_at": "2020-01-01 00:10:00",
    "closed_at": "2020-01-01 00:20:00",
    "reopen_count": 0,
    "handling_hours": 0.01,
    "reassigned_team": False,
    "date_received": "2030-01-01 00:00:00",
    "sla_status": "ok",
    "sla_deadline": "2099-01-01 00:00:00",
    "number": "FAKE-1",
    "checkin_at": "2020-01-01 00:05:00",
    "checkout_at": "2020-01-01 00:06:00",
    "assessed_on": "2020-01-01 00:00:00",
}


class TestTicketFieldAccess(AftersalesCase):
    """Agents work tickets through their flows; they never set by hand what
    KPIs, deadlines and fees are computed from (finding 3)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(utc(2026, 11, 30, 2)):
            cls.ticket = cls.make_ticket(cls, severity_id=cls.normal.id)
        cls.as_agent = cls.ticket.with_user(cls.agent)

    def test_agent_cannot_forge_flow_fields(self):
        before = self.ticket.read(list(FORGED))[0]
        for fname, value in {
            **FORGED,
            "assessed_by_id": self.agent.id,
            "checkin_user_id": self.agent.id,
            "sla_policy_id": self.gold_policy.id,
            "invoice_id": self.env["account.move"].search([], limit=1).id or 1,
        }.items():
            with self.subTest(field=fname), self.assertRaises(AccessError):
                self.as_agent.write({fname: value})
        self.assertEqual(self.ticket.read(list(FORGED))[0], before)
        self.assertEqual(self.ticket.sla_policy_id, self.basic_policy)
        self.assertFalse(self.ticket.invoice_id)

    def test_agent_cannot_change_tier_fees_or_archive(self):
        for values in (
            {"tier_id": self.gold.id},
            {"fee_policy": "free"},
            {"fee_discount": 100},
            {"active": False},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                self.as_agent.write(values)
        self.assertEqual(self.ticket.tier_id, self.basic)
        self.assertEqual(self.ticket.sla_policy_id, self.basic_policy)
        self.assertEqual(
            (self.ticket.fee_policy, self.ticket.fee_discount), ("discounted", 20)
        )
        self.assertTrue(self.ticket.active)
        # Managers may.
        as_manager = self.ticket.with_user(self.manager)
        as_manager.write({"tier_id": self.gold.id, "fee_policy": "free"})
        self.assertEqual(self.ticket.sla_policy_id, self.gold_policy)
        as_manager.action_archive()
        self.assertFalse(self.ticket.active)

    def test_agent_creates_without_forged_values(self):
        Ticket = self.Ticket.with_user(self.agent)
        base = {
            "name": "Pump leaks",
            "partner_id": self.basic_customer.id,
            "company_id": self.company.id,
        }
        for values in (
            {"tier_id": self.gold.id},
            {"fee_policy": "free"},
            {"active": False},
            {"number": "FAKE-2"},
            {"first_response_at": "2020-01-01 00:00:00"},
            {"sla_policy_id": self.gold_policy.id},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                Ticket.create({**base, **values})
        ticket = Ticket.create({**base, "active": True, "number": "/"})
        self.assertEqual(ticket.tier_id, self.basic)
        self.assertEqual((ticket.fee_policy, ticket.fee_discount), ("discounted", 20))
        self.assertTrue(ticket.number.startswith("AS/"))

    def test_agent_form_creates_and_edits(self):
        """The form sends none of the protected fields: an agent's ticket
        takes the customer's tier and fees (before, the form sent the default
        fee policy, so every ticket made in the form was charged)."""
        with Form(self.Ticket.with_user(self.agent)) as form:
            form.name = "Cold room alarm"
            form.partner_id = self.gold_customer
        ticket = form.record
        self.assertEqual(ticket.tier_id, self.gold)
        self.assertEqual(ticket.fee_policy, "free")
        self.assertEqual(ticket.sla_policy_id, self.gold_policy)
        with Form(ticket.with_user(self.agent)) as form:
            form.severity_id = self.high
            form.service_mode = "on_site"
        self.assertEqual(ticket.assessed_by_id, self.agent)

    def test_manager_form_takes_the_customer_tier(self):
        with Form(self.Ticket.with_user(self.manager)) as form:
            form.name = "Display flickers"
            form.partner_id = self.basic_customer
        ticket = form.record
        self.assertEqual(ticket.tier_id, self.basic)
        self.assertEqual((ticket.fee_policy, ticket.fee_discount), ("discounted", 20))
        self.assertEqual(ticket.sla_policy_id, self.basic_policy)

    def test_agent_form_line_takes_the_ticket_discount(self):
        with Form(self.as_agent) as form, form.line_ids.new() as line:
            line.name = "Seal"
            line.quantity = 2
            line.price_unit = 10
        self.assertEqual(self.ticket.line_ids.discount, 20)
        self.assertAlmostEqual(self.ticket.amount_total, 16)

    def test_agent_copies_a_ticket(self):
        copy = self.as_agent.copy()
        self.assertEqual(copy.tier_id, self.basic)
        self.assertEqual(copy.fee_policy, "discounted")
        self.assertNotEqual(copy.number, self.ticket.number)

    def test_other_customer_brings_its_tier(self):
        """Moving an open ticket to another customer is no way around the
        tier: the ticket takes the new customer's tier, fees and policy."""
        self.as_agent.partner_id = self.gold_customer
        self.assertEqual(self.ticket.tier_id, self.gold)
        self.assertEqual(self.ticket.fee_policy, "free")
        self.assertEqual(self.ticket.sla_policy_id, self.gold_policy)

    def test_flows_still_write_the_milestones(self):
        repair = self.env.ref("aftersales_sla.type_repair")
        with freeze_time(utc(2026, 11, 30, 2)):
            ticket = self.make_ticket(self.gold_customer, type_id=repair.id)
        as_agent = ticket.with_user(self.agent)
        with freeze_time(utc(2026, 11, 30, 3)):
            as_agent.action_check_in()
            as_agent.service_report = "<p>Fixed.</p>"
            as_agent.action_check_out()
            as_agent.stage_id = self.stage("resolved")
            as_agent.stage_id = self.stage("in_progress")
            as_agent.stage_id = self.stage("closed")
        self.assertEqual(ticket.checkin_user_id, self.agent)
        self.assertTrue(ticket.checkout_at and ticket.first_response_at)
        self.assertEqual(ticket.reopen_count, 1)
        self.assertTrue(ticket.closed_at)
        self.assertEqual(self.line(ticket, "on_site").status, "achieved")

    def test_other_teams_agent_cannot_check_in(self):
        outsider = self.agent.copy({"login": "as_outsider", "name": "Outsider"})
        self.assertFalse(outsider in (self.team | self.vip_team).member_ids)
        with self.assertRaises(AccessError):
            self.ticket.with_user(outsider).action_check_in()
