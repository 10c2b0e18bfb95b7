"""Dates are named ``date_*``, as in Odoo: the columns of existing databases
(and their fields, which tracking values and filters refer to) are renamed,
so that no value is lost."""

from odoo.addons.customer_tiering.tools.migration import rename_fields

# (model, old name, new name, whether it has a column of its own)
RENAMED_FIELDS = [
    ("aftersales.ticket", "assessed_on", "date_assessed", True),
    ("aftersales.ticket", "checkin_at", "date_checkin", True),
    ("aftersales.ticket", "checkout_at", "date_checkout", True),
    ("aftersales.ticket", "first_response_at", "date_first_response", True),
    ("aftersales.ticket", "resolved_at", "date_resolved", True),
    ("aftersales.ticket", "closed_at", "date_closed", True),
    ("aftersales.ticket", "planned_visit", "date_visit", True),
    ("aftersales.ticket", "planned_visit_end", "date_visit_end", True),
    ("aftersales.ticket", "sla_deadline", "date_sla_deadline", True),
    ("aftersales.ticket.sla", "start", "date_start", True),
    ("aftersales.ticket.sla", "deadline", "date_deadline", True),
    ("aftersales.ticket.sla", "warning_at", "date_warning", True),
    ("aftersales.ticket.sla", "reached_at", "date_reached", True),
    ("aftersales.ticket.sla", "paused_since", "date_paused", True),
]


def migrate(cr, version):
    rename_fields(cr, "aftersales_sla", RENAMED_FIELDS)
