"""Households and their members: register, edit, move, and record births, deaths and moves.

Every change is a core taking the open session and the acting person (see "writing" below), attributed to
them; people are never deleted — a death or a move away is a vital event and a status, a record typed by
mistake is voided (app.services.voiding).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.actor import Actor
from app.db import Database
from app.errors import DomainError, NotFound
from app.models import Household, Person, VillagerGroup, VitalEvent
from app.models.tracking import expect_rev
from app.services import followup_sync, identity
from app.services.names import name_keys, search_needle
from app.services.permissions import Permission, require
from app.services.records import get_live, live_person
from app.services.validation import (
    check_birth_date,
    check_marriage_age,
    clean_phone,
    full_years,
    not_in_future,
    optional_text,
    required_text,
)
from app.vocab import (
    MARRIED,
    PRESENT,
    MaritalStatus,
    RecordStatus,
    Relation,
    ResidenceStatus,
    ResidenceType,
    Sex,
    VitalEventType,
)


@dataclass(frozen=True)
class HouseholdInput:
    household_no: str
    group_no: int
    address: str = ""
    phone: str | None = None
    residence_type: str = ResidenceType.LOCAL
    notes: str = ""


@dataclass(frozen=True)
class PersonInput:
    name: str
    sex: str | None = None
    birth_date: dt.date | None = None
    id_number: str | None = None
    relation: str = Relation.OTHER
    marital_status: str = MaritalStatus.UNMARRIED
    marriage_date: dt.date | None = None
    phone: str | None = None
    residence_status: str = ResidenceStatus.RESIDENT
    residence_place: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class HouseholdRow:
    id: str
    household_no: str
    group_no: int
    head_name: str
    address: str
    phone: str
    members: int
    residence_type: str


@dataclass(frozen=True)
class PersonRow:
    id: str
    household_id: str
    household_no: str
    group_no: int
    name: str
    sex: str
    birth_date: dt.date
    id_number: str
    relation: str
    marital_status: str
    marriage_date: dt.date | None
    phone: str
    residence_status: str
    residence_place: str
    death_date: dt.date | None
    notes: str
    rev: int = 0

    def age_on(self, day: dt.date) -> int:
        return full_years(self.birth_date, day)


@dataclass(frozen=True)
class DuplicateCandidate:
    person: PersonRow
    reason: str  # "id_number" or "name_birth"


@dataclass(frozen=True)
class CheckedPerson:
    """A PersonInput after validation: fields cleaned, ID-derived birth date and sex filled in."""

    data: PersonInput
    warnings: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------- validation


def check_person(data: PersonInput, today: dt.date) -> CheckedPerson:
    """Apply the domain rules to a member form; raise DomainError naming the first field at fault."""
    name = required_text(data.name, "name", 40)
    birth, sex = data.birth_date, data.sex
    id_number = None
    if data.id_number and data.id_number.strip():
        rid = identity.parse(data.id_number, "id_number", today=today)
        id_number = rid.number
        if birth is not None and birth != rid.birth_date:
            raise DomainError("person.birth_mismatch_id", "birth_date", id_birth=rid.birth_date.isoformat())
        if sex is not None and sex != rid.sex:
            raise DomainError("person.sex_mismatch_id", "sex")
        birth, sex = rid.birth_date, rid.sex
    if birth is None:
        raise DomainError("field.required", "birth_date")
    if sex not in (Sex.MALE, Sex.FEMALE):
        raise DomainError("field.required", "sex")
    check_birth_date(birth, today, "birth_date")
    if data.relation not in Relation.__members__.values():
        raise DomainError("field.invalid_choice", "relation")
    if data.marital_status not in MaritalStatus.__members__.values():
        raise DomainError("field.invalid_choice", "marital_status")
    marriage = data.marriage_date
    if data.marital_status == MaritalStatus.UNMARRIED:
        marriage = None
    warnings: tuple[str, ...] = ()
    if marriage is not None:
        not_in_future(marriage, today, "marriage_date")
        if marriage <= birth:
            raise DomainError("person.marriage_before_birth", "marriage_date")
        under_age = check_marriage_age(birth, marriage, sex, "marriage_date")
        if under_age:
            warnings += (under_age,)
    if data.residence_status not in ResidenceStatus.__members__.values():
        raise DomainError("field.invalid_choice", "residence_status")
    if data.residence_status == ResidenceStatus.DECEASED:
        raise DomainError("person.use_record_death", "residence_status")
    place = optional_text(data.residence_place, "residence_place", 120) or None
    if data.residence_status in (ResidenceStatus.OUT_MIGRANT, ResidenceStatus.IN_MIGRANT) and not place:
        raise DomainError("person.place_required", "residence_place")
    phone = clean_phone(data.phone, "phone")
    notes = optional_text(data.notes, "notes", 2000, multiline=True)
    cleaned = replace(
        data,
        name=name,
        sex=sex,
        birth_date=birth,
        id_number=id_number,
        marriage_date=marriage,
        residence_place=place,
        phone=phone,
        notes=notes,
    )
    if data.marital_status in MARRIED and marriage is None:
        warnings += ("person.marriage_date_missing",)
    return CheckedPerson(cleaned, warnings)


def check_household(data: HouseholdInput) -> HouseholdInput:
    number = required_text(data.household_no, "household_no", 20)
    if data.residence_type not in ResidenceType.__members__.values():
        raise DomainError("field.invalid_choice", "residence_type")
    return replace(
        data,
        household_no=number,
        address=optional_text(data.address, "address", 120),
        phone=clean_phone(data.phone, "phone"),
        notes=optional_text(data.notes, "notes", 2000, multiline=True),
    )


# ---------------------------------------------------------------- reading


def _person_row(p: Person, h: Household) -> PersonRow:
    return PersonRow(
        id=p.id,
        household_id=h.id,
        household_no=h.household_no,
        group_no=h.group_no,
        name=p.name,
        sex=p.sex,
        birth_date=p.birth_date,
        id_number=p.id_number or "",
        relation=p.relation,
        marital_status=p.marital_status,
        marriage_date=p.marriage_date,
        phone=p.phone or "",
        residence_status=p.residence_status,
        residence_place=p.residence_place or "",
        death_date=p.death_date,
        notes=p.notes,
        rev=p.rev,
    )


def list_groups(db: Database) -> list[tuple[int, str]]:
    with db.read() as s:
        rows = s.execute(
            sa.select(VillagerGroup.number, VillagerGroup.name)
            .where(VillagerGroup.live())
            .order_by(VillagerGroup.number)
        )
        return [(n, name) for n, name in rows]


def list_households(
    db: Database, text: str = "", group_no: int | None = None, household_id: str | None = None
) -> list[HouseholdRow]:
    """The household register, filtered in SQL by household number, head, address, phone or any member's
    name (characters, full pinyin, initials). The page filters the in-memory `load_register` instead, which
    is several times faster per keystroke at township scale."""
    head = sa.orm.aliased(Person)
    present = Person.residence_status.in_(PRESENT) & Person.live()
    members = (
        sa.select(Person.household_id, sa.func.count().label("n"))
        .where(present)
        .group_by(Person.household_id)
        .subquery()
    )
    q = (
        sa.select(
            Household.id,
            Household.household_no,
            Household.group_no,
            sa.func.coalesce(head.name, ""),
            Household.address,
            sa.func.coalesce(Household.phone, ""),
            sa.func.coalesce(members.c.n, 0),
            Household.residence_type,
        )
        .outerjoin(head, head.id == Household.head_person_id)
        .outerjoin(members, members.c.household_id == Household.id)
        .where(Household.live())
    )
    if group_no is not None:
        q = q.where(Household.group_no == group_no)
    if household_id is not None:
        q = q.where(Household.id == household_id)
    needle = search_needle(text)
    if needle:
        like = f"%{needle}%"
        member_match = sa.select(Person.household_id).where(
            Person.live(),
            sa.or_(Person.name.like(like), Person.name_pinyin.like(like), Person.name_initials.like(like)),
        )
        q = q.where(
            sa.or_(
                Household.household_no.like(like),
                Household.address.like(like),
                Household.phone.like(like),
                Household.id.in_(member_match),
            )
        )
    q = q.order_by(Household.household_no)
    with db.read() as s:
        return [HouseholdRow(*r) for r in s.execute(q)]


@dataclass(frozen=True)
class HouseholdRegister:
    """The whole household register in memory, with one lower-case search text per household (number,
    address, phone, and every member's name, pinyin and initials). Filtering it on each keystroke takes a
    few milliseconds at township scale, where the same filter in SQL takes 30–100 ms (pitfalls.md)."""

    rows: tuple[HouseholdRow, ...]
    haystacks: tuple[str, ...]

    def filter(self, text: str = "", group_no: int | None = None) -> list[HouseholdRow]:
        needle = search_needle(text)
        return [
            row
            for row, hay in zip(self.rows, self.haystacks, strict=True)
            if (group_no is None or row.group_no == group_no) and (not needle or needle in hay)
        ]


def load_register(db: Database) -> HouseholdRegister:
    rows = list_households(db)
    words: dict[str, list[str]] = {r.id: [r.household_no, r.address, r.phone] for r in rows}
    with db.read() as s:
        people = s.execute(
            sa.select(Person.household_id, Person.name, Person.name_pinyin, Person.name_initials).where(
                Person.live()
            )
        )
        for household_id, name, pinyin, initials in people:
            bucket = words.get(household_id)
            if bucket is not None:
                bucket += (name, pinyin, initials)
    # "\x00" between words keeps a needle from matching across two of them
    return HouseholdRegister(tuple(rows), tuple("\x00".join(words[r.id]).lower() for r in rows))


def household_members(db: Database, household_id: str, include_gone: bool = True) -> list[PersonRow]:
    relation_order = sa.case({r.value: i for i, r in enumerate(Relation)}, value=Person.relation, else_=99)
    q = (
        sa.select(Person, Household)
        .join(Household, Household.id == Person.household_id)
        .where(Person.household_id == household_id, Person.live())
    )
    if not include_gone:
        q = q.where(Person.residence_status.in_(PRESENT))
    q = q.order_by(relation_order, Person.birth_date)
    with db.read() as s:
        return [_person_row(p, h) for p, h in s.execute(q)]


def present_members(db: Database, group_no: int | None = None) -> Iterator[PersonRow]:
    """Present members of every household (of one villager group, or all), in household-number order, head
    first then by birth date — read in one query and handed over one by one, for the household register's
    export (household_members per household would be one query each)."""
    relation_order = sa.case({r.value: i for i, r in enumerate(Relation)}, value=Person.relation, else_=99)
    # rows of anything: sa.select types its first ten columns only, and mypy cannot spread such a row into PersonRow
    q: sa.Select[*tuple[Any, ...]] = (
        sa.select(
            Person.id,
            Household.id,
            Household.household_no,
            Household.group_no,
            Person.name,
            Person.sex,
            Person.birth_date,
            sa.func.coalesce(Person.id_number, ""),
            Person.relation,
            Person.marital_status,
            Person.marriage_date,
            sa.func.coalesce(Person.phone, ""),
            Person.residence_status,
            sa.func.coalesce(Person.residence_place, ""),
            Person.death_date,
            Person.notes,
            Person.rev,
        )
        .join(Household, Household.id == Person.household_id)
        .where(
            Person.live(),
            Household.live(),
            Person.residence_status.in_(PRESENT),
        )
        .order_by(Household.household_no, Household.id, relation_order, Person.birth_date, Person.name)
    )
    if group_no is not None:
        q = q.where(Household.group_no == group_no)
    with db.read() as s:
        for r in s.execute(q):
            yield PersonRow(*r)


def get_household(db: Database, household_id: str) -> HouseholdRow:
    rows = list_households(db, household_id=household_id)
    if not rows:
        raise NotFound("household.not_found")
    return rows[0]


def household_input(db: Database, household_id: str) -> tuple[HouseholdInput, int]:
    """The household as its edit form shows it, and the revision the form opens it at."""
    with db.read() as s:
        h = s.get(Household, household_id)
        if h is None or h.deleted_at is not None:
            raise NotFound("household.not_found")
        data = HouseholdInput(h.household_no, h.group_no, h.address, h.phone, h.residence_type, h.notes)
        return data, h.rev


def get_person(db: Database, person_id: str) -> PersonRow:
    with db.read() as s:
        row = s.execute(
            sa.select(Person, Household)
            .join(Household, Household.id == Person.household_id)
            .where(Person.id == person_id)
        ).first()
        if row is None or row[0].deleted_at is not None or row[0].status != RecordStatus.ACTIVE:
            raise NotFound("person.not_found")  # voided, or merged into another record
        return _person_row(*row)


def people_by_ids(db: Database, person_ids: Sequence[str]) -> list[PersonRow]:
    """The people with these ids (each once, deleted records left out), in the order given: the list behind
    a number of the monthly report."""
    wanted = list(dict.fromkeys(person_ids))
    found: dict[str, PersonRow] = {}
    with db.read() as s:
        for start in range(0, len(wanted), 500):  # well under SQLite's limit of bound parameters
            chunk = wanted[start : start + 500]
            for p, h in s.execute(
                sa.select(Person, Household)
                .join(Household, Household.id == Person.household_id)
                .where(Person.id.in_(chunk), Person.live())
            ):
                found[p.id] = _person_row(p, h)
    return [found[pid] for pid in wanted if pid in found]


def find_duplicates(
    db: Database, data: PersonInput, exclude_id: str | None = None
) -> list[DuplicateCandidate]:
    """People who may be the same as `data`: the same ID number, or the same name and birth date."""
    conds = []
    number = None
    if data.id_number:
        try:
            number = identity.parse(data.id_number).number
        except DomainError:
            number = None
    if number:
        conds.append(Person.id_number == number)
    if data.name and data.birth_date:
        conds.append((Person.name == data.name.strip()) & (Person.birth_date == data.birth_date))
    if not conds:
        return []
    q = (
        sa.select(Person, Household)
        .join(Household, Household.id == Person.household_id)
        .where(Person.live(), sa.or_(*conds))
    )
    if exclude_id:
        q = q.where(Person.id != exclude_id)
    with db.read() as s:
        found = []
        for p, h in s.execute(q.order_by(Person.name)):
            reason = "id_number" if number and p.id_number == number else "name_birth"
            found.append(DuplicateCandidate(_person_row(p, h), reason))
        return found


# ---------------------------------------------------------------- writing
#
# Each change is a core `do_*(s, actor, ...)` working inside the transaction it is given (an importer runs
# thousands of them in one) and a thin wrapper that opens the transaction (db.run) for a form.


def group_id_of(s: Session, actor: Actor, group_no: int) -> str:
    """The id of villager group `group_no` of the acting node's village (refused if it has no such group)."""
    gid = s.execute(
        sa.select(VillagerGroup.id).where(
            VillagerGroup.owner == actor.node, VillagerGroup.number == group_no, VillagerGroup.live()
        )
    ).scalar()
    if gid is None:
        raise DomainError("household.group_unknown", "group_no", group=group_no)
    return gid


def _ensure_number_free(s: Session, actor: Actor, number: str, exclude_id: str | None = None) -> None:
    q = sa.select(Household.id).where(
        Household.owner == actor.node, Household.household_no == number, Household.live()
    )
    if exclude_id:
        q = q.where(Household.id != exclude_id)
    if s.execute(q).first():
        raise DomainError("household.number_taken", "household_no", number=number)


def _ensure_id_free(s: Session, actor: Actor, id_number: str | None, exclude_id: str | None = None) -> None:
    if not id_number:
        return
    q = sa.select(Person.name).where(
        Person.owner == actor.node,
        Person.id_number == id_number,
        Person.live(),
        Person.residence_status != ResidenceStatus.DECEASED,
    )
    if exclude_id:
        q = q.where(Person.id != exclude_id)
    other = s.execute(q).scalar()
    if other:
        raise DomainError("person.id_taken", "id_number", name=other)


def live_household(s: Session, household_id: str, field: str | None = None) -> Household:
    return get_live(s, Household, household_id, "household.not_found", field)


def _claim_head(s: Session, h: Household, p: Person) -> None:
    """Make `p` the head of `h`, unless another present member already is."""
    if h.head_person_id and h.head_person_id != p.id:
        current = s.get(Person, h.head_person_id)
        if current is not None and current.residence_status in PRESENT and current.deleted_at is None:
            raise DomainError("household.has_head", "relation", name=current.name)
    h.head_person_id = p.id


def do_create_household(s: Session, actor: Actor, data: HouseholdInput) -> str:
    require(actor, Permission.REGISTER)
    data = check_household(data)
    group_id = group_id_of(s, actor, data.group_no)
    _ensure_number_free(s, actor, data.household_no)
    h = Household(
        household_no=data.household_no,
        group_id=group_id,
        address=data.address,
        phone=data.phone,
        residence_type=data.residence_type,
        notes=data.notes,
    )
    s.add(h)
    s.flush()
    return h.id


def create_household(db: Database, actor: Actor, data: HouseholdInput) -> str:
    return db.run(actor, do_create_household, data)


def do_update_household(
    s: Session, actor: Actor, household_id: str, data: HouseholdInput, expected_rev: int | None = None
) -> None:
    require(actor, Permission.REGISTER)
    data = check_household(data)
    h = live_household(s, household_id)
    expect_rev(h, expected_rev)
    group_id = group_id_of(s, actor, data.group_no)
    _ensure_number_free(s, actor, data.household_no, exclude_id=household_id)
    h.household_no, h.group_id, h.address = data.household_no, group_id, data.address
    h.phone, h.residence_type, h.notes = data.phone, data.residence_type, data.notes


def update_household(
    db: Database, actor: Actor, household_id: str, data: HouseholdInput, expected_rev: int | None = None
) -> None:
    db.run(actor, do_update_household, household_id, data, expected_rev)


def _apply_person(p: Person, d: PersonInput) -> None:
    keys = name_keys(d.name)
    p.name, p.name_pinyin, p.name_initials = d.name, keys.pinyin, keys.initials
    p.sex, p.birth_date, p.id_number = d.sex, d.birth_date, d.id_number  # type: ignore[assignment]
    p.relation, p.marital_status, p.marriage_date = d.relation, d.marital_status, d.marriage_date
    p.phone, p.residence_status, p.residence_place, p.notes = (
        d.phone,
        d.residence_status,
        d.residence_place,
        d.notes,
    )


def do_add_person(
    s: Session,
    actor: Actor,
    household_id: str,
    data: PersonInput,
    today: dt.date,
    arrival: VitalEventType | None = None,
    event_date: dt.date | None = None,
) -> str:
    """Add a member. `arrival` records how they came: BIRTH (a newborn) or MOVE_IN, or None for people
    registered from the existing paper register (no event: they were already in the village)."""
    require(actor, Permission.REGISTER)
    checked = check_person(data, today).data
    if arrival not in (None, VitalEventType.BIRTH, VitalEventType.MOVE_IN):
        raise ValueError("arrival must be a birth or a move in")
    if arrival == VitalEventType.BIRTH:
        event_date = checked.birth_date
    elif arrival == VitalEventType.MOVE_IN:
        event_date = event_date or today
        not_in_future(event_date, today, "event_date")
        if event_date < checked.birth_date:  # type: ignore[operator]
            raise DomainError("event.before_birth", "event_date")
    h = live_household(s, household_id)
    _ensure_id_free(s, actor, checked.id_number)
    p = Person(household_id=h.id)
    _apply_person(p, checked)
    s.add(p)
    s.flush()
    if checked.relation == Relation.HEAD:
        _claim_head(s, h, p)
    if arrival is not None:
        s.add(
            VitalEvent(
                person_id=p.id,
                household_id=h.id,
                event_type=arrival,
                event_date=event_date,
                place=checked.residence_place if arrival == VitalEventType.MOVE_IN else None,
                residence_status=checked.residence_status if arrival == VitalEventType.MOVE_IN else None,
            )
        )
    return p.id


def add_person(
    db: Database,
    actor: Actor,
    household_id: str,
    data: PersonInput,
    today: dt.date,
    arrival: VitalEventType | None = None,
    event_date: dt.date | None = None,
) -> str:
    return db.run(actor, do_add_person, household_id, data, today, arrival, event_date)


def do_update_person(
    s: Session,
    actor: Actor,
    person_id: str,
    data: PersonInput,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    """Save an edited member. A marriage or divorce typed here is recorded as a vital event too.
    `expected_rev` refuses to overwrite a change someone else saved meanwhile."""
    require(actor, Permission.REGISTER)
    checked = check_person(data, today).data
    p = live_person(s, person_id)
    expect_rev(p, expected_rev)
    if p.residence_status == ResidenceStatus.DECEASED:
        raise DomainError("person.is_deceased", None)
    _ensure_id_free(s, actor, checked.id_number, exclude_id=person_id)
    was_married = p.marital_status in MARRIED
    now_married = checked.marital_status in MARRIED
    _apply_person(p, checked)
    h = live_household(s, p.household_id)
    if checked.relation == Relation.HEAD:
        _claim_head(s, h, p)
    elif h.head_person_id == p.id:
        h.head_person_id = None
    if now_married and not was_married:
        s.add(
            VitalEvent(
                person_id=p.id,
                household_id=h.id,
                event_type=VitalEventType.MARRIAGE,
                event_date=checked.marriage_date or today,
            )
        )
    elif was_married and checked.marital_status == MaritalStatus.DIVORCED:
        s.add(
            VitalEvent(person_id=p.id, household_id=h.id, event_type=VitalEventType.DIVORCE, event_date=today)
        )


def update_person(
    db: Database,
    actor: Actor,
    person_id: str,
    data: PersonInput,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    db.run(actor, do_update_person, person_id, data, today, expected_rev)


def do_record_death(
    s: Session, actor: Actor, person_id: str, death_date: dt.date, today: dt.date, notes: str = ""
) -> None:
    require(actor, Permission.REGISTER)
    not_in_future(death_date, today, "death_date")
    p = live_person(s, person_id)
    if p.residence_status == ResidenceStatus.DECEASED:
        raise DomainError("person.is_deceased", None)
    if death_date < p.birth_date:
        raise DomainError("person.death_before_birth", "death_date")
    p.residence_status, p.death_date = ResidenceStatus.DECEASED, death_date
    s.add(
        VitalEvent(
            person_id=p.id,
            household_id=p.household_id,
            event_type=VitalEventType.DEATH,
            event_date=death_date,
            notes=optional_text(notes, "notes", 2000, multiline=True),
        )
    )
    _widow_spouse(s, p)
    followup_sync.refresh_people(s, [p.id], today)  # due follow-ups are cancelled with the death


def record_death(
    db: Database, actor: Actor, person_id: str, death_date: dt.date, today: dt.date, notes: str = ""
) -> None:
    db.run(actor, do_record_death, person_id, death_date, today, notes)


def _widow_spouse(s: Session, deceased: Person) -> None:
    """The living spouse of a deceased head (or the head of a deceased spouse) becomes widowed."""
    if deceased.relation not in (Relation.HEAD, Relation.SPOUSE) or deceased.marital_status not in MARRIED:
        return
    other_relation = Relation.SPOUSE if deceased.relation == Relation.HEAD else Relation.HEAD
    spouse = (
        s.execute(
            sa.select(Person).where(
                Person.household_id == deceased.household_id,
                Person.relation == other_relation,
                Person.live(),
                Person.residence_status != ResidenceStatus.DECEASED,
                Person.marital_status.in_(MARRIED),
            )
        )
        .scalars()
        .first()
    )
    if spouse is not None:
        spouse.marital_status = MaritalStatus.WIDOWED


def do_record_move_away(
    s: Session,
    actor: Actor,
    person_id: str,
    move_date: dt.date,
    destination: str,
    today: dt.date,
    permanent: bool = True,
) -> None:
    """迁出 (permanent: leaves the register) or 外出流动 (temporary: stays, marked as out-migrant)."""
    require(actor, Permission.REGISTER)
    not_in_future(move_date, today, "event_date")
    place = required_text(destination, "residence_place", 120)
    p = live_person(s, person_id)
    if p.residence_status in (ResidenceStatus.DECEASED, ResidenceStatus.MOVED_AWAY):
        raise DomainError("person.not_present", None)
    if move_date < p.birth_date:
        raise DomainError("event.before_birth", "event_date")
    p.residence_status = ResidenceStatus.MOVED_AWAY if permanent else ResidenceStatus.OUT_MIGRANT
    p.residence_place = place
    s.add(
        VitalEvent(
            person_id=p.id,
            household_id=p.household_id,
            event_type=VitalEventType.MOVE_OUT,
            event_date=move_date,
            place=place,
            residence_status=p.residence_status,
        )
    )
    if permanent:  # an out-migrant stays in the population and keeps the follow-ups
        followup_sync.refresh_people(s, [p.id], today)


def record_move_away(
    db: Database,
    actor: Actor,
    person_id: str,
    move_date: dt.date,
    destination: str,
    today: dt.date,
    permanent: bool = True,
) -> None:
    db.run(actor, do_record_move_away, person_id, move_date, destination, today, permanent)


def do_move_to_household(
    s: Session, actor: Actor, person_id: str, household_id: str, relation: str, today: dt.date
) -> None:
    """Move a member to another household of the village (e.g. after a marriage or a household split).
    Not a vital event: the person stays in the village's population."""
    require(actor, Permission.REGISTER)
    if relation not in Relation.__members__.values():
        raise DomainError("field.invalid_choice", "relation")
    p = live_person(s, person_id)
    if p.residence_status not in PRESENT:
        raise DomainError("person.not_present", None)
    if p.household_id == household_id:
        raise DomainError("person.same_household", "household")
    old = live_household(s, p.household_id)
    new = live_household(s, household_id)
    if old.head_person_id == p.id:
        old.head_person_id = None
    p.household_id, p.relation = new.id, relation
    if relation == Relation.HEAD:
        _claim_head(s, new, p)


def move_to_household(
    db: Database, actor: Actor, person_id: str, household_id: str, relation: str, today: dt.date
) -> None:
    db.run(actor, do_move_to_household, person_id, household_id, relation, today)
