from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    revisit_grace_days = fields.Integer(
        string="Revisit Grace Period (days)",
        default=7,
        help="A planned revisit still open this many days after its due date "
        "becomes missed, and the responsible's manager is told.",
    )
    revisit_birthday_days = fields.Integer(
        string="Birthday Greeting Days Ahead",
        default=3,
        help="Birthday greetings go out this many days (2 to 7) before the "
        "customer's birthday.",
    )
    revisit_birthday_template_id = fields.Many2one(
        "mail.template",
        string="Birthday Greeting Template",
        domain="[('model', '=', 'res.partner')]",
    )
    revisit_birthday_tier_ids = fields.Many2many(
        "customer.tier",
        string="Birthday Greetings For",
        help="Tiers whose customers get a birthday greeting; empty: every customer.",
    )
    revisit_birthday_greeting = fields.Boolean(
        string="Send Birthday Greetings",
        help="Email customers a greeting before their birthday.",
    )
    revisit_weekly_summary = fields.Boolean(
        string="Weekly Revisit Summary",
        help="Email the revisit managers a summary of the past week every Monday.",
    )

    @api.constrains("revisit_grace_days", "revisit_birthday_days")
    def _check_revisit_settings(self):
        for company in self:
            if company.revisit_grace_days < 0:
                raise ValidationError(
                    self.env._("The grace period of revisits cannot be negative.")
                )
            if not 2 <= company.revisit_birthday_days <= 7:
                raise ValidationError(
                    self.env._(
                        "Birthday greetings go out 2 to 7 days before the birthday."
                    )
                )
