"""Records typed by mistake: voided with a reason, never deleted. A voided record leaves every list and count,
keeps its history (the audit trail shows who voided it, when and why), travels to the township as a tombstone,
and the follow-ups it caused are re-planned (those still due are cancelled)."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.actor import Actor
from app.clock import now_utc
from app.db import Database
from app.errors import DomainError
from app.models import (
    ContraceptiveEpisode,
    FolicAcidCourse,
    Followup,
    FollowupAnswer,
    Household,
    Person,
    Pregnancy,
    PrepregnancyCheck,
    StockMovement,
    SupportEntitlement,
    VitalEvent,
)
from app.models.base import SyncMixin
from app.models.tracking import expect_rev
from app.services import followup_sync, schedule
from app.services.care import CHANGED_METHOD
from app.services.permissions import Permission, require
from app.services.records import get_live, live_person
from app.services.validation import required_text
from app.vocab import FollowupStatus

M = TypeVar("M", bound=SyncMixin)
REASON_MAX = 200


def check_reason(reason: str | None) -> str:
    """Why the record is voided: required, one line of at most 200 characters."""
    return required_text(reason, "reason", REASON_MAX)


def _void(record: SyncMixin, reason: str) -> None:
    record.deleted_at, record.deleted_reason = now_utc(), reason


def _void_all(s: Session, model: type[M], where: sa.ColumnElement[bool], reason: str) -> int:
    rows = s.execute(sa.select(model).where(where, model.live())).scalars().all()
    for row in rows:
        _void(row, reason)
    return len(rows)


# ---------------------------------------------------------------- the register


def do_void_person(
    s: Session, actor: Actor, person_id: str, reason: str, today: dt.date, expected_rev: int | None = None
) -> None:
    """Void a member typed by mistake, with everything recorded about them (their events and care records).
    Refused while the ledger names them (supplies issued to them): a ledger line is corrected by a reversal."""
    require(actor, Permission.REGISTER)
    reason = check_reason(reason)
    p = live_person(s, person_id)
    expect_rev(p, expected_rev)
    issued = s.execute(
        sa.select(sa.func.count()).where(StockMovement.person_id == p.id, StockMovement.live())
    ).scalar_one()
    if issued:
        raise DomainError("void.person_has_supplies", None, name=p.name, count=issued)
    born = s.execute(
        sa.select(Person.name).where(
            Person.born_of_pregnancy_id.in_(sa.select(Pregnancy.id).where(Pregnancy.woman_id == p.id)),
            Person.live(),
        )
    ).scalar()
    if born:
        raise DomainError("void.person_has_newborn", None, name=p.name, child=born)
    for model, column in (
        (VitalEvent, VitalEvent.person_id),
        (Pregnancy, Pregnancy.woman_id),
        (PrepregnancyCheck, PrepregnancyCheck.woman_id),
        (ContraceptiveEpisode, ContraceptiveEpisode.person_id),
        (FolicAcidCourse, FolicAcidCourse.woman_id),
        (SupportEntitlement, SupportEntitlement.person_id),
    ):
        _void_all(s, model, column == p.id, reason)
    # their follow-ups (and the answers recorded on them) go with them: nothing live may point at a voided
    # person, or a township that never held the person could not take the follow-ups (sync-bundle.md)
    their_visits = sa.select(Followup.id).where(Followup.person_id == p.id)
    _void_all(s, FollowupAnswer, FollowupAnswer.followup_id.in_(their_visits), reason)
    _void_all(s, Followup, Followup.person_id == p.id, reason)
    household = s.get(Household, p.household_id)
    if household is not None and household.head_person_id == p.id:
        household.head_person_id = None
    _void(p, reason)
    followup_sync.refresh_people(s, [p.id], today)


def void_person(
    db: Database, actor: Actor, person_id: str, reason: str, today: dt.date, expected_rev: int | None = None
) -> None:
    db.run(actor, do_void_person, person_id, reason, today, expected_rev)


def do_void_household(
    s: Session, actor: Actor, household_id: str, reason: str, expected_rev: int | None = None
) -> None:
    """Void a household typed by mistake; refused while it still has members (void or move them first)."""
    require(actor, Permission.REGISTER)
    reason = check_reason(reason)
    h = get_live(s, Household, household_id, "household.not_found")
    expect_rev(h, expected_rev)
    members = s.execute(
        sa.select(sa.func.count()).where(Person.household_id == h.id, Person.live())
    ).scalar_one()
    if members:
        raise DomainError("void.household_has_members", None, number=h.household_no, count=members)
    _void_all(s, SupportEntitlement, SupportEntitlement.household_id == h.id, reason)
    _void(h, reason)


def void_household(
    db: Database, actor: Actor, household_id: str, reason: str, expected_rev: int | None = None
) -> None:
    db.run(actor, do_void_household, household_id, reason, expected_rev)


# ---------------------------------------------------------------- care records


def do_void_pregnancy(
    s: Session, actor: Actor, pregnancy_id: str, reason: str, today: dt.date, expected_rev: int | None = None
) -> None:
    """Void a pregnancy registered by mistake; its follow-ups still due are cancelled. Refused while a newborn
    of it is on the register (void the newborn first)."""
    require(actor, Permission.CARE)
    reason = check_reason(reason)
    p = get_live(s, Pregnancy, pregnancy_id, "pregnancy.not_found")
    expect_rev(p, expected_rev)
    child = s.execute(
        sa.select(Person.name).where(Person.born_of_pregnancy_id == p.id, Person.live())
    ).scalar()
    if child:
        raise DomainError("void.pregnancy_has_newborn", None, child=child)
    for check in s.execute(
        sa.select(PrepregnancyCheck).where(PrepregnancyCheck.pregnancy_id == p.id, PrepregnancyCheck.live())
    ).scalars():
        check.pregnancy_id = None  # the check stays; the pregnancy that followed it was a mistake
    _void(p, reason)
    followup_sync.refresh_people(s, [p.woman_id], today)


def void_pregnancy(
    db: Database,
    actor: Actor,
    pregnancy_id: str,
    reason: str,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    db.run(actor, do_void_pregnancy, pregnancy_id, reason, today, expected_rev)


def do_void_method(
    s: Session, actor: Actor, episode_id: str, reason: str, today: dt.date, expected_rev: int | None = None
) -> None:
    """Void a method episode recorded by mistake. The method it had closed (changed on its start date) is
    current again, as it was before the mistake."""
    require(actor, Permission.CARE)
    reason = check_reason(reason)
    e = get_live(s, ContraceptiveEpisode, episode_id, "care.method_not_found")
    expect_rev(e, expected_rev)
    _void(e, reason)
    s.flush()
    previous = (
        s.execute(
            sa.select(ContraceptiveEpisode)
            .where(
                ContraceptiveEpisode.person_id == e.person_id,
                ContraceptiveEpisode.live(),
                ContraceptiveEpisode.stop_date == e.start_date,
                ContraceptiveEpisode.stop_reason == CHANGED_METHOD,
            )
            .order_by(ContraceptiveEpisode.start_date.desc())
        )
        .scalars()
        .first()
    )
    if previous is not None and e.stop_date is None:
        previous.stop_date, previous.stop_reason = None, ""
    followup_sync.refresh_people(s, [e.person_id], today)


def void_method(
    db: Database, actor: Actor, episode_id: str, reason: str, today: dt.date, expected_rev: int | None = None
) -> None:
    db.run(actor, do_void_method, episode_id, reason, today, expected_rev)


CARE_RECORDS: dict[str, type[PrepregnancyCheck] | type[FolicAcidCourse] | type[SupportEntitlement]] = {
    "prepregnancy_check": PrepregnancyCheck,
    "folic_course": FolicAcidCourse,
    "support": SupportEntitlement,
}


def do_void_care_record(
    s: Session,
    actor: Actor,
    kind: str,
    record_id: str,
    reason: str,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    """Void a pre-pregnancy check, a folic-acid course or a support entitlement (`kind`, a key of CARE_RECORDS)
    typed by mistake."""
    require(actor, Permission.CARE)
    reason = check_reason(reason)
    record = get_live(s, CARE_RECORDS[kind], record_id, "care.record_not_found")
    expect_rev(record, expected_rev)
    _void(record, reason)
    person = record.person_id if isinstance(record, SupportEntitlement) else record.woman_id
    followup_sync.refresh_people(s, [person], today)


def void_care_record(
    db: Database,
    actor: Actor,
    kind: str,
    record_id: str,
    reason: str,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    db.run(actor, do_void_care_record, kind, record_id, reason, today, expected_rev)


# ---------------------------------------------------------------- a visit recorded by mistake


def do_void_visit(
    s: Session, actor: Actor, followup_id: str, reason: str, today: dt.date, expected_rev: int | None = None
) -> None:
    """Undo a visit recorded by mistake (the wrong woman, the wrong follow-up): the follow-up is open again
    (due, or missed if its window has closed), its answers are voided, and what the visit caused (a referral
    follow-up) is re-planned. The reason is kept on the follow-up and in the audit trail."""
    require(actor, Permission.CARE)
    reason = check_reason(reason)
    f = get_live(s, Followup, followup_id, "followup.not_found")
    expect_rev(f, expected_rev)
    if f.status != FollowupStatus.DONE:
        raise DomainError("void.visit_not_done", None)
    window = schedule.Window(f.earliest_date, f.due_date, f.latest_date)
    f.status = schedule.status_for(window, today)
    f.done_date, f.result, f.checklist_version = None, "", None
    f.status_reason = reason
    _void_all(s, FollowupAnswer, FollowupAnswer.followup_id == f.id, reason)
    followup_sync.refresh_people(s, [f.person_id], today)


def void_visit(
    db: Database, actor: Actor, followup_id: str, reason: str, today: dt.date, expected_rev: int | None = None
) -> None:
    db.run(actor, do_void_visit, followup_id, reason, today, expected_rev)
