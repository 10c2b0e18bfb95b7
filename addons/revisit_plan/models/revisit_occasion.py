import calendar

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.customer_tiering.tools import validation

from ..tools import dates

MONTHS = [(str(m), str(m)) for m in range(1, 13)]


class RevisitOccasion(models.Model):
    """A festival on which customers get a greeting: on a fixed Gregorian
    date (New Year's Day, Valentine's Day, Labour Day, National Day) or a
    Chinese lunar date (Spring Festival, Dragon Boat, Mid-Autumn), sent a few
    days ahead to the customers of chosen tiers, once per customer and year."""

    _name = "revisit.occasion"
    _description = "Care Occasion"
    _order = "company_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    calendar_type = fields.Selection(
        [("fixed", "Gregorian date"), ("lunar", "Chinese lunar date")],
        string="Calendar",
        required=True,
        default="fixed",
        help="Lunar dates (e.g. the 15th day of the 8th month for Mid-Autumn) "
        "fall on a different Gregorian date every year.",
    )
    month = fields.Integer(required=True, default=1, help="1 to 12.")
    day = fields.Integer(
        required=True,
        default=1,
        help="Day of the month: 1 to 31 (Gregorian) or 1 to 30 (lunar).",
    )
    days_ahead = fields.Integer(
        string="Send Days Ahead",
        default=1,
        help="Greetings go out from this many days before the occasion until "
        "the day itself.",
    )
    template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        required=True,
        domain="[('model', '=', 'res.partner')]",
    )
    tier_ids = fields.Many2many(
        "customer.tier",
        string="Audience Tiers",
        domain="[('company_id', '=', company_id)]",
        help="Customers of these tiers get the greeting; empty: every customer "
        "of the company.",
    )
    date_next = fields.Date(
        string="Next Occurrence", compute="_compute_date_next", store=False
    )
    message_ids = fields.One2many(
        "revisit.care.message", "occasion_id", string="Greetings"
    )
    sent_count = fields.Integer(string="Sent", compute="_compute_counts")
    skipped_count = fields.Integer(string="Skipped", compute="_compute_counts")

    @api.depends("calendar_type", "month", "day")
    @api.depends_context("tz")
    def _compute_date_next(self):
        today = fields.Date.context_today(self)
        for occasion in self:
            occasion.date_next = occasion._valid() and occasion._next_occurrence(today)

    def _compute_counts(self):
        """Greetings of the current year, sent and skipped."""
        year = fields.Date.context_today(self).year
        counts = {
            (occasion.id, state): count
            for occasion, state, count in self.env["revisit.care.message"]._read_group(
                [("occasion_id", "in", self.ids), ("year", "=", year)],
                ["occasion_id", "state"],
                ["__count"],
            )
        }
        for occasion in self:
            occasion.sent_count = counts.get((occasion.id, "sent"), 0)
            occasion.skipped_count = sum(
                counts.get((occasion.id, state), 0)
                for state in ("no_email", "blacklisted")
            )

    def _valid(self):
        self.ensure_one()
        if not 1 <= self.month <= 12:
            return False
        if self.calendar_type == "lunar":
            return 1 <= self.day <= 30
        return 1 <= self.day <= calendar.monthrange(2024, self.month)[1]

    @api.constrains("calendar_type", "month", "day", "days_ahead")
    def _check_date(self):
        for occasion in self:
            if not occasion._valid():
                raise ValidationError(
                    self.env._(
                        "Occasion %(name)s: %(month)s/%(day)s is not a valid date.",
                        name=occasion.name,
                        month=occasion.month,
                        day=occasion.day,
                    )
                )
            if not 0 <= occasion.days_ahead <= 60:
                raise ValidationError(
                    self.env._(
                        "Occasion %(name)s: greetings go out 0 to 60 days ahead.",
                        name=occasion.name,
                    )
                )

    @api.constrains("template_id")
    def _check_template(self):
        for occasion in self:
            self._check_greeting_template(occasion.template_id)

    @api.model
    def _check_greeting_template(self, template):
        """Greetings are rendered on the customers: a template of another
        model would render other records (with the customers' ids)."""
        if template and template.sudo().model != "res.partner":
            raise ValidationError(
                self.env._(
                    "Greetings need an email template of contacts; %(template)s "
                    "is a template of %(model)s.",
                    template=template.sudo().name,
                    model=template.sudo().model_id.name or template.sudo().model,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            validation.check_values(self, vals)
        return super().create(vals_list)

    def write(self, vals):
        validation.check_values(self, vals)
        return super().write(vals)

    def _date_in(self, year):
        """The Gregorian date of this occasion in ``year`` (None for a lunar
        date that does not fall in that year)."""
        self.ensure_one()
        return dates.occasion_date(year, self.calendar_type, self.month, self.day)

    def _next_occurrence(self, today):
        self.ensure_one()
        for year in (today.year, today.year + 1):
            when = self._date_in(year)
            if when and when >= today:
                return when
        return False

    def _due_occurrence(self, today):
        """(date, year) of the occurrence whose sending window holds
        ``today``, or (None, None)."""
        self.ensure_one()
        return dates.upcoming_occurrence(
            today, self.days_ahead, self.calendar_type, self.month, self.day
        )

    def action_view_messages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "revisit_plan.revisit_care_message_action"
        )
        action["domain"] = [("occasion_id", "=", self.id)]
        return action
