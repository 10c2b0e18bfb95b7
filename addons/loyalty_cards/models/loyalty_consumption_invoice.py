from odoo import fields, models


class LoyaltyConsumption(models.Model):
    """A consumption's invoice on request: its net amount, taxes included
    as at the counter, on the programme's counter sales account with the
    programme's counter taxes."""

    _name = "loyalty.consumption"
    _inherit = ["loyalty.consumption", "loyalty.invoice.mixin"]
    _loyalty_invoice_field = "loyalty_consumption_id"

    def _loyalty_invoice_amount(self):
        return self.net_amount

    def _loyalty_invoice_values(self):
        self.ensure_one()
        session, program, company = self.session_id, self.program_id, self.company_id
        income = session._close_account(program, "counter_income_account_id")
        taxes = program.counter_tax_ids.filtered(lambda t: t.company_id == company)
        price = self.net_amount
        if taxes and not all(taxes.mapped("price_include")):
            # The counter's prices include the taxes.
            price = taxes.with_context(force_price_include=True).compute_all(
                price, currency=self.currency_id
            )["total_excluded"]
        return self._loyalty_invoice_base_values(
            [
                {
                    "name": self.env._("Member consumption %(ref)s", ref=self.name),
                    "quantity": 1,
                    "price_unit": price,
                    "account_id": income.id,
                    "tax_ids": [fields.Command.set(taxes.ids)],
                }
            ]
        )
