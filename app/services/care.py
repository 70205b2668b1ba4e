"""Care records a person chooses (shared/design/domain.md): 免费孕前优生健康检查, 增补叶酸 courses, contraceptive
methods (知情选择), and the family-support entitlements (奖励扶助 / 特别扶助) with their contact person.

Each change is a core `do_*(s, actor, ...)` (and a wrapper opening its transaction) that also re-plans the
person's follow-ups (followup_sync.refresh_people), so visits are scheduled, moved or cancelled together with
the change.
Input is checked first by the pure `check_*` functions; a DomainError names the field at fault.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from app.actor import Actor
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
    SupportEntitlement,
)
from app.models.tracking import expect_rev
from app.services import followup_sync
from app.services.permissions import Permission, require
from app.services.records import get_live, live_person
from app.services.validation import clean_phone, full_years, not_in_future, optional_text
from app.vocab import PRESENT, ContraceptiveMethod, RecordStatus, RiskGrade, Sex, SupportKind

REPRODUCTIVE_AGES = (15, 49)  # 育龄: full years on the check or start date
MIN_METHOD_AGE = 15
DOSES_MG = (0.4, 4.0)  # 0.4 mg a day; 4 mg for high-risk women
MAX_BOTTLES = 999
MAX_INTERVAL_MONTHS = 12
FIRST_SUPPORT_YEAR = 2000
CHANGED_METHOD = "care.changed_method"  # stop_reason of an episode closed by a newly chosen method

# Methods that only a man, or only a woman, can use; the rest (condom, other, none) fit either.
MALE_ONLY = frozenset({ContraceptiveMethod.MALE_STERILISATION})
FEMALE_ONLY = frozenset(
    {
        ContraceptiveMethod.IUD,
        ContraceptiveMethod.IMPLANT,
        ContraceptiveMethod.FEMALE_STERILISATION,
        ContraceptiveMethod.PILL,
        ContraceptiveMethod.INJECTABLE,
        ContraceptiveMethod.SPERMICIDE,
        ContraceptiveMethod.EMERGENCY,
    }
)


# ---------------------------------------------------------------- inputs and rows


@dataclass(frozen=True)
class PrepregnancyCheckInput:
    check_date: dt.date | None
    partner_id: str | None = None
    risk_grade: str = "general"
    counselling: str = ""


@dataclass(frozen=True)
class PrepregnancyCheckRow:
    id: str
    woman_id: str
    partner_id: str | None
    partner_name: str
    check_date: dt.date
    risk_grade: str
    counselling: str
    pregnancy_id: str | None
    rev: int


@dataclass(frozen=True)
class FolicCourseInput:
    start_date: dt.date | None
    end_date: dt.date | None = None
    dose_mg: float = 0.4
    bottles_issued: int = 0
    high_risk_reason: str = ""


@dataclass(frozen=True)
class FolicCourseRow:
    id: str
    woman_id: str
    start_date: dt.date
    end_date: dt.date | None
    dose_mg: float
    bottles_issued: int
    high_risk_reason: str
    rev: int


@dataclass(frozen=True)
class MethodInput:
    method: str
    start_date: dt.date | None
    counselled_on: dt.date | None
    counselling_notes: str = ""


@dataclass(frozen=True)
class MethodRow:
    id: str
    person_id: str
    method: str
    start_date: dt.date
    stop_date: dt.date | None
    stop_reason: str
    counselled_on: dt.date | None
    counselling_notes: str
    rev: int


@dataclass(frozen=True)
class SupportInput:
    kind: str
    person_id: str
    year_confirmed: int | None
    assigned_on: dt.date | None
    contact_name: str = ""
    contact_phone: str | None = None
    visit_interval_months: int = 1
    notes: str = ""


@dataclass(frozen=True)
class SupportRow:
    id: str
    household_id: str
    person_id: str
    person_name: str
    kind: str
    year_confirmed: int
    assigned_on: dt.date
    ended_on: dt.date | None
    contact_name: str
    contact_phone: str
    visit_interval_months: int
    notes: str
    rev: int


# ---------------------------------------------------------------- validation (pure)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_prepregnancy(data: PrepregnancyCheckInput, today: dt.date) -> PrepregnancyCheckInput:
    if data.check_date is None:
        raise DomainError("field.required", "check_date")
    not_in_future(data.check_date, today, "check_date")
    if data.risk_grade not in RiskGrade.__members__.values():
        raise DomainError("field.invalid_choice", "risk_grade")
    return replace(
        data,
        partner_id=data.partner_id or None,
        counselling=optional_text(data.counselling, "counselling", 2000, multiline=True),
    )


def check_folic(data: FolicCourseInput, today: dt.date) -> FolicCourseInput:
    if data.start_date is None:
        raise DomainError("field.required", "start_date")
    not_in_future(data.start_date, today, "start_date")
    if data.end_date is not None:
        not_in_future(data.end_date, today, "end_date")
        if data.end_date < data.start_date:
            raise DomainError("care.end_before_start", "end_date")
    dose = next((d for d in DOSES_MG if _number(data.dose_mg) and math.isclose(data.dose_mg, d)), None)
    if dose is None:
        raise DomainError("care.dose_invalid", "dose_mg")
    reason = optional_text(data.high_risk_reason, "high_risk_reason", 200)
    if dose == 4.0 and not reason:
        raise DomainError("care.high_risk_reason_required", "high_risk_reason")
    if not _whole(data.bottles_issued) or not 0 <= data.bottles_issued <= MAX_BOTTLES:
        raise DomainError("care.bottles_invalid", "bottles_issued", max=MAX_BOTTLES)
    return replace(data, dose_mg=dose, high_risk_reason=reason)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_method(data: MethodInput, today: dt.date) -> MethodInput:
    if not data.method:  # informed choice: the person chooses; nothing is chosen for her
        raise DomainError("care.method_required", "method")
    if data.method not in ContraceptiveMethod.__members__.values():
        raise DomainError("field.invalid_choice", "method")
    if data.start_date is None:
        raise DomainError("field.required", "start_date")
    not_in_future(data.start_date, today, "start_date")
    # informed choice (知情选择): counselling on or before the start; choosing no method needs none
    if data.counselled_on is None:
        if data.method != ContraceptiveMethod.NONE:
            raise DomainError("care.counselling_required", "counselled_on")
    else:
        not_in_future(data.counselled_on, today, "counselled_on")
        if data.counselled_on > data.start_date:
            raise DomainError("care.counselled_after_start", "counselled_on")
    return replace(
        data,
        counselling_notes=optional_text(data.counselling_notes, "counselling_notes", 2000, multiline=True),
    )


def check_support(data: SupportInput, today: dt.date) -> SupportInput:
    if data.kind not in SupportKind.__members__.values():
        raise DomainError("field.invalid_choice", "kind")
    if not data.person_id:
        raise DomainError("field.required", "person_id")
    if data.year_confirmed is None:
        raise DomainError("field.required", "year_confirmed")
    if not _whole(data.year_confirmed) or not FIRST_SUPPORT_YEAR <= data.year_confirmed <= today.year:
        raise DomainError(
            "care.year_out_of_range", "year_confirmed", first=FIRST_SUPPORT_YEAR, last=today.year
        )
    if data.assigned_on is None:
        raise DomainError("field.required", "assigned_on")
    not_in_future(data.assigned_on, today, "assigned_on")
    interval = data.visit_interval_months
    if not _whole(interval) or not 1 <= interval <= MAX_INTERVAL_MONTHS:
        raise DomainError("care.interval_out_of_range", "visit_interval_months", max=MAX_INTERVAL_MONTHS)
    return replace(
        data,
        contact_name=optional_text(data.contact_name, "contact_name", 40),
        contact_phone=clean_phone(data.contact_phone, "contact_phone"),
        notes=optional_text(data.notes, "notes", 2000, multiline=True),
    )


# ---------------------------------------------------------------- people


def _person(s: Session, person_id: str, field: str) -> Person:
    p = live_person(s, person_id, field)
    if p.residence_status not in PRESENT:
        raise DomainError("care.person_not_present", field, name=p.name)
    return p


def _woman(s: Session, woman_id: str, on: dt.date, date_field: str) -> Person:
    """A woman present in the village and of reproductive age (15–49 full years) on `on`."""
    w = _person(s, woman_id, "woman_id")
    if w.sex != Sex.FEMALE:
        raise DomainError("care.not_female", "woman_id", name=w.name)
    age = full_years(w.birth_date, on)
    low, high = REPRODUCTIVE_AGES
    if not low <= age <= high:
        raise DomainError("care.age_out_of_range", date_field, name=w.name, age=age, low=low, high=high)
    return w


def _partner(s: Session, partner_id: str | None, woman: Person) -> None:
    if partner_id is None:
        return
    p = live_person(s, partner_id, "partner_id")
    if p.id == woman.id or p.sex != Sex.MALE:
        raise DomainError("care.partner_not_male", "partner_id")


# ---------------------------------------------------------------- pre-pregnancy checks


def _apply_check(c: PrepregnancyCheck, d: PrepregnancyCheckInput) -> None:
    c.check_date, c.partner_id, c.risk_grade, c.counselling = (
        d.check_date,  # type: ignore[assignment]
        d.partner_id,
        d.risk_grade,
        d.counselling,
    )


def do_add_prepregnancy_check(
    s: Session, actor: Actor, woman_id: str, data: PrepregnancyCheckInput, today: dt.date
) -> str:
    """Record a free pre-pregnancy check; early-pregnancy follow-ups every 3 months are scheduled."""
    require(actor, Permission.CARE)
    checked = check_prepregnancy(data, today)
    assert checked.check_date is not None
    w = _woman(s, woman_id, checked.check_date, "check_date")
    _partner(s, checked.partner_id, w)
    c = PrepregnancyCheck(woman_id=w.id)
    _apply_check(c, checked)
    s.add(c)
    s.flush()
    followup_sync.refresh_people(s, [w.id], today)
    return c.id


def add_prepregnancy_check(
    db: Database, actor: Actor, woman_id: str, data: PrepregnancyCheckInput, today: dt.date
) -> str:
    return db.run(actor, do_add_prepregnancy_check, woman_id, data, today)


def do_update_prepregnancy_check(
    s: Session,
    actor: Actor,
    check_id: str,
    data: PrepregnancyCheckInput,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    require(actor, Permission.CARE)
    checked = check_prepregnancy(data, today)
    assert checked.check_date is not None
    c = get_live(s, PrepregnancyCheck, check_id, "care.check_not_found")
    expect_rev(c, expected_rev)
    w = _woman(s, c.woman_id, checked.check_date, "check_date")
    _partner(s, checked.partner_id, w)
    _apply_check(c, checked)
    followup_sync.refresh_people(s, [w.id], today)


def update_prepregnancy_check(
    db: Database,
    actor: Actor,
    check_id: str,
    data: PrepregnancyCheckInput,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    db.run(actor, do_update_prepregnancy_check, check_id, data, today, expected_rev)


def prepregnancy_checks_of(db: Database, woman_id: str) -> list[PrepregnancyCheckRow]:
    """Her pre-pregnancy checks, the latest first."""
    partner = aliased(Person)
    q = (
        sa.select(PrepregnancyCheck, sa.func.coalesce(partner.name, ""))
        .outerjoin(partner, partner.id == PrepregnancyCheck.partner_id)
        .where(PrepregnancyCheck.woman_id == woman_id, PrepregnancyCheck.live())
        .order_by(PrepregnancyCheck.check_date.desc(), PrepregnancyCheck.created_at.desc())
    )
    with db.read() as s:
        return [
            PrepregnancyCheckRow(
                c.id,
                c.woman_id,
                c.partner_id,
                partner_name,
                c.check_date,
                c.risk_grade,
                c.counselling,
                c.pregnancy_id,
                c.rev,
            )
            for c, partner_name in s.execute(q)
        ]


# ---------------------------------------------------------------- folic acid


def _ensure_no_open_course(
    s: Session, woman_id: str, start: dt.date, end: dt.date | None, exclude_id: str | None = None
) -> None:
    """Refused when another course of hers is open on some day of [start, end]: one without an end, or
    ending on or after `start` (and starting by `end`, when there is an end)."""
    q = sa.select(FolicAcidCourse).where(
        FolicAcidCourse.woman_id == woman_id,
        FolicAcidCourse.live(),
        sa.or_(FolicAcidCourse.end_date.is_(None), FolicAcidCourse.end_date >= start),
    )
    if end is not None:
        q = q.where(FolicAcidCourse.start_date <= end)
    if exclude_id is not None:
        q = q.where(FolicAcidCourse.id != exclude_id)
    other = s.execute(q.order_by(FolicAcidCourse.start_date).limit(1)).scalar()
    if other is not None:
        raise DomainError("care.course_open", "start_date", start=other.start_date.isoformat())


def _apply_course(f: FolicAcidCourse, d: FolicCourseInput) -> None:
    f.start_date, f.end_date, f.dose_mg = d.start_date, d.end_date, d.dose_mg  # type: ignore[assignment]
    f.bottles_issued, f.high_risk_reason = d.bottles_issued, d.high_risk_reason


def do_start_folic_course(
    s: Session, actor: Actor, woman_id: str, data: FolicCourseInput, today: dt.date
) -> str:
    """Start a folic-acid course (monthly adherence follow-ups while it lasts). Refused while she has a
    course that is still open on the new start date."""
    require(actor, Permission.CARE)
    checked = check_folic(data, today)
    assert checked.start_date is not None
    w = _woman(s, woman_id, checked.start_date, "start_date")
    _ensure_no_open_course(s, w.id, checked.start_date, checked.end_date)
    f = FolicAcidCourse(woman_id=w.id)
    _apply_course(f, checked)
    s.add(f)
    s.flush()
    followup_sync.refresh_people(s, [w.id], today)
    return f.id


def start_folic_course(
    db: Database, actor: Actor, woman_id: str, data: FolicCourseInput, today: dt.date
) -> str:
    return db.run(actor, do_start_folic_course, woman_id, data, today)


def do_update_folic_course(
    s: Session,
    actor: Actor,
    course_id: str,
    data: FolicCourseInput,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    require(actor, Permission.CARE)
    checked = check_folic(data, today)
    assert checked.start_date is not None
    f = get_live(s, FolicAcidCourse, course_id, "care.course_not_found")
    expect_rev(f, expected_rev)
    w = _woman(s, f.woman_id, checked.start_date, "start_date")
    _ensure_no_open_course(s, w.id, checked.start_date, checked.end_date, exclude_id=f.id)
    _apply_course(f, checked)
    followup_sync.refresh_people(s, [w.id], today)


def update_folic_course(
    db: Database,
    actor: Actor,
    course_id: str,
    data: FolicCourseInput,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    db.run(actor, do_update_folic_course, course_id, data, today, expected_rev)


def do_end_folic_course(
    s: Session,
    actor: Actor,
    course_id: str,
    end_date: dt.date | None,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    """End an open course; adherence follow-ups after the end are cancelled."""
    require(actor, Permission.CARE)
    if end_date is None:
        raise DomainError("field.required", "end_date")
    not_in_future(end_date, today, "end_date")
    f = get_live(s, FolicAcidCourse, course_id, "care.course_not_found")
    expect_rev(f, expected_rev)
    if f.end_date is not None:
        raise DomainError("care.course_already_ended", None, end=f.end_date.isoformat())
    if end_date < f.start_date:
        raise DomainError("care.end_before_start", "end_date")
    f.end_date = end_date
    followup_sync.refresh_people(s, [f.woman_id], today)


def end_folic_course(
    db: Database,
    actor: Actor,
    course_id: str,
    end_date: dt.date | None,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    db.run(actor, do_end_folic_course, course_id, end_date, today, expected_rev)


def folic_course_on(s: Session, woman_id: str, on: dt.date) -> FolicAcidCourse | None:
    """Her course running on `on` (started by then, not ended before): folic acid issued to her that day is
    part of it."""
    return s.execute(
        sa.select(FolicAcidCourse)
        .where(
            FolicAcidCourse.woman_id == woman_id,
            FolicAcidCourse.live(),
            FolicAcidCourse.start_date <= on,
            sa.or_(FolicAcidCourse.end_date.is_(None), FolicAcidCourse.end_date >= on),
        )
        .order_by(FolicAcidCourse.start_date.desc())
        .limit(1)
    ).scalar()


@dataclass(frozen=True)
class FolicIssuePlan:
    """What issuing folic acid to a person on a day does to her folic-acid record."""

    course: FolicCourseRow | None  # her course running that day: the issue is linked to it, its bottles added
    can_start: bool  # no course running: a woman of 15–49 present, free to start one on that day


def folic_issue_plan(db: Database, person_id: str, on: dt.date) -> FolicIssuePlan:
    with db.read() as s:
        course = folic_course_on(s, person_id, on)
        if course is not None:
            return FolicIssuePlan(_course_row(course), False)
        p = s.get(Person, person_id)
        low, high = REPRODUCTIVE_AGES
        if (
            p is None
            or p.deleted_at is not None
            or p.status != RecordStatus.ACTIVE
            or p.sex != Sex.FEMALE
            or p.residence_status not in PRESENT
            or not low <= full_years(p.birth_date, on) <= high
        ):
            return FolicIssuePlan(None, False)  # what do_start_folic_course would refuse (_woman)
        try:
            _ensure_no_open_course(s, person_id, on, None)
        except DomainError:
            return FolicIssuePlan(None, False)
        return FolicIssuePlan(None, True)


def _course_row(f: FolicAcidCourse) -> FolicCourseRow:
    return FolicCourseRow(
        f.id, f.woman_id, f.start_date, f.end_date, f.dose_mg, f.bottles_issued, f.high_risk_reason, f.rev
    )


def folic_courses_of(db: Database, woman_id: str) -> list[FolicCourseRow]:
    """Her folic-acid courses, the latest first."""
    q = (
        sa.select(FolicAcidCourse)
        .where(FolicAcidCourse.woman_id == woman_id, FolicAcidCourse.live())
        .order_by(FolicAcidCourse.start_date.desc(), FolicAcidCourse.created_at.desc())
    )
    with db.read() as s:
        return [_course_row(f) for f in s.execute(q).scalars()]


# ---------------------------------------------------------------- contraceptive methods


def _method_fits(person: Person, method: str, on: dt.date) -> None:
    if (person.sex == Sex.MALE and method in FEMALE_ONLY) or (
        person.sex == Sex.FEMALE and method in MALE_ONLY
    ):
        raise DomainError("care.method_not_for_sex", "method", name=person.name)
    age = full_years(person.birth_date, on)
    if age < MIN_METHOD_AGE:
        raise DomainError("care.too_young_for_method", "start_date", age=age, min=MIN_METHOD_AGE)


def _row(e: ContraceptiveEpisode) -> MethodRow:
    return MethodRow(
        e.id,
        e.person_id,
        e.method,
        e.start_date,
        e.stop_date,
        e.stop_reason,
        e.counselled_on,
        e.counselling_notes,
        e.rev,
    )


def _episodes(s: Session, person_id: str) -> list[ContraceptiveEpisode]:
    """Newest first: by start date, then the one still current, then the one recorded last."""
    return list(
        s.execute(
            sa.select(ContraceptiveEpisode)
            .where(ContraceptiveEpisode.person_id == person_id, ContraceptiveEpisode.live())
            .order_by(
                ContraceptiveEpisode.start_date.desc(),
                ContraceptiveEpisode.stop_date.is_(None).desc(),
                ContraceptiveEpisode.created_at.desc(),
            )
        ).scalars()
    )


def do_choose_method(s: Session, actor: Actor, person_id: str, data: MethodInput, today: dt.date) -> str:
    """Record the method the person chose after counselling. The current method, if any, is closed on the
    new start date (stop reason care.changed_method) in the same transaction, which cancels its remaining
    check-ups and injection reminders. Choosing "none" records that no method is used (no follow-ups)."""
    require(actor, Permission.CARE)
    checked = check_method(data, today)
    start = checked.start_date
    assert start is not None
    p = _person(s, person_id, "person_id")
    _method_fits(p, checked.method, start)
    episodes = _episodes(s, p.id)
    bound = max((d for e in episodes for d in (e.start_date, e.stop_date) if d is not None), default=None)
    if bound is not None and start < bound:
        raise DomainError("care.start_before_previous", "start_date", date=bound.isoformat())
    for e in episodes:
        if e.stop_date is None:
            e.stop_date, e.stop_reason = start, CHANGED_METHOD
    s.flush()  # the old episode is closed before the new one takes the "current" place
    e = ContraceptiveEpisode(
        person_id=p.id,
        method=checked.method,
        start_date=start,
        counselled_on=checked.counselled_on,
        counselling_notes=checked.counselling_notes,
    )
    s.add(e)
    s.flush()
    followup_sync.refresh_people(s, [p.id], today)
    return e.id


def choose_method(db: Database, actor: Actor, person_id: str, data: MethodInput, today: dt.date) -> str:
    return db.run(actor, do_choose_method, person_id, data, today)


def do_stop_method(
    s: Session,
    actor: Actor,
    episode_id: str,
    stop_date: dt.date | None,
    reason: str,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    """Stop the current method (e.g. removal, wants a pregnancy); its remaining follow-ups are cancelled."""
    require(actor, Permission.CARE)
    if stop_date is None:
        raise DomainError("field.required", "stop_date")
    not_in_future(stop_date, today, "stop_date")
    reason = optional_text(reason, "reason", 200)
    e = get_live(s, ContraceptiveEpisode, episode_id, "care.method_not_found")
    expect_rev(e, expected_rev)
    if e.stop_date is not None:
        raise DomainError("care.method_already_stopped", None, date=e.stop_date.isoformat())
    if stop_date < e.start_date:
        raise DomainError("care.stop_before_start", "stop_date", start=e.start_date.isoformat())
    e.stop_date, e.stop_reason = stop_date, reason
    followup_sync.refresh_people(s, [e.person_id], today)


def stop_method(
    db: Database,
    actor: Actor,
    episode_id: str,
    stop_date: dt.date | None,
    reason: str,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    db.run(actor, do_stop_method, episode_id, stop_date, reason, today, expected_rev)


def methods_of(db: Database, person_id: str) -> list[MethodRow]:
    """The person's methods, newest first."""
    with db.read() as s:
        return [_row(e) for e in _episodes(s, person_id)]


