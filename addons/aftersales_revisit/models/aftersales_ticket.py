from odoo import fields, models


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"

    revisit_count = fields.Integer(
        string="Follow-up Revisits",
        compute="_compute_revisit_count",
        groups="base.group_user",
    )

    def _compute_revisit_count(self):
        """Revisits planned from these tickets that the user may read, in one
        query."""
        counts = dict.fromkeys(self.ids, 0)
        if self.ids:
            revisits = self.env["revisit.record"].search_fetch(
                self._revisit_domain(), ["origin_ref"]
            )
            for revisit in revisits:
                counts[revisit.origin_ref.id] += 1
        for ticket in self:
            ticket.revisit_count = counts.get(ticket.id, 0)

    def _revisit_domain(self):
        """The revisits planned from these tickets (their origin)."""
        return [("origin_ref", "in", [f"{self._name},{id_}" for id_ in self.ids])]

    def _on_close(self):
        """Plan the follow-up revisit of the customer, by the ticket's agent,
        after the company's follow-up delay: one per ticket, even when a
        ticket is closed again after a reopening while its revisit is still
        planned (``schedule_revisit`` returns the planned one)."""
        result = super()._on_close()
        partner = self.commercial_partner_id
        if partner:
            user = self.user_id if self.user_id and not self.user_id.share else None
            self.env["revisit.record"].schedule_revisit(
                partner,
                self.env._(
                    "Follow-up of after-sales ticket %(ticket)s",
                    ticket=self.display_name,
                ),
                delay_days=self.company_id.aftersales_followup_days,
                user=user,
                origin=self,
            )
        return result

    def action_open_revisits(self):
        self.ensure_one()
        revisits = self.env["revisit.record"].search(self._revisit_domain())
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Follow-up Revisits"),
            "res_model": "revisit.record",
            "domain": [("id", "in", revisits.ids)],
            "view_mode": "list,form",
        }
        if len(revisits) == 1:
            action.update(view_mode="form", res_id=revisits.id)
        return action
