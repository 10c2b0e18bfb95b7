"""18.0.2.1.0: a flash offer's dates are named like Odoo's (``date_*``):
their columns and field definitions are renamed before the models load, and
the mail templates that read them (the flash offer email is noupdate, and a
company may have copied it) read the new names."""

from odoo.tools import SQL

from odoo.addons.customer_tiering.tools.migration import rename_fields

# (model, old name, new name, whether it has a column of its own)
RENAMED_FIELDS = [
    ("loyalty.program", "flash_start", "date_flash_start", True),
    ("loyalty.program", "flash_end", "date_flash_end", True),
]


def migrate(cr, version):
    rename_fields(cr, "loyalty_cards", RENAMED_FIELDS)
    for _model, old, new, _column in RENAMED_FIELDS:
        # Every language of the body and subject (JSON values), whole words.
        for column in ("body_html", "subject"):
            cr.execute(
                SQL(
                    """
                    UPDATE mail_template
                       SET %(column)s = regexp_replace(
                               %(column)s::text, %(pattern)s, %(new)s, 'g')::jsonb
                     WHERE %(column)s::text ~ %(pattern)s
                    """,
                    column=SQL.identifier(column),
                    pattern=rf"\mprogram_id\.{old}\M",
                    new=f"program_id.{new}",
                )
            )
