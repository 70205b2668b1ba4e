"""The one clock: "today" and "now" are read here, so rules and reports can be run for any date."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """The officer's calendar day (China time), whatever the laptop's time zone says."""
    return now_utc().astimezone(CHINA_TZ).date()
