"""SLA deadlines on a working calendar.

A planner reads a calendar's working intervals once for a window (its
attendances minus its leaves, in the calendar's timezone, through
``resource.calendar._work_intervals_batch``) and then answers every question
of a batch of tickets by bisection: where the working time ``h`` hours after
``t`` ends, and how many working hours lie between two instants. Datetimes
are naive UTC, as Odoo stores them.
"""

from bisect import bisect_right
from datetime import timedelta

import pytz

WINDOW = timedelta(days=62)


class SlaPlanner:
    def __init__(self, calendar, start):
        self.calendar = calendar
        self.starts = []  # interval starts
        self.ends = []  # interval ends
        self.before = []  # working hours before each interval, from the window start
        self.window_start = start - timedelta(days=1)
        self.window_end = self.window_start
        self._extend(start + WINDOW)

    def _extend(self, until):
        """Read the calendar's working intervals up to ``until``."""
        while self.window_end < until:
            start, end = self.window_end, self.window_end + WINDOW
            intervals = self.calendar._work_intervals_batch(
                pytz.utc.localize(start), pytz.utc.localize(end), compute_leaves=True
            )[False]
            for interval_start, interval_end, _meta in intervals:
                begin = interval_start.astimezone(pytz.utc).replace(tzinfo=None)
                finish = interval_end.astimezone(pytz.utc).replace(tzinfo=None)
                if finish <= begin:
                    continue
                hours_before = (
                    self.before[-1] + self._hours(self.starts[-1], self.ends[-1])
                    if self.starts
                    else 0.0
                )
                # Glue intervals that touch (e.g. 7x24 days ending at 23:59:59.999999).
                if self.ends and begin - self.ends[-1] <= timedelta(seconds=1):
                    self.ends[-1] = max(self.ends[-1], finish)
                    continue
                self.starts.append(begin)
                self.ends.append(finish)
                self.before.append(hours_before)
            self.window_end = end
            if not self.starts and self.window_end - self.window_start > 8 * WINDOW:
                raise ValueError(
                    f"Calendar {self.calendar.display_name} has no working time"
                )

    @staticmethod
    def _hours(start, end):
        return (end - start).total_seconds() / 3600.0

    def _worked_until(self, instant):
        """Working hours from the window start to ``instant``."""
        self._extend(instant + timedelta(days=1))
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
        target = self._worked_until(start) + max(hours, 0.0)
        while True:
            last = len(self.starts) - 1
            if last >= 0:
                total = self.before[last] + self._hours(
                    self.starts[last], self.ends[last]
                )
                if total > target or (total == target and hours > 0):
                    break
            self._extend(self.window_end + WINDOW)
        index = bisect_right(self.before, target) - 1
        # The interval holding the target (the first one, for a target on a
        # boundary between intervals, when no time is to be added).
        while index > 0 and self.before[index] == target and hours > 0:
            index -= 1
        instant = self.starts[index] + timedelta(hours=target - self.before[index])
        return max(instant, start) if hours == 0 else instant


class PlannerCache:
    """Planners per calendar, built once for a batch of tickets."""

    def __init__(self):
        self._planners = {}

    def get(self, calendar, start):
        planner = self._planners.get(calendar.id)
        if planner is None or start < planner.window_start + timedelta(days=1):
            planner = self._planners[calendar.id] = SlaPlanner(calendar, start)
        return planner
