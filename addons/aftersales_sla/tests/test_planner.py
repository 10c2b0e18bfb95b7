from datetime import datetime
from unittest.mock import patch

from odoo.tools import SQL

from ..models.resource_calendar import CHANGE_KEY
from ..tools.sla_planner import MAX_BLOCKS, DeadlineOutOfReach, SlaPlanner
from .common import AftersalesCase, utc


class TestPlanner(AftersalesCase):
    """Deadlines on working calendars: Shanghai office hours (UTC+8, no
    daylight saving) are 01:00-04:00 and 05:00-10:00 UTC, Monday to Friday."""

    def plan(self, calendar, start, hours):
        return SlaPlanner(calendar, start).add_hours(start, hours)

    def test_inside_working_hours(self):
        # Monday 2026-11-30 10:00 Shanghai + 1 h
        self.assertEqual(
            self.plan(self.office, utc(2026, 11, 30, 2), 1), utc(2026, 11, 30, 3)
        )

    def test_lunch_break(self):
        # Monday 11:00 + 2 h: 11-12, then 13-14.
        self.assertEqual(
            self.plan(self.office, utc(2026, 11, 30, 3), 2), utc(2026, 11, 30, 6)
        )

    def test_created_at_night_starts_next_morning(self):
        # Tuesday 22:00 + 2 h: Wednesday 09:00-11:00.
        self.assertEqual(
            self.plan(self.office, utc(2026, 11, 24, 14), 2), utc(2026, 11, 25, 3)
        )
        planner = SlaPlanner(self.office, utc(2026, 11, 24, 14))
        self.assertEqual(
            planner.add_hours(utc(2026, 11, 24, 14), 0), utc(2026, 11, 25, 1)
        )

    def test_created_at_the_weekend(self):
        # Saturday 10:00 + 2 h: Monday 09:00-11:00.
        self.assertEqual(
            self.plan(self.office, utc(2026, 11, 28, 2), 2), utc(2026, 11, 30, 3)
        )

    def test_deadline_on_the_end_of_a_day(self):
        # Monday 17:00 + 1 h ends at 18:00, not the next morning.
        self.assertEqual(
            self.plan(self.office, utc(2026, 11, 30, 9), 1), utc(2026, 11, 30, 10)
        )

    def test_working_days_and_holidays(self):
        # Monday 10:00 + 16 h (2 working days): Monday 7 h, Tuesday 8 h, Wednesday 1 h.
        self.assertEqual(
            self.plan(self.office, utc(2026, 11, 30, 2), 16), utc(2026, 12, 2, 2)
        )
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Company holiday",
                "calendar_id": self.office.id,
                "date_from": utc(2026, 12, 1, 16),  # Wednesday 00:00 Shanghai
                "date_to": utc(2026, 12, 2, 15, 59, 59),
            }
        )
        self.assertEqual(
            self.plan(self.office, utc(2026, 11, 30, 2), 16), utc(2026, 12, 3, 2)
        )

    def test_daylight_saving_time(self):
        """Brussels leaves summer time on Sunday 2026-10-25: Friday 16:00 CEST
        plus 2 h is Monday 10:00 CET, 09:00 UTC."""
        brussels = self.make_calendar("Brussels", "Europe/Brussels", hours=((9, 17),))
        self.assertEqual(
            self.plan(brussels, utc(2026, 10, 23, 14), 2), utc(2026, 10, 26, 9)
        )
        # And into summer time (Sunday 2026-03-29): Friday 16:00 CET + 2 h is
        # Monday 10:00 CEST, 08:00 UTC.
        self.assertEqual(
            self.plan(brussels, utc(2026, 3, 27, 15), 2), utc(2026, 3, 30, 8)
        )

    def test_round_the_clock(self):
        # Saturday 03:00 Shanghai + 30 minutes, and across midnight.
        self.assertEqual(
            self.plan(self.round_the_clock, utc(2026, 11, 27, 19), 0.5),
            datetime(2026, 11, 27, 19, 30),
        )
        self.assertEqual(
            self.plan(self.round_the_clock, utc(2026, 11, 27, 15, 30), 1),
            utc(2026, 11, 27, 16, 30),
        )
        self.assertEqual(
            self.plan(self.round_the_clock, utc(2026, 11, 27, 15), 48),
            utc(2026, 11, 29, 15),
        )

    def test_working_hours_between(self):
        planner = SlaPlanner(self.office, utc(2026, 11, 27, 0))
        # Friday 17:00 to Monday 10:00: one hour on Friday, one on Monday.
        self.assertAlmostEqual(
            planner.working_hours(utc(2026, 11, 27, 9), utc(2026, 11, 30, 2)), 2
        )
        self.assertEqual(
            planner.working_hours(utc(2026, 11, 30, 2), utc(2026, 11, 27, 9)), 0
        )

    def test_far_deadline_extends_the_window(self):
        # 100 working days of 8 hours: 20 weeks later, window after window.
        deadline = self.plan(self.office, utc(2026, 11, 30, 1), 800)
        self.assertEqual(deadline, utc(2027, 4, 16, 10))

    def test_a_year_of_working_time_is_reached(self):
        """The longest target a policy may set, a year of working time: 366
        working days of office hours, holidays aside, about 17 months."""
        deadline = self.plan(self.office, utc(2026, 11, 30, 1), 366 * 8)
        self.assertEqual(deadline, utc(2028, 4, 24, 10))  # 73 weeks and a day

    def test_gives_up_after_a_bounded_number_of_blocks(self):
        """A deadline out of the calendar's reach (a huge, infinite or NaN
        target; no working time ahead) stops with DeadlineOutOfReach after
        reading at most MAX_BLOCKS blocks in total: the search read blocks
        forever, MAX_BLOCKS being counted per step."""
        read = []
        calendar_class = type(self.env["resource.calendar"])
        original = calendar_class._aftersales_work_intervals

        def counting(calendar, first_day, version):
            read.append(first_day)
            if len(read) > 10 * MAX_BLOCKS:
                raise AssertionError("the planner reads the calendar forever")
            return original(calendar, first_day, version)

        start = utc(2026, 11, 30, 1)
        past_only = self.make_calendar(
            "Past make-up days", "Asia/Shanghai", hours=((9, 17),), days=[5]
        )
        past_only.attendance_ids.write(
            {"date_from": "2020-01-04", "date_to": "2020-01-04"}
        )
        with patch.object(calendar_class, "_aftersales_work_intervals", counting):
            for hours in (1e6, 1e300, float("inf"), float("nan")):
                with self.subTest(hours=hours):
                    read.clear()
                    with self.assertRaises(DeadlineOutOfReach):
                        self.plan(self.office, start, hours)
                    self.assertLessEqual(len(read), MAX_BLOCKS + 2)
            read.clear()
            with self.assertRaises(DeadlineOutOfReach) as caught:
                self.plan(past_only, start, 1)
            self.assertEqual(caught.exception.calendar, past_only)
            self.assertLessEqual(len(read), MAX_BLOCKS + 2)


