from odoo.tests import TransactionCase, tagged
from odoo.tools.sql import column_exists

from odoo.addons.customer_tiering.tools.migration import rename_fields


@tagged("post_install", "-at_install")
class TestRenameFields(TransactionCase):
    """The migration scripts' renaming of fields (rolled back with the test:
    PostgreSQL's DDL is transactional; the ORM does not read the model in
    between)."""

    def field_names(self):
        self.env.cr.execute(
            """SELECT f.name, d.name FROM ir_model_fields f
                 JOIN ir_model_data d ON d.model = 'ir.model.fields'
                                     AND d.res_id = f.id
                WHERE f.model = 'customer.lifecycle.history'
                  AND f.name IN ('date', 'date_entered')"""
        )
        return self.env.cr.fetchall()

    def test_column_field_and_external_id_renamed_once(self):
        renames = [("customer.lifecycle.history", "date", "date_entered", True)]
        rename_fields(self.env.cr, "customer_tiering", renames)
        self.assertFalse(
            column_exists(self.env.cr, "customer_lifecycle_history", "date")
        )
        self.assertTrue(
            column_exists(self.env.cr, "customer_lifecycle_history", "date_entered")
        )
        self.assertEqual(
            self.field_names(),
            [("date_entered", "field_customer_lifecycle_history__date_entered")],
        )
        # A second run (the script run again) changes nothing more.
        rename_fields(self.env.cr, "customer_tiering", renames)
        self.assertEqual(
            self.field_names(),
            [("date_entered", "field_customer_lifecycle_history__date_entered")],
        )

    def test_field_without_a_column(self):
        """A view's field: only its definition and external id."""
        rename_fields(
            self.env.cr,
            "customer_tiering",
            [("customer.lifecycle.history", "date", "date_entered", False)],
        )
        self.assertTrue(
            column_exists(self.env.cr, "customer_lifecycle_history", "date")
        )
        self.assertEqual(
            self.field_names(),
            [("date_entered", "field_customer_lifecycle_history__date_entered")],
        )
