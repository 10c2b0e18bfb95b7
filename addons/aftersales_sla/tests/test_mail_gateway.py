from odoo.addons.mail.tests.common import MailCommon

from .common import AftersalesCase

INCOMING = """Return-Path: <{email_from}>
From: {email_from}
To: {to}
Subject: {subject}
Message-ID: <{msg_id}>
Content-Type: text/plain; charset="utf-8"

The fridge in the shop stopped cooling this morning.
"""


class TestMailGateway(AftersalesCase, MailCommon):
    def test_email_alias_creates_ticket(self):
        alias_domain = self.env["mail.alias.domain"].create(
            {"name": "aftersales.example.com"}
        )
        self.team.write({"alias_name": "support", "alias_domain_id": alias_domain.id})
        self.basic_customer.email = "basic@example.com"
        self.format_and_process(
            INCOMING,
            "basic@example.com",
            "support@aftersales.example.com",
            subject="Fridge stopped cooling",
            msg_id="fridge-1@example.com",
            target_model="aftersales.ticket",
        )
        ticket = self.Ticket.search([("name", "=", "Fridge stopped cooling")])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.partner_id, self.basic_customer)
        self.assertEqual(ticket.tier_id, self.basic)
        self.assertEqual(
            ticket.channel_id, self.env.ref("aftersales_sla.channel_email")
        )
        self.assertTrue(ticket.sla_line_ids, "service levels planned")
        self.assertIn("stopped cooling", ticket.description)

    def test_unknown_sender_becomes_a_customer(self):
        alias_domain = self.env["mail.alias.domain"].create(
            {"name": "aftersales.example.com"}
        )
        self.team.write({"alias_name": "help", "alias_domain_id": alias_domain.id})
        self.format_and_process(
            INCOMING,
            "newcomer@example.org",
            "help@aftersales.example.com",
            subject="Question",
            msg_id="question-1@example.org",
            target_model="aftersales.ticket",
        )
        ticket = self.Ticket.search([("name", "=", "Question")])
        self.assertEqual(ticket.partner_id.email, "newcomer@example.org")
        self.assertEqual(ticket.email_from, "newcomer@example.org")
