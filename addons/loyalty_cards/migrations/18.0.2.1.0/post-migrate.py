"""18.0.2.1.0: counter sessions post their entries in a journal of their
own (Member Card Counter, code CNTR) instead of the sales journal: every
company with a chart of accounts gets it. Idempotent: a company that has
its journal keeps it. Entries posted before keep their journal and number.

The nightly closing no longer fails when every session of a batch cannot
be posted: the failures its former runs counted are forgotten (an active
job only; one Odoo deactivated after repeated failures is reactivated by
hand, in Settings > Technical > Scheduled Actions)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["loyalty.program"]._accounting_setup_all()
    cron = env.ref(
        "loyalty_cards.ir_cron_close_counter_sessions", raise_if_not_found=False
    )
    if cron and cron.active and cron.failure_count:
        cron.write({"failure_count": 0, "first_failure_date": False})
