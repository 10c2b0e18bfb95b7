"""18.0.2.0.0: the planning runs on revisit.rule and the weekly summary on
revisit.report; their scheduled actions (data not updated) follow. The
analysis is a query now: its former view goes."""

from odoo import SUPERUSER_ID, api
from odoo.tools import drop_view_if_exists

CRON_MODELS = {
    "revisit_plan.ir_cron_plan_revisits": "revisit.rule",
    "revisit_plan.ir_cron_weekly_summary": "revisit.report",
}


def migrate(cr, version):
    drop_view_if_exists(cr, "revisit_report")
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, model in CRON_MODELS.items():
        cron = env.ref(xmlid, raise_if_not_found=False)
        if cron:
            cron.model_id = env["ir.model"]._get(model)
