"""SLA deadlines on a working calendar.

A planner reads a calendar's working intervals (its attendances minus its
leaves, in the calendar's timezone) block by block of 14 days, from a cache
kept per calendar, block and version of the calendar's working time
(``resource.calendar._aftersales_work_intervals``: a change of the calendar,
an attendance or a leave gives a new version, read once per planner), and
then answers every question by bisection: where the working time ``h`` hours
after ``t`` ends, and how many working hours lie between two instants.
Datetimes are naive UTC, as Odoo stores them.

A search for working time reads at most ``MAX_BLOCKS`` blocks after the
instant it starts from, in total: a deadline further away (a calendar without
working time ahead, an absurd target) raises ``DeadlineOutOfReach`` instead
of reading the calendar forever.
"""

import math
from bisect import bisect_right
from datetime import date, datetime, time, timedelta

BLOCK = timedelta(days=14)
EPOCH = date(2000, 1, 3)  # a Monday: blocks start on Mondays (UTC)
# How far after its start a search for working time reads, at most: about
# five years of calendar time (a year of working time on office hours, plus
# long pauses, fits; a year round the clock takes 27 blocks).
MAX_BLOCKS = 130


class DeadlineOutOfReach(ValueError):
    """The calendar has no working time to reach a deadline (or to start
    from) within ``MAX_BLOCKS`` blocks of its start."""

    def __init__(self, calendar):
        super().__init__(
            f"Calendar {calendar.display_name} has no working time to reach "
            "this deadline"
        )
        self.calendar = calendar


def block_start(instant):
    """The first day of the block holding ``instant``."""
    days = (instant.date() - EPOCH).days
    return EPOCH + timedelta(days=days - days % BLOCK.days)


class SlaPlanner:
    def __init__(self, calendar, start):
        self.calendar = calendar
        self.version = calendar._aftersales_intervals_version()
        self.starts = []  # interval starts
        self.ends = []  # interval ends
        self.before = []  # working hours before each interval, from the window start
        first = block_start(start - timedelta(days=1))
        self.window_start = self.window_end = first
        self._extend(start + timedelta(days=1), start)

    def _extend(self, until, origin):
        """Read the calendar's working blocks up to ``until`` (a datetime),
        and on until some working time is read; never beyond ``MAX_BLOCKS``
        blocks after ``origin``, the instant the search starts from."""
        limit = block_start(origin) + MAX_BLOCKS * BLOCK
        while self._window_end_dt() < until or not self.starts:
            if self.window_end >= limit:
                raise DeadlineOutOfReach(self.calendar)
            for begin, finish in self.calendar._aftersales_work_intervals(
                self.window_end, self.version
            ):
                hours_before = (
                    self.before[-1] + self._hours(self.starts[-1], self.ends[-1])
                    if self.starts
                    else 0.0
                )
                # Glue intervals that touch (days of a 7x24 calendar, blocks).
                if self.ends and begin - self.ends[-1] <= timedelta(seconds=1):
                    self.ends[-1] = max(self.ends[-1], finish)
                    continue
                self.starts.append(begin)
                self.ends.append(finish)
                self.before.append(hours_before)
            self.window_end += BLOCK

    def _window_end_dt(self):
        return self._as_datetime(self.window_end)

    @staticmethod
    def _as_datetime(day):
        return datetime.combine(day, time.min)

    @property
    def window_start_dt(self):
        return self._as_datetime(self.window_start)

    @staticmethod
    def _hours(start, end):
        return (end - start).total_seconds() / 3600.0

    def _worked_until(self, instant):
        """Working hours from the window start to ``instant``."""
        self._extend(instant + timedelta(days=1), instant)
        index = bisect_right(self.starts, instant) - 1
        if index < 0:
            return 0.0
        end = min(instant, self.ends[index])
        return self.before[index] + self._hours(self.starts[index], end)

    def working_hours(self, start, end):
        """Working hours between two instants (0 if ``end`` is not later)."""
        if end <= start:
            return 0.0
        return self._worked_until(end) - self._worked_until(start)

    def add_hours(self, start, hours):
        """The instant ``hours`` working hours after ``start``; with 0 hours,
        the next working instant (a ticket created at night starts in the
        morning)."""
        if not math.isfinite(hours):
            raise DeadlineOutOfReach(self.calendar)
        target = self._worked_until(start) + max(hours, 0.0)
        while True:
            last = len(self.starts) - 1
            if last >= 0:
                total = self.before[last] + self._hours(
                    self.starts[last], self.ends[last]
                )
                if total > target or (total == target and hours > 0):
                    break
            self._extend(self._window_end_dt() + BLOCK, start)
        index = bisect_right(self.before, target) - 1
        # The interval holding the target (the first one, for a target on a
        # boundary between intervals, when no time is to be added).
        while index > 0 and self.before[index] == target and hours > 0:
            index -= 1
        instant = self.starts[index] + timedelta(hours=target - self.before[index])
        return max(instant, start) if hours == 0 else instant


class PlannerCache:
    """Planners per calendar, shared by the tickets of a batch."""

    def __init__(self):
        self._planners = {}

    def get(self, calendar, start):
        planner = self._planners.get(calendar.id)
        if planner is None or start < planner.window_start_dt + timedelta(days=1):
            planner = self._planners[calendar.id] = SlaPlanner(calendar, start)
        return planner
