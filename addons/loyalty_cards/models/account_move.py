from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

LOYALTY_FIELDS = ("loyalty_consumption_id", "loyalty_topup_id")


class AccountMove(models.Model):
    """Entries that move member cards' money stay as posted, so that the
    books and the cards agree:

    - entries of the member card journal are the entries of member card
      payments: posted only with their ledger movement, never reset to
      draft, cancelled nor reversed;
    - the entry of a closed counter session: the cards' balances were moved
      with it, so resetting it to draft, cancelling, editing or deleting it
      would part the books from the cards; a mistake is corrected by a
      reversal (or an adjustment), as for a Point of Sale session's entry;
    - the invoice of a counter operation, which its session books against.
    """

    _inherit = "account.move"

    # Fields of a session's entry that no one changes once it is posted.
    _LOYALTY_SESSION_LOCKED = frozenset(
        {"line_ids", "date", "journal_id", "currency_id", "company_id", "move_type"}
    )

    def _loyalty_session_move_ids(self):
        """The ids of those of these moves that are a counter session's
        entry (one query, in sudo: an accountant need not read sessions)."""
        ids = [move_id for move_id in self._origin.ids if move_id]
        if not ids:
            return set()
        sessions = (
            self.env["loyalty.counter.session"].sudo().search([("move_id", "in", ids)])
        )
        return set(sessions.move_id.ids)

    def _loyalty_session_moves(self):
        return self.browse(sorted(self._loyalty_session_move_ids()))

    def _loyalty_check_session_moves(self):
        moves = self._loyalty_session_moves()
        if moves:
            raise UserError(
                self.env._(
                    "%(entries)s: the entry of a closed counter session cannot be "
                    "reset to draft, cancelled, changed or deleted; corrections go "
                    "through reversals.",
                    entries=", ".join(moves.sudo().mapped("name")),
                )
            )

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
        # Whatever the path (a button, a direct write over RPC), a session's
        # posted entry does not leave the posted state.
        if vals.get("state", "posted") != "posted" or (
            self._LOYALTY_SESSION_LOCKED & set(vals)
        ):
            self._loyalty_check_session_moves()
        return super().write(vals)

    def unlink(self):
        # Before Odoo's own checks (a posted item, the sequence chain), so
        # that the reason given is this one.
        self._loyalty_check_session_moves()
        return super().unlink()

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

    @api.depends("restrict_mode_hash_table", "state", "inalterable_hash")
    def _compute_show_reset_to_draft_button(self):
        res = super()._compute_show_reset_to_draft_button()
        shown = self.filtered("show_reset_to_draft_button")
        session_move_ids = shown._loyalty_session_move_ids()
        # Card payments and invoices of counter operations are never reset
        # to draft either (``_loyalty_check_undo``).
        locked = shown._loyalty_card_payment_moves() | (
            shown._loyalty_operation_invoices()
        )
        for move in shown:
            if move._origin.id in session_move_ids or move in locked:
                move.show_reset_to_draft_button = False
        return res

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
        self._loyalty_check_session_moves()
        self._loyalty_check_undo()
        return super().button_draft()

    def button_cancel(self):
        self._loyalty_check_session_moves()
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
