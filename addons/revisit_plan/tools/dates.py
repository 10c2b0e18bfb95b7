"""Date arithmetic of revisits and care messages, free of the ORM so that its
edge cases (month ends, leap years, lunar dates) are easy to test."""

import calendar
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from lunar_python import Lunar

CADENCE_UNITS = ("days", "weeks", "months", "years")
# The shortest length of one unit, in days: a lead time must stay below the
# shortest possible cadence (February, common years).
MIN_DAYS = {"days": 1, "weeks": 7, "months": 28, "years": 365}
# The longest cadence, ten years in each unit: beyond it a rule is a mistake,
# and its dates would soon leave what the database can hold.
MAX_CADENCE = {"days": 3650, "weeks": 520, "months": 120, "years": 10}


def cadence_delta(number, unit):
    """The ``relativedelta`` of ``number`` ``unit``: month and year steps keep
    the day of the month, or take the month's last day (31 January + 1 month
    = 28 or 29 February)."""
    if unit not in CADENCE_UNITS:
        raise ValueError(f"unknown cadence unit {unit!r}")
    return relativedelta(**{unit: number})


def cadence_min_days(number, unit):
    """The fewest days ``number`` ``unit`` can span."""
    return number * MIN_DAYS[unit]


def next_due_date(last_done, number, unit, today):
    """When a revisit is due: ``number`` ``unit`` after the last done one,
    or today when there is none (never revisited)."""
    if not last_done:
        return today
    return last_done + cadence_delta(number, unit)


def is_due(last_done, number, unit, lead_days, today):
    """A partner is due when its next revisit falls on or before today plus
    the lead time."""
    return next_due_date(last_done, number, unit, today) <= today + timedelta(
        days=lead_days
    )


def day_in_year(year, month, day):
    """``month``/``day`` in ``year``, 29 February falling on the 28th in
    common years."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def lunar_to_solar(lunar_year, month, day):
    """The Gregorian date of a Chinese lunar date (a regular, not leap, month;
    day 30 of a short month becomes its last day)."""
    try:
        solar = Lunar.fromYmd(lunar_year, month, day).getSolar()
    except Exception:  # noqa: BLE001 - the library raises plain Exceptions
        # Day 30 in a 29-day month: the last day of that month.
        solar = Lunar.fromYmd(lunar_year, month, day - 1).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def occasion_date(year, calendar_type, month, day):
    """The Gregorian date in ``year`` of an occasion on ``month``/``day`` of
    the Gregorian (``fixed``) or Chinese lunar (``lunar``) calendar, or None
    when the lunar date does not fall in that Gregorian year."""
    if calendar_type == "fixed":
        return day_in_year(year, month, day)
    # A lunar date falls in Gregorian year Y or Y + 1: try lunar years Y - 1
    # and Y (late lunar months reach into January).
    for lunar_year in (year - 1, year):
        solar = lunar_to_solar(lunar_year, month, day)
        if solar.year == year:
            return solar
    return None


def upcoming_occurrence(today, horizon_days, calendar_type, month, day):
    """(occurrence date, year) of the next occurrence of an occasion from
    ``today`` within ``horizon_days`` days, or (None, None)."""
    for year in (today.year, today.year + 1):
        when = occasion_date(year, calendar_type, month, day)
        if when and today <= when <= today + timedelta(days=horizon_days):
            return when, year
    return None, None
