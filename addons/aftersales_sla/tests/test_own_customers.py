from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import AftersalesCase, utc


class TestOwnCustomers(AftersalesCase):
    """Own Customers Only (customer_tiering): a salesperson limited to the
    customers they look after, who also works in after-sales, sees the
    tickets of these customers only, with what hangs on them, and still
    works them; after-sales managers and portal customers see what they
    saw."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = (
            "base.group_user,aftersales_sla.group_aftersales_user,"
            "customer_tiering.group_own_customers"
        )
        cls.restricted = mail_new_test_user(
            cls.env,
            login="as_restricted",
            name="Restricted Rui",
            groups=groups,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.restricted_manager = mail_new_test_user(
            cls.env,
            login="as_restricted_manager",
            name="Restricted Manager",
            groups=f"{groups},aftersales_sla.group_aftersales_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        (cls.team | cls.vip_team).member_ids |= cls.restricted
        # Rui is the salesperson of the Basic customer and in the account
        # team of another one; the Gold customer and a third one are others'.
        cls.basic_customer.user_id = cls.restricted
        cls.team_customer = cls.make_tier_customer("Team Customer", cls.basic)
        cls.team_customer.account_team_ids = cls.restricted
        cls.other_customer = cls.make_tier_customer("Other Customer", cls.basic)
        cls.other_customer.user_id = cls.agent
        with freeze_time(utc(2026, 11, 30, 2)):
            cls.own_ticket = cls.make_ticket(cls, cls.basic_customer)
            cls.team_ticket = cls.make_ticket(cls, cls.team_customer)
            cls.other_ticket = cls.make_ticket(cls, cls.other_customer)
            cls.gold_ticket = cls.make_ticket(cls, cls.gold_customer)
        cls.tickets = cls.own_ticket | cls.team_ticket | cls.other_ticket
        cls.tickets |= cls.gold_ticket
        cls.mine = cls.own_ticket | cls.team_ticket

    def search(self, model, user, domain=()):
        return (
            self.env[model]
            .with_user(user)
            .search([("company_id", "=", self.company.id), *domain])
        )

    def test_sees_the_tickets_of_own_customers_only(self):
        self.assertEqual(self.search("aftersales.ticket", self.restricted), self.mine)
        with self.assertRaises(AccessError):
            self.other_ticket.with_user(self.restricted).read(["name"])
        with self.assertRaises(AccessError):
            self.gold_ticket.with_user(self.restricted).message_post(body="Hello")
        # Their team's agent and the managers see every ticket of the team.
        self.assertEqual(self.search("aftersales.ticket", self.agent), self.tickets)
        for manager in (self.aftersales_manager, self.restricted_manager):
            self.assertEqual(self.search("aftersales.ticket", manager), self.tickets)

    def test_what_hangs_on_tickets_follows_them(self):
        """Service levels, labour and parts, escalations taken and ratings of
        the other customers' tickets are out of reach too."""
        self.env["aftersales.ticket.line"].create(
            [
                {"ticket_id": ticket.id, "name": "Seal", "price_unit": 10}
                for ticket in self.tickets
            ]
        )
        self.gold_policy.escalation_ids = [
            Command.create({"trigger": "breach", "action": "notify_leader"})
        ]
        self.basic_policy.escalation_ids = [
            Command.create({"trigger": "breach", "action": "notify_leader"})
        ]
        with freeze_time(utc(2026, 12, 4, 2)):
            self.env["aftersales.ticket.sla"]._cron_check_sla()
        for ticket in self.tickets:
            ticket.stage_id = self.stage("closed")
            ticket.rating_apply(5, token=ticket._rating_get_access_token())
        for model in (
            "aftersales.ticket.line",
            "aftersales.ticket.sla",
            "aftersales.sla.escalation.log",
        ):
            with self.subTest(model=model):
                everything = self.search(model, self.agent)
                self.assertEqual(everything.ticket_id, self.tickets)
                self.assertEqual(
                    self.search(model, self.restricted),
                    everything.filtered(lambda r: r.ticket_id in self.mine),
                )
        ratings = self.env["rating.rating"].with_user(self.restricted)
        domain = [("res_model", "=", "aftersales.ticket")]
        self.assertEqual(
            set(ratings.search(domain).mapped("res_id")), set(self.mine.ids)
        )
        self.assertEqual(
            self.own_ticket.with_user(self.restricted).rating_ids.rating, 5
        )

    def test_works_the_tickets_of_own_customers(self):
        ticket = self.own_ticket.with_user(self.restricted)
        with freeze_time(utc(2026, 11, 30, 2, 30)):
            ticket.message_post(
                body="We are on it",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(self.line(self.own_ticket, "response").status, "achieved")
        ticket.action_assign_to_me()
        ticket.stage_id = self.stage("closed")
        self.assertTrue(self.own_ticket.rating_ids, "the customer is asked to rate")
        created = self.Ticket.with_user(self.restricted).create(
            {"name": "Pump leaks", "partner_id": self.team_customer.id}
        )
        self.assertEqual(created.sla_policy_id, self.basic_policy)
        with self.assertRaises(AccessError):
            self.Ticket.with_user(self.restricted).create(
                {"name": "Not mine", "partner_id": self.other_customer.id}
            )

    def test_portal_customers_see_their_tickets(self):
        portal = new_test_user(
            self.env,
            login="as_portal_other",
            groups="base.group_portal",
            name="Portal of Other Customer",
        )
        portal.partner_id.parent_id = self.other_customer
        Ticket = self.env["aftersales.ticket"].with_user(portal)
        self.assertEqual(Ticket.search([]), self.other_ticket)
