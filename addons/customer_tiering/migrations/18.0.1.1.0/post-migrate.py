"""18.0.1.1.0: two things an evaluation wrote per customer that it no longer
writes.

- The lifecycle history keeps no creator, writer or dates of its own
  (``_log_access = False``). Odoo removes the fields but leaves their columns,
  and with them two foreign keys checked at every row an evaluation inserts.
- A customer's "Stage Since" is read from its lifecycle history instead of
  being stored beside the stage: its column (and index) on res_partner goes.
"""

from odoo.tools import SQL

LOG_COLUMNS = ("create_uid", "create_date", "write_uid", "write_date")


def migrate(cr, version):
    cr.execute(
        SQL(
            "ALTER TABLE customer_lifecycle_history %s",
            SQL(", ").join(
                SQL("DROP COLUMN IF EXISTS %s", SQL.identifier(column))
                for column in LOG_COLUMNS
            ),
        )
    )
    cr.execute("ALTER TABLE res_partner DROP COLUMN IF EXISTS lifecycle_date")
