"""Two records of one person: finding the possible duplicates, and merging them.

The officer sees both records side by side and picks each field from one or the other; the survivor takes the
other's pregnancies, care records, follow-ups, life events and supply issues, all in one transaction, and the
other record becomes `merged` with `merged_into` pointing at the survivor (an ordinary change that travels to
the township like any other). Nothing is deleted: the merged record and its history stay in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, Session

from app.actor import Actor
from app.clock import now_utc
from app.db import Database
from app.errors import DomainError
from app.models import (
    ContraceptiveEpisode,
    FolicAcidCourse,
    Followup,
    Household,
    Person,
    Pregnancy,
    PrepregnancyCheck,
    StockMovement,
    SupportEntitlement,
    VitalEvent,
)
from app.models.tracking import expect_rev
from app.services import followup_sync
from app.services.households import PersonRow, _claim_head, get_person, people_by_ids
from app.services.names import name_keys
from app.services.permissions import Permission, require
from app.services.records import live_person
from app.vocab import RecordStatus, Relation, ResidenceStatus

# The fields the officer chooses between, in the order of the member form. "household" moves the person with
# their relation to its head.
MERGE_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "id_number",
    "household",
    "marital_status",
    "marriage_date",
    "phone",
    "residence_status",
    "notes",
)
SURVIVOR, OTHER = "survivor", "other"
_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "household": ("household_id", "relation"),
    "residence_status": ("residence_status", "residence_place", "death_date"),
}


@dataclass(frozen=True)
class DuplicatePair:
    """Two live records that may be one person, and why: "id_number", "name_birth" or "pinyin_birth"."""

    first: PersonRow
    second: PersonRow
    reason: str


def possible_duplicates(db: Database) -> list[DuplicatePair]:
    """Pairs of records of this village that may be one person: the same ID number, or the same birth date and
    the same name, or the same birth date and the same main pinyin reading (张三 and 章三). Each pair once, with
    its strongest reason."""
    with db.read() as s:
        rows = s.execute(
            sa.select(Person.id, Person.name, Person.name_pinyin, Person.birth_date, Person.id_number).where(
                Person.live(), Person.owner == db.node
            )
        ).all()
    groups: dict[tuple[str, object], list[str]] = defaultdict(list)
    for pid, name, pinyin, birth, id_number in rows:
        if id_number:
            groups[("id_number", id_number)].append(pid)
        groups[("name_birth", (name, birth))].append(pid)
        main_reading = pinyin.split(" ")[0] if pinyin else ""
        if main_reading:
            groups[("pinyin_birth", (main_reading, birth))].append(pid)
    found: dict[tuple[str, str], str] = {}
    for reason in ("id_number", "name_birth", "pinyin_birth"):
        for (kind, _), ids in groups.items():
            if kind != reason or len(ids) < 2:
                continue
            ordered = sorted(ids)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1 :]:
                    found.setdefault((a, b), reason)
    people = {p.id: p for p in people_by_ids(db, sorted({pid for pair in found for pid in pair}))}
    return [
        DuplicatePair(people[a], people[b], reason)
        for (a, b), reason in sorted(found.items(), key=lambda item: (people[item[0][0]].name, item[0]))
        if a in people and b in people
    ]


def merge_preview(db: Database, survivor_id: str, other_id: str) -> tuple[PersonRow, PersonRow]:
    """The two records as the merge dialog shows them side by side."""
    return get_person(db, survivor_id), get_person(db, other_id)


def _refuse_overlaps(s: Session, survivor: Person, other: Person) -> None:
    both = [survivor.id, other.id]
    open_pregnancies = s.execute(
        sa.select(sa.func.count()).where(Pregnancy.woman_id.in_(both), Pregnancy.open())
    ).scalar_one()
    if open_pregnancies > 1:
        raise DomainError("merge.two_open_pregnancies", None)
    current_methods = s.execute(
        sa.select(sa.func.count()).where(
            ContraceptiveEpisode.person_id.in_(both), ContraceptiveEpisode.current()
        )
    ).scalar_one()
    if current_methods > 1:
        raise DomainError("merge.two_current_methods", None)
    open_courses = s.execute(
        sa.select(sa.func.count()).where(
            FolicAcidCourse.woman_id.in_(both), FolicAcidCourse.live(), FolicAcidCourse.end_date.is_(None)
        )
    ).scalar_one()
    if open_courses > 1:
        raise DomainError("merge.two_open_courses", None)


def do_merge_people(
    s: Session,
    actor: Actor,
    survivor_id: str,
    other_id: str,
    choices: Mapping[str, str],
    today: dt.date,
    expected_revs: tuple[int, int] | None = None,
) -> None:
    """Merge `other` into `survivor`, taking each field of MERGE_FIELDS from the record `choices` names
    (SURVIVOR by default)."""
    require(actor, Permission.REGISTER)
    if survivor_id == other_id:
        raise DomainError("merge.same_record", None)
    survivor, other = live_person(s, survivor_id), live_person(s, other_id)
    if expected_revs is not None:
        expect_rev(survivor, expected_revs[0])
        expect_rev(other, expected_revs[1])
    unknown = set(choices) - set(MERGE_FIELDS)
    if unknown or any(v not in (SURVIVOR, OTHER) for v in choices.values()):
        raise ValueError(f"unknown merge choices: {sorted(unknown) or choices}")
    _refuse_overlaps(s, survivor, other)

    # the merged record leaves first: its ID number and its place as head are free for the survivor
    old_household = s.get(Household, other.household_id)
    other.status, other.merged_into = RecordStatus.MERGED, survivor.id
    if old_household is not None and old_household.head_person_id == other.id:
        old_household.head_person_id = None
    s.flush()
    for field in MERGE_FIELDS:
        if choices.get(field) == OTHER:
            for column in _COLUMNS.get(field, (field,)):
                setattr(survivor, column, getattr(other, column))
    if choices.get("name") == OTHER:
        keys = name_keys(survivor.name)
        survivor.name_pinyin, survivor.name_initials = keys.pinyin, keys.initials
    if survivor.id_number:
        clash = s.execute(
            sa.select(Person.name).where(
                Person.owner == actor.node,
                Person.id_number == survivor.id_number,
                Person.live(),
                Person.residence_status != ResidenceStatus.DECEASED,
                Person.id != survivor.id,
            )
        ).scalar()
        if clash:
            raise DomainError("person.id_taken", "id_number", name=clash)
    if choices.get("household") == OTHER and survivor.relation == Relation.HEAD:
        household = s.get(Household, survivor.household_id)
        if household is not None:
            _claim_head(s, household, survivor)

    # everything recorded about the other record now belongs to the survivor
    link: QueryableAttribute[str | None]
    for link in (
        Pregnancy.woman_id,
        PrepregnancyCheck.woman_id,
        PrepregnancyCheck.partner_id,
        ContraceptiveEpisode.person_id,
        FolicAcidCourse.woman_id,
        SupportEntitlement.person_id,
        Followup.person_id,
        StockMovement.person_id,  # the ledger allows this one change: to the survivor of a merge
    ):
        model = link.class_
        for row in s.execute(sa.select(model).where(link == other.id)).scalars():
            setattr(row, link.key, survivor.id)
    _move_events(s, survivor, other)
    s.flush()
    followup_sync.refresh_people(s, [survivor.id, other.id], today)


def _move_events(s: Session, survivor: Person, other: Person) -> None:
    """Life events move to the survivor; one the survivor has already (same kind, same day) is voided rather
    than counted twice in the monthly report."""
    have = {
        (e.event_type, e.event_date)
        for e in s.execute(
            sa.select(VitalEvent).where(VitalEvent.person_id == survivor.id, VitalEvent.live())
        ).scalars()
    }
    for e in s.execute(
        sa.select(VitalEvent).where(VitalEvent.person_id == other.id, VitalEvent.live())
    ).scalars():
        if (e.event_type, e.event_date) in have:
            e.deleted_at, e.deleted_reason = now_utc(), "merge.duplicate_event"
        else:
            e.person_id = survivor.id
            have.add((e.event_type, e.event_date))


def merge_people(
    db: Database,
    actor: Actor,
    survivor_id: str,
    other_id: str,
    choices: Mapping[str, str],
    today: dt.date,
    expected_revs: tuple[int, int] | None = None,
) -> None:
    db.run(actor, do_merge_people, survivor_id, other_id, choices, today, expected_revs)
