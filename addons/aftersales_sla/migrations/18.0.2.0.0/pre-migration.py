"""Dates are named ``date_*``, as in Odoo: the columns of existing databases
(and their fields, which tracking values and filters refer to) are renamed,
so that no value is lost."""

from odoo.tools.sql import column_exists, rename_column

RENAMES = {
    "aftersales.ticket": [
        ("assessed_on", "date_assessed"),
        ("checkin_at", "date_checkin"),
        ("checkout_at", "date_checkout"),
        ("first_response_at", "date_first_response"),
        ("resolved_at", "date_resolved"),
        ("closed_at", "date_closed"),
        ("planned_visit", "date_visit"),
        ("planned_visit_end", "date_visit_end"),
        ("sla_deadline", "date_sla_deadline"),
    ],
    "aftersales.ticket.sla": [
        ("start", "date_start"),
        ("deadline", "date_deadline"),
        ("warning_at", "date_warning"),
        ("reached_at", "date_reached"),
        ("paused_since", "date_paused"),
    ],
}


def migrate(cr, version):
    for model, renames in RENAMES.items():
        table = model.replace(".", "_")
        for old, new in renames:
            if not column_exists(cr, table, old) or column_exists(cr, table, new):
                continue
            rename_column(cr, table, old, new)
            cr.execute(
                "UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s",
                [new, model, old],
            )
            cr.execute(
                "UPDATE ir_model_data SET name = %s"
                " WHERE module = 'aftersales_sla' AND model = 'ir.model.fields'"
                " AND name = %s",
                [f"field_{table}__{new}", f"field_{table}__{old}"],
            )
