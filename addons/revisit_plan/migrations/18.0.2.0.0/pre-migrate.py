"""18.0.2.0.0: revisit_plan's own date fields are named like Odoo's
(``date_*``). Their columns and field definitions are renamed before the
models load, so that no value, tracking or translation is lost."""

from odoo.addons.customer_tiering.tools.migration import rename_fields

# (model, old name, new name, whether it has a column of its own)
RENAMED_FIELDS = [
    ("revisit.record", "due_date", "date_due", True),
    ("revisit.record", "done_date", "date_done", True),
    ("revisit.rule", "scan_date", "date_scan", True),
    # A view, rebuilt by the model from the renamed columns.
    ("revisit.report", "due_date", "date_due", False),
    ("revisit.report", "done_date", "date_done", False),
]


def migrate(cr, version):
    rename_fields(cr, "revisit_plan", RENAMED_FIELDS)
