from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import split_every

# Coupons created per call.
INSERT_CHUNK = 5000


class LoyaltyCouponBatch(models.Model):
    """One issue of coupons: which programme, to whom (the audience as it
    was chosen), how many per customer, until when. The campaign report
    follows each batch from issue to redemption."""

    _name = "loyalty.coupon.batch"
    _inherit = ["mail.thread"]
    _description = "Coupon Batch"
    _order = "date desc, id desc"

    name = fields.Char(required=True, tracking=True)
    program_id = fields.Many2one(
        "loyalty.program",
        string="Programme",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('program_type', '=', 'coupons')]",
    )
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    currency_id = fields.Many2one(related="program_id.currency_id")
    date = fields.Datetime(
        string="Issued On", required=True, readonly=True, default=fields.Datetime.now
    )
    user_id = fields.Many2one(
        "res.users", string="Issued By", readonly=True, default=lambda s: s.env.user
    )
    expiration_date = fields.Date(string="Valid Until", readonly=True)
    count_per_customer = fields.Integer(default=1, readonly=True)
    audience_description = fields.Char(string="Audience", readonly=True)
    send_email = fields.Boolean(readonly=True)
    mail_template_id = fields.Many2one("mail.template", string="Email", readonly=True)
    coupon_ids = fields.One2many("loyalty.card", "coupon_batch_id", string="Coupons")
    coupon_count = fields.Integer(string="Issued", compute="_compute_stats")
    redeemed_count = fields.Integer(string="Redeemed", compute="_compute_stats")
    redemption_rate = fields.Float(
        string="Redemption Rate (%)", digits=(5, 1), compute="_compute_stats"
    )
    discount_total = fields.Monetary(
        string="Discount Given", compute="_compute_stats", currency_field="currency_id"
    )
    revenue = fields.Monetary(compute="_compute_stats", currency_field="currency_id")

    @api.constrains("program_id")
    def _check_program(self):
        for batch in self:
            if batch.program_id.program_type != "coupons":
                raise ValidationError(
                    self.env._("Coupons are issued from a coupon programme.")
                )
            if not batch.program_id.company_id:
                # The coupons are checked against the company's ledger.
                raise ValidationError(
                    self.env._(
                        "Programme %(program)s issues coupons: give it its company.",
                        program=batch.program_id.name,
                    )
                )

    def _compute_stats(self):
        Card = self.env["loyalty.card"].with_context(active_test=False)
        issued = dict(
            Card._read_group(
                [("coupon_batch_id", "in", self.ids)], ["coupon_batch_id"], ["__count"]
            )
        )
        redeemed = dict(
            Card._read_group(
                [
                    ("coupon_batch_id", "in", self.ids),
                    ("date_used", "!=", False),
                ],
                ["coupon_batch_id"],
                ["__count"],
            )
        )
        sales = {
            batch: (discount, revenue)
            for batch, discount, revenue in self.env["loyalty.consumption"]
            .sudo()
            ._read_group(
                [("coupon_batch_id", "in", self.ids)],
                ["coupon_batch_id"],
                ["coupon_discount:sum", "net_amount:sum"],
            )
        }
        for batch in self:
            batch.coupon_count = issued.get(batch, 0)
            batch.redeemed_count = redeemed.get(batch, 0)
            batch.redemption_rate = (
                100.0 * batch.redeemed_count / batch.coupon_count
                if batch.coupon_count
                else 0.0
            )
            batch.discount_total, batch.revenue = sales.get(batch, (0.0, 0.0))

    def _partner_ids(self):
        """Partners who already got coupons of this batch."""
        self.ensure_one()
        return [
            partner.id
            for [partner] in self.env["loyalty.card"]
            .sudo()
            .with_context(active_test=False)
            ._read_group(
                [("coupon_batch_id", "=", self.id), ("partner_id", "!=", False)],
                ["partner_id"],
            )
        ]

    def _issue_coupons(self, partner_ids, count_per_customer):
        """Create ``count_per_customer`` coupons for each partner, their point
        posted to the ledger in one call per chunk; snapshot each customer's
        tier and card level for the campaign report; queue the emails.
        Returns the coupons."""
        self.ensure_one()
        program = self.program_id
        company = program.company_id or self.env.company
        Card = self.env["loyalty.card"].sudo()
        partners = self.env["res.partner"].sudo().with_company(company)
        partners = partners.browse(partner_ids)
        tiers = {partner.id: partner.tier_id.id for partner in partners}
        levels = {}
        member_cards = Card.search(
            [
                ("partner_id", "in", partners.ids),
                ("is_member_card", "=", True),
                ("company_id", "=", company.id),
                ("level_id", "!=", False),
            ]
        )
        # The best level (lowest rank) of each customer's member cards.
        for card in member_cards.sorted(lambda c: c.level_id.rank):
            levels.setdefault(card.partner_id.id, card.level_id.id)
        # The batch sends its own emails: not Odoo's creation communication.
        Card = Card.with_context(
            action_no_send_mail=True,
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
        )
        coupons = Card.browse()
        for chunk in split_every(INSERT_CHUNK, partners.ids):
            new = Card.create(
                [
                    {
                        "program_id": program.id,
                        "company_id": program.company_id.id,
                        "partner_id": partner_id,
                        "expiration_date": self.expiration_date,
                        "coupon_batch_id": self.id,
                        "issue_tier_id": tiers.get(partner_id) or False,
                        "issue_level_id": levels.get(partner_id) or False,
                    }
                    for partner_id in chunk
                    for _copy in range(count_per_customer)
                ]
            )
            self.env["loyalty.history"]._ledger_post(
                [
                    {
                        "card": coupon.id,
                        "account": "points",
                        "delta": 1.0,
                        "kind": "coupon_issue",
                        "description": self.name,
                        "source": self,
                    }
                    for coupon in new
                ]
            )
            coupons |= new
        self.invalidate_recordset(["coupon_ids"])
        if self.send_email and self.mail_template_id:
            self._queue_emails(coupons)
        return coupons

    def _queue_emails(self, coupons):
        """Put one email per coupon whose customer has an address into the
        mail queue (sent by its scheduled action, not now)."""
        with_email = coupons.filtered(lambda c: c.partner_id.email)
        for chunk in split_every(500, with_email.ids):
            self.mail_template_id.sudo().send_mail_batch(list(chunk), force_send=False)

    @api.model
    def _default_name(self):
        return self.env._("Coupons of %(date)s", date=fields.Date.context_today(self))

    def action_view_coupons(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_cards.loyalty_card_coupon_action"
        )
        action["domain"] = [("coupon_batch_id", "=", self.id)]
        action["context"] = {"active_test": False}
        return action

    def action_view_report(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_cards.loyalty_campaign_report_action"
        )
        action["domain"] = [("batch_id", "=", self.id)]
        return action
