from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.customer_tiering.tools.validation import check_number

# What a line may hold: a million units at a billion each, at most.
AMOUNT_BOUNDS = {
    "quantity": (0, 1_000_000),
    "price_unit": (0, 1_000_000_000),
    "discount": (0, 100),
}


class AftersalesTicketLine(models.Model):
    """Labour or a part spent on a ticket, invoiced at the tier's fee policy."""

    _name = "aftersales.ticket.line"
    _description = "After-sales Labour or Part"
    _order = "ticket_id, sequence, id"

    ticket_id = fields.Many2one(
        "aftersales.ticket", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True)
    currency_id = fields.Many2one(related="ticket_id.currency_id")
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [("labour", "Labour"), ("part", "Part")], required=True, default="labour"
    )
    product_id = fields.Many2one("product.product")
    name = fields.Char(string="Description", required=True)
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    price_unit = fields.Float(string="Unit Price", digits="Product Price")
    discount = fields.Float(
        string="Discount (%)",
        digits="Discount",
        compute="_compute_discount",
        store=True,
        readonly=False,
        precompute=True,
        help="The ticket's discount when its fees are discounted.",
    )
    subtotal = fields.Monetary(compute="_compute_subtotal", store=True)

    @api.depends("quantity", "price_unit", "discount")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = (
                line.quantity * line.price_unit * (1 - line.discount / 100.0)
            )

    @api.depends("ticket_id")
    def _compute_discount(self):
        for line in self:
            ticket = line.ticket_id
            line.discount = (
                ticket.fee_discount if ticket.fee_policy == "discounted" else 0.0
            )

    @api.onchange("product_id")
    def _onchange_product_id(self):
        if self.product_id:
            self.name = self.product_id.display_name
            self.price_unit = self.product_id.lst_price

    @api.constrains("quantity", "price_unit", "discount")
    def _check_values(self):
        for line in self:
            if line.quantity < 0 or line.price_unit < 0:
                raise ValidationError(
                    self.env._(
                        "Quantities and prices of labour and parts cannot be negative."
                    )
                )
            if not 0 <= line.discount <= 100:
                raise ValidationError(
                    self.env._("The discount must lie between 0 and 100%%.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_amounts(vals)
        self._check_not_invoiced(
            self.env["aftersales.ticket"].browse(
                {vals.get("ticket_id") for vals in vals_list} - {None, False}
            )
        )
        return super().create(vals_list)

    def write(self, vals):
        self._check_amounts(vals)
        tickets = self.ticket_id
        if vals.get("ticket_id"):
            tickets |= tickets.browse(vals["ticket_id"])
        self._check_not_invoiced(tickets)
        return super().write(vals)

    def unlink(self):
        self._check_not_invoiced(self.ticket_id)
        return super().unlink()

    @api.model
    def _check_amounts(self, vals):
        """Refuse, before the ORM rounds them, amounts that are no numbers
        (NaN, infinity) or out of their bounds: the rounding fails on them
        with errors that mean nothing to a user."""
        for fname, (minimum, maximum) in AMOUNT_BOUNDS.items():
            if vals.get(fname) not in (None, False):
                label = self._fields[fname]._description_string(self.env)
                check_number(self.env, vals[fname], label, minimum, maximum)

    @api.model
    def _check_not_invoiced(self, tickets):
        """The labour and parts of an invoiced ticket are what its invoice
        bills: they change no more, unless the invoice is cancelled."""
        invoiced = tickets.sudo().filtered(
            lambda ticket: ticket.invoice_id and ticket.invoice_state != "cancel"
        )
        if invoiced:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s is invoiced: its labour and parts no longer "
                    "change (unless the invoice is cancelled).",
                    ticket=invoiced[0].display_name,
                )
            )

    def _invoice_line_values(self):
        """The invoice line of this labour or part. A discount is also stated
        in the line's description, in the customer's language: the discount
        column shows only where line discounts are enabled, and the invoice
        must explain its prices to the customer anyway."""
        self.ensure_one()
        name = self.name
        if self.discount:
            customer = self.ticket_id.commercial_partner_id
            line = self.with_context(lang=customer.lang or self.env.lang)
            tier = line.ticket_id.tier_id
            discount = f"{self.discount:g}"
            if tier:
                note = line.env._(
                    "%(tier)s customer discount: %(discount)s%%",
                    tier=tier.name,
                    discount=discount,
                )
            else:
                note = line.env._("Discount: %(discount)s%%", discount=discount)
            name = f"{name}\n{note}"
        values = {
            "name": name,
            "quantity": self.quantity,
            "price_unit": self.price_unit,
            "discount": self.discount,
        }
        if self.product_id:
            values["product_id"] = self.product_id.id
        return values