class TestPlannerCache(AftersalesCase):
    """Working intervals are cached per calendar and version of its working
    time: a change is seen by the next planning, and no change empties
    Odoo's own caches (every write on a calendar, an attendance or a leave
    emptied the access rights, rules and xmlids of every worker)."""

    start = utc(2026, 11, 30, 2)  # Monday 10:00 Shanghai

    def plan(self, hours=8):
        return SlaPlanner(self.office, self.start).add_hours(self.start, hours)

    def monday_morning(self):
        return self.office.attendance_ids.filtered(
            lambda a: a.dayofweek == "0" and a.hour_from == 9
        )

    def test_changes_are_seen_without_clearing_caches(self):
        registry = type(self.env.registry)
        cleared = AssertionError("the registry's caches were cleared")
        Leave = self.env["resource.calendar.leaves"]
        with patch.object(registry, "clear_cache", side_effect=cleared):
            # Monday 7 h, Tuesday 1 h.
            self.assertEqual(self.plan(), utc(2026, 12, 1, 2))
            leave = Leave.create(
                {
                    "name": "Tuesday off",
                    "calendar_id": self.office.id,
                    "date_from": utc(2026, 11, 30, 16),
                    "date_to": utc(2026, 12, 1, 15, 59, 59),
                }
            )
            self.assertEqual(self.plan(), utc(2026, 12, 2, 2), "Wednesday 10:00")
            leave.write(
                {"date_from": utc(2026, 11, 29, 16), "date_to": utc(2026, 11, 30, 15)}
            )
            self.assertEqual(self.plan(), utc(2026, 12, 1, 10), "Tuesday 18:00")
            leave.unlink()
            self.assertEqual(self.plan(), utc(2026, 12, 1, 2))
            # Monday morning ends at 11:00: Monday 6 h, Tuesday 2 h.
            self.monday_morning().hour_to = 11
            self.assertEqual(self.plan(), utc(2026, 12, 1, 3))
            # In London (UTC in winter), Monday 10:00 Shanghai is 02:00:
            # Monday 7 h from 09:00, Tuesday 1 h.
            self.office.tz = "Europe/London"
            self.assertEqual(self.plan(), utc(2026, 12, 1, 10))

    def test_planning_again_reads_the_cache(self):
        calendar_class = type(self.env["resource.calendar"])
        original = calendar_class._work_intervals_batch
        read = []

        def counting(calendar, *args, **kwargs):
            read.append(calendar)
            return original(calendar, *args, **kwargs)

        with patch.object(calendar_class, "_work_intervals_batch", counting):
            deadline = self.plan(16)
            self.assertTrue(read)
            read.clear()
            self.assertEqual(self.plan(16), deadline)
            self.assertFalse(read, "the same working time is not read twice")

    def test_a_change_by_another_worker_is_seen(self):
        """The version comes from the database, not from what this worker
        did: a leave and a shorter morning that another worker wrote (here
        in SQL, with their own write dates, in a transaction that changed no
        calendar) are seen by the next planning."""
        with patch.dict(self.env.cr.cache):
            self.env.cr.cache.pop(CHANGE_KEY, None)
            self.assertEqual(self.plan(), utc(2026, 12, 1, 2))
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO resource_calendar_leaves
                        (name, calendar_id, company_id, date_from, date_to,
                         time_type, create_date, write_date)
                    VALUES ('Tuesday off', %(calendar)s, %(company)s,
                            %(date_from)s, %(date_to)s, 'leave',
                            %(written)s, %(written)s)
                    """,
                    calendar=self.office.id,
                    company=self.company.id,
                    date_from=utc(2026, 11, 30, 16),
                    date_to=utc(2026, 12, 1, 15, 59, 59),
                    written=utc(2030, 1, 1),
                )
            )
            self.assertEqual(self.plan(), utc(2026, 12, 2, 2), "Wednesday 10:00")
            self.env.cr.execute(
                SQL(
                    "UPDATE resource_calendar_attendance SET hour_to = 11, "
                    "write_date = %s WHERE id = %s",
                    utc(2030, 1, 2),
                    self.monday_morning().id,
                )
            )
            self.env.invalidate_all()
            # Monday 6 h, Tuesday off, Wednesday 2 h.
            self.assertEqual(self.plan(), utc(2026, 12, 2, 3))
