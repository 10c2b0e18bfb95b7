from odoo import api, fields, models
from odoo.exceptions import UserError


class LoyaltyCounterSessionClose(models.TransientModel):
    """The closing dialog of a counter session: the cash counted, optional."""

    _name = "loyalty.counter.session.close"
    _description = "Close a Counter Session"

    session_id = fields.Many2one(
        "loyalty.counter.session", required=True, readonly=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="session_id.currency_id")
    cash_expected = fields.Monetary(related="session_id.cash_expected")
    count_cash = fields.Boolean(
        string="Count the Cash",
        help="Enter the cash in the drawer: a difference with the cash expected "
        "is booked as a cash profit or loss.",
    )
    cash_counted = fields.Monetary()

    @api.model
    def _check_session(self, session_id):
        """The session ``session_id`` when the user may close it (its cashier
        or a manager); refused before anything of it is shown."""
        if type(session_id) is not int or not 0 < session_id < 2**31:
            raise UserError(self.env._("Choose the session to close."))
        session = self.env["loyalty.counter.session"].browse(session_id)
        if not session.exists():
            raise UserError(self.env._("Choose the session to close."))
        session._close_check_access()
        return session

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if values.get("session_id"):
            self._check_session(values["session_id"])
        return values

    @api.model_create_multi
    def create(self, vals_list):
        default = self.env.context.get("default_session_id")
        for vals in vals_list:
            if not isinstance(vals, dict):
                raise UserError(self.env._("Choose the session to close."))
            self._check_session(vals.get("session_id", default))
        return super().create(vals_list)

    def action_close(self):
        """Close the session through its one closing path."""
        self.ensure_one()
        self.session_id.action_close(self.cash_counted if self.count_cash else None)
        return {"type": "ir.actions.act_window_close"}
