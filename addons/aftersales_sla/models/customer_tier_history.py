from odoo import models

from .aftersales_stage import OPEN_KINDS


class CustomerTierHistory(models.Model):
    _inherit = "customer.tier.history"

    def _notify_tier_changes(self):
        """Open tickets follow their customer's new tier, and their service
        levels are planned again for it."""
        result = super()._notify_tier_changes()
        rows = self.with_context(prefetch_fields=False)
        groups = {}
        for row in rows:
            groups.setdefault((row.company_id.id, row.new_tier_id.id), set()).add(
                row.partner_id.id
            )
        Ticket = self.env["aftersales.ticket"].sudo()
        for (company_id, tier_id), partner_ids in groups.items():
            tickets = Ticket.search(
                [
                    ("company_id", "=", company_id),
                    ("commercial_partner_id", "in", list(partner_ids)),
                    ("stage_kind", "in", OPEN_KINDS),
                    ("tier_id", "!=", tier_id),
                ]
            )
            if tickets:
                tickets.write({"tier_id": tier_id})
        return result
