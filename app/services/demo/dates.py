"""Date arithmetic of the demo: days, years and calendar months added to a date."""

from __future__ import annotations

import calendar
import datetime as dt


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
