"""18.0.1.1.0: the PINs of the old table (hash, wrong PINs in a row,
lockout) become ``loyalty.card.pin`` records; the old table goes."""

from odoo.tools import SQL
from odoo.tools.sql import table_exists

LEGACY_TABLE = "loyalty_card_pin_legacy"


def migrate(cr, version):
    if not table_exists(cr, LEGACY_TABLE):
        return
    cr.execute(
        SQL(
            """
            INSERT INTO loyalty_card_pin (card_id, pin_hash, failed_count,
                                          date_locked_until, create_uid,
                                          create_date, write_uid, write_date)
            SELECT old.card_id, old.pin_hash, old.failed_count,
                   old.locked_until, 1, old.write_date, 1, old.write_date
              FROM %s old
              JOIN loyalty_card c ON c.id = old.card_id
            ON CONFLICT (card_id) DO NOTHING
            """,
            SQL.identifier(LEGACY_TABLE),
        )
    )
    cr.execute(SQL("DROP TABLE %s", SQL.identifier(LEGACY_TABLE)))
