from odoo import api, fields, models
from odoo.exceptions import UserError

MAX_PER_CUSTOMER = 100
MAX_COUPONS = 200_000


class LoyaltyCouponIssue(models.TransientModel):
    """Issue coupons of a programme to customers chosen by tier, card level,
    a filter and/or the distance from a store: a batch of single-use
    coupons with 80-bit codes, emailed through the mail queue."""

    _name = "loyalty.coupon.issue"
    _inherit = ["loyalty.audience.mixin"]
    _description = "Issue Coupons"

    program_id = fields.Many2one(
        "loyalty.program",
        string="Programme",
        required=True,
        domain="[('program_type', '=', 'coupons'), ('is_flash', '=', False)]",
        default=lambda self: self._default_program(),
    )
    company_id = fields.Many2one(related="program_id.company_id")
    name = fields.Char(
        string="Batch Name",
        required=True,
        default=lambda self: self.env["loyalty.coupon.batch"]._default_name(),
    )
    count_per_customer = fields.Integer(
        string="Coupons per Customer", default=1, required=True
    )
    expiration_date = fields.Date(string="Valid Until")
    send_email = fields.Boolean(string="Email the Coupons", default=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email",
        domain="[('model', '=', 'loyalty.card')]",
        default=lambda self: self.env.ref(
            "loyalty_cards.mail_template_coupon_issued", raise_if_not_found=False
        ),
    )
    audience_count = fields.Integer(
        string="Customers", compute="_compute_audience_count"
    )
    audience_summary = fields.Char(string="Audience", compute="_compute_audience_count")

    @api.model
    def _default_program(self):
        if self.env.context.get("active_model") == "loyalty.program":
            return self.env.context.get("active_id")
        return False

    def _audience_company(self):
        self.ensure_one()
        return self.program_id.company_id or self.env.company

    @api.depends(
        "program_id",
        "audience_tier_ids",
        "audience_level_ids",
        "audience_domain",
        "audience_store_id",
        "audience_radius_km",
    )
    def _compute_audience_count(self):
        for wizard in self:
            try:
                chosen = bool(wizard.program_id and wizard._audience_has_criteria())
                wizard.audience_count = (
                    len(wizard._audience_partner_ids()) if chosen else 0
                )
            except (UserError, ValueError):
                chosen = False
                wizard.audience_count = 0
            count = wizard.audience_count
            if not chosen:
                summary = self.env._(
                    "Choose tiers, card levels, a filter or a store: "
                    "no customer is chosen yet."
                )
            elif count == 1:
                summary = self.env._("1 customer matches.")
            else:
                summary = self.env._("%(count)s customers match.", count=count)
            wizard.audience_summary = summary

    def action_issue(self):
        """Issue the batch and open it."""
        self.ensure_one()
        self.env["loyalty.card"]._check_manager()
        program = self.program_id
        if program.program_type != "coupons" or program.is_flash:
            raise UserError(self.env._("Coupons are issued from a coupon programme."))
        if not program.active:
            raise UserError(
                self.env._("Programme %(program)s is archived.", program=program.name)
            )
        if not 1 <= self.count_per_customer <= MAX_PER_CUSTOMER:
            raise UserError(
                self.env._(
                    "Issue from 1 to %(max)s coupons per customer.",
                    max=MAX_PER_CUSTOMER,
                )
            )
        if self.expiration_date and self.expiration_date < fields.Date.context_today(
            self
        ):
            raise UserError(self.env._("The coupons would be expired already."))
        partner_ids = self._audience_partner_ids()
        if not partner_ids:
            raise UserError(self.env._("No customer matches this audience."))
        total = len(partner_ids) * self.count_per_customer
        if total > MAX_COUPONS:
            total_text, max_text = f"{total:,}", f"{MAX_COUPONS:,}"
            raise UserError(
                self.env._(
                    "This would issue %(total)s coupons; at most %(max)s at once.",
                    total=total_text,
                    max=max_text,
                )
            )
        batch = self.env["loyalty.coupon.batch"].create(
            {
                "name": self.name,
                "program_id": program.id,
                "expiration_date": self.expiration_date,
                "count_per_customer": self.count_per_customer,
                "send_email": self.send_email,
                "mail_template_id": self.mail_template_id.id,
                "audience_description": self._audience_description(),
            }
        )
        batch._issue_coupons(partner_ids, self.count_per_customer)
        batch.message_post(
            body=self.env._(
                "%(count)s coupons issued to %(customers)s customers.",
                count=total,
                customers=len(partner_ids),
            )
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "loyalty.coupon.batch",
            "res_id": batch.id,
            "view_mode": "form",
            "target": "current",
        }
