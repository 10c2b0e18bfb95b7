from datetime import datetime, time

import holidays
import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

DAY_NAMES = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
]


class AftersalesCalendarHolidays(models.TransientModel):
    """Fill a working calendar with China's public holidays and make-up
    working days (调休) of a year, from the ``holidays`` library."""

    _name = "aftersales.calendar.holidays"
    _description = "China Public Holidays for a Working Calendar"

    calendar_id = fields.Many2one("resource.calendar", required=True)
    year = fields.Integer(required=True, default=lambda self: fields.Date.today().year)
    workday_template = fields.Selection(
        [(str(day), name) for day, name in enumerate(DAY_NAMES[:5])],
        string="Make-up Days Work Like",
        default="0",
        required=True,
        help="A make-up working day on a weekend gets the working hours of this "
        "weekday.",
    )
    holiday_count = fields.Integer(string="Holidays Added", readonly=True)
    workday_count = fields.Integer(string="Make-up Working Hours Added", readonly=True)

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if self.env.context.get("active_model") == "resource.calendar":
            res["calendar_id"] = self.env.context.get("active_id")
        return res

    @api.model
    def _demo_fill(self, calendar_id):
        """Demo data: this year's holidays on a calendar."""
        self.create({"calendar_id": calendar_id}).action_apply()

    def _china_holidays(self):
        lang = (self.env.lang or "en_US").replace("-", "_")
        language = lang if lang in holidays.China.supported_languages else "en_US"
        return holidays.China(years=self.year, language=language)

    def action_apply(self):
        """Add the year's holidays as leaves and its make-up days as one-day
        attendances; what the calendar already has is not added twice."""
        self.ensure_one()
        if not 1990 <= self.year <= 2100:
            raise UserError(self.env._("Choose a year between 1990 and 2100."))
        # Only after-sales managers reach this wizard (access rules); calendars
        # and their leaves are otherwise administrators' business: the
        # wizard fills, in sudo, the calendars of the manager's companies only.
        company = self.calendar_id.company_id
        if company and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "Calendar %(calendar)s belongs to a company you do not work for.",
                    calendar=self.calendar_id.display_name,
                )
            )
        calendar = self.calendar_id.sudo()
        china = self._china_holidays()
        tz = pytz.timezone(calendar.tz or "Asia/Shanghai")
        existing = {
            (leave.date_from, leave.date_to)
            for leave in self.env["resource.calendar.leaves"]
            .sudo()
            .search([("calendar_id", "=", calendar.id), ("resource_id", "=", False)])
        }
        leaves = []
        for day, name in sorted(china.items()):
            start = tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc)
            end = tz.localize(datetime.combine(day, time.max)).astimezone(pytz.utc)
            start, end = (
                start.replace(tzinfo=None),
                end.replace(tzinfo=None, microsecond=0),
            )
            if (start, end) not in existing:
                leaves.append(
                    {
                        "name": name,
                        "calendar_id": calendar.id,
                        "date_from": start,
                        "date_to": end,
                        "time_type": "leave",
                        "company_id": calendar.company_id.id,
                    }
                )
        self.env["resource.calendar.leaves"].sudo().create(leaves)
        template = calendar.attendance_ids.filtered(
            lambda a: a.dayofweek == self.workday_template and not a.date_from
        )
        if not template:
            raise UserError(
                self.env._(
                    "Calendar %(calendar)s has no working hours on %(day)s to copy to "
                    "make-up working days.",
                    calendar=calendar.name,
                    day=dict(
                        self._fields["workday_template"]._description_selection(
                            self.env
                        )
                    )[self.workday_template],
                )
            )
        workdays = sorted(d for d in china.weekend_workdays if d.year == self.year)
        dated = {
            (a.date_from, a.dayofweek) for a in calendar.attendance_ids if a.date_from
        }
        attendances = [
            fields.Command.create(
                {
                    "name": self.env._(
                        "Make-up working day %(date)s", date=day.isoformat()
                    ),
                    "dayofweek": str(day.weekday()),
                    "hour_from": attendance.hour_from,
                    "hour_to": attendance.hour_to,
                    "day_period": attendance.day_period,
                    "date_from": day,
                    "date_to": day,
                }
            )
            for day in workdays
            if (day, str(day.weekday())) not in dated
            for attendance in template
        ]
        if attendances:
            calendar.write({"attendance_ids": attendances})
        self.write({"holiday_count": len(leaves), "workday_count": len(attendances)})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(holidays)s holidays and %(workdays)s make-up working hours "
                    "added "
                    "to %(calendar)s for %(year)s.",
                    holidays=len(leaves),
                    workdays=len(attendances),
                    calendar=calendar.name,
                    year=self.year,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
