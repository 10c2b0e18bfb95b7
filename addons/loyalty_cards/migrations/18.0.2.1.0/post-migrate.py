"""18.0.2.1.0: counter sessions post their entries in a journal of their
own (Member Card Counter, code CNTR) instead of the sales journal: every
company with a chart of accounts gets it. Idempotent: a company that has
its journal keeps it. Entries posted before keep their journal and number."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["loyalty.program"]._accounting_setup_all()
