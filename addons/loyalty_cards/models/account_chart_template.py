from odoo import models


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _post_load_data(self, template_code, company, template_data):
        res = super()._post_load_data(template_code, company, template_data)
        # A company that gets its chart after the install: its counter
        # payment methods get their journals, its programmes their accounts.
        self.env["loyalty.program"]._accounting_setup(company or self.env.company)
        return res
