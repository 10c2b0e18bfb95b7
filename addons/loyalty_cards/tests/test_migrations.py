import importlib.util
from pathlib import Path

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def load_migration(version, name):
    """The ``migrate`` function of one of the addon's migration scripts."""
    path = MIGRATIONS / version / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"migration_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.migrate


@tagged("post_install", "-at_install")
class TestMigrations(TransactionCase):
    def test_flash_dates_renamed_with_their_values_and_templates(self):
        """18.0.2.1.0: a database of 18.0.2.0.0 (columns ``flash_start`` and
        ``flash_end``, a mail template reading ``program_id.flash_end`` in
        English and Chinese) keeps its flash offers' dates under the new
        names, and its templates read them; a second run changes nothing."""
        cr = self.env.cr
        program = self.env["loyalty.program"].create(
            {"name": "Migrated Flash", "program_type": "coupons"}
        )
        cr.execute(
            "UPDATE loyalty_program SET date_flash_end = '2026-05-05 10:00:00' "
            "WHERE id = %s",
            [program.id],
        )
        template = self.env["mail.template"].create(
            {
                "name": "A company's copy",
                "model_id": self.env["ir.model"]._get_id("loyalty.card"),
                "subject": "Until {{ object.program_id.date_flash_end }}",
                "body_html": "<p t-out='object.program_id.date_flash_end'/>",
            }
        )
        self.env.flush_all()
        # Back to 18.0.2.0.0: the old column and field name, old templates.
        cr.execute("ALTER TABLE loyalty_program RENAME date_flash_end TO flash_end")
        cr.execute("ALTER TABLE loyalty_program RENAME date_flash_start TO flash_start")
        cr.execute(
            "UPDATE ir_model_fields SET name = 'flash_end' "
            "WHERE model = 'loyalty.program' AND name = 'date_flash_end'"
        )
        cr.execute(
            SQL(
                """UPDATE mail_template
                      SET subject = jsonb_build_object(
                              'en_US', 'Until {{ object.program_id.flash_end }}',
                              'zh_CN', '截至 {{ object.program_id.flash_end }}'),
                          body_html = jsonb_build_object(
                              'en_US', '<p t-out=''object.program_id.flash_end''/>')
                    WHERE id = %s""",
                template.id,
            )
        )

        migrate = load_migration("18.0.2.1.0", "pre-migrate")
        migrate(cr, "18.0.2.0.0")
        migrate(cr, "18.0.2.0.0")

        cr.execute(
            "SELECT date_flash_end FROM loyalty_program WHERE id = %s", [program.id]
        )
        self.assertEqual(str(cr.fetchone()[0]), "2026-05-05 10:00:00")
        cr.execute(
            "SELECT subject, body_html FROM mail_template WHERE id = %s", [template.id]
        )
        subject, body = cr.fetchone()
        self.assertEqual(
            subject,
            {
                "en_US": "Until {{ object.program_id.date_flash_end }}",
                "zh_CN": "截至 {{ object.program_id.date_flash_end }}",
            },
        )
        self.assertEqual(
            body, {"en_US": "<p t-out='object.program_id.date_flash_end'/>"}
        )
        cr.execute(
            "SELECT name FROM ir_model_fields WHERE model = 'loyalty.program' "
            "AND name LIKE '%%flash_end'"
        )
        self.assertEqual(cr.fetchall(), [("date_flash_end",)])
