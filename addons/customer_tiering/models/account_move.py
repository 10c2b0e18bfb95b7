from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def init(self):
        res = super().init()
        # Serves the tier indicators' aggregates and the evaluation scope:
        # posted customer invoices per company, customer and date.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS account_move_customer_tiering_idx
                ON account_move (company_id, commercial_partner_id, invoice_date)
                INCLUDE (move_type, amount_untaxed_signed)
             WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')
            """
        )
        return res
