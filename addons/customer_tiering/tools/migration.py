"""Helpers for the addons' migration scripts (``migrations/<version>/``).

The suite's addons rename fields between versions (dates named ``date_*``
as in Odoo); each migration script gives its list to ``rename_fields``
instead of repeating the SQL.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, rename_column


def rename_fields(cr, module, renames):
    """Rename fields of ``module`` before its models load, so that no value,
    tracking value, filter or translation that refers to them is lost: the
    column (when the field has one of its own), the field's definition and
    its external id. A field already renamed is left as it is, so a script
    run twice changes nothing more.

    :param renames: ``(model, old name, new name, stored)`` tuples; a field
        that is not ``stored`` has no column of its own (e.g. a field of a
        report's SQL view, which its model rebuilds)
    """
    for model, old, new, stored in renames:
        table = model.replace(".", "_")
        if stored:
            if not column_exists(cr, table, old) or column_exists(cr, table, new):
                continue
            rename_column(cr, table, old, new)
        cr.execute(
            SQL(
                """UPDATE ir_model_fields SET name = %s
                    WHERE model = %s AND name = %s""",
                new,
                model,
                old,
            )
        )
        cr.execute(
            SQL(
                """UPDATE ir_model_data SET name = %s
                    WHERE module = %s AND model = 'ir.model.fields'
                      AND name = %s""",
                f"field_{table}__{new}",
                module,
                f"field_{table}__{old}",
            )
        )
