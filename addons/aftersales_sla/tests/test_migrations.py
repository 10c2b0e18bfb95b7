import importlib.util
from pathlib import Path

from odoo.tests import TransactionCase, tagged
from odoo.tools.convert import convert_file

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
    def test_kpi_dashboard_window_action_becomes_a_client_action(self):
        """18.0.2.1.0: a database whose KPI Dashboard was a window action
        loads the client action under the same id."""
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", "aftersales_sla"),
                ("name", "=", "aftersales_kpi_dashboard_action"),
            ]
        )
        old = self.env["ir.actions.act_window"].create(
            {"name": "KPI Dashboard", "res_model": "aftersales.ticket"}
        )
        data.write({"model": "ir.actions.act_window", "res_id": old.id})
        self.env.flush_all()

        load_migration("18.0.2.1.0", "pre-migrate")(self.env.cr, "18.0.2.0.0")
        self.env.invalidate_all()
        convert_file(
            self.env,
            "aftersales_sla",
            "views/aftersales_kpi_dashboard_views.xml",
            {},
            mode="update",
        )

        action = self.env.ref("aftersales_sla.aftersales_kpi_dashboard_action")
        self.assertEqual(action._name, "ir.actions.client")
        self.assertEqual(action.tag, "aftersales_sla.kpi_dashboard")
        self.assertFalse(old.exists())
