"""Set-based writes of the tier evaluation, for tens of thousands of rows per
run, where the ORM would cost more than the work itself (measured by the
benchmark, tests/benchmarks/test_bench_customer_tiering.py):

- ``insert_rows`` appends rows to the tier history (no default, computed
  field or create hook to skip), 0.35 s per 5,000 rows where ``create()``
  takes 0.9 s (the lifecycle history has its own statement, with the values
  its rows share given once: ``customer.lifecycle.history._record``);
- ``set_company_values`` writes company-dependent values of many partners in
  one statement, where ``res.partner.write`` would run its overrides per
  record.

Callers invalidate the ORM cache of what they change.
"""

import json

from odoo import fields
from odoo.tools import SQL

# SQL array types of the company-dependent values set_company_values writes.
ARRAY_TYPES = {
    "many2one": "int4",
    "integer": "int4",
    "float": "float8",
    "monetary": "numeric",
    "boolean": "bool",
    "char": "varchar",
    "selection": "varchar",
    "date": "date",
    "datetime": "timestamp",
}


def insert_rows(model, rows, on_conflict=None):
    """Insert ``rows`` (dicts with the same keys: stored field names of
    ``model``) in one statement, stamped with the current user and time,
    and return the records inserted. Values go through one array per column
    (``unnest``), so the statement does not grow with the number of rows.

    :param on_conflict: optional ``SQL`` conflict target: rows that would
        violate that unique index are skipped and left out of the result.
    """
    if not rows:
        return model.browse()
    names = list(rows[0])
    arrays, selects = [], []
    for name in names:
        field = model._fields[name]
        if field.type == "json":
            arrays.append(SQL("%s::text[]", [json.dumps(row[name]) for row in rows]))
            selects.append(SQL("r.%s::jsonb", SQL.identifier(name)))
            continue
        values = [
            field.convert_to_column(row[name], model) if row[name] is not None else None
            for row in rows
        ]
        arrays.append(SQL("%s::%s[]", values, SQL.identifier(field.column_type[0])))
        selects.append(SQL("r.%s", SQL.identifier(name)))
    model.env.flush_all()
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
        conflict=SQL("ON CONFLICT %s DO NOTHING", on_conflict)
        if on_conflict
        else SQL(),
    )
    return model.browse(row[0] for row in model.env.execute_query(query))


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
