from odoo import api, fields, models

from odoo.addons.customer_tiering.tools import validation

from ..models.revisit_record import CHANNELS, SATISFACTION


class RevisitOutcome(models.TransientModel):
    """The short form filled in when a revisit is done."""

    _name = "revisit.outcome"
    _description = "Revisit Outcome"

    revisit_id = fields.Many2one("revisit.record", required=True, ondelete="cascade")
    partner_id = fields.Many2one(related="revisit_id.partner_id")
    channel = fields.Selection(CHANNELS, required=True, default="phone")
    satisfaction = fields.Selection(
        SATISFACTION,
        default="0",
        help="The customer's score of the service, 1 to 5 stars.",
    )
    feedback = fields.Text(help="What the customer said.")
    issues = fields.Text(string="Issues Found")
    follow_up = fields.Boolean(
        string="Follow-up Needed", help="Plan another revisit for the follow-up."
    )
    follow_up_days = fields.Integer(
        string="Follow Up In (days)",
        default=7,
        help="The follow-up revisit is due this many days from today.",
    )
    follow_up_user_id = fields.Many2one(
        "res.users",
        string="Follow-up By",
        domain="[('share', '=', False)]",
        help="Who does the follow-up; the revisit's responsible when empty.",
    )
    follow_up_note = fields.Text(string="What to Follow Up")

    @api.model_create_multi
    def create(self, vals_list):
        """Only for a revisit the user may change (the form also shows its
        customer)."""
        for vals in vals_list:
            validation.check_values(self, vals)
        wizards = super().create(vals_list)
        wizards.revisit_id.check_access("write")
        return wizards

    def write(self, vals):
        validation.check_values(self, vals)
        result = super().write(vals)
        self.revisit_id.check_access("write")
        return result

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        revisit = self.env["revisit.record"].browse(
            validation.valid_id(values.get("revisit_id"))
        )
        if revisit and revisit.revisit_type_id.revisit_channel:
            values.setdefault("channel", revisit.revisit_type_id.revisit_channel)
        return values

    def action_confirm(self):
        """Record the outcome; open the follow-up revisit when one is planned."""
        self.ensure_one()
        follow_ups = self.revisit_id._record_outcome(
            {
                "channel": self.channel,
                "satisfaction": self.satisfaction,
                "feedback": self.feedback,
                "issues": self.issues,
                "follow_up": self.follow_up,
                "follow_up_days": self.follow_up_days,
                "follow_up_user_id": self.follow_up_user_id.id,
                "follow_up_note": self.follow_up_note,
            }
        )
        if not follow_ups:
            return {"type": "ir.actions.act_window_close"}
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Follow-up Revisit"),
            "res_model": "revisit.record",
            "res_id": follow_ups[:1].id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
