from markupsafe import Markup

from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    revisit_manager_id = fields.Many2one(
        "res.users",
        domain="[('share', '=', False)]",
        help="Who is told about this user's missed revisits and about the "
        "customers the user leaves behind; when empty, the revisit managers "
        "of the company.",
    )

    def write(self, vals):
        leaving = (
            self.filtered(lambda u: u.active and not u.share)
            if vals.get("active") is False
            else self.browse()
        )
        result = super().write(vals)
        if leaving:
            leaving._notify_orphaned_customers()
        return result

    def _revisit_managers_to_tell(self, company):
        """Who is told about this user's missed revisits and left-behind
        customers: their revisit manager, else the revisit managers of
        ``company`` (this user aside). Called on one user, or on none (a
        revisit without a responsible)."""
        manager = self.sudo().revisit_manager_id
        if manager.active and not manager.share:
            return manager
        return company._revisit_managers() - self

    def _notify_orphaned_customers(self):
        """Archived users: give their manager (or the revisit managers) an
        activity listing the customers left without a salesperson."""
        Partner = self.env["res.partner"].sudo()
        groups = dict(
            Partner._read_group(
                [("user_id", "in", self.ids), ("active", "=", True)],
                ["user_id"],
                ["id:array_agg"],
            )
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("res.partner")
        values = []
        for user, partner_ids in groups.items():
            customers = Partner.browse(partner_ids) - user.partner_id
            if not customers:
                continue
            company = user.company_id
            for manager in user._revisit_managers_to_tell(company):
                env = self.with_context(lang=manager.lang).env
                lines = Markup("").join(
                    Markup("<li><a href='/odoo/res.partner/%s'>%s</a></li>")
                    % (customer.id, customer.display_name)
                    for customer in customers[:200]
                )
                note = Markup("<p>%s</p><ul>%s</ul>") % (
                    env._(
                        "%(user)s was archived; hand these customers over to a "
                        "successor (Contacts > Revisits > Orphaned Customers):",
                        user=user.name,
                    ),
                    lines,
                )
                if len(customers) > 200:
                    note += Markup("<p>%s</p>") % env._(
                        "... and %(count)s more.", count=len(customers) - 200
                    )
                values.append(
                    {
                        "res_model_id": model_id,
                        "res_id": user.partner_id.id,
                        "activity_type_id": todo.id,
                        "user_id": manager.id,
                        "summary": env._(
                            "Customers without a salesperson: %(count)s",
                            count=len(customers),
                        ),
                        "note": note,
                        "date_deadline": fields.Date.context_today(self),
                    }
                )
        if values:
            self.env["mail.activity"].sudo().create(values)
