"""The size of the batches of the scheduled actions (planning, missed
revisits, care messages)."""

import logging

from odoo.addons.customer_tiering.tools import validation

_logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 1000


def batch_size(env):
    """The system parameter ``revisit_plan.batch_size``: a whole number of at
    least 1, else the default (logged), so that a typo in a parameter never
    stops the scheduled actions."""
    param = env["ir.config_parameter"].sudo().get_param("revisit_plan.batch_size")
    size = validation.id_from_text((param or "").strip())
    if param and not size:
        _logger.warning(
            "System parameter revisit_plan.batch_size is %r, not a whole number "
            "of at least 1: %s is used.",
            param[:20],
            DEFAULT_BATCH_SIZE,
        )
    return size or DEFAULT_BATCH_SIZE
