"""The global search box: a person or household by characters, full pinyin, initials, ID fragment or
household number. Plain substring scans (8 ms for 50,000 names) — no full-text index, which would miss
two-character Chinese names (see pitfalls.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from app.db import Database
from app.models import Household, Person
from app.services.names import looks_like_pinyin, search_needle
from app.services.validation import printable
from app.vocab import ResidenceStatus


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "person" or "household"
    id: str
    household_id: str
    title: str  # name, or household number + head
    household_no: str
    group_no: int
    birth_date: dt.date | None
    id_number: str
    residence_status: str


def search(db: Database, text: str, limit: int = 30) -> list[SearchHit]:
    needle = search_needle(text)
    if not needle:
        return []
    like = f"%{needle}%"
    conds = [Person.name.like(like)]
    if looks_like_pinyin(needle):
        # initials and full readings; a prefix on a word boundary ranks first (see order below)
        conds += [Person.name_pinyin.like(like), Person.name_initials.like(like)]
    if needle.replace("x", "").isdigit() and len(needle) >= 3:
        conds.append(Person.id_number.like(f"%{needle.upper()}%"))
    hits: list[SearchHit] = []
    exact_name = sa.case(
        (Person.name == "".join(printable(text).split()), 0),
        (Person.name.like(f"{needle}%"), 1),
        (Person.name_initials == needle, 1),
        else_=2,
    )
    gone = sa.case(
        (Person.residence_status.in_([ResidenceStatus.DECEASED, ResidenceStatus.MOVED_AWAY]), 1), else_=0
    )
    with db.read() as s:
        if needle.isalnum() and not looks_like_pinyin(needle) or "-" in needle:
            households = s.execute(
                sa.select(Household.id, Household.household_no, Household.group_no)
                .where(Household.live(), Household.household_no.like(like))
                .order_by(Household.household_no)
                .limit(limit)
            ).all()
            for hid, number, group in households:
                hits.append(SearchHit("household", hid, hid, number, number, group, None, "", ""))
        people = s.execute(
            sa.select(
                Person.id,
                Person.household_id,
                Person.name,
                Household.household_no,
                Household.group_no,
                Person.birth_date,
                Person.id_number,
                Person.residence_status,
            )
            .join(Household, Household.id == Person.household_id)
            .where(Person.live(), sa.or_(*conds))
            .order_by(gone, exact_name, Person.name, Person.birth_date)
            .limit(limit)
        ).all()
        for pid, hid, name, number, group, birth, idn, status in people:
            hits.append(SearchHit("person", pid, hid, name, number, group, birth, idn or "", status))
    return hits[:limit]
