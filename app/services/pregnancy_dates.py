"""Pregnancy dates: expected delivery date (LMP + 280 days) and gestational age as weeks+days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PREGNANCY_DAYS = 280


@dataclass(frozen=True, order=True)
class GestationalAge:
    days: int

    @property
    def weeks(self) -> int:
        return self.days // 7

    @property
    def extra_days(self) -> int:
        return self.days % 7

    def __str__(self) -> str:  # 12+3
        return f"{self.weeks}+{self.extra_days}"

    @classmethod
    def of(cls, weeks: int, days: int = 0) -> GestationalAge:
        return cls(weeks * 7 + days)


def expected_delivery_date(lmp: dt.date) -> dt.date:
    return lmp + dt.timedelta(days=PREGNANCY_DAYS)


def gestational_age(lmp: dt.date, on: dt.date) -> GestationalAge:
    """Completed weeks and days since the LMP on the given day (negative dates are an input error)."""
    days = (on - lmp).days
    if days < 0:
        raise ValueError("the day is before the LMP")
    return GestationalAge(days)


def date_at(lmp: dt.date, age: GestationalAge) -> dt.date:
    """The calendar day on which a pregnancy with this LMP reaches `age` (e.g. 13+0)."""
    return lmp + dt.timedelta(days=age.days)