def current_method(db: Database, person_id: str) -> MethodRow | None:
    with db.read() as s:
        e = s.execute(
            sa.select(ContraceptiveEpisode).where(
                ContraceptiveEpisode.person_id == person_id,
                ContraceptiveEpisode.current(),
            )
        ).scalar()
        return _row(e) if e is not None else None


# ---------------------------------------------------------------- family support


def _support_person(s: Session, household_id: str, person_id: str) -> Person:
    p = live_person(s, person_id, "person_id")
    if p.household_id != household_id:
        raise DomainError("care.person_not_in_household", "person_id", name=p.name)
    if p.residence_status not in PRESENT:
        raise DomainError("care.person_not_present", "person_id", name=p.name)
    return p


def _ensure_no_active_support(s: Session, person_id: str, kind: str, exclude_id: str | None = None) -> None:
    q = sa.select(SupportEntitlement.id).where(
        SupportEntitlement.person_id == person_id,
        SupportEntitlement.kind == kind,
        SupportEntitlement.ended_on.is_(None),
        SupportEntitlement.live(),
    )
    if exclude_id is not None:
        q = q.where(SupportEntitlement.id != exclude_id)
    if s.execute(q).first():
        raise DomainError("care.support_exists", "kind")


def _apply_support(x: SupportEntitlement, d: SupportInput) -> None:
    x.person_id, x.kind, x.year_confirmed, x.assigned_on = (
        d.person_id,
        d.kind,
        d.year_confirmed,  # type: ignore[assignment]
        d.assigned_on,  # type: ignore[assignment]
    )
    x.contact_name, x.contact_phone = d.contact_name, d.contact_phone
    x.visit_interval_months, x.notes = d.visit_interval_months, d.notes


