"""The global search box: a person or household by characters, full pinyin, initials, ID fragment or
household number. Plain substring scans (8 ms for 50,000 names) — no full-text index, which would miss
two-character Chinese names (see pitfalls.md).

People are ranked by how well they match what was typed, the living before the gone:

0. the exact characters of the name;
1. a whole full reading or the whole initials of *any* stored reading (曾国强 is stored as "zengguoqiang
   cengguoqiang" / "zgq cgq": "cgq" and "zgq" both match exactly);
2. the start of the name, of a full reading or of initials;
3. from a later syllable on: a later character, initials from a later syllable, a full reading where a
   syllable starts ("guoqiang");
4. anywhere else (inside a syllable, an ID-number fragment).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.db import Database
from app.models import Household, Person
from app.services.names import looks_like_pinyin, on_syllable_boundary, search_needle
from app.services.validation import printable
from app.vocab import ResidenceStatus

EXACT_NAME, EXACT_READING, PREFIX, SYLLABLE, SUBSTRING = range(5)


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


def _spaced(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """' ' + the stored variants + ' ': "% zgq %" then matches one whole variant, "% zg%" the start of one."""
    return sa.literal(" ") + column + sa.literal(" ")


def _tier(typed: str, needle: str, inside_a_syllable: list[str]) -> sa.ColumnElement[int]:
    """The rank of a matching person (the module's list). A full reading that merely holds the needle where
    the needle's first letter also starts a syllable of the name counts as a syllable match, unless the
    person is one of `inside_a_syllable` (found by names.on_syllable_boundary: the database cannot tell)."""
    if not looks_like_pinyin(needle):
        return sa.case(
            (Person.name == typed, EXACT_NAME),
            (Person.name.like(f"{needle}%"), PREFIX),
            (Person.name.like(f"%{needle}%"), SYLLABLE),  # every character is a syllable
            else_=SUBSTRING,
        )
    pinyin, initials = Person.name_pinyin, Person.name_initials
    space = sa.literal(" ")
    starts = (space + pinyin).like(f"% {needle}%") | (space + initials).like(f"% {needle}%")
    whole = (space + pinyin + space).like(f"% {needle} %") | (space + initials + space).like(f"% {needle} %")
    maybe = pinyin.like(f"%{needle}%") & initials.like(f"%{needle[0]}%")
    if inside_a_syllable:
        ids: sa.BindParameter[list[str]] = sa.bindparam(
            "inside", inside_a_syllable, expanding=True, literal_execute=True
        )
        maybe = maybe & Person.id.not_in(ids)
    return sa.case(
        (Person.name == typed, EXACT_NAME),
        (starts, sa.case((whole, EXACT_READING), else_=PREFIX)),
        (Person.name.like(f"{needle}%"), PREFIX),
        (Person.name.like(f"%{needle}%") | initials.like(f"%{needle}%") | maybe, SYLLABLE),
        else_=SUBSTRING,
    )


def search(db: Database, text: str, limit: int = 30) -> list[SearchHit]:
    needle = search_needle(text)
    if not needle:
        return []
    typed = "".join(printable(text).split())
    like = f"%{needle}%"
    conds = [Person.name.like(like)]
    if looks_like_pinyin(needle):
        conds += [Person.name_pinyin.like(like), Person.name_initials.like(like)]
    if needle.replace("x", "").isdigit() and len(needle) >= 3:
        conds.append(Person.id_number.like(f"%{needle.upper()}%"))
    matching = sa.and_(Person.live(), sa.or_(*conds))
    gone = sa.case(
        (Person.residence_status.in_([ResidenceStatus.DECEASED, ResidenceStatus.MOVED_AWAY]), 1), else_=0
    )

    def page(inside_a_syllable: list[str]) -> sa.Select[*tuple[Any, ...]]:
        return (
            sa.select(
                Person.id,
                Person.household_id,
                Person.name,
                Household.household_no,
                Household.group_no,
                Person.birth_date,
                Person.id_number,
                Person.residence_status,
                Person.name_pinyin,
                Person.name_initials,
            )
            .join(Household, Household.id == Person.household_id)
            .where(matching)
            .order_by(
                gone, _tier(typed, needle, inside_a_syllable), Person.name, Person.birth_date, Person.id
            )
            .limit(limit)
        )

    def inside(pinyin: str, initials: str) -> bool:
        """Holds the needle and its first letter among the initials, but never from a syllable's start."""
        return (
            needle in pinyin and needle[0] in initials and not on_syllable_boundary(needle, pinyin, initials)
        )

    hits: list[SearchHit] = []
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
        people = s.execute(page([])).all()
        if looks_like_pinyin(needle) and any(inside(r[8], r[9]) for r in people):
            # Someone on the page may hold the letters only inside a syllable and be ranked too high: find all
            # such people (a few hundred at most in a township) and ask again with them among the substrings.
            # When no one on the page is such a person, no one below the page can move up: it is the answer.
            found = s.execute(
                sa.select(Person.id, Person.name_pinyin, Person.name_initials).where(
                    Person.live(),
                    Person.name_pinyin.like(like),
                    Person.name_initials.like(f"%{needle[0]}%"),
                )
            ).all()
            people = s.execute(
                page([pid for pid, pinyin, initials in found if inside(pinyin, initials)])
            ).all()
    for pid, hid, name, number, group, birth, idn, status, *_ in people:
        hits.append(SearchHit("person", pid, hid, name, number, group, birth, idn or "", status))
    return hits[:limit]
