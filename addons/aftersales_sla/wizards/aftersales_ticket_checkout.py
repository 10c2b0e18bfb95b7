from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import is_html_empty


class AftersalesTicketCheckout(models.TransientModel):
    """Leave Site asks for the service report in a small dialog."""

    _name = "aftersales.ticket.checkout"
    _description = "Leave the Customer's Site"

    ticket_id = fields.Many2one("aftersales.ticket", required=True, ondelete="cascade")
    service_report = fields.Html(
        required=True,
        help="What was done on site, parts replaced, the customer's acceptance.",
    )

    def action_confirm(self):
        """Leave the site with this service report."""
        self.ensure_one()
        if is_html_empty(self.service_report):
            raise UserError(self.env._("Write the service report before checking out."))
        self.ticket_id._check_out(self.service_report)
        return {"type": "ir.actions.act_window_close"}
