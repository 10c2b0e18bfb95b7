from odoo import fields, models


class LoyaltyTopup(models.Model):
    """A top-up's invoice on request: the amount paid (not the bonus) is a
    prepayment, not a sale: one line without tax (in China an invoice
    "not taxable", 不征税) on the programme's stored value account."""

    _name = "loyalty.topup"
    _inherit = ["loyalty.topup", "loyalty.invoice.mixin"]
    _loyalty_invoice_field = "loyalty_topup_id"

    def _loyalty_invoice_amount(self):
        return self.amount

    def _loyalty_invoice_values(self):
        self.ensure_one()
        account = self.session_id._close_account(
            self.program_id, "stored_value_account_id"
        )
        return self._loyalty_invoice_base_values(
            [
                {
                    "name": self.env._(
                        "Member card top-up %(ref)s (prepayment, not taxable)",
                        ref=self.name,
                    ),
                    "quantity": 1,
                    "price_unit": self.amount,
                    "account_id": account.id,
                    "tax_ids": [fields.Command.clear()],
                    "loyalty_program_id": self.program_id.id,
                }
            ]
        )
