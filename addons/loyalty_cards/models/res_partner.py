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

    def action_view_member_cards(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_cards.loyalty_card_member_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
