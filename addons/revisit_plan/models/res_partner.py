from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    birthday = fields.Date(
        help="Customers with an email get a birthday greeting a few days "
        "before (Settings > Revisits)."
    )
    revisit_ids = fields.One2many("revisit.record", "partner_id", string="Revisits")
    revisit_count = fields.Integer(
        string="Number of Revisits", compute="_compute_revisit_info"
    )
    date_last_revisit = fields.Date(
        string="Last Revisit", compute="_compute_revisit_info"
    )
    last_revisit_satisfaction = fields.Integer(
        string="Last Satisfaction", compute="_compute_revisit_info"
    )
    date_next_revisit = fields.Date(
        string="Next Revisit", compute="_compute_revisit_info"
    )

    @api.depends_context("company")
    def _compute_revisit_info(self):
        """Counts and last/next revisit of the customers, in three grouped
        reads whatever the number of customers, within the revisits the user
        may see."""
        Record = self.env["revisit.record"]
        partners = self.commercial_partner_id
        domain = [("partner_id", "in", partners.ids)]
        counts = dict(Record._read_group(domain, ["partner_id"], ["__count"]))
        # The score of the last done revisit itself, not an average.
        last_records = Record.search(
            domain + [("state", "=", "done")], order="date_done desc, id desc"
        )
        last_done = {}
        for record in last_records:
            last_done.setdefault(record.partner_id, record)
        upcoming = dict(
            Record._read_group(
                domain + [("state", "=", "planned")],
                ["partner_id"],
                ["date_due:min"],
            )
        )
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.revisit_count = counts.get(commercial, 0)
            last = last_done.get(commercial, Record)
            partner.date_last_revisit = last.date_done
            partner.last_revisit_satisfaction = last.satisfaction
            partner.date_next_revisit = upcoming.get(commercial, False)

    def action_view_revisits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "revisit_plan.revisit_record_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {
            "default_partner_id": self.commercial_partner_id.id,
            "search_default_planned": 0,
        }
        return action
