"""Date arithmetic of revisit rules and care messages, free of the ORM so that
its edge cases (month ends, leap years, lunar dates) are easy to test. The
due dates of the planning are computed by its query (``revisit.rule``)."""

import calendar
from datetime import date, timedelta

from lunar_python import Lunar

# The shortest length of one unit, in days: a lead time must stay below the
# shortest possible cadence (February, common years).
MIN_DAYS = {"days": 1, "weeks": 7, "months": 28, "years": 365}
# The longest cadence, ten years in each unit: beyond it a rule is a mistake,
# and its dates would soon leave what the database can hold.
MAX_CADENCE = {"days": 3650, "weeks": 520, "months": 120, "years": 10}


def cadence_min_days(number, unit):
    """The fewest days ``number`` ``unit`` can span."""
    return number * MIN_DAYS[unit]


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


def birthday_dates(date_from, date_to):
    """{(month, day): date} of the birthdays that fall from ``date_from`` to
    ``date_to`` (a few days): each day of the period, and 29 February on the
    28th in common years (``day_in_year``)."""
    result = {}
    day = date_from
    while day <= date_to:
        result[(day.month, day.day)] = day
        day += timedelta(days=1)
    for year in {date_from.year, date_to.year}:
        leap_day = day_in_year(year, 2, 29)
        if date_from <= leap_day <= date_to:
            result.setdefault((2, 29), leap_day)
    return result
