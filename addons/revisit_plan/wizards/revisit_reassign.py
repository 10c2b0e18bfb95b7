from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.customer_tiering.tools import validation


class RevisitReassign(models.TransientModel):
    """Hand a departing user's customers over to a successor: the
    salesperson of the customers, their open revisits and activities, and
    the revisit rules naming the user; logged on each customer."""

    _name = "revisit.reassign"
    _description = "Hand Over Customers"

    from_user_id = fields.Many2one(
        "res.users",
        string="Departing User",
        required=True,
        domain="[('share', '=', False)]",
        context={"active_test": False},
    )
    to_user_id = fields.Many2one(
        "res.users",
        string="Successor",
        required=True,
        domain="[('share', '=', False), ('id', '!=', from_user_id)]",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        compute="_compute_partner_ids",
        store=True,
        readonly=False,
        help="The departing user's customers; remove those that go to someone else.",
    )
    email_customers = fields.Boolean(
        string="Email the Customers",
        help="Email each customer handed over, in its language, that the "
        "successor is its new contact (template: Revisits: your new contact). "
        "Customers without an email are left out.",
    )
    partner_count = fields.Integer(
        string="Customers to Hand Over", compute="_compute_partner_count"
    )
    revisit_count = fields.Integer(
        string="Open Revisits", compute="_compute_partner_count"
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            validation.check_values(self, vals)
        return super().create(vals_list)

    def write(self, vals):
        validation.check_values(self, vals)
        return super().write(vals)

    @api.model
    def default_get(self, fields_list):
        """The user of the form it is opened from; else (the Orphaned
        Customers menu) the archived user who left the most customers
        behind, so that the wizard opens on the customers to hand over."""
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.users":
            values.setdefault(
                "from_user_id",
                validation.valid_id(self.env.context.get("active_id")) or False,
            )
        elif "from_user_id" in fields_list and not values.get("from_user_id"):
            orphaned = self._orphaned_customers_by_user()
            if orphaned:
                values["from_user_id"] = orphaned[0][0].id
        return values

    @api.model
    def _orphaned_customers_by_user(self):
        """[(archived internal user, customer count)], most customers first."""
        groups = self.env["res.partner"]._read_group(
            [
                ("user_id.active", "=", False),
                ("user_id.share", "=", False),
                ("user_id", "!=", False),
            ],
            ["user_id"],
            ["__count"],
            order="__count desc",
        )
        return groups

    @api.depends("from_user_id")
    def _compute_partner_ids(self):
        for wizard in self:
            wizard.partner_ids = wizard._customers_of(wizard.from_user_id)

    @api.depends("partner_ids", "from_user_id")
    def _compute_partner_count(self):
        for wizard in self:
            wizard.partner_count = len(wizard.partner_ids)
            wizard.revisit_count = len(wizard._open_revisits())

    @api.model
    def _customers_of(self, user):
        if not user:
            return self.env["res.partner"]
        return self.env["res.partner"].search(
            [("user_id", "=", user.id), ("id", "!=", user.partner_id.id)]
        )

    def _open_revisits(self):
        """Planned or missed revisits of the departing user, and those of the
        customers handed over that the departing user holds."""
        self.ensure_one()
        if not self.from_user_id:
            return self.env["revisit.record"]
        return self.env["revisit.record"].search(
            [
                ("state", "in", ("planned", "missed")),
                ("user_id", "=", self.from_user_id.id),
            ]
        )

    def action_reassign(self):
        """Move customers, open revisits and rules to the successor."""
        self.ensure_one()
        if not self.env.user.has_group("revisit_plan.group_revisit_manager"):
            raise UserError(self.env._("Only revisit managers hand customers over."))
        if self.from_user_id == self.to_user_id:
            raise UserError(
                self.env._("Choose a successor other than the departing user.")
            )
        if not self.to_user_id.active or self.to_user_id.share:
            raise UserError(
                self.env._("The successor must be an active internal user.")
            )
        departing, successor = self.from_user_id, self.to_user_id
        others = self.partner_ids.filtered(lambda p: p.user_id != departing)
        if others:
            raise UserError(
                self.env._(
                    "Only the customers of %(user)s are handed over, not "
                    "%(customers)s.",
                    user=departing.name,
                    customers=", ".join(others[:5].mapped("display_name")),
                )
            )
        partners = self.partner_ids.sudo()
        revisits = self._open_revisits().sudo()
        partners.write({"user_id": successor.id})
        # Their activities follow, without one notification per revisit.
        revisits.with_context(mail_activity_quick_update=True).write(
            {"user_id": successor.id}
        )
        rules = self.env["revisit.rule"].sudo().with_context(active_test=False)
        rules.search([("user_id", "=", departing.id)]).user_id = successor
        for rule in rules.search([("user_ids", "in", departing.ids)]):
            rule.user_ids = [Command.unlink(departing.id), Command.link(successor.id)]
        body = Markup("%s") % self.env._(
            "Customer handed over from %(departing)s to %(successor)s.",
            departing=departing.name,
            successor=successor.name,
        )
        if partners:
            partners._message_log_batch(bodies=dict.fromkeys(partners.ids, body))
        message = self.env._(
            "Handed over to %(successor)s: customers: %(customers)s, open "
            "revisits: %(revisits)s.",
            customers=len(partners),
            revisits=len(revisits),
            successor=successor.name,
        )
        if self.email_customers:
            mails = self._email_customers(partners)
            message += " " + self.env._(
                "Customers told by email: %(count)s.", count=len(mails)
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _email_customers(self, partners):
        """Queue, for each of ``partners`` (just handed over) that has an
        email, the email introducing its new salesperson, rendered in the
        customer's language; return the emails."""
        template = self.env.ref("revisit_plan.mail_template_hand_over")
        customers = partners.filtered("email")
        if not customers:
            return self.env["mail.mail"]
        return template.sudo().send_mail_batch(customers.ids, force_send=False)
