"""孕情: registering a pregnancy (LMP → EDD, weeks), editing it, recording its outcome — a live birth
creates the newborns in the mother's household with a birth event — and the list of open pregnancies.
There is no field for a fetus's sex, by design (shared/design/domain.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.actor import Actor
from app.db import Database
from app.errors import DomainError, NotFound
from app.models import Followup, Household, Person, Pregnancy, VitalEvent
from app.models.tracking import expect_rev
from app.services import followup_sync, identity, risk
from app.services.names import name_keys
from app.services.permissions import Permission, require
from app.services.pregnancy_dates import GestationalAge, expected_delivery_date, gestational_age
from app.services.records import get_live, live_person
from app.services.validation import full_years, not_in_future, optional_text, required_text
from app.vocab import (
    PRESENT,
    DeliveryPlace,
    FollowupStatus,
    PregnancyOutcome,
    Relation,
    Sex,
    VitalEventType,
)

MAX_LMP_BEFORE_REGISTRATION = dt.timedelta(weeks=44)
DELIVERIES = (PregnancyOutcome.LIVE_BIRTH, PregnancyOutcome.STILLBIRTH)
ANTENATAL = ("anc1", "anc2", "anc3", "anc4", "anc5")


@dataclass(frozen=True)
class PregnancyInput:
    lmp: dt.date | None
    registration_date: dt.date | None
    edd: dt.date | None = None  # None: LMP + 280 days; a date: dated by ultrasound
    gravidity: int | None = None
    parity: int | None = None
    risk_notes: str = ""
    planned_facility: str = ""
    birth_reg_no: str = ""
    birth_reg_date: dt.date | None = None
    child_order: int | None = None
    risk_factors: tuple[str, ...] = ()  # codes of the factors ticked (risk_rules.json, kind "ticked")


@dataclass(frozen=True)
class NewbornInput:
    name: str
    sex: str | None
    id_number: str = ""


@dataclass(frozen=True)
class OutcomeInput:
    outcome: str
    outcome_date: dt.date | None
    delivery_place: str | None = None
    delivery_facility: str = ""
    discharge_date: dt.date | None = None
    newborns: tuple[NewbornInput, ...] = field(default=())


@dataclass(frozen=True)
class PregnancyRow:
    id: str
    woman_id: str
    household_id: str
    household_no: str
    group_no: int
    name: str
    phone: str
    lmp: dt.date
    edd: dt.date
    edd_by_ultrasound: bool
    registration_date: dt.date
    gravidity: int | None
    parity: int | None
    risk_notes: str
    planned_facility: str
    birth_reg_no: str
    birth_reg_date: dt.date | None
    child_order: int | None
    outcome: str | None
    outcome_date: dt.date | None
    delivery_place: str | None
    discharge_date: dt.date | None
    live_births: int
    rev: int
    next_type: str | None = None  # the next open antenatal follow-up
    next_earliest: dt.date | None = None
    next_latest: dt.date | None = None
    risk_factors: tuple[str, ...] = ()  # the factors ticked on the form
    risk_flags: tuple[str, ...] = ()  # the high-risk rules that hold (risk_rules.json), ticked ones included

    @property
    def high_risk(self) -> bool:
        return bool(self.risk_flags)

    @property
    def person_id(self) -> str:
        """The woman: what a list of people opens on double-click."""
        return self.woman_id

    def weeks_on(self, day: dt.date) -> GestationalAge | None:
        end = self.outcome_date or day
        return gestational_age(self.lmp, end) if end >= self.lmp else None

    def input(self) -> PregnancyInput:
        return PregnancyInput(
            self.lmp,
            self.registration_date,
            self.edd if self.edd_by_ultrasound else None,
            self.gravidity,
            self.parity,
            self.risk_notes,
            self.planned_facility,
            self.birth_reg_no,
            self.birth_reg_date,
            self.child_order,
            self.risk_factors,
        )


# ---------------------------------------------------------------- validation


def check_pregnancy(data: PregnancyInput, birth_date: dt.date, today: dt.date) -> PregnancyInput:
    if data.lmp is None:
        raise DomainError("field.required", "lmp")
    not_in_future(data.lmp, today, "lmp")
    registration = data.registration_date or today
    not_in_future(registration, today, "registration_date")
    if registration < data.lmp:
        raise DomainError("pregnancy.registration_before_lmp", "registration_date")
    if registration - data.lmp > MAX_LMP_BEFORE_REGISTRATION:
        raise DomainError("pregnancy.lmp_too_early", "lmp")
    age = full_years(birth_date, data.lmp)
    if not 10 <= age <= 60:
        raise DomainError("pregnancy.age_out_of_range", "lmp", age=age)
    edd = data.edd or expected_delivery_date(data.lmp)
    if not data.lmp + dt.timedelta(weeks=20) <= edd <= data.lmp + dt.timedelta(weeks=44):
        raise DomainError("pregnancy.edd_implausible", "edd")
    for name, value in (
        ("gravidity", data.gravidity),
        ("parity", data.parity),
        ("child_order", data.child_order),
    ):
        if value is not None and not 0 <= value <= 30:
            raise DomainError("pregnancy.count_out_of_range", name)
    if data.gravidity is not None and data.gravidity < 1:
        raise DomainError("pregnancy.gravidity_positive", "gravidity")
    if data.gravidity is not None and data.parity is not None and data.parity >= data.gravidity:
        raise DomainError("pregnancy.parity_below_gravidity", "parity")
    not_in_future(data.birth_reg_date, today, "birth_reg_date")
    notes = optional_text(data.risk_notes, "risk_notes", 2000, multiline=True)
    return replace(
        data,
        registration_date=registration,
        edd=data.edd,
        risk_factors=risk.load_risk_rules().check_factors(data.risk_factors, notes),
        risk_notes=notes,
        planned_facility=optional_text(data.planned_facility, "planned_facility", 120),
        birth_reg_no=optional_text(data.birth_reg_no, "birth_reg_no", 40),
    )


def check_outcome(data: OutcomeInput, lmp: dt.date, today: dt.date) -> OutcomeInput:
    if data.outcome not in PregnancyOutcome.__members__.values():
        raise DomainError("field.invalid_choice", "outcome")
    if data.outcome_date is None:
        raise DomainError("field.required", "outcome_date")
    not_in_future(data.outcome_date, today, "outcome_date")
    if data.outcome_date < lmp:
        raise DomainError("pregnancy.outcome_before_lmp", "outcome_date")
    place = data.delivery_place or None
    if data.outcome in DELIVERIES and place not in DeliveryPlace.__members__.values():
        raise DomainError("field.required", "delivery_place")
    if data.discharge_date is not None:
        not_in_future(data.discharge_date, today, "discharge_date")
        if data.discharge_date < data.outcome_date:
            raise DomainError("pregnancy.discharge_before_outcome", "discharge_date")
    newborns = data.newborns if data.outcome == PregnancyOutcome.LIVE_BIRTH else ()
    if data.outcome == PregnancyOutcome.LIVE_BIRTH and not newborns:
        raise DomainError("pregnancy.newborn_required", "newborns")
    checked = []
    for i, baby in enumerate(newborns):
        name = required_text(baby.name, f"newborn_name_{i}", 40)
        if baby.sex not in (Sex.MALE, Sex.FEMALE):
            raise DomainError("field.required", f"newborn_sex_{i}")
        number = ""
        if baby.id_number.strip():
            rid = identity.parse(baby.id_number, f"newborn_id_{i}", today=today)
            if rid.birth_date != data.outcome_date:
                raise DomainError(
                    "person.birth_mismatch_id", f"newborn_id_{i}", id_birth=rid.birth_date.isoformat()
                )
            if rid.sex != baby.sex:
                raise DomainError("person.sex_mismatch_id", f"newborn_sex_{i}")
            number = rid.number
        checked.append(NewbornInput(name, baby.sex, number))
    return replace(
        data,
        delivery_place=place,
        delivery_facility=optional_text(data.delivery_facility, "delivery_facility", 120),
        newborns=tuple(checked),
    )


# ---------------------------------------------------------------- reading


def _rows(s: Session, where: sa.ColumnElement[bool]) -> list[PregnancyRow]:
    q = (
        sa.select(
            Pregnancy,
            Household.id,
            Household.household_no,
            Household.group_no,
            Person.name,
            sa.func.coalesce(Person.phone, Household.phone, ""),
            Person.birth_date,
        )
        .join(Person, Person.id == Pregnancy.woman_id)
        .join(Household, Household.id == Person.household_id)
        .where(Pregnancy.live(), where)
        .order_by(Pregnancy.edd)
    )
    found = s.execute(q).all()
    # the next open antenatal window of each pregnancy, in one query (SQLite has no LATERAL join)
    next_anc: dict[str, tuple[str, dt.date, dt.date]] = {}
    ids = [p.id for p, *_ in found]
    for i in range(0, len(ids), 900):
        for source_id, ftype, earliest, latest in s.execute(
            sa.select(
                Followup.source_id, Followup.followup_type, Followup.earliest_date, Followup.latest_date
            )
            .where(
                Followup.source_id.in_(ids[i : i + 900]),
                Followup.followup_type.in_(ANTENATAL),
                Followup.status == FollowupStatus.DUE,
                Followup.live(),
            )
            .order_by(Followup.earliest_date)
        ):
            next_anc.setdefault(source_id, (ftype, earliest, latest))
    rules = risk.load_risk_rules()
    out = []
    for p, hid, number, group, name, phone, birth_date in found:
        ntype, nearliest, nlatest = next_anc.get(p.id, (None, None, None))
        factors = risk.parsed(p.risk_factors)
        out.append(
            PregnancyRow(
                p.id,
                p.woman_id,
                hid,
                number,
                group,
                name,
                phone,
                p.lmp,
                p.edd,
                p.edd_by_ultrasound,
                p.registration_date,
                p.gravidity,
                p.parity,
                p.risk_notes,
                p.planned_facility,
                p.birth_reg_no or "",
                p.birth_reg_date,
                p.child_order,
                p.outcome,
                p.outcome_date,
                p.delivery_place,
                p.discharge_date,
                p.live_births,
                p.rev,
                ntype,
                nearliest,
                nlatest,
                factors,
                rules.flags(birth_date, p.edd, p.gravidity, factors),
            )
        )
    return out


def open_pregnancies(db: Database, group_no: int | None = None) -> list[PregnancyRow]:
    cond = Pregnancy.open() & Person.residence_status.in_(PRESENT)
    if group_no is not None:
        cond = cond & (Household.group_no == group_no)
    with db.read() as s:
        return _rows(s, cond)


def all_pregnancies(db: Database, group_no: int | None = None) -> list[PregnancyRow]:
    """Every pregnancy recorded, open and ended (the pregnancy register), of one villager group or all."""
    cond = sa.true() if group_no is None else Household.group_no == group_no
    with db.read() as s:
        return _rows(s, cond)


def high_risk_pregnancies(db: Database, group_no: int | None = None) -> list[PregnancyRow]:
    """The open pregnancies that a high-risk rule flags (risk_rules.json), the soonest EDD first."""
    return [p for p in open_pregnancies(db, group_no) if p.high_risk]


def expected_deliveries(db: Database, today: dt.date, days: int = 30) -> list[PregnancyRow]:
    with db.read() as s:
        return _rows(
            s,
            Pregnancy.open()
            & Person.residence_status.in_(PRESENT)
            & Pregnancy.edd.between(today, today + dt.timedelta(days=days)),
        )


def pregnancies_of(db: Database, woman_id: str) -> list[PregnancyRow]:
    with db.read() as s:
        return _rows(s, Pregnancy.woman_id == woman_id)


def get_pregnancy(db: Database, pregnancy_id: str) -> PregnancyRow:
    with db.read() as s:
        rows = _rows(s, Pregnancy.id == pregnancy_id)
    if not rows:
        raise NotFound("pregnancy.not_found")
    return rows[0]


# ---------------------------------------------------------------- writing


def _woman(s: Session, woman_id: str) -> Person:
    w = live_person(s, woman_id)
    if w.sex != Sex.FEMALE:
        raise DomainError("pregnancy.not_female", None)
    if w.residence_status not in PRESENT:
        raise DomainError("person.not_present", None)
    return w


def _apply(p: Pregnancy, d: PregnancyInput) -> None:
    assert d.lmp is not None and d.registration_date is not None
    p.lmp, p.registration_date = d.lmp, d.registration_date
    p.edd = d.edd or expected_delivery_date(d.lmp)
    p.edd_by_ultrasound = d.edd is not None
    p.gravidity, p.parity, p.risk_notes, p.planned_facility = (
        d.gravidity,
        d.parity,
        d.risk_notes,
        d.planned_facility,
    )
    p.birth_reg_no, p.birth_reg_date, p.child_order = d.birth_reg_no or None, d.birth_reg_date, d.child_order
    p.risk_factors = risk.stored(d.risk_factors)


def do_register_pregnancy(
    s: Session, actor: Actor, woman_id: str, data: PregnancyInput, today: dt.date
) -> str:
    """Register a pregnancy (late registration is accepted; its missed first window shows as missed)."""
    require(actor, Permission.CARE)
    w = _woman(s, woman_id)
    checked = check_pregnancy(data, w.birth_date, today)
    already = s.execute(
        sa.select(Pregnancy.id).where(Pregnancy.woman_id == woman_id, Pregnancy.open())
    ).first()
    if already:
        raise DomainError("pregnancy.already_open", None)
    p = Pregnancy(woman_id=woman_id)
    _apply(p, checked)
    s.add(p)
    s.flush()
    followup_sync.refresh_people(s, [woman_id], today)
    return p.id


def register_pregnancy(
    db: Database, actor: Actor, woman_id: str, data: PregnancyInput, today: dt.date
) -> str:
    return db.run(actor, do_register_pregnancy, woman_id, data, today)


def do_update_pregnancy(
    s: Session,
    actor: Actor,
    pregnancy_id: str,
    data: PregnancyInput,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    """Edit a pregnancy; a changed LMP or EDD moves the open antenatal windows (done ones stay)."""
    require(actor, Permission.CARE)
    p = get_live(s, Pregnancy, pregnancy_id, "pregnancy.not_found")
    expect_rev(p, expected_rev)
    w = _woman(s, p.woman_id)
    checked = check_pregnancy(data, w.birth_date, today)
    if p.outcome_date is not None and p.outcome_date < checked.lmp:  # type: ignore[operator]
        raise DomainError("pregnancy.outcome_before_lmp", "lmp")
    _apply(p, checked)
    followup_sync.refresh_people(s, [p.woman_id], today)


def update_pregnancy(
    db: Database,
    actor: Actor,
    pregnancy_id: str,
    data: PregnancyInput,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    db.run(actor, do_update_pregnancy, pregnancy_id, data, today, expected_rev)


def _newborn_relation(mother: Person, sex: str) -> str:
    if mother.relation in (Relation.HEAD, Relation.SPOUSE):
        return Relation.SON if sex == Sex.MALE else Relation.DAUGHTER
    if mother.relation in (Relation.DAUGHTER_IN_LAW, Relation.DAUGHTER, Relation.SON_IN_LAW):
        return Relation.GRANDSON if sex == Sex.MALE else Relation.GRANDDAUGHTER
    return Relation.OTHER


def do_record_outcome(
    s: Session,
    actor: Actor,
    pregnancy_id: str,
    data: OutcomeInput,
    today: dt.date,
    expected_rev: int | None = None,
) -> list[str]:
    """Close the pregnancy with its outcome. A live birth adds each newborn to the mother's household with a
    birth event; the remaining antenatal follow-ups are cancelled and the postpartum ones scheduled.
    Returns the newborns' person ids."""
    require(actor, Permission.CARE)
    p = get_live(s, Pregnancy, pregnancy_id, "pregnancy.not_found")
    expect_rev(p, expected_rev)
    if p.outcome is not None:
        raise DomainError("pregnancy.already_closed", None)
    mother = _woman(s, p.woman_id)
    checked = check_outcome(data, p.lmp, today)
    p.outcome, p.outcome_date = checked.outcome, checked.outcome_date
    p.delivery_place = checked.delivery_place
    p.delivery_facility = checked.delivery_facility or None
    p.discharge_date = checked.discharge_date
    p.live_births = len(checked.newborns)
    ids = []
    for baby in checked.newborns:
        if (
            baby.id_number
            and s.execute(
                sa.select(Person.id).where(
                    Person.owner == actor.node, Person.id_number == baby.id_number, Person.live()
                )
            ).first()
        ):
            raise DomainError("person.id_taken", "newborns", name=baby.name)
        keys = name_keys(baby.name)
        child = Person(
            household_id=mother.household_id,
            name=baby.name,
            name_pinyin=keys.pinyin,
            name_initials=keys.initials,
            sex=baby.sex,
            birth_date=checked.outcome_date,
            id_number=baby.id_number or None,
            relation=_newborn_relation(mother, baby.sex or ""),
            born_of_pregnancy_id=p.id,
        )
        s.add(child)
        s.flush()
        s.add(
            VitalEvent(
                person_id=child.id,
                household_id=mother.household_id,
                event_type=VitalEventType.BIRTH,
                event_date=checked.outcome_date,
            )
        )
        ids.append(child.id)
    followup_sync.refresh_people(s, [p.woman_id], today)
    return ids


def record_outcome(
    db: Database,
    actor: Actor,
    pregnancy_id: str,
    data: OutcomeInput,
    today: dt.date,
    expected_rev: int | None = None,
) -> list[str]:
    return db.run(actor, do_record_outcome, pregnancy_id, data, today, expected_rev)


def household_of(db: Database, person_id: str) -> str:
    with db.read() as s:
        hid = s.execute(
            sa.select(Household.id)
            .join(Person, Person.household_id == Household.id)
            .where(Person.id == person_id)
        ).scalar()
    if hid is None:
        raise NotFound("person.not_found")
    return hid
