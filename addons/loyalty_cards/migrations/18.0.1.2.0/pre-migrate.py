"""18.0.1.2.0: dates are named like Odoo's (``date_*``): their columns and
field definitions are renamed before the models load, so that no value or
translation is lost."""

from odoo.tools import SQL, drop_view_if_exists
from odoo.tools.sql import column_exists

# (model, old name, new name, whether it has a column of its own)
RENAMED_FIELDS = [
    ("loyalty.card", "coupon_used_date", "date_used", True),
    # A view, rebuilt by the model.
    ("loyalty.campaign.report", "issue_date", "date_issue", False),
    ("loyalty.campaign.report", "redeemed_date", "date_redeemed", False),
]


def migrate(cr, version):
    # The campaign analysis reads the columns: the model rebuilds it.
    drop_view_if_exists(cr, "loyalty_campaign_report")
    for model, old, new, stored in RENAMED_FIELDS:
        table = model.replace(".", "_")
        if stored and column_exists(cr, table, old):
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
                    WHERE module = 'loyalty_cards' AND model = 'ir.model.fields'
                      AND name = %s""",
                f"field_{table}__{new}",
                f"field_{table}__{old}",
            )
        )
