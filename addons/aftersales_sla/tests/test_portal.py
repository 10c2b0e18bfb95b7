import base64

from odoo import http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import AftersalesCase

# A 1x1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestPortal(AftersalesCase, HttpCase):
    """Customers reach their own company's tickets, never another's: not by
    URL, not by RPC, not in listings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice = new_test_user(
            cls.env,
            login="as_portal_alice",
            groups="base.group_portal",
            name="Alice (Basic Customer)",
            email="alice@example.com",
        )
        cls.alice.partner_id.parent_id = cls.basic_customer
        cls.colleague = new_test_user(
            cls.env,
            login="as_portal_colleague",
            groups="base.group_portal",
            name="Colleague of Alice",
        )
        cls.colleague.partner_id.parent_id = cls.basic_customer
        cls.bob = new_test_user(
            cls.env,
            login="as_portal_bob",
            groups="base.group_portal",
            name="Bob (Gold Customer)",
        )
        cls.bob.partner_id.parent_id = cls.gold_customer
        cls.alice_ticket = cls.Ticket.create(
            {"name": "Alice's printer", "partner_id": cls.alice.partner_id.id}
        )
        cls.bob_ticket = cls.Ticket.create(
            {"name": "Bob's secret ticket", "partner_id": cls.bob.partner_id.id}
        )

    def test_listing_and_url(self):
        self.authenticate("as_portal_alice", "as_portal_alice")
        listing = self.url_open("/my/tickets").text
        self.assertIn("Alice&#39;s printer", listing)
        self.assertNotIn("Bob", listing)
        page = self.url_open(f"/my/tickets/{self.alice_ticket.id}")
        self.assertIn(self.alice_ticket.number, page.text)
        self.assertIn("o_aftersales_portal_sla", page.text, "service levels shown")
        for huge in (2**31, 10**20):
            response = self.url_open(f"/my/tickets/{huge}")
            self.assertEqual(response.status_code, 200)
            self.assertTrue(response.url.endswith("/my"), "no server error")
        other = self.url_open(f"/my/tickets/{self.bob_ticket.id}")
        self.assertTrue(
            other.url.endswith("/my"), "redirected away from another's ticket"
        )
        self.assertNotIn("secret", other.text)

    def test_new_request_form(self):
        self.authenticate("as_portal_alice", "as_portal_alice")
        page = self.url_open("/my/tickets/new").text
        self.assertIn('name="csrf_token"', page)
        self.assertIn("Technical support", page, "ticket types offered")

    def test_colleague_of_the_same_company(self):
        self.authenticate("as_portal_colleague", "as_portal_colleague")
        self.assertIn("Alice&#39;s printer", self.url_open("/my/tickets").text)

    def test_rpc(self):
        Ticket = self.env["aftersales.ticket"].with_user(self.alice)
        self.assertEqual(Ticket.search([]), self.alice_ticket)
        with self.assertRaises(AccessError):
            Ticket.browse(self.bob_ticket.id).read(["name"])
        with self.assertRaises(AccessError):
            Ticket.browse(self.alice_ticket.id).write({"name": "hacked"})
        with self.assertRaises(AccessError):
            self.env["aftersales.ticket.sla"].with_user(self.alice).browse(
                self.bob_ticket.sla_line_ids.ids
            ).read(["date_deadline"])
        # Through JSON-RPC as the web client would.
        self.authenticate("as_portal_alice", "as_portal_alice")
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw/aftersales.ticket/search_read",
            {
                "model": "aftersales.ticket",
                "method": "search_read",
                "args": [[]],
                "kwargs": {"fields": ["name"]},
            },
        )
        self.assertEqual([row["name"] for row in result], ["Alice's printer"])

    def test_rpc_internal_fields(self):
        """The team's fields of a customer's own ticket stay internal: the
        assignment, the complaint follow-up, the fees and the service level
        internals (portal users read them all over RPC)."""
        Ticket = self.env["aftersales.ticket"].with_user(self.alice)
        ticket = Ticket.browse(self.alice_ticket.id)
        for fname in (
            "corrective_action",
            "root_cause_id",
            "sla_policy_id",
            "fee_policy",
            "fee_discount",
            "user_id",
            "team_id",
            "tier_id",
            "amount_total",
            "line_ids",
            "invoice_id",
            "date_first_response",
            "handling_hours",
        ):
            with self.subTest(field=fname), self.assertRaises(AccessError):
                ticket.read([fname])
        self.assertNotIn(
            "corrective_action", set(Ticket.fields_get(attributes=["type"]))
        )
        # What the portal shows stays readable.
        values = ticket.read(["number", "name", "stage_id", "sla_status"])[0]
        self.assertEqual(values["number"], self.alice_ticket.number)
        self.authenticate("as_portal_alice", "as_portal_alice")
        page = self.url_open(f"/my/tickets/{self.alice_ticket.id}").text
        self.assertIn(self.alice_ticket.number, page)

    def test_create_from_portal(self):
        self.authenticate("as_portal_alice", "as_portal_alice")
        csrf = http.Request.csrf_token(self)
        response = self.url_open(
            "/my/tickets/new",
            data={"csrf_token": csrf, "name": "", "description": "It beeps."},
        )
        self.assertIn("Give your request a subject", response.text)
        self.assertEqual(
            self.Ticket.search_count([("partner_id", "=", self.alice.partner_id.id)]), 1
        )
        repair = self.env.ref("aftersales_sla.type_repair")
        self.url_open(
            "/my/tickets/new",
            data={
                "csrf_token": csrf,
                "name": "It beeps <loudly>",
                "description": "Since this morning.",
                "type_id": str(repair.id),
            },
        )
        ticket = self.Ticket.search([("name", "=", "It beeps <loudly>")])
        self.assertEqual(ticket.partner_id, self.alice.partner_id)
        self.assertEqual(
            ticket.channel_id, self.env.ref("aftersales_sla.channel_portal")
        )
        self.assertEqual(ticket.tier_id, self.basic)
        self.assertEqual(ticket.type_id, repair)
        self.assertTrue(ticket.sla_line_ids)

    def test_portal_home_shows_tickets_from_the_start(self):
        """A customer without a ticket yet finds where to ask for help (the
        entry showed only once a ticket existed), with an icon of the size of
        Odoo's own entries, and a list that says what to do."""
        newcomer = new_test_user(
            self.env, login="as_portal_new", groups="base.group_portal", name="New"
        )
        self.authenticate("as_portal_new", "as_portal_new")
        home = self.url_open("/my").text
        entry = home[: home.index('title="After-sales Tickets"')]
        entry = entry[entry.rindex("<div") :]
        self.assertNotIn("d-none", entry, "shown without a ticket")
        self.assertIn("/aftersales_sla/static/src/img/aftersales_tickets.svg", home)
        self.assertFalse(
            self.Ticket.search([("partner_id", "=", newcomer.partner_id.id)])
        )
        listing = self.url_open("/my/tickets").text
        self.assertIn("o_aftersales_no_ticket", listing)
        self.assertIn("New request", listing)

    def test_new_request_with_photo_and_product(self):
        """A request carries the product concerned and photos or PDF files,
        posted on the requester's own ticket, each with its own token; the
        form says at which severity the request is handled."""
        product = self.env["product.product"].create(
            {"name": "Cold Room CR-200", "sale_ok": True}
        )
        self.authenticate("as_portal_alice", "as_portal_alice")
        form = self.url_open("/my/tickets/new").text
        self.assertIn("o_aftersales_new_ticket_severity", form)
        self.assertIn("Normal", form)
        self.assertIn("Cold Room CR-200", form)
        csrf = http.Request.csrf_token(self)
        self.url_open(
            "/my/tickets/new",
            data={
                "csrf_token": csrf,
                "name": "Alarm with photo",
                "description": "See the photo.",
                "product_id": str(product.id),
            },
            files=[("attachments", ("alarm.png", PNG, "image/png"))],
        )
        ticket = self.Ticket.search([("name", "=", "Alarm with photo")])
        self.assertEqual(ticket.partner_id, self.alice.partner_id)
        self.assertEqual(ticket.product_id, product)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "aftersales.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(attachment.name, "alarm.png")
        self.assertEqual(attachment.mimetype, "image/png")
        self.assertTrue(attachment.access_token)
        self.assertIn(attachment, ticket.message_ids.attachment_ids)
        self.assertEqual(
            ticket.message_ids.filtered("attachment_ids").author_id,
            self.alice.partner_id,
        )

    def test_new_request_refuses_unsafe_attachments(self):
        """Pages, scripts, oversized or too many files get a clear message on
        the form, and nothing is created."""
        self.authenticate("as_portal_alice", "as_portal_alice")
        csrf = http.Request.csrf_token(self)
        before = self.Ticket.search_count([])
        attachments_before = self.env["ir.attachment"].search_count([])
        for files, message in (
            (
                [
                    (
                        "attachments",
                        ("x.html", b"<script>alert(1)</script>", "image/png"),
                    )
                ],
                "neither a photo",
            ),
            (
                [
                    (
                        "attachments",
                        ("x.svg", b"<svg onload='alert(1)'/>", "image/svg+xml"),
                    )
                ],
                "neither a photo",
            ),
            (
                [
                    (
                        "attachments",
                        ("big.png", PNG + b"0" * (5 * 1024 * 1024), "image/png"),
                    )
                ],
                "larger than 5 MB",
            ),
            (
                [("attachments", (f"{i}.png", PNG, "image/png")) for i in range(6)],
                "at most 5 files",
            ),
        ):
            with self.subTest(message=message):
                response = self.url_open(
                    "/my/tickets/new",
                    data={"csrf_token": csrf, "name": "Files", "description": "x"},
                    files=files,
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
        self.assertEqual(self.Ticket.search_count([]), before)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments_before)

    def test_create_from_portal_bad_input(self):
        """A NUL character, an oversized text or a strange type id get a clear
        message on the form (no server error) and create nothing."""
        self.authenticate("as_portal_alice", "as_portal_alice")
        csrf = http.Request.csrf_token(self)
        before = self.Ticket.search_count([])
        for data, message in (
            ({"name": "Broken\x00printer", "description": "x"}, "cannot be stored"),
            ({"name": "x" * 201, "description": "x"}, "limited to 200"),
            ({"name": "Long", "description": "y" * 2_000_000}, "limited to 10000"),
            ({"name": "Bad", "description": "nul \x00 here"}, "cannot be stored"),
        ):
            with self.subTest(message=message):
                response = self.url_open(
                    "/my/tickets/new", data={"csrf_token": csrf, **data}
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
        self.assertEqual(self.Ticket.search_count([]), before)
        for type_id in ("99999999999999999999", "²", "-1", "1 OR 1=1"):
            with self.subTest(type_id=type_id):
                response = self.url_open(
                    "/my/tickets/new",
                    data={
                        "csrf_token": csrf,
                        "name": f"Type {type_id}",
                        "description": "Odd type",
                        "type_id": type_id,
                    },
                )
                self.assertEqual(response.status_code, 200)
                ticket = self.Ticket.search([("name", "=", f"Type {type_id}")])
                self.assertTrue(ticket, "created without a type")
                self.assertFalse(ticket.type_id)

    def test_create_from_portal_with_a_broken_calendar(self):
        """A service level calendar left without working time: the customer
        is told on the form, as typed, and nothing is created (the page
        answered 500)."""
        self.office.attendance_ids.write(
            {"date_from": "2020-01-06", "date_to": "2020-01-10"}
        )
        self.authenticate("as_portal_alice", "as_portal_alice")
        csrf = http.Request.csrf_token(self)
        with self.assertLogs(
            "odoo.addons.aftersales_sla.controllers.portal", "WARNING"
        ):
            response = self.url_open(
                "/my/tickets/new",
                data={
                    "csrf_token": csrf,
                    "name": "Rings at night",
                    "description": "Every night.",
                },
            )
        self.assertEqual(response.status_code, 200)
        self.assertIn("could not be registered", response.text)
        self.assertIn("Rings at night", response.text)
        self.assertFalse(self.Ticket.search([("name", "=", "Rings at night")]))

    def test_rating_by_token_without_login(self):
        self.alice_ticket.stage_id = self.stage("closed")
        rating = self.alice_ticket.rating_ids
        self.assertEqual(len(rating), 1, "closing asks for a rating")
        self.assertFalse(rating.consumed)
        # The link of the email, opened without logging in.
        self.authenticate(None, None)
        csrf = http.Request.csrf_token(self)
        page = self.url_open(f"/rate/{rating.access_token}/5")
        self.assertEqual(page.status_code, 200)
        self.url_open(
            f"/rate/{rating.access_token}/submit_feedback",
            data={"rate": 5, "feedback": "Quick and kind", "csrf_token": csrf},
        )
        rating.invalidate_recordset()
        self.assertTrue(rating.consumed)
        self.assertEqual(rating.rating, 5)
        self.assertEqual(self.url_open("/rate/not-a-token/5").status_code, 404)

    def test_portal_message_carries_no_rating(self):
        """The portal's chatter posts messages, not ratings: customers rate
        from the rating request (a rating in a message would count in the
        satisfaction KPI and the customer's tier)."""
        self.authenticate("as_portal_alice", "as_portal_alice")
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "aftersales.ticket",
                "thread_id": self.alice_ticket.id,
                "post_data": {
                    "body": "Five stars for me",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                    "rating_value": 5,
                },
            },
        )
        self.assertIn("Five stars for me", self.alice_ticket.message_ids[:1].body)
        self.assertFalse(self.alice_ticket.rating_ids)

    def test_ticket_link_needs_its_token(self):
        page = self.url_open(f"/my/tickets/{self.bob_ticket.id}?access_token=wrong")
        self.assertNotIn("secret", page.text)
        token = self.bob_ticket._portal_ensure_token()
        page = self.url_open(f"/my/tickets/{self.bob_ticket.id}?access_token={token}")
        self.assertIn("secret", page.text)
