"""Set-based inserts for the scheduled actions, where creating records one by
one through the ORM (with their chatter and followers) would cost more than
the work itself. Callers invalidate the ORM cache of what they change."""

from odoo import fields
from odoo.tools import SQL


def insert_rows(model, rows, on_conflict=None):
    """Insert ``rows`` (dicts with the same keys: stored column names of
    ``model``) in one statement and return the records inserted.

    :param on_conflict: optional ``SQL`` conflict target, e.g.
        ``SQL("(partner_id, rule_id) WHERE state = 'planned'")``: rows that
        would violate that unique index are skipped (``DO NOTHING``) and left
        out of the result, which is how the database keeps duplicates out
        even when two workers insert at the same time.
    """
    if not rows:
        return model.browse()
    names = list(rows[0])
    arrays, selects = [], []
    for name in names:
        field = model._fields[name]
        column_type = field.column_type[1]
        values = [
            field.convert_to_column(row[name], model) if row[name] is not None else None
            for row in rows
        ]
        arrays.append(SQL(f"%s::{column_type}[]", values))
        selects.append(SQL("r.%s", SQL.identifier(name)))
    conflict = SQL("ON CONFLICT %s DO NOTHING", on_conflict) if on_conflict else SQL("")
    now = fields.Datetime.now()
    query = SQL(
        """
        INSERT INTO %(table)s
               (%(columns)s, create_uid, create_date, write_uid, write_date)
        SELECT %(selects)s, %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM unnest(%(arrays)s) AS r(%(columns)s)
        %(conflict)s
        RETURNING id
        """,
        table=SQL.identifier(model._table),
        columns=SQL(", ").join(SQL.identifier(name) for name in names),
        selects=SQL(", ").join(selects),
        arrays=SQL(", ").join(arrays),
        uid=model.env.uid,
        now=now,
        conflict=conflict,
    )
    return model.browse(row[0] for row in model.env.execute_query(query))
