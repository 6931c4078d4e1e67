"""The PRC official calendar: working days and due dates.

Takes: a date and a number of days.
Returns: the due date counted in PRC official working days (or in calendar days).
Guarantees: weekends and public holidays are off, and the official make-up working days (调休)
that fall on weekends are working days, as the `holidays` package records them. Day 1 is the first
working day *after* the start date ("no later than 10 working days after export", contract §2).
Years the package has no PRC data for are reported by `has_data`, so callers can warn. A due
date after the last day a date can hold (9999-12-31) raises `BeyondCalendar`, never a Python
overflow; counting is bounded by the `due_days` limit the checker enforces on `within N days`.

>>> import datetime
>>> working_days_after(datetime.date(2025, 9, 26), 3)   # Sun 28 Sep 2025 is a make-up working day
datetime.date(2025, 9, 30)
"""

from __future__ import annotations

import datetime
import functools


@functools.cache
def _calendar(year: int):
    import holidays    # imported when a due date is first counted: most decisions have none

    return holidays.China(years=range(year - 1, year + 2))


@functools.lru_cache(maxsize=256)
def has_data(year: int) -> bool:
    """Whether the official schedule of `year` (holidays with their make-up days) is known.

    The package computes the fixed and lunar holidays of any year, but the State Council publishes
    each year's make-up working days only late in the year before; a year without any is a year
    whose schedule is not known yet.
    """
    return any(d.year == year for d in _calendar(year).weekend_workdays)


def is_working_day(day: datetime.date) -> bool:
    """A PRC official working day: a weekday that is no holiday, or a make-up working day."""
    return _calendar(day.year).is_working_day(day)


class BeyondCalendar(ValueError):
    """A due date after 9999-12-31, the last day a date can hold."""


@functools.lru_cache(maxsize=65536)
def working_days_after(start: datetime.date, count: int) -> datetime.date:
    """The `count`-th PRC working day after `start`.

    >>> working_days_after(datetime.date(9999, 12, 30), 10)
    Traceback (most recent call last):
    ...
    policylang.semantics.calendar.BeyondCalendar: 10 working days after 9999-12-30
    """
    day = start
    remaining = count
    one = datetime.timedelta(days=1)
    while remaining > 0:
        if day == datetime.date.max:
            raise BeyondCalendar(f"{count} working days after {start}")
        day += one
        if is_working_day(day):
            remaining -= 1
    return day


def calendar_days_after(start: datetime.date, count: int) -> datetime.date:
    """The `count`-th calendar day after `start`."""
    if count > (datetime.date.max - start).days:
        raise BeyondCalendar(f"{count} days after {start}")
    return start + datetime.timedelta(days=count)
