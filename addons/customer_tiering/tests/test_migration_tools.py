import importlib.util
from pathlib import Path

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


@tagged("post_install", "-at_install")
class TestLifecycleHistoryLogColumns(TransactionCase):
    """18.0.1.1.0: a database from before keeps the four log columns of the
    lifecycle history (and two foreign keys to res_users) that Odoo leaves
    behind when a model stops logging access, and the column of "Stage
    Since" on res_partner, now read from the history; the migration drops
    them."""

    def test_migration_drops_the_log_columns(self):
        path = (
            Path(__file__).resolve().parent.parent
            / "migrations"
            / "18.0.1.1.0"
            / "post-migrate.py"
        )
        spec = importlib.util.spec_from_file_location("lifecycle_log_columns", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cr = self.env.cr
        # The columns as the previous version created them.
        cr.execute(
            """ALTER TABLE customer_lifecycle_history
                   ADD COLUMN create_uid int4 REFERENCES res_users ON DELETE SET NULL,
                   ADD COLUMN create_date timestamp,
                   ADD COLUMN write_uid int4 REFERENCES res_users ON DELETE SET NULL,
                   ADD COLUMN write_date timestamp"""
        )
        # "Stage Since" was a company-dependent column of res_partner.
        cr.execute("ALTER TABLE res_partner ADD COLUMN lifecycle_date jsonb")
        module.migrate(cr, "18.0.1.0.0")
        self.assertFalse(column_exists(cr, "res_partner", "lifecycle_date"))
        for column in module.LOG_COLUMNS:
            self.assertFalse(column_exists(cr, "customer_lifecycle_history", column))
        self.assertTrue(column_exists(cr, "customer_lifecycle_history", "partner_id"))
        # Run again (an update replayed): nothing to drop, no error.
        module.migrate(cr, "18.0.1.0.0")
