from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import AftersalesCase, utc

# What an agent tried to forge over RPC (the audit's reproduction): the
# milestones, service levels, number and invoice KPIs and fees come from.
FORGED = {
    "date_first_response": "2020-01-01 00:00:00",
    "date_resolved": "2020-01-01 00:10:00",
    "date_closed": "2020-01-01 00:20:00",
    "reopen_count": 0,
    "handling_hours": 0.01,
    "reassigned_team": False,
    "date_received": "2030-01-01 00:00:00",
    "sla_status": "ok",
    "date_sla_deadline": "2099-01-01 00:00:00",
    "number": "FAKE-1",
    "date_checkin": "2020-01-01 00:05:00",
    "date_checkout": "2020-01-01 00:06:00",
    "date_assessed": "2020-01-01 00:00:00",
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
        as_manager = self.ticket.with_user(self.aftersales_manager)
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
            {"date_first_response": "2020-01-01 00:00:00"},
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
        with Form(self.Ticket.with_user(self.aftersales_manager)) as form:
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
            self.leave_site(as_agent, "<p>Fixed.</p>")
            as_agent.stage_id = self.stage("resolved")
            as_agent.stage_id = self.stage("in_progress")
            as_agent.stage_id = self.stage("closed")
        self.assertEqual(ticket.checkin_user_id, self.agent)
        self.assertTrue(ticket.date_checkout and ticket.date_first_response)
        self.assertEqual(ticket.reopen_count, 1)
        self.assertTrue(ticket.date_closed)
        self.assertEqual(self.line(ticket, "on_site").status, "achieved")

    def test_closed_tickets_are_not_checked_in(self):
        repair = self.env.ref("aftersales_sla.type_repair")
        ticket = self.make_ticket(self.gold_customer, type_id=repair.id)
        ticket.stage_id = self.stage("closed")
        with self.assertRaisesMessage(UserError, "Only open on-site tickets"):
            ticket.with_user(self.agent).action_check_in()
        self.assertFalse(ticket.date_checkin)

    def test_other_teams_agent_cannot_check_in(self):
        outsider = self.agent.copy({"login": "as_outsider", "name": "Outsider"})
        self.assertFalse(outsider in (self.team | self.vip_team).member_ids)
        with self.assertRaises(AccessError):
            self.ticket.with_user(outsider).action_check_in()


class TestTicketRatings(AftersalesCase):
    """Customers' ratings of tickets feed the satisfaction KPI and a tier
    indicator: read by whoever may read the ticket, written only from the
    customer's rating request (finding 4)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee = mail_new_test_user(
            cls.env,
            login="as_employee",
            name="Employee Without After-sales",
            groups="base.group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.outsider = mail_new_test_user(
            cls.env,
            login="as_outsider_agent",
            name="Agent Of No Team",
            groups="base.group_user,aftersales_sla.group_aftersales_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.ticket = cls.make_ticket(cls)
        cls.ticket.stage_id = cls.env["aftersales.stage"].search(
            [("kind", "=", "closed")], limit=1
        )
        cls.rating = cls.ticket.rating_ids
        cls.ticket.rating_apply(1, token=cls.rating.access_token, feedback="Slow")
        cls.Rating = cls.env["rating.rating"]
        cls.ticket_model_id = cls.env["ir.model"]._get_id("aftersales.ticket")

    def test_who_reads_ticket_ratings(self):
        domain = [("res_model", "=", "aftersales.ticket")]
        for user in (self.employee, self.outsider):
            with self.subTest(user=user.login):
                self.assertFalse(self.Rating.with_user(user).search(domain))
                with self.assertRaises(AccessError):
                    self.rating.with_user(user).read(["rating", "feedback"])
        self.assertEqual(
            self.Rating.with_user(self.agent).search(domain),
            self.rating,
            "the team's agent reads the ratings of the team's tickets",
        )
        self.assertIn(
            self.rating, self.Rating.with_user(self.aftersales_manager).search(domain)
        )
        self.assertEqual(self.ticket.with_user(self.agent).rating_ids, self.rating)

    def test_nobody_forges_a_rating(self):
        for user in (self.employee, self.agent, self.aftersales_manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.rating.with_user(user).write(
                        {"rating": 5, "feedback": "great (forged)"}
                    )
                with self.assertRaises(AccessError):
                    self.Rating.with_user(user).create(
                        {
                            "res_model_id": self.ticket_model_id,
                            "res_id": self.ticket.id,
                            "rating": 5,
                            "consumed": True,
                            "partner_id": self.basic_customer.id,
                        }
                    )
        self.assertEqual((self.rating.rating, self.rating.feedback), (1, "Slow"))
        self.assertEqual(len(self.ticket.rating_ids), 1)

    def test_no_rating_by_other_paths(self):
        """Not by moving another document's rating onto the ticket, not with
        a message, not by applying the customer's token oneself."""
        partner_model_id = self.env["ir.model"]._get_id("res.partner")
        other = self.Rating.with_user(self.employee).create(
            {
                "res_model_id": partner_model_id,
                "res_id": self.basic_customer.id,
                "rating": 5,
            }
        )
        with self.assertRaises(AccessError):
            other.with_user(self.employee).write(
                {"res_model_id": self.ticket_model_id, "res_id": self.ticket.id}
            )
        as_agent = self.ticket.with_user(self.agent)
        with self.assertRaises(AccessError):
            as_agent.message_post(body="Great service", rating_value=5)
        self.ticket.stage_id = self.stage("in_progress")
        self.ticket.stage_id = self.stage("closed")
        pending = self.ticket.rating_ids.filtered(lambda r: not r.consumed)
        self.assertTrue(pending, "closed again: a new rating request")
        with self.assertRaises(AccessError):
            as_agent.rating_apply(5, token=pending.with_user(self.agent).access_token)
        self.assertEqual(self.ticket.rating_ids.mapped("rating"), [0, 1])


class TestServiceLevelAccess(AftersalesCase):
    """Service level lines and escalations taken follow their ticket: an
    after-sales user reads those of the tickets they may read, nothing else
    (finding 14)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.outsider = mail_new_test_user(
            cls.env,
            login="as_no_team",
            name="Agent Of No Team",
            groups="base.group_user,aftersales_sla.group_aftersales_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.gold_policy.escalation_ids = [
            Command.create({"trigger": "breach", "action": "notify_leader"})
        ]
        with freeze_time(utc(2026, 11, 30, 2)):
            cls.ticket = cls.make_ticket(cls, cls.gold_customer)
        with freeze_time(utc(2026, 11, 30, 4)):
            cls.env["aftersales.ticket.sla"]._cron_check_sla()
        cls.lines = cls.ticket.sla_line_ids
        cls.logs = cls.env["aftersales.sla.escalation.log"].search(
            [("ticket_id", "=", cls.ticket.id)]
        )

    def test_outsider_reads_no_service_level(self):
        self.assertTrue(self.logs, "the breach was escalated")
        Line = self.env["aftersales.ticket.sla"].with_user(self.outsider)
        Log = self.env["aftersales.sla.escalation.log"].with_user(self.outsider)
        self.assertFalse(self.ticket.with_user(self.outsider).search([]))
        self.assertFalse(Line.search_read([], ["ticket_id", "date_deadline"]))
        self.assertFalse(Line._read_group([], ["ticket_id"], ["__count"]))
        self.assertFalse(Log.search_read([], ["ticket_id"]))
        with self.assertRaises(AccessError):
            self.lines.with_user(self.outsider).read(["ticket_id", "date_deadline"])
        with self.assertRaises(AccessError):
            self.logs.with_user(self.outsider).read(["ticket_id"])

    def test_team_and_managers_read_them(self):
        Line = self.env["aftersales.ticket.sla"]
        self.assertEqual(
            Line.with_user(self.agent).search([("ticket_id", "=", self.ticket.id)]),
            self.lines,
        )
        self.assertEqual(
            self.env["aftersales.sla.escalation.log"]
            .with_user(self.leader)
            .search([("ticket_id", "=", self.ticket.id)]),
            self.logs,
        )
        self.assertEqual(
            Line.with_user(self.aftersales_manager).search(
                [("ticket_id", "=", self.ticket.id)]
            ),
            self.lines,
        )

    def test_lines_follow_their_ticket(self):
        """Whoever may not read a ticket may not read its lines, whatever
        rule hides the ticket: the lines are checked against their ticket with
        the user's rights (the check ran in sudo and refused nothing)."""
        self.env["ir.rule"].create(
            {
                "name": "Tickets named Hidden are hidden",
                "model_id": self.env["ir.model"]._get_id("aftersales.ticket"),
                "domain_force": "[('name', '!=', 'Hidden')]",
            }
        )
        self.ticket.name = "Hidden"
        lines = self.lines.with_user(self.agent)
        self.assertFalse(self.ticket.with_user(self.agent).has_access("read"))
        with self.assertRaises(AccessError):
            lines.check_access("read")
        self.assertFalse(lines._filtered_access("read"))

    def test_lines_of_another_company(self):
        """A manager of another company reads no line of this company's
        tickets."""
        main = self.env.ref("base.main_company")
        elsewhere = mail_new_test_user(
            self.env,
            login="as_manager_elsewhere",
            name="Manager Elsewhere",
            groups="base.group_user,aftersales_sla.group_aftersales_manager",
            company_id=main.id,
            company_ids=[Command.set(main.ids)],
        )
        lines = self.lines.with_user(elsewhere).with_context(
            allowed_company_ids=main.ids
        )
        with self.assertRaisesMessage(AccessError, "After-sales Ticket"):
            lines.read(["date_deadline"])
