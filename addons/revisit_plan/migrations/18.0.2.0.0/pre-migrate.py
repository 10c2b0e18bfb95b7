"""18.0.2.0.0: revisit_plan's own date fields are named like Odoo's
(``date_*``). Their columns and field definitions are renamed before the
models load, so that no value, tracking or translation is lost."""

from odoo.tools import SQL

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
    for model, old, new, stored in RENAMED_FIELDS:
        table = model.replace(".", "_")
        if stored:
            cr.execute(
                SQL(
                    "ALTER TABLE %s RENAME COLUMN %s TO %s",
                    SQL.identifier(table),
                    SQL.identifier(old),
                    SQL.identifier(new),
                )
            )
        cr.execute(
            SQL(
                "UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s",
                new,
                model,
                old,
            )
        )
        cr.execute(
            SQL(
                """UPDATE ir_model_data SET name = %s
                    WHERE module = 'revisit_plan' AND model = 'ir.model.fields'
                      AND name = %s""",
                f"field_{table}__{new}",
                f"field_{table}__{old}",
            )
        )
