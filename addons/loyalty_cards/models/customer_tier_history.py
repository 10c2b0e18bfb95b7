from odoo import models


class CustomerTierHistory(models.Model):
    _inherit = "customer.tier.history"

    def _on_tier_changes(self, changes):
        """A tier change moves the member cards of the customer to the level
        mapped to the new tier, in the programmes of that company."""
        res = super()._on_tier_changes(changes)
        changed = [
            change
            for change in changes
            if change.new_tier_id and change.new_tier_id != change.old_tier_id
        ]
        if changed:
            cards = (
                self.env["loyalty.card"]
                .sudo()
                .search(
                    [
                        ("is_member_card", "=", True),
                        (
                            "partner_id.commercial_partner_id",
                            "in",
                            list({change.partner_id for change in changed}),
                        ),
                        (
                            "company_id",
                            "in",
                            list({change.company_id for change in changed}),
                        ),
                    ]
                )
            )
            if cards:
                cards._member_follow_tiers()
        return res
