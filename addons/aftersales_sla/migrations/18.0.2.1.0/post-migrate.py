"""Follow-up revisits moved from aftersales_sla into the bridge
aftersales_revisit (auto-installed with revisit_plan), which an upgrade
alone does not install: where revisit_plan is installed, install it, so
that upgrading keeps the follow-up revisits and their settings (whose
columns stayed in place)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    Module = env["ir.module.module"]
    bridge = Module.search(
        [("name", "=", "aftersales_revisit"), ("state", "=", "uninstalled")]
    )
    revisit_plan = Module.search(
        [("name", "=", "revisit_plan"), ("state", "in", ("installed", "to upgrade"))]
    )
    if bridge and revisit_plan:
        bridge.button_install()
