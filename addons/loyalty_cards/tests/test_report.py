import re

from odoo import Command

from .common import LoyaltyCase


class TestMemberCardReport(LoyaltyCase):
    def test_card_html_has_level_design_and_qr(self):
        self.level_std.write(
            {
                "color": "#123456",
                "text_color": "#FEDCBA",
                "card_text": "Member since 2025",
            }
        )
        report = self.env.ref("loyalty_cards.report_member_card").with_user(
            self.cashier
        )
        html = report._render_qweb_html(report.report_name, self.card.ids)[0].decode()
        for expected in (
            self.card.member_number,
            "Standard",
            "background-color: #123456",
            "Member since 2025",
            "Portal Member",
        ):
            self.assertTrue(expected in html, f"{expected} is not on the card")
        qr = re.search(
            r'o_loyalty_member_card_qr"[^>]*src="data:image/png;base64,', html
        )
        self.assertTrue(qr, "the card shows no QR code")

    def test_card_pdf_where_wkhtmltopdf_exists(self):
        Report = self.env["ir.actions.report"]
        if Report.get_wkhtmltopdf_state() != "ok":
            self.skipTest("wkhtmltopdf is not installed: the HTML card is the printout")
        pdf, kind = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "loyalty_cards.report_member_card", self.card.ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_qr_holds_the_number(self):
        self.assertTrue(self.card.member_qr)
        self.card.code = "ABCDEFGHJKLMNPQR"
        self.assertEqual(self.card.member_number, "ABCD EFGH JKLM NPQR")
        self.assertTrue(self.card.member_qr)

    def test_card_levels_give_designs(self):
        card = self.make_card(
            self.env["res.partner"].create({"name": "Gold Member"}),
            level=self.level_gold,
        )
        self.level_gold.write({"tier_ids": [Command.clear()], "color": "#AA8800"})
        report = self.env.ref("loyalty_cards.report_member_card")
        html = report._render_qweb_html(report.report_name, (self.card | card).ids)[
            0
        ].decode()
        self.assertEqual(html.count("o_loyalty_member_card_qr"), 2)
        self.assertTrue("#AA8800" in html, "the gold design is missing")
