"""The register of women of reproductive age, counted by hand on a small village (reference date TODAY)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.clock import now_utc
from app.models import ContraceptiveEpisode, FolicAcidCourse, Person, Pregnancy
from app.services import households as hh
from app.services.validation import full_years
from app.services.women import AGE_BANDS, birth_bounds, list_women
from tests.conftest import TODAY  # 2026-11-24

D = dt.date


def person(name, birth, sex="F", **kw):
    return hh.PersonInput(name=name, sex=sex, birth_date=birth, **kw)


@pytest.fixture
def village(db, officer):
    """Who is who (ages on 2026-11-24):

    0101 (group 1, household phone 13900001111)
      张三 M 36 · 周晓燕 15 today · 吴秀兰 50 today · 郑丽 49 (50 tomorrow) · 钱小雨 14 (15 tomorrow)
    0201 (group 2, no household phone)
      冯闰 26, born 29 Feb 2000 · 陈芳 deceased · 林静 moved away · 黄娟 out-migrant 31 · 孙梅 in-migrant 40
      何莉 removed by mistake (deleted)
    0301 (group 3)
      马兰 28, pregnant, IUD removed, on folic acid · 刘红 33, pill, pregnancy ended, folic course ended
    """
    ids = {}
    h1 = hh.create_household(db, officer, hh.HouseholdInput("0101", 1, "一组 1 号", "13900001111"))
    h2 = hh.create_household(db, officer, hh.HouseholdInput("0201", 2, "二组 2 号"))
    h3 = hh.create_household(db, officer, hh.HouseholdInput("0301", 3, "三组 3 号"))
    people = [
        (h1, person("张三", D(1990, 3, 7), sex="M", relation="head", marital_status="first_marriage")),
        (h1, person("周晓燕", D(2011, 11, 24), relation="daughter")),
        (h1, person("吴秀兰", D(1976, 11, 24), relation="other", marital_status="widowed")),
        (
            h1,
            person(
                "郑丽",
                D(1976, 11, 25),
                relation="spouse",
                marital_status="first_marriage",
                phone="13800002222",
            ),
        ),
        (h1, person("钱小雨", D(2011, 11, 25), relation="daughter")),
        (h2, person("冯闰", D(2000, 2, 29), relation="head", marital_status="first_marriage")),
        (h2, person("陈芳", D(1990, 1, 1), relation="other")),
        (h2, person("林静", D(1991, 6, 1), relation="other")),
        (
            h2,
            person(
                "黄娟",
                D(1995, 5, 5),
                relation="other",
                marital_status="divorced",
                residence_status="out_migrant",
                residence_place="广东东莞",
            ),
        ),
        (
            h2,
            person(
                "孙梅",
                D(1986, 1, 10),
                relation="other",
                marital_status="remarried",
                residence_status="in_migrant",
                residence_place="四川广元",
            ),
        ),
        (h2, person("何莉", D(1993, 3, 3), relation="other")),
        (h3, person("马兰", D(1998, 7, 1), relation="head", marital_status="first_marriage")),
        (h3, person("刘红", D(1993, 2, 2), relation="sibling", marital_status="first_marriage")),
    ]
    for household, data in people:
        ids[data.name] = hh.add_person(db, officer, household, data, TODAY)
    hh.record_death(db, officer, ids["陈芳"], D(2025, 1, 1), TODAY)
    hh.record_move_away(db, officer, ids["林静"], D(2024, 5, 1), "兰州", TODAY)
    with db.write(officer) as s:
        deleted = s.get(Person, ids["何莉"])
        deleted.deleted_at, deleted.deleted_reason = now_utc(), "entered twice"
        s.add_all(
            [
                ContraceptiveEpisode(
                    person_id=ids["马兰"],
                    method="iud",
                    start_date=D(2020, 1, 1),
                    stop_date=D(2026, 1, 5),
                    stop_reason="planning a pregnancy",
                ),
                Pregnancy(
                    woman_id=ids["马兰"],
                    lmp=D(2026, 6, 1),
                    edd=D(2027, 3, 8),
                    registration_date=D(2026, 7, 20),
                ),
                FolicAcidCourse(woman_id=ids["马兰"], start_date=D(2026, 1, 10)),
                ContraceptiveEpisode(
                    person_id=ids["刘红"], method="condom", start_date=D(2018, 1, 1), stop_date=D(2019, 1, 1)
                ),
                ContraceptiveEpisode(person_id=ids["刘红"], method="pill", start_date=D(2021, 3, 1)),
                Pregnancy(
                    woman_id=ids["刘红"],
                    lmp=D(2019, 3, 1),
                    edd=D(2019, 12, 6),
                    registration_date=D(2019, 4, 1),
                    outcome="live_birth",
                    outcome_date=D(2019, 12, 1),
                    live_births=1,
                ),
                FolicAcidCourse(woman_id=ids["刘红"], start_date=D(2019, 1, 1), end_date=D(2019, 6, 1)),
            ]
        )
    return ids


def names(rows):
    return sorted(r.name for r in rows)


def test_who_counts_on_the_reference_date(db, village):
    rows = list_women(db, TODAY)
    assert names(rows) == sorted(["周晓燕", "郑丽", "冯闰", "黄娟", "孙梅", "马兰", "刘红"])
    by_name = {r.name: r for r in rows}
    assert by_name["周晓燕"].age == 15  # turns 15 today: included
    assert by_name["郑丽"].age == 49  # turns 50 tomorrow: still included
    assert by_name["冯闰"].age == 26
    assert by_name["黄娟"].residence_status == "out_migrant"  # away working, still the village's
    assert all(r.age == full_years(r.birth_date, TODAY) for r in rows)


def test_the_day_after_and_before(db, village):
    tomorrow = list_women(db, TODAY + dt.timedelta(days=1))
    assert "郑丽" not in names(tomorrow) and "钱小雨" in names(tomorrow)
    yesterday = list_women(db, TODAY - dt.timedelta(days=1))
    assert "周晓燕" not in names(yesterday) and "吴秀兰" in names(yesterday)


def test_born_on_29_february(db, village):
    """冯闰 (29 Feb 2000) turns 15 on 1 March 2015 — in a common year she is 14 on 28 February."""
    assert "冯闰" not in names(list_women(db, D(2015, 2, 28)))
    assert "冯闰" in names(list_women(db, D(2015, 3, 1)))
    # ...and 50 on 1 March 2050: still 49 on 28 February 2050.
    assert "冯闰" in names(list_women(db, D(2050, 2, 28)))
    assert "冯闰" not in names(list_women(db, D(2050, 3, 1)))
    assert "冯闰" in names(list_women(db, D(2016, 2, 29)))  # a leap-day reference date, aged 16


def test_leap_day_reference_date_bounds():
    """On 29 Feb 2028: aged 15 means born by 28 Feb 2013 (no 29th that year) — matches full_years."""
    after, by = birth_bounds(D(2028, 2, 29))
    assert (after, by) == (D(1978, 2, 28), D(2013, 2, 28))
    assert full_years(D(2013, 2, 28), D(2028, 2, 29)) == 15
    assert full_years(D(2013, 3, 1), D(2028, 2, 29)) == 14
    assert full_years(D(1978, 3, 1), D(2028, 2, 29)) == 49
    assert full_years(D(1978, 2, 28), D(2028, 2, 29)) == 50


def test_nobody_born_after_the_reference_date(db, village):
    assert "周晓燕" not in names(list_women(db, D(2011, 11, 23)))
    assert all(r.birth_date <= D(1990, 1, 1) for r in list_women(db, D(2005, 1, 1)))


def test_method_pregnancy_folic_acid_and_phone(db, village):
    rows = {r.name: r for r in list_women(db, TODAY)}
    malan, liuhong = rows["马兰"], rows["刘红"]
    assert (malan.method, malan.pregnant, malan.edd, malan.folic_acid) == ("", True, D(2027, 3, 8), True)
    assert (liuhong.method, liuhong.pregnant, liuhong.edd, liuhong.folic_acid) == ("pill", False, None, False)
    assert rows["周晓燕"].method == "" and not rows["周晓燕"].pregnant
    assert rows["郑丽"].phone == "13800002222"  # her own
    assert rows["周晓燕"].phone == "13900001111"  # the household's
    assert rows["冯闰"].phone == ""  # neither
    everyone = [r.name for r in list_women(db, TODAY)]
    assert everyone.count("马兰") == 1 and everyone.count("刘红") == 1  # stopped methods add no rows
    # On a date during 刘红's past course she counts as taking folic acid; before 马兰's started, not.
    in_2019 = {r.name: r for r in list_women(db, D(2019, 3, 1))}
    assert in_2019["刘红"].folic_acid and not in_2019["马兰"].folic_acid


def test_group_marital_age_band_and_text_filters(db, village):
    assert names(list_women(db, TODAY, group_no=1)) == sorted(["周晓燕", "郑丽"])
    assert names(list_women(db, TODAY, group_no=3)) == sorted(["马兰", "刘红"])
    assert names(list_women(db, TODAY, marital="first_marriage")) == sorted(["郑丽", "冯闰", "马兰", "刘红"])
    assert names(list_women(db, TODAY, age_band=(15, 19))) == ["周晓燕"]
    assert names(list_women(db, TODAY, age_band=(25, 29))) == sorted(["冯闰", "马兰"])
    assert names(list_women(db, TODAY, age_band=(45, 49))) == ["郑丽"]
    assert names(list_women(db, TODAY, group_no=2, age_band=(30, 34))) == ["黄娟"]
    assert list_women(db, TODAY, group_no=1, age_band=(30, 34)) == []
    every_band = sum(len(list_women(db, TODAY, age_band=band)) for band in AGE_BANDS)
    assert every_band == len(list_women(db, TODAY))
    assert names(list_women(db, TODAY, text="郑")) == ["郑丽"]
    assert names(list_women(db, TODAY, text="malan")) == ["马兰"]
    assert names(list_women(db, TODAY, text="ZXY")) == ["周晓燕"]
    assert names(list_women(db, TODAY, text="0301")) == sorted(["马兰", "刘红"])
    assert names(list_women(db, TODAY, text=" 0101 ", group_no=2)) == []
