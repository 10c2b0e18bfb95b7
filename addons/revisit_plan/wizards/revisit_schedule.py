from odoo import api, fields, models

from odoo.addons.customer_tiering.tools import validation


class RevisitSchedule(models.TransientModel):
    """Staff plan a revisit of a customer by hand (the API's form)."""

    _name = "revisit.schedule"
    _description = "Plan a Revisit"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    reason = fields.Text(required=True)
    delay_days = fields.Integer(
        string="In (days)",
        default=0,
        help="The revisit is due this many days from today.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        domain="[('share', '=', False)]",
        help="Who revisits; the customer's salesperson when empty.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        domain="[('res_model', 'in', (False, 'revisit.record'))]",
        default=lambda self: self.env.ref(
            "revisit_plan.mail_activity_type_revisit_call", raise_if_not_found=False
        ),
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            validation.check_values(self, vals)
        return super().create(vals_list)

    def write(self, vals):
        validation.check_values(self, vals)
        return super().write(vals)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.partner":
            values.setdefault("partner_id", self.env.context.get("active_id"))
        return values

    def action_schedule(self):
        """Plan the revisit through ``revisit.record.schedule_revisit`` and
        open it."""
        self.ensure_one()
        revisit = self.env["revisit.record"].schedule_revisit(
            self.partner_id.commercial_partner_id,
            self.reason,
            delay_days=self.delay_days,
            user=self.user_id or None,
            activity_type=self.activity_type_id or None,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "revisit.record",
            "res_id": revisit.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
