import json
from datetime import timedelta

from odoo import fields
from odoo.http import Request
from odoo.tests import HttpCase, JsonRpcException, tagged
from odoo.tools import mute_logger

from .common import PIN, LoyaltyCase

NEW_PIN = "192837"


@tagged("post_install", "-at_install")
class TestPortal(LoyaltyCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        batch = cls.env["loyalty.coupon.batch"].create(
            {"name": "Portal batch", "program_id": cls.coupon_program.id}
        )
        cls.coupon = batch._issue_coupons([cls.member.id], 1)
        cls.other_coupon = batch._issue_coupons([cls.other.id], 1)

    def setUp(self):
        super().setUp()
        self.authenticate("loyalty_portal", "loyalty_portal")

    def csrf(self):
        return Request.csrf_token(self)

    def get(self, url):
        return self.url_open(url, allow_redirects=False)

    def test_own_card_pages(self):
        self.confirm(amount=100, balance_used=20, pin=PIN)
        response = self.get("/my/member_cards")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.card.member_number, response.text)
        self.assertNotIn(self.other_card.member_number, response.text)
        page = self.get(f"/my/member_cards/{self.card.id}").text
        for expected in (
            "Standard",
            "o_loyalty_member_card_qr",
            "480.00",
            "Consumption PIN",
        ):
            self.assertIn(expected, page)
        self.assertIn("Paid with balance", page, "the ledger shows")
        self.assertIn("data:image/png;base64", page)
        printed = self.get(f"/my/member_cards/{self.card.id}/print")
        self.assertEqual(printed.status_code, 200)
        self.assertIn(self.card.member_number, printed.text)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["member_card_count", "loyalty_coupon_count"]}
        )
        self.assertEqual(counters, {"member_card_count": 1, "loyalty_coupon_count": 1})

    def test_another_customers_card_is_not_found(self):
        for url in (
            f"/my/member_cards/{self.other_card.id}",
            f"/my/member_cards/{self.other_card.id}/print",
            f"/my/member_cards/{self.other_card.id}/page/2",
            "/my/member_cards/999999999",
            # Beyond PostgreSQL's integers: a 404 too, not a server error.
            f"/my/member_cards/{2**31}",
            "/my/member_cards/99999999999999999999/print",
            "/my/member_cards/99999999999999999999/page/2",
        ):
            with self.subTest(url=url):
                response = self.get(url)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn(self.other_card.member_number, response.text)
        response = self.url_open(
            f"/my/member_cards/{self.other_card.id}/pin",
            data={
                "new_pin": NEW_PIN,
                "confirm_pin": NEW_PIN,
                "csrf_token": self.csrf(),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.other_card.pin_set)

    @mute_logger("odoo.http", "odoo.addons.web.controllers.export")
    def test_another_customers_card_by_rpc_and_export(self):
        for method, args, kwargs in (
            ("read", [[self.other_card.id], ["code", "balance"]], {}),
            ("search_read", [[("id", "=", self.other_card.id)]], {"fields": ["code"]}),
            ("read", [[self.card.id], ["code"]], {}),
            ("export_data", [[self.other_card.id], ["code", "balance"]], {}),
        ):
            with self.subTest(method=method), self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request(
                    f"/web/dataset/call_kw/loyalty.card/{method}",
                    {
                        "model": "loyalty.card",
                        "method": method,
                        "args": args,
                        "kwargs": kwargs,
                    },
                )
        response = self.url_open(
            "/web/export/csv",
            data={
                "data": json.dumps(
                    {
                        "model": "loyalty.card",
                        "fields": [{"name": "code", "label": "Code"}],
                        "ids": [self.other_card.id],
                        "domain": [],
                        "import_compat": True,
                    }
                ),
                "csrf_token": self.csrf(),
            },
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(self.other_card.code, response.text)

    def test_set_and_change_pin(self):
        url = f"/my/member_cards/{self.card.id}/pin"
        wrong = self.url_open(
            url,
            data={
                "current_pin": "135790",
                "new_pin": NEW_PIN,
                "confirm_pin": NEW_PIN,
                "csrf_token": self.csrf(),
            },
        )
        self.assertIn("Wrong PIN", wrong.text)
        self.assertEqual(self.card._pin_attempt(PIN)["status"], "ok")
        mismatch = self.url_open(
            url,
            data={
                "current_pin": PIN,
                "new_pin": NEW_PIN,
                "confirm_pin": "192838",
                "csrf_token": self.csrf(),
            },
        )
        self.assertIn("The two PINs differ", mismatch.text)
        done = self.url_open(
            url,
            data={
                "current_pin": PIN,
                "new_pin": NEW_PIN,
                "confirm_pin": NEW_PIN,
                "csrf_token": self.csrf(),
            },
            allow_redirects=False,
        )
        self.assertEqual(done.status_code, 303)
        self.assertEqual(self.card._pin_attempt(NEW_PIN)["status"], "ok")
        self.assertIn(
            "Your PIN is saved",
            self.get(f"/my/member_cards/{self.card.id}?pin=done").text,
        )
        # The page never shows the hash.
        self.env.cr.execute(
            "SELECT pin_hash FROM loyalty_card_pin WHERE card_id = %s", [self.card.id]
        )
        stored = self.env.cr.fetchone()[0]
        self.assertNotIn(
            stored.split("$")[-1], self.get(f"/my/member_cards/{self.card.id}").text
        )

    def test_coupons_and_flash_offers(self):
        page = self.get("/my/coupons").text
        self.assertIn(self.coupon.member_number, page)
        self.assertNotIn(self.other_coupon.member_number, page)
        self.assertIn("Valid", page)
        self.confirm(amount=50, coupon_code=self.coupon.code)
        self.assertIn("Used", self.get("/my/coupons").text)
        now = fields.Datetime.now()
        flash = self.coupon_program.copy(
            {
                "name": "Portal Flash",
                "is_flash": True,
                "date_flash_start": now - timedelta(hours=1),
                "date_flash_end": now + timedelta(hours=2),
                "audience_domain": f"[('id', '=', {self.member.id})]",
            }
        )
        flash.flash_state = "running"
        flash._flash_push_batch()
        page = self.get("/my/coupons").text
        self.assertIn("Flash offers, now", page)
        self.assertIn("Portal Flash", page)

    def test_home_hides_member_programmes_from_odoo_points_box(self):
        self.program.portal_visible = True
        page = self.get("/my/home").text
        self.assertIn("Member Cards", page)
        self.assertNotIn("o_loyalty_card d-flex", page)
