"""The QR code of a member card, drawn by Odoo's barcode renderer.

reportlab draws PNG images with a separate renderer: built into reportlab 3
(Odoo's pin up to Python 3.11), the ``rl-renderPM`` package (or
``rlPyCairo``) with reportlab 4 (Odoo's pin on Python 3.12, whose Linux
install brings neither: the project's requirements.txt adds rl-renderPM).
Without a renderer a card shows its number as text only, which the cashier
types at the counter, instead of failing the page; the reason is logged once
per process rather than on every page view.
"""

import logging

from reportlab.graphics.utils import RenderPMError

_logger = logging.getLogger(__name__)
QR_SIZE = 240
_missing_renderer_logged = False


def qr_png(env, value):
    """The QR code of ``value`` as PNG bytes, or None when reportlab has no
    PNG renderer on this Python."""
    global _missing_renderer_logged
    try:
        return env["ir.actions.report"].barcode(
            "QR", value, width=QR_SIZE, height=QR_SIZE, quiet=0
        )
    except (ImportError, RenderPMError) as error:
        # reportlab 3 raises ImportError, reportlab 4 RenderPMError.
        if not _missing_renderer_logged:
            _missing_renderer_logged = True
            _logger.warning(
                "Member cards show their number without a QR code: reportlab "
                "cannot draw PNG images on this Python (%s). Install its "
                "renderer into Odoo's Python environment: pip install rl-renderPM",
                str(error).splitlines()[0],
            )
        return None
