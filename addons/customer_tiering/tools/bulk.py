"""Set-based writes for large evaluations and scheduled actions, where the
ORM's per-record overrides (e.g. ``res.partner.write``, chatter and followers
of new records) would cost more than the work itself. Shared by the suite's
addons; callers invalidate the ORM cache of what they change."""

import json

from odoo import fields
from odoo.tools import SQL


def insert_rows(model, rows, on_conflict=None):
    """Insert ``rows`` (dicts with the same keys: stored field names of
    ``model``) in one statement and return the records inserted.

    Values go through one array per column (``unnest``), so the statement
    size does not grow with the number of SQL fragments; ``json`` fields take
    Python values.

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
    conflict = SQL("ON CONFLICT %s DO NOTHING", on_conflict) if on_conflict else SQL()
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


# SQL array types of the company-dependent fields set_company_values writes.
ARRAY_TYPES = {
    "many2one": "int4",
    "integer": "int4",
    "float": "float8",
    "boolean": "bool",
    "char": "varchar",
    "date": "date",
}


def set_company_values(model, company, values_by_field):
    """Set company-dependent fields of many records in one statement.

    :param values_by_field: {field name: {record id: value}}; a record may
        appear for some fields only; ``None`` removes the company's value, so
        the field reads as its fallback
    """
    values_by_field = {fname: vals for fname, vals in values_by_field.items() if vals}
    if not values_by_field:
        return
    ids = sorted({rid for vals in values_by_field.values() for rid in vals})
    key = str(company.id)
    arrays = [SQL("%s::int4[]", ids)]
    names = [SQL("id")]
    assignments = []
    for fname, vals in values_by_field.items():
        field = model._fields[fname]
        assert field.company_dependent
        column = SQL.identifier(fname)
        is_set, value = SQL.identifier(f"set_{fname}"), SQL.identifier(f"v_{fname}")
        arrays += [
            SQL("%s::bool[]", [rid in vals for rid in ids]),
            SQL(
                "%s::%s[]",
                [vals.get(rid) for rid in ids],
                SQL.identifier(ARRAY_TYPES[field.type]),
            ),
        ]
        names += [is_set, value]
        assignments.append(
            SQL(
                """%(column)s = CASE
                       WHEN NOT v.%(is_set)s THEN t.%(column)s
                       WHEN v.%(value)s IS NULL
                            THEN COALESCE(t.%(column)s, '{}'::jsonb) - %(key)s
                       ELSE COALESCE(t.%(column)s, '{}'::jsonb)
                            || jsonb_build_object(%(key)s, v.%(value)s)
                   END""",
                column=column,
                is_set=is_set,
                value=value,
                key=key,
            )
        )
    model.env.execute_query(
        SQL(
            """
            UPDATE %(table)s t
               SET %(assignments)s, write_uid = %(uid)s, write_date = %(now)s
              FROM unnest(%(arrays)s) AS v(%(names)s)
             WHERE t.id = v.id
            """,
            table=SQL.identifier(model._table),
            assignments=SQL(", ").join(assignments),
            arrays=SQL(", ").join(arrays),
            names=SQL(", ").join(names),
            uid=model.env.uid,
            now=fields.Datetime.now(),
        )
    )
    model.invalidate_model([*values_by_field, "write_uid", "write_date"])


def without_jit(cr):
    """Turn PostgreSQL's JIT compilation off for the rest of the transaction.

    The batches of our scheduled actions run many short, index-driven queries
    whose estimated cost (over tables of millions of rows) passes JIT's
    threshold: compiling them costs more than running them (measured: the
    evaluation's partner scan took 180 ms a batch with JIT, 40 ms without).
    ``SET LOCAL`` ends with the transaction, i.e. with the batch.
    """
    cr.execute("SET LOCAL jit = off")
