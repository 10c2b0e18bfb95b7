from odoo import api, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    """The entry of a closed counter session stays as posted: the cards'
    balances were moved with it, so resetting it to draft, cancelling,
    editing or deleting it would part the books from the cards. A mistake
    is corrected by a reversal (or an adjustment), as for a Point of Sale
    session's entry."""

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

    @api.depends("restrict_mode_hash_table", "state", "inalterable_hash")
    def _compute_show_reset_to_draft_button(self):
        super()._compute_show_reset_to_draft_button()
        shown = self.filtered("show_reset_to_draft_button")
        session_move_ids = shown._loyalty_session_move_ids()
        for move in shown:
            if move._origin.id in session_move_ids:
                move.show_reset_to_draft_button = False

    def button_draft(self):
        self._loyalty_check_session_moves()
        return super().button_draft()

    def button_cancel(self):
        self._loyalty_check_session_moves()
        return super().button_cancel()

    def write(self, vals):
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
