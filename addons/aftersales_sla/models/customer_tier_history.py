from collections import defaultdict

from odoo import models

from .aftersales_stage import OPEN_KINDS


class CustomerTierHistory(models.Model):
    _inherit = "customer.tier.history"

    def _on_tier_changes(self, changes):
        """Open tickets follow their customer's new tier, and their service
        levels are planned again for it."""
        result = super()._on_tier_changes(changes)
        new_tier = {
            (change.company_id, change.partner_id): change.new_tier_id or False
            for change in changes
        }
        if not new_tier:
            return result
        # One search for the open tickets of the whole batch (usually few).
        tickets = (
            self.env["aftersales.ticket"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "in", list({p for _c, p in new_tier})),
                    ("company_id", "in", list({c for c, _p in new_tier})),
                    ("stage_kind", "in", OPEN_KINDS),
                ]
            )
        )
        moves = defaultdict(lambda: tickets.browse())
        for ticket in tickets:
            key = (ticket.company_id.id, ticket.commercial_partner_id.id)
            if key in new_tier and ticket.tier_id.id != new_tier[key]:
                moves[new_tier[key]] |= ticket
        for tier_id, moved in moves.items():
            moved.write({"tier_id": tier_id})
        return result
