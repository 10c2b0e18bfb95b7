"""18.0.2.0.0: payment methods are records (loyalty.payment.method) instead
of a fixed list; existing top-ups keep the method they were paid with, and
counter operations gather in counter sessions from now on (earlier ones are
not booked: their balances stay an opening difference of the liability
comparison until the bookkeeper books them)."""

from odoo import SUPERUSER_ID, api

# The former list's entries that no default method stands for: kept as
# archived methods, so that the top-ups paid with them still say how.
FORMER_ONLY = {"mobile": "Mobile payment", "other": "Other"}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["loyalty.program"]._accounting_setup_all()
    cr.execute(
        "SELECT 1 FROM information_schema.columns "
        "WHERE table_name = 'loyalty_topup' AND column_name = 'payment_method'"
    )
    if not cr.fetchone():
        return
    Method = env["loyalty.payment.method"].with_context(active_test=False)
    cr.execute(
        "SELECT DISTINCT company_id, payment_method FROM loyalty_topup "
        "WHERE payment_method IS NOT NULL AND payment_method_id IS NULL"
    )
    for company_id, code in cr.fetchall():
        company = env["res.company"].browse(company_id) or env.ref("base.main_company")
        method = Method.search(
            [("company_id", "=", company.id), ("code", "=", code)], limit=1
        )
        if not method:
            method = Method.create(
                {
                    "name": FORMER_ONLY.get(code, code),
                    "code": code,
                    "company_id": company.id,
                    "active": False,
                    "journal_id": env["account.journal"]
                    .search(
                        [("company_id", "=", company.id), ("type", "=", "bank")],
                        limit=1,
                    )
                    .id,
                }
            )
        cr.execute(
            "UPDATE loyalty_topup SET payment_method_id = %s "
            "WHERE payment_method = %s AND payment_method_id IS NULL "
            "AND company_id IS NOT DISTINCT FROM %s",
            [method.id, code, company_id],
        )
    cr.execute("ALTER TABLE loyalty_topup DROP COLUMN payment_method")
