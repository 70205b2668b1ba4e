"""A small village with follow-ups, built through the services, for the follow-up page and visit-list tests.

Four pregnant women, their last menstrual periods chosen so that on TODAY (Tuesday 2026-11-24; the week is
Monday 11-23 to Sunday 11-29) each has an antenatal window open this week:

- 李梅 (0101, group 1), LMP TODAY-120: 第2次产检 11-16 to 12-20 this week; 第1次 missed.
- 王芳 (0201, group 2), LMP TODAY-200: 第4次产检 11-20 to 2027-01-21 this week; 1st to 3rd missed.
- 欧阳晓燕 (0302, group 3), LMP TODAY-20: 第1次产检 11-04 to 2027-02-02 this week.
- 赵红 (0302, group 3), LMP TODAY-265: 第5次产检 11-18 to 12-15 this week; EDD 12-09, in 15 days.
"""

from __future__ import annotations

import datetime as dt

from app.db import Database
from app.services import households as hh
from app.services import pregnancies
from tests.conftest import TODAY

LMP_DAYS_AGO = {"李梅": 120, "王芳": 200, "欧阳晓燕": 20, "赵红": 265}
WEEK = {"李梅": "anc2", "王芳": "anc4", "欧阳晓燕": "anc1", "赵红": "anc5"}
# Overdue lists windows that closed in the last 90 days (followups.OVERDUE_DAYS): 王芳's anc1 closed 110
# days ago and 赵红's anc1–anc3 175, 119 and 91 days ago, so they are missed but no longer on the list.
OVERDUE = {("李梅", "anc1"), ("王芳", "anc2"), ("王芳", "anc3"), ("赵红", "anc4")}  # fmt: skip


def build_village(db: Database, officer: str) -> dict[str, str]:
    """Returns the ids: household numbers -> household id, names -> person id."""
    ids: dict[str, str] = {}

    def household(number: str, group: int, address: str, phone: str | None = None) -> str:
        ids[number] = hh.create_household(db, officer, hh.HouseholdInput(number, group, address, phone))
        return ids[number]

    def person(
        household_id: str, name: str, sex: str, birth: dt.date, relation: str, **extra: object
    ) -> None:
        data = hh.PersonInput(
            name=name,
            sex=sex,
            birth_date=birth,
            relation=relation,
            marital_status="first_marriage",
            **extra,  # type: ignore[arg-type]
        )
        ids[name] = hh.add_person(db, officer, household_id, data, TODAY)

    h1 = household("0101", 1, "红星村一组 1 号", "13900001111")
    person(h1, "张三", "M", dt.date(1990, 3, 7), "head")
    person(h1, "李梅", "F", dt.date(1992, 8, 15), "spouse")
    h2 = household("0201", 2, "红星村二组 7 号")
    person(h2, "曾国强", "M", dt.date(1993, 1, 2), "head", phone="13800002222")
    person(h2, "王芳", "F", dt.date(1995, 6, 1), "spouse", phone="13700003333")
    h3 = household("0302", 3, "红星村三组 12 号", "13600004444")
    person(h3, "欧阳晓燕", "F", dt.date(1988, 12, 1), "head")
    person(h3, "赵红", "F", dt.date(1998, 4, 20), "daughter_in_law")
    for name, days in LMP_DAYS_AGO.items():
        data = pregnancies.PregnancyInput(lmp=TODAY - dt.timedelta(days=days), registration_date=TODAY)
        ids[f"pregnancy:{name}"] = pregnancies.register_pregnancy(db, officer, ids[name], data, TODAY)
    return ids
