from odoo import api, fields, models


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

    # Fields of a counter session's entry lines that no one changes: they
    # are its amounts (see account_move.py).
    _LOYALTY_SESSION_LOCKED = frozenset(
        {
            "account_id",
            "debit",
            "credit",
            "balance",
            "amount_currency",
            "currency_id",
            "loyalty_program_id",
            "move_id",
            "tax_ids",
            "tax_line_id",
            "tax_repartition_line_id",
            "display_type",
        }
    )

    @api.model_create_multi
    def create(self, vals_list):
        move_ids = {
            vals["move_id"]
            for vals in vals_list
            if isinstance(vals, dict) and type(vals.get("move_id")) is int
        }
        if move_ids:
            self.env["account.move"].browse(move_ids)._loyalty_check_session_moves()
        return super().create(vals_list)

    def write(self, vals):
        if self._LOYALTY_SESSION_LOCKED & set(vals):
            self.move_id._loyalty_check_session_moves()
        return super().write(vals)
