from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    is_loyalty_store = fields.Boolean(
        string="Store",
        help="A shop of ours: consumptions record it, and flash offers can target "
        "the customers living near it (set its coordinates).",
    )
    member_card_count = fields.Integer(
        compute="_compute_member_card_count", groups="base.group_user"
    )
    # Odoo's "Loyalty Cards" button counts member cards and coupons together;
    # the form shows member cards and coupons (every other card) apart.
    coupon_count = fields.Integer(
        string="Coupons", compute="_compute_coupon_count", groups="base.group_user"
    )

    def _compute_member_card_count(self):
        counts = dict(
            self.env["loyalty.card"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self.ids),
                    ("is_member_card", "=", True),
                    ("company_id", "in", self.env.companies.ids),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.member_card_count = counts.get(partner, 0)

    def _compute_coupon_count(self):
        counts = dict(
            self.env["loyalty.card"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self.ids),
                    ("is_member_card", "=", False),
                    ("program_id.active", "=", True),
                    ("company_id", "in", [False, *self.env.companies.ids]),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.coupon_count = counts.get(partner, 0)

    def action_view_member_cards(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_cards.loyalty_card_member_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_view_coupons(self):
        """The customer's coupons, gift cards and e-wallets: every card but
        member cards."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty.loyalty_card_action"
        )
        action["domain"] = [
            ("partner_id", "=", self.id),
            ("is_member_card", "=", False),
        ]
        action["context"] = {"create": False}
        return action
