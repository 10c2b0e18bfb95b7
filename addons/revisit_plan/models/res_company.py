from odoo import api, fields, models
from odoo.exceptions import ValidationError

# The longest grace period and retention window: a year.
MAX_GRACE_DAYS = 365
MAX_RETENTION_DAYS = 365


class ResCompany(models.Model):
    _inherit = "res.company"

    revisit_grace_days = fields.Integer(
        string="Revisit Grace Period (days)",
        default=7,
        help="A planned revisit still open this many days (0 to 365) after its "
        "due date becomes missed, and the responsible's manager is told.",
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
    revisit_retention_days = fields.Integer(
        string="Retention Window (days)",
        default=30,
        help="A retention revisit counts as followed by a purchase when the "
        "customer buys from its day to this many days (1 to 365) after it "
        "(Revisit Analysis).",
    )
    revisit_weekly_summary = fields.Boolean(
        string="Weekly Revisit Summary",
        help="Email the revisit managers a summary of the past week every Monday.",
    )

    @api.constrains(
        "revisit_grace_days", "revisit_birthday_days", "revisit_retention_days"
    )
    def _check_revisit_settings(self):
        for company in self:
            if not 1 <= company.revisit_retention_days <= MAX_RETENTION_DAYS:
                raise ValidationError(
                    self.env._(
                        "The retention window of revisits lies between 1 and "
                        "%(max)s days.",
                        max=MAX_RETENTION_DAYS,
                    )
                )
            if not 0 <= company.revisit_grace_days <= MAX_GRACE_DAYS:
                raise ValidationError(
                    self.env._(
                        "The grace period of revisits lies between 0 and %(max)s days.",
                        max=MAX_GRACE_DAYS,
                    )
                )
            if not 2 <= company.revisit_birthday_days <= 7:
                raise ValidationError(
                    self.env._(
                        "Birthday greetings go out 2 to 7 days before the birthday."
                    )
                )

    @api.constrains("revisit_birthday_template_id")
    def _check_revisit_birthday_template(self):
        for company in self:
            self.env["revisit.occasion"]._check_greeting_template(
                company.revisit_birthday_template_id
            )

    def _revisit_managers(self):
        """The active revisit managers of this company, in id order."""
        self.ensure_one()
        users = self.env.ref("revisit_plan.group_revisit_manager").sudo().users
        root = self.env.ref("base.user_root")
        return users.filtered(
            lambda u: u.active and not u.share and self in u.company_ids and u != root
        ).sorted("id")