def do_add_support(s: Session, actor: Actor, household_id: str, data: SupportInput, today: dt.date) -> str:
    """Record an entitlement of a member of this household; care visits are scheduled from `assigned_on`
    every `visit_interval_months`."""
    require(actor, Permission.CARE)
    checked = check_support(data, today)
    h = get_live(s, Household, household_id, "household.not_found")
    p = _support_person(s, h.id, checked.person_id)
    _ensure_no_active_support(s, p.id, checked.kind)
    x = SupportEntitlement(household_id=h.id)
    _apply_support(x, checked)
    s.add(x)
    s.flush()
    followup_sync.refresh_people(s, [p.id], today)
    return x.id


def add_support(db: Database, actor: Actor, household_id: str, data: SupportInput, today: dt.date) -> str:
    return db.run(actor, do_add_support, household_id, data, today)


def do_update_support(
    s: Session,
    actor: Actor,
    support_id: str,
    data: SupportInput,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    """Edit an entitlement. Choosing another member of the household (a correction) moves its care visits
    to that member."""
    require(actor, Permission.CARE)
    checked = check_support(data, today)
    x = get_live(s, SupportEntitlement, support_id, "care.support_not_found")
    expect_rev(x, expected_rev)
    p = _support_person(s, x.household_id, checked.person_id)
    _ensure_no_active_support(s, p.id, checked.kind, exclude_id=x.id)
    if x.ended_on is not None and x.ended_on < checked.assigned_on:  # type: ignore[operator]
        raise DomainError("care.assigned_after_end", "assigned_on", ended=x.ended_on.isoformat())
    previous = x.person_id
    _apply_support(x, checked)
    if previous != p.id:
        # the visits belong to the entitlement: its occurrences move with it (one row per occurrence)
        for f in s.execute(sa.select(Followup).where(Followup.source_id == x.id, Followup.live())).scalars():
            f.person_id = p.id
    followup_sync.refresh_people(s, list(dict.fromkeys([p.id, previous])), today)


def update_support(
    db: Database,
    actor: Actor,
    support_id: str,
    data: SupportInput,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    db.run(actor, do_update_support, support_id, data, today, expected_rev)


def do_end_support(
    s: Session,
    actor: Actor,
    support_id: str,
    ended_on: dt.date | None,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    """The entitlement ended (e.g. not re-confirmed this year); its care visits still ahead are cancelled."""
    require(actor, Permission.CARE)
    if ended_on is None:
        raise DomainError("field.required", "ended_on")
    not_in_future(ended_on, today, "ended_on")
    x = get_live(s, SupportEntitlement, support_id, "care.support_not_found")
    expect_rev(x, expected_rev)
    if x.ended_on is not None:
        raise DomainError("care.support_already_ended", None, ended=x.ended_on.isoformat())
    if ended_on < x.assigned_on:
        raise DomainError("care.ended_before_assigned", "ended_on", assigned=x.assigned_on.isoformat())
    x.ended_on = ended_on
    followup_sync.refresh_people(s, [x.person_id], today)


def end_support(
    db: Database,
    actor: Actor,
    support_id: str,
    ended_on: dt.date | None,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    db.run(actor, do_end_support, support_id, ended_on, today, expected_rev)


def supports_of_household(db: Database, household_id: str) -> list[SupportRow]:
    """The household's entitlements: current ones first, then by assignment date, the latest first."""
    q = (
        sa.select(SupportEntitlement, Person.name)
        .join(Person, Person.id == SupportEntitlement.person_id)
        .where(SupportEntitlement.household_id == household_id, SupportEntitlement.live())
        .order_by(
            SupportEntitlement.ended_on.is_not(None),
            SupportEntitlement.assigned_on.desc(),
            SupportEntitlement.created_at.desc(),
        )
    )
    with db.read() as s:
        return [
            SupportRow(
                x.id,
                x.household_id,
                x.person_id,
                name,
                x.kind,
                x.year_confirmed,
                x.assigned_on,
                x.ended_on,
                x.contact_name,
                x.contact_phone or "",
                x.visit_interval_months,
                x.notes,
                x.rev,
            )
            for x, name in s.execute(q)
        ]


# ---------------------------------------------------------------- folic-acid courses ending (dashboard)

FOLIC_UNTIL_WEEKS = 13  # folic acid is taken to the end of the 3rd month of pregnancy (domain.md)


@dataclass(frozen=True)
class FolicEndingRow:
    person_id: str
    household_id: str
    household_no: str
    name: str
    phone: str
    start_date: dt.date
    ends_on: dt.date  # the recorded end, or LMP + 13 weeks for a pregnant woman whose course is open


def folic_courses_ending(db: Database, today: dt.date, days: int = 30) -> list[FolicEndingRow]:
    """Courses that end within `days` (or should already have ended: pregnant past 13 weeks, still open),
    so the officer can plan the last visit and stop handing out bottles."""
    horizon = today + dt.timedelta(days=days)
    open_pregnancy = aliased(Pregnancy)
    q = (
        sa.select(
            FolicAcidCourse.woman_id,
            Household.id,
            Household.household_no,
            Person.name,
            sa.func.coalesce(Person.phone, Household.phone, ""),
            FolicAcidCourse.start_date,
            FolicAcidCourse.end_date,
            open_pregnancy.lmp,
        )
        .join(Person, Person.id == FolicAcidCourse.woman_id)
        .join(Household, Household.id == Person.household_id)
        .outerjoin(
            open_pregnancy,
            (open_pregnancy.woman_id == Person.id) & open_pregnancy.open(),
        )
        .where(
            FolicAcidCourse.live(),
            Person.live(),
            Person.residence_status.in_(PRESENT),
            sa.or_(FolicAcidCourse.end_date.is_(None), FolicAcidCourse.end_date >= today),
        )
    )
    rows = []
    with db.read() as s:
        for pid, hid, number, name, phone, start, end, lmp in s.execute(q):
            ends_on = end or (lmp + dt.timedelta(weeks=FOLIC_UNTIL_WEEKS) if lmp else None)
            if ends_on is not None and ends_on <= horizon:
                rows.append(FolicEndingRow(pid, hid, number, name, phone, start, ends_on))
    return sorted(rows, key=lambda r: (r.ends_on, r.household_no))
