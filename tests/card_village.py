"""A small village for the household service cards, built through the services (TODAY is 2026-11-24).

- "2" (group 1, 红星村一组 2 号, phone 13900001111)
  张伟 M head 1988 · 李娜 F spouse 1992, IUD since 2026-10-20 · 张小宝 M son born 2026-03-10 (8 months)
  · 王秀英 F mother 1950 (76: not of reproductive age) · 张丽 F sister 1998, out-migrant (working in 东莞)
  · 张强 M brother, died 2025-05-01 · 张芳 F sister, moved away 2024-06-01: neither is on the card
- "10" (group 1, 红星村一组 10 号, no phone)
  陈静 F head 1995: pregnant (LMP TODAY - 100 days: 14+2), on folic acid since TODAY - 150
- "9" (group 2, 红星村二组 9 号)
  赵刚 M head 1960: 农村奖励扶助, contact 刘晓明 17304537978, monthly care visits

Household numbers "2", "9", "10" are in natural order; string order would put "10" first.
"""

from __future__ import annotations

import datetime as dt

from app.db import Database
from app.services import care, pregnancies
from app.services import households as hh
from tests.conftest import TODAY

D = dt.date
ID_LINA = "62042219920815038X"  # 李娜: born 1992-08-15, female, check character X
LMP_DAYS_AGO = 100


def build_card_village(db: Database, officer: str) -> dict[str, str]:
    """Returns the ids: household numbers -> household id, names -> person id."""
    ids: dict[str, str] = {}

    def household(number: str, group: int, address: str, phone: str | None = None) -> str:
        ids[number] = hh.create_household(db, officer, hh.HouseholdInput(number, group, address, phone))
        return ids[number]

    def person(household_id: str, name: str, sex: str, birth: dt.date, relation: str, **extra: object) -> str:
        data = hh.PersonInput(name=name, sex=sex, birth_date=birth, relation=relation, **extra)  # type: ignore[arg-type]
        ids[name] = hh.add_person(db, officer, household_id, data, TODAY)
        return ids[name]

    h2 = household("2", 1, "红星村一组 2 号", "13900001111")
    person(h2, "张伟", "M", D(1988, 5, 2), "head", marital_status="first_marriage")
    person(h2, "李娜", "F", D(1992, 8, 15), "spouse", marital_status="first_marriage", id_number=ID_LINA)
    person(h2, "张小宝", "M", D(2026, 3, 10), "son")
    person(h2, "王秀英", "F", D(1950, 2, 1), "mother", marital_status="widowed")
    person(
        h2, "张丽", "F", D(1998, 9, 9), "sibling", residence_status="out_migrant", residence_place="广东东莞"
    )
    person(h2, "张强", "M", D(1985, 1, 1), "sibling")
    person(h2, "张芳", "F", D(1996, 1, 1), "sibling")
    hh.record_death(db, officer, ids["张强"], D(2025, 5, 1), TODAY)
    hh.record_move_away(db, officer, ids["张芳"], D(2024, 6, 1), "四川成都", TODAY, permanent=True)
    care.choose_method(
        db,
        officer,
        ids["李娜"],
        care.MethodInput("iud", D(2026, 10, 20), counselled_on=D(2026, 10, 15)),
        TODAY,
    )

    h10 = household("10", 1, "红星村一组 10 号")
    person(h10, "陈静", "F", D(1995, 4, 4), "head", marital_status="first_marriage")
    care.start_folic_course(
        db,
        officer,
        ids["陈静"],
        care.FolicCourseInput(TODAY - dt.timedelta(days=150), bottles_issued=2),
        TODAY,
    )
    lmp = TODAY - dt.timedelta(days=LMP_DAYS_AGO)
    pregnancies.register_pregnancy(
        db, officer, ids["陈静"], pregnancies.PregnancyInput(lmp=lmp, registration_date=TODAY), TODAY
    )

    h9 = household("9", 2, "红星村二组 9 号")
    person(h9, "赵刚", "M", D(1960, 7, 7), "head", marital_status="first_marriage")
    care.add_support(
        db,
        officer,
        h9,
        care.SupportInput(
            "reward",
            ids["赵刚"],
            year_confirmed=2026,
            assigned_on=D(2026, 1, 15),
            contact_name="刘晓明",
            contact_phone="17304537978",
        ),
        TODAY,
    )
    return ids
