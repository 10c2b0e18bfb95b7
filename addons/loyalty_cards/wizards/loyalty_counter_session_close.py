from odoo import fields, models


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

    def action_close(self):
        """Close the session through its one closing path."""
        self.ensure_one()
        self.session_id.action_close(self.cash_counted if self.count_cash else None)
        return {"type": "ir.actions.act_window_close"}
