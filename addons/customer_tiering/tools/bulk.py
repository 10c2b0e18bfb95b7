"""Set-based writes for large evaluations, where the ORM's per-record
overrides (e.g. ``res.partner.write``) would cost more than the work itself.
Callers invalidate the ORM cache of what they change."""

import json

from odoo import fields
from odoo.tools import SQL


def insert_rows(model, rows):
    """Insert ``rows`` (dicts with the same keys: stored field names of
    ``model``) in one statement and return the new records.

    Values go through one array per column (``unnest``), so the statement
    size does not grow with the number of SQL fragments; ``json`` fields take
    Python values.
    """
    if not rows:
        return model.browse()
    names = list(rows[0])
    arrays, selects = [], []
    for name in names:
        field = model._fields[name]
        column_type = field.column_type[1]
        if field.type == "json":
            arrays.append(SQL("%s::text[]", [json.dumps(row[name]) for row in rows]))
            selects.append(SQL("r.%s::jsonb", SQL.identifier(name)))
        else:
            values = [
                field.convert_to_column(row[name], model)
                if row[name] is not None
                else None
                for row in rows
            ]
            arrays.append(SQL(f"%s::{column_type}[]", values))
            selects.append(SQL("r.%s", SQL.identifier(name)))
    now = fields.Datetime.now()
    query = SQL(
        """
        INSERT INTO %(table)s
               (%(columns)s, create_uid, create_date, write_uid, write_date)
        SELECT %(selects)s, %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM unnest(%(arrays)s) AS r(%(columns)s)
        RETURNING id
        """,
        table=SQL.identifier(model._table),
        columns=SQL(", ").join(SQL.identifier(name) for name in names),
        selects=SQL(", ").join(selects),
        arrays=SQL(", ").join(arrays),
        uid=model.env.uid,
        now=now,
    )
    return model.browse(row[0] for row in model.env.execute_query(query))


def set_company_values(model, fname, company, values_by_id):
    """Set a company-dependent field for many records in one statement.

    :param values_by_id: {record id: value}; ``None`` removes the company's
        value, so the field reads as its fallback
    """
    if not values_by_id:
        return
    field = model._fields[fname]
    assert field.company_dependent
    ids = list(values_by_id)
    values = [
        None if value is None else json.dumps(field.convert_to_column(value, model))
        for value in values_by_id.values()
    ]
    model.env.execute_query(
        SQL(
            """
            UPDATE %(table)s t
               SET %(column)s = CASE
                       WHEN v.value IS NULL
                            THEN COALESCE(t.%(column)s, '{}'::jsonb) - %(key)s
                       ELSE COALESCE(t.%(column)s, '{}'::jsonb)
                            || jsonb_build_object(%(key)s, v.value::jsonb)
                   END,
                   write_uid = %(uid)s,
                   write_date = %(now)s
              FROM unnest(%(ids)s::int[], %(values)s::text[]) AS v(id, value)
             WHERE t.id = v.id
            """,
            table=SQL.identifier(model._table),
            column=SQL.identifier(fname),
            key=str(company.id),
            ids=ids,
            values=values,
            uid=model.env.uid,
            now=fields.Datetime.now(),
        )
    )
    model.invalidate_model([fname, "write_uid", "write_date"])
