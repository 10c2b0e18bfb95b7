from odoo import models


class LoyaltyReward(models.Model):
    """Odoo makes (and renames, archives) a technical discount product for
    each reward. Loyalty managers configure programmes without the right to
    manage the product catalogue: for them, that product is handled as the
    system, once their own right to change the reward is checked."""

    _inherit = "loyalty.reward"

    def _as_loyalty_manager(self):
        """These rewards in sudo mode when the user is a loyalty manager
        without product rights who may write them; else unchanged."""
        user = self.env.user
        if (
            self.env.su
            or not user.has_group("loyalty_cards.group_loyalty_manager")
            or self.env["product.product"].has_access("create")
        ):
            return self
        self.check_access("write")
        return self.sudo()

    def _create_missing_discount_line_products(self):
        return super(
            LoyaltyReward, self._as_loyalty_manager()
        )._create_missing_discount_line_products()

    def write(self, vals):
        rewards = self
        if {"description", "active"} & set(vals):
            # Odoo renames or archives the discount product with the reward.
            rewards = self._as_loyalty_manager()
            if rewards.env.su and not self.env.su:
                self.check_field_access_rights("write", list(vals))
        return super(LoyaltyReward, rewards).write(vals)
