from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    loyalty_pin_lock_minutes = fields.Integer(
        string="Card Lock after Wrong PINs (minutes)",
        default=30,
        required=True,
        help="How long a member card stays locked after five wrong PINs in a row.",
    )
    loyalty_reversal_minutes = fields.Integer(
        string="Cashiers Reverse within (minutes)",
        default=30,
        required=True,
        help="A cashier may reverse their own consumption for this long after "
        "it; 0: only managers reverse consumptions.",
    )
    loyalty_counter_journal_id = fields.Many2one(
        "account.journal",
        string="Counter Session Journal",
        readonly=True,
        help="The journal of the counter sessions' entries (Member Card Counter).",
    )

    _sql_constraints = [
        (
            "loyalty_pin_lock_minutes_range",
            "CHECK (loyalty_pin_lock_minutes BETWEEN 1 AND 43200)",
            "A card locks for 1 minute to 30 days after wrong PINs.",
        ),
        (
            "loyalty_reversal_minutes_range",
            "CHECK (loyalty_reversal_minutes BETWEEN 0 AND 43200)",
            "Cashiers reverse their consumptions within 0 minutes to 30 days.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # Counter payment methods from the start (their journals and the
        # programmes' accounts come with the chart of accounts).
        for company in companies:
            self.env["loyalty.program"]._accounting_setup(company)
        return companies
