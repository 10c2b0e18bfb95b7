"""18.0.1.1.0: PINs move from a table of their own, unknown to the ORM, to
the model ``loyalty.card.pin``, whose table has the same name: the old table
steps aside before the models load (post-migrate copies its rows)."""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, table_exists

LEGACY_TABLE = "loyalty_card_pin_legacy"


def migrate(cr, version):
    # The old table has no id column: the ORM would not take it over.
    if table_exists(cr, "loyalty_card_pin") and not column_exists(
        cr, "loyalty_card_pin", "id"
    ):
        cr.execute(
            SQL(
                "ALTER TABLE loyalty_card_pin RENAME TO %s",
                SQL.identifier(LEGACY_TABLE),
            )
        )
