"""Days as the office counts them: Stockholm time, deadlines that end at midnight, and
Swedish working days.

Working days skip weekends, the public holidays (allmänna helgdagar) and the eves that
are days off in practice (midsommarafton, julafton, nyårsafton). The dates come from the
``holidays`` package, which follows the Swedish law on public holidays, so nobody keeps a
list of Ascension Days by hand.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from scoring.core.audit import STOCKHOLM


@lru_cache(maxsize=64)
def _days_off(year: int) -> frozenset[dt.date]:
    days = holidays.Sweden(years=year, categories=("public", "de_facto"))
    return frozenset(days)


def holiday_name(day: dt.date) -> str | None:
    """The Swedish name of the holiday on ``day``, or None."""
    names = holidays.Sweden(years=day.year, categories=("public", "de_facto"), language="sv")
    return names.get(day)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _days_off(day.year)


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The date ``count`` working days after ``start`` (``start`` itself not counted)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    while count:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def stockholm(moment: dt.datetime) -> dt.datetime:
    """A stored naive-UTC time as the office reads it."""
    return moment.replace(tzinfo=dt.UTC).astimezone(STOCKHOLM)


def utc_from_stockholm(day: dt.date, time: dt.time) -> dt.datetime:
    """A Stockholm date and time as the naive UTC the store keeps."""
    local = dt.datetime.combine(day, time, tzinfo=STOCKHOLM)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    return dt.datetime.now(STOCKHOLM).date()


def after_deadline(moment: dt.datetime, deadline: dt.date) -> bool:
    """Whether a stored (naive UTC) time falls after a deadline day ending at 24.00 Stockholm time."""
    return stockholm(moment).date() > deadline
