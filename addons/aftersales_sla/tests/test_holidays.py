from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError

from ..tools.sla_planner import SlaPlanner
from .common import AftersalesCase, utc


class TestChinaHolidays(AftersalesCase):
    def fill(self, year, calendar=None):
        wizard = (
            self.env["aftersales.calendar.holidays"]
            .with_user(self.aftersales_manager)
            .create({"calendar_id": (calendar or self.office).id, "year": year})
        )
        wizard.action_apply()
        return wizard

    def test_2026_holidays_and_make_up_days(self):
        wizard = self.fill(2026)
        self.assertEqual(wizard.holiday_count, 22)
        # Make-up working days of 2026: Jan 4, Feb 14, Feb 28, May 9, Sep 20, Oct 10,
        # each with the morning and afternoon of a Monday.
        self.assertEqual(wizard.workday_count, 12)
        # Again: nothing added twice.
        again = self.fill(2026)
        self.assertEqual((again.holiday_count, again.workday_count), (0, 0))

        # Friday 2026-02-13 17:00 Shanghai + 2 h: one hour on Friday, one on
        # the make-up Saturday 14th, not after the Spring Festival.
        planner = SlaPlanner(self.office, utc(2026, 2, 13, 9))
        self.assertEqual(planner.add_hours(utc(2026, 2, 13, 9), 2), utc(2026, 2, 14, 2))
        # Friday 2026-02-13 17:00 + 10 h: Saturday 14th has 8 h, then the holidays
        # from Monday 16th to Monday 23rd; Tuesday 24th 09:00 + 1 h.
        self.assertEqual(
            planner.add_hours(utc(2026, 2, 13, 9), 10), utc(2026, 2, 24, 2)
        )

    def test_ticket_deadline_skips_national_day(self):
        self.fill(2026)
        with freeze_time(utc(2026, 9, 30, 9)):  # Wednesday 17:00
            ticket = self.make_ticket()
        # 1 h on Sep 30; Oct 1-7 off (Oct 10 is a make-up Saturday); Oct 8 09:00 + 1 h.
        self.assertEqual(
            self.line(ticket, "response").date_deadline, utc(2026, 10, 8, 2)
        )

    def test_bad_year_and_calendar_without_weekday(self):
        with self.assertRaisesMessage(UserError, "between 1990 and 2100"):
            self.fill(3000)
        weekend_only = self.make_calendar("Weekend", "Asia/Shanghai", days=(5, 6))
        with self.assertRaisesMessage(UserError, "no working hours on Monday"):
            self.fill(2026, weekend_only)
        self.assertFalse(
            self.env["resource.calendar.leaves"].search(
                [("calendar_id", "=", weekend_only.id)]
            )
        )

    def test_only_calendars_of_the_managers_companies(self):
        """The wizard writes in sudo: it fills only a calendar the manager may
        read (it filled any company's calendar given its id)."""
        other = self.env["resource.calendar"].create(
            {
                "name": "Other company",
                "company_id": self.env.ref("base.main_company").id,
            }
        )
        leaves = len(other.leave_ids)
        with self.assertRaises(AccessError):
            self.fill(2026, other)
        self.assertEqual(len(other.leave_ids), leaves)
