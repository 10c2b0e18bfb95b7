from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

LOYALTY_FIELDS = ("loyalty_consumption_id", "loyalty_topup_id")


class AccountMove(models.Model):
    """Entries of the member card journal are the entries of member card
    payments: posted only with their ledger movement, never reset to draft,
    cancelled nor reversed (the card would no longer agree with the books)."""

    _inherit = "account.move"

    loyalty_consumption_id = fields.Many2one(
        "loyalty.consumption",
        string="Member Consumption",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The counter consumption this invoice was requested for.",
    )
    loyalty_topup_id = fields.Many2one(
        "loyalty.topup",
        string="Card Top-up",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The card top-up this invoice was requested for.",
    )

    def init(self):
        res = super().init()
        # One invoice per counter operation, whatever the concurrency.
        for field in LOYALTY_FIELDS:
            self.env.cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX IF NOT EXISTS %s ON account_move (%s) "
                    "WHERE %s IS NOT NULL",
                    SQL.identifier(f"account_move_{field}_uniq"),
                    SQL.identifier(field),
                    SQL.identifier(field),
                )
            )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            vals.get(field) for vals in vals_list for field in LOYALTY_FIELDS
        ):
            raise UserError(
                self.env._(
                    "Invoices of counter operations are created from the "
                    "consumption, the top-up or the session."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and any(field in vals for field in LOYALTY_FIELDS):
            raise UserError(
                self.env._("The counter operation of an invoice cannot be changed.")
            )
        return super().write(vals)

    def _loyalty_card_payment_moves(self):
        return self.filtered(
            lambda m: (
                m.journal_id.loyalty_member_card or m.origin_payment_id.loyalty_card_id
            )
        )

    def _loyalty_operation_invoices(self):
        return self.filtered(lambda m: m.loyalty_consumption_id or m.loyalty_topup_id)

    def _post(self, soft=True):
        for move in self._loyalty_card_payment_moves():
            if not move.origin_payment_id:
                raise UserError(
                    self.env._(
                        "Payments on the member card journal are registered from "
                        "an invoice (Register Payment) with the member card and "
                        "the customer's PIN."
                    )
                )
            move.origin_payment_id._loyalty_check_posting()
        return super()._post(soft=soft)

    def _loyalty_check_undo(self):
        if self._loyalty_operation_invoices().filtered(lambda m: m.state == "posted"):
            raise UserError(
                self.env._(
                    "The invoice of a counter operation cannot be cancelled or "
                    "reset to draft: the counter session books the operation "
                    "against it."
                )
            )
        if self._loyalty_card_payment_moves().filtered(lambda m: m.state == "posted"):
            raise UserError(
                self.env._(
                    "A payment from a member card cannot be cancelled or reset to "
                    "draft: the card's balance paid it. Issue a credit note and "
                    "give the amount back to the card instead."
                )
            )

    def button_draft(self):
        self._loyalty_check_undo()
        return super().button_draft()

    def button_cancel(self):
        self._loyalty_check_undo()
        return super().button_cancel()

    def _reverse_moves(self, default_values_list=None, cancel=False):
        # The credit note (红字发票) of a consumption's invoice is the way to
        # settle a reversal of that consumption; anything else stays refused.
        credited = self.env["account.move"]
        if not cancel:
            credited = self._loyalty_operation_invoices().filtered(
                lambda m: m.loyalty_consumption_id.reversal_ids
            )
        (self - credited)._loyalty_check_undo()
        return super()._reverse_moves(
            default_values_list=default_values_list, cancel=cancel
        )
