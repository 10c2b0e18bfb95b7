from unittest.mock import patch

from reportlab.graphics.utils import RenderPMError

from odoo.tests import HttpCase, tagged

from ..tools import qr_code
from .common import LoyaltyCase

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@tagged("post_install", "-at_install")
class TestQrCode(LoyaltyCase, HttpCase):
    def test_png_renderer_is_installed(self):
        """reportlab draws PNG images on this Python: member cards' QR codes
        and Odoo's own barcodes. It fails where reportlab 4 (Odoo's pin on
        Python 3.12) lacks rl-renderPM."""
        Report = self.env["ir.actions.report"]
        for symbology, value in (
            ("QR", self.card.code),
            ("Code128", self.card.member_number),
            ("EAN13", "4006381333931"),
        ):
            with self.subTest(symbology=symbology):
                try:
                    png = Report.barcode(symbology, value)
                except (ImportError, RenderPMError) as error:
                    self.fail(
                        f"reportlab cannot draw a {symbology} barcode here: {error}\n"
                        "Install rl-renderPM (requirements.txt)."
                    )
                self.assertTrue(png.startswith(PNG_SIGNATURE))
        self.assertTrue(qr_code.qr_png(self.env, self.card.code))

    def test_cards_without_renderer_show_their_number(self):
        """Without a renderer, the portal's card page, the printable card and
        the form's QR field still work, with the number as text; the reason
        is logged once."""
        self.authenticate("loyalty_portal", "loyalty_portal")
        url = f"/my/member_cards/{self.card.id}"
        report = self.env.ref("loyalty_cards.report_member_card")
        for error in (
            # reportlab 3 without _renderPM; reportlab 4 without rl-renderPM.
            ModuleNotFoundError("No module named '_rl_renderPM'"),
            RenderPMError("cannot import desired renderPM backend rlPyCairo"),
        ):
            with (
                self.subTest(error=type(error).__name__),
                patch.object(qr_code, "_missing_renderer_logged", False),
                patch("reportlab.graphics.renderPM.drawToString", side_effect=error),
                self.assertLogs(qr_code.__name__, "WARNING") as logs,
            ):
                for response in (self.url_open(url), self.url_open(f"{url}/print")):
                    self.assertEqual(response.status_code, 200)
                    self.assertIn(self.card.member_number, response.text)
                    self.assertNotIn("o_loyalty_member_card_qr", response.text)
                self.card.invalidate_recordset(["member_qr"])
                self.assertFalse(self.card.member_qr)
                html = report._render_qweb_html(report.report_name, self.card.ids)
                self.assertIn(self.card.member_number, html[0].decode())
                self.assertEqual(len(logs.records), 1, logs.output)
                self.assertIn(str(error), logs.output[0])
