"""18.0.1.2.0: dates are named like Odoo's (``date_*``): their columns and
field definitions are renamed before the models load, so that no value or
translation is lost."""

from odoo.tools import drop_view_if_exists

from odoo.addons.customer_tiering.tools.migration import rename_fields

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
    rename_fields(cr, "loyalty_cards", RENAMED_FIELDS)
