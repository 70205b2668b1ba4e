"""育龄妇女: the register of women of reproductive age (female, 15–49 full years on a reference date).

One SQL query per listing: the age rule is turned into birth-date bounds (so the birth_date index does the
work at township scale), and the current method, open pregnancy and folic-acid course come from outer joins
and a correlated EXISTS — never a query per woman.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from app.db import Database
from app.models import ContraceptiveEpisode, FolicAcidCourse, Household, Person, Pregnancy
from app.services.names import search_needle
from app.services.validation import full_years
from app.vocab import PRESENT, Sex

MIN_AGE = 15
MAX_AGE = 49
AGE_BANDS: tuple[tuple[int, int], ...] = (
    (15, 19),
    (20, 24),
    (25, 29),
    (30, 34),
    (35, 39),
    (40, 44),
    (45, 49),
)


@dataclass(frozen=True)
class WomanRow:
    id: str
    household_id: str
    household_no: str
    group_no: int
    name: str
    birth_date: dt.date
    age: int  # full years (周岁) on the reference date
    id_number: str
    marital_status: str
    phone: str  # hers, else the household's
    residence_status: str
    method: str  # code of the current contraceptive method, "" when none is recorded
    pregnant: bool
    edd: dt.date | None
    folic_acid: bool  # on a folic-acid course on the reference date


def born_on_or_before_for_age(age: int, on: dt.date) -> dt.date:
    """The latest birth date of someone who is at least `age` full years old on `on`.

    That is the same day `age` years earlier; when `on` is 29 February and that year has none, 28 February
    (someone born on 1 March that year is still a day short) — consistent with full_years()."""
    year = on.year - age
    try:
        return on.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 2, 28)


def birth_bounds(on: dt.date, min_age: int = MIN_AGE, max_age: int = MAX_AGE) -> tuple[dt.date, dt.date]:
    """(exclusive lower, inclusive upper) birth-date bounds of people aged min_age..max_age full years on `on`:
    born after the first date and on or before the second."""
    return born_on_or_before_for_age(max_age + 1, on), born_on_or_before_for_age(min_age, on)


def list_women(
    db: Database,
    on: dt.date,
    group_no: int | None = None,
    marital: str | None = None,
    age_band: tuple[int, int] | None = None,
    text: str = "",
) -> list[WomanRow]:
    """Women of reproductive age present in the village on `on`, filtered in SQL."""
    low, high = MIN_AGE, MAX_AGE
    if age_band is not None:
        low, high = max(low, age_band[0]), min(high, age_band[1])
        if low > high:
            return []
    born_after, born_by = birth_bounds(on, low, high)
    method = sa.orm.aliased(ContraceptiveEpisode)
    pregnancy = sa.orm.aliased(Pregnancy)
    on_folic = (
        sa.select(FolicAcidCourse.id)
        .where(
            FolicAcidCourse.woman_id == Person.id,
            FolicAcidCourse.live(),
            FolicAcidCourse.start_date <= on,
            sa.or_(FolicAcidCourse.end_date.is_(None), FolicAcidCourse.end_date >= on),
        )
        .exists()
    )
    phone = sa.func.coalesce(sa.func.nullif(Person.phone, ""), Household.phone, "")
    q = (
        sa.select(
            Person.id,
            Person.household_id,
            Household.household_no,
            Household.group_no,
            Person.name,
            Person.birth_date,
            sa.func.coalesce(Person.id_number, ""),
            Person.marital_status,
            phone,
            Person.residence_status,
            sa.func.coalesce(method.method, ""),
            pregnancy.id,
            pregnancy.edd,
            on_folic,
        )
        .join(Household, Household.id == Person.household_id)
        .outerjoin(method, (method.person_id == Person.id) & method.current())
        .outerjoin(
            pregnancy,
            (pregnancy.woman_id == Person.id) & pregnancy.open(),
        )
        .where(
            Person.live(),
            Household.live(),
            Person.sex == Sex.FEMALE,
            Person.residence_status.in_(PRESENT),
            Person.birth_date > born_after,
            Person.birth_date <= born_by,
        )
    )
    if group_no is not None:
        q = q.where(Household.group_no == group_no)
    if marital:
        q = q.where(Person.marital_status == marital)
    needle = search_needle(text)
    if needle:
        like = f"%{needle}%"
        q = q.where(
            sa.or_(
                Person.name.like(like),
                Person.name_pinyin.like(like),
                Person.name_initials.like(like),
                Household.household_no.like(like),
            )
        )
    q = q.order_by(Household.household_no, Person.birth_date, Person.name)
    with db.read() as s:
        rows = s.execute(q).all()
    return [
        WomanRow(
            id=pid,
            household_id=hid,
            household_no=number,
            group_no=group,
            name=name,
            birth_date=birth,
            age=full_years(birth, on),
            id_number=id_number,
            marital_status=marital_status,
            phone=tel,
            residence_status=status,
            method=code,
            pregnant=pregnancy_id is not None,
            edd=edd,
            folic_acid=bool(folic),
        )
        for (
            pid,
            hid,
            number,
            group,
            name,
            birth,
            id_number,
            marital_status,
            tel,
            status,
            code,
            pregnancy_id,
            edd,
            folic,
        ) in rows
    ]
