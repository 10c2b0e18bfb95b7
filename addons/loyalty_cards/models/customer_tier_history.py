from odoo import models


class CustomerTierHistory(models.Model):
    _inherit = "customer.tier.history"

    def _notify_tier_changes(self):
        """A tier change moves the member cards of the customer to the level
        mapped to the new tier, in the programmes of that company."""
        res = super()._notify_tier_changes()
        changed = self.filtered(
            lambda h: h.new_tier_id and h.new_tier_id != h.old_tier_id
        )
        if changed:
            cards = (
                self.env["loyalty.card"]
                .sudo()
                .search(
                    [
                        ("is_member_card", "=", True),
                        ("partner_id", "child_of", changed.partner_id.ids),
                        ("company_id", "in", changed.company_id.ids),
                    ]
                )
            )
            cards._member_follow_tiers()
        return res
