from odoo import api, fields, models
from odoo.exceptions import UserError


class CustomerTierOverride(models.TransientModel):
    """A manager sets customers' tier by hand, with a reason; evaluations keep
    it until the optional expiry date."""

    _name = "customer.tier.override"
    _description = "Customer Tier Manual Override"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        readonly=True,
    )
    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    tier_id = fields.Many2one(
        "customer.tier", required=True, domain="[('company_id', '=', company_id)]"
    )
    reason = fields.Char(required=True)
    lock_until = fields.Date(
        string="Keep Until",
        help="After this date evaluations grade the customer again. Leave empty "
        "to keep the tier until a manager removes the lock.",
    )

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if (
            self.env.context.get("active_model") == "res.partner"
            and "partner_ids" in fields_list
        ):
            partners = self.env["res.partner"].browse(
                self.env.context.get("active_ids", [])
            )
            res["partner_ids"] = [
                fields.Command.set(partners.commercial_partner_id.ids)
            ]
        return res

    def action_apply(self):
        self.ensure_one()
        self.env["customer.tier.evaluation"]._check_manager()
        if not self.reason.strip():
            raise UserError(self.env._("Give the reason for the override."))
        if self.lock_until and self.lock_until < fields.Date.context_today(self):
            raise UserError(self.env._("The override cannot end in the past."))
        self.partner_ids._tier_override(
            self.tier_id, self.reason.strip(), self.lock_until
        )
        return {"type": "ir.actions.act_window_close"}
