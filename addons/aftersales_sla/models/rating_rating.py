from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

TICKET_MODEL = "aftersales.ticket"


class RatingRating(models.Model):
    """Ratings of after-sales tickets feed the satisfaction KPI and a tier
    indicator: they are read by whoever may read the ticket (record rules
    through ``aftersales_ticket_id``) and written only by the customer's
    token flow (``rating_apply`` in sudo), never by hand."""

    _inherit = "rating.rating"

    aftersales_ticket_id = fields.Many2one(
        "aftersales.ticket",
        string="After-sales Ticket",
        compute="_compute_aftersales_ticket_id",
        search="_search_aftersales_ticket_id",
    )

    @api.depends("res_model", "res_id")
    def _compute_aftersales_ticket_id(self):
        for rating in self:
            rating.aftersales_ticket_id = (
                rating.res_id if rating.res_model == TICKET_MODEL else False
            )

    def _search_aftersales_ticket_id(self, operator, value):
        # Paths through the field (record rules) arrive as "in" a query.
        if operator not in ("in", "="):
            raise UserError(self.env._("Unsupported search on rated tickets."))
        return [("res_model", "=", TICKET_MODEL), ("res_id", operator, value)]

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            ticket_model_id = self.env["ir.model"]._get_id(TICKET_MODEL)
            if any(
                vals.get("res_model_id") == ticket_model_id
                or vals.get("res_model") == TICKET_MODEL
                for vals in vals_list
            ):
                raise self._ticket_rating_error()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            ticket_model_id = self.env["ir.model"]._get_id(TICKET_MODEL)
            if (
                vals.get("res_model_id") == ticket_model_id
                or vals.get("res_model") == TICKET_MODEL
                or TICKET_MODEL in self.sudo().mapped("res_model")
            ):
                raise self._ticket_rating_error()
        return super().write(vals)

    def _ticket_rating_error(self):
        return AccessError(
            self.env._(
                "Ratings of after-sales tickets are given by the customers, from "
                "their rating request: nobody writes them by hand."
            )
        )
