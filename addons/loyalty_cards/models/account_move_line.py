from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    loyalty_program_id = fields.Many2one(
        "loyalty.program",
        string="Member Programme",
        readonly=True,
        index="btree_not_null",
        help="Stored value lines of a counter session: the programme whose "
        "cards' balances they owe.",
    )
