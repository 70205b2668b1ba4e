"""Expected delivery date and gestational age, counted in days from the LMP (hand-counted below)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.services.pregnancy_dates import GestationalAge, date_at, expected_delivery_date, gestational_age


def test_edd_is_lmp_plus_280_days():
    # Days after 31 Jan 2024: Feb 29 + Mar 31 + Apr 30 + May 31 + Jun 30 + Jul 31 + Aug 31 + Sep 30 + Oct 31
    # = 274 (31 Oct), so day 280 is 6 Nov.
    assert expected_delivery_date(dt.date(2024, 1, 31)) == dt.date(2024, 11, 6)


def test_edd_counts_29_february_of_a_leap_year():
    # 1 Dec 2023: Dec 30 + Jan 31 + Feb 29 + Mar 31 + Apr 30 + May 31 + Jun 30 + Jul 31 + Aug 31 = 274 (31 Aug),
    # day 280 is 6 Sep. (Naegele's "+9 months +7 days" would say 8 Sep.)
    assert expected_delivery_date(dt.date(2023, 12, 1)) == dt.date(2024, 9, 6)
    # One year earlier, February has 28 days: the same count lands a day later, 7 Sep 2023.
    assert expected_delivery_date(dt.date(2022, 12, 1)) == dt.date(2023, 9, 7)


def test_gestational_age_as_weeks_plus_days():
    lmp = dt.date(2024, 1, 1)
    # 28 Mar 2024 is day 31 + 29 + 27 = 87 = 12 weeks 3 days
    ga = gestational_age(lmp, dt.date(2024, 3, 28))
    assert str(ga) == "12+3"
    assert (ga.weeks, ga.extra_days, ga.days) == (12, 3, 87)
    assert str(gestational_age(lmp, lmp)) == "0+0"


def test_13_weeks_is_day_91():
    lmp = dt.date(2024, 1, 1)
    # 1 Apr 2024 is day 31 + 29 + 31 = 91: exactly 13+0, the last day of early registration was the day before
    assert str(gestational_age(lmp, dt.date(2024, 4, 1))) == "13+0"
    assert str(gestational_age(lmp, dt.date(2024, 3, 31))) == "12+6"
    assert gestational_age(lmp, dt.date(2024, 3, 31)) < GestationalAge.of(13)
    assert gestational_age(lmp, dt.date(2024, 4, 1)) >= GestationalAge.of(13)


def test_date_at_an_age():
    lmp = dt.date(2024, 1, 1)
    assert date_at(lmp, GestationalAge.of(13)) == dt.date(2024, 4, 1)
    assert date_at(lmp, GestationalAge.of(12, 6)) == dt.date(2024, 3, 31)
    # 16+0 is day 112: 1 Jan + 112 = 22 Apr (day 91 is 1 Apr, + 21)
    assert date_at(lmp, GestationalAge.of(16, 0)) == dt.date(2024, 4, 22)
    assert date_at(lmp, GestationalAge.of(40)) == expected_delivery_date(lmp) == dt.date(2024, 10, 7)


def test_a_day_before_the_lmp_is_an_error():
    with pytest.raises(ValueError):
        gestational_age(dt.date(2024, 1, 1), dt.date(2023, 12, 31))
