"""Follow-up work lists and visits: this week / overdue / next 30 days, recording a visit's checklist,
marking a follow-up missed or cancelled. Lists read the stored windows (indexed), never the rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.actor import Actor
from app.db import Database
from app.errors import DomainError, NotFound
from app.models import Followup, FollowupAnswer, Household, Person
from app.models.ids import answer_id
from app.models.tracking import expect_rev
from app.progress import ProgressFn
from app.services import checklists, followup_sync
from app.services.permissions import Permission, require
from app.services.records import get_live
from app.services.validation import not_in_future, optional_text
from app.vocab import FollowupStatus

WINDOWS = ("week", "overdue", "next30", "open")
OVERDUE_DAYS = 90


@dataclass(frozen=True)
class FollowupRow:
    id: str
    person_id: str
    household_id: str
    household_no: str
    group_no: int
    address: str
    name: str
    phone: str
    followup_type: str
    occurrence: int
    earliest: dt.date
    due: dt.date
    latest: dt.date
    status: str
    done_date: dt.date | None
    result: str
    status_reason: str
    source_table: str
    source_id: str
    rev: int = 0  # the revision a form opened it at (a change saved meanwhile is refused)

    def overdue_on(self, day: dt.date) -> bool:
        return self.status == FollowupStatus.MISSED or (
            self.status == FollowupStatus.DUE and self.latest < day
        )


@dataclass(frozen=True)
class VisitInput:
    done_date: dt.date | None
    answers: dict[str, Any] = field(default_factory=dict)
    result: str = ""
    notes: str = ""


@dataclass(frozen=True)
class FollowupDetail:
    row: FollowupRow
    template: checklists.Template
    answers: dict[str, str]
    notes: str
    updated_by: str


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the calendar week containing `day` (本周)."""
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=6)


def _select() -> sa.Select[*tuple[Any, ...]]:
    return (
        sa.select(
            Followup.id,
            Followup.person_id,
            Household.id,
            Household.household_no,
            Household.group_no,
            Household.address,
            Person.name,
            sa.func.coalesce(Person.phone, Household.phone, ""),
            Followup.followup_type,
            Followup.occurrence,
            Followup.earliest_date,
            Followup.due_date,
            Followup.latest_date,
            Followup.status,
            Followup.done_date,
            Followup.result,
            Followup.status_reason,
            Followup.source_table,
            Followup.source_id,
            Followup.rev,
        )
        .join(Person, Person.id == Followup.person_id)
        .join(Household, Household.id == Person.household_id)
        .where(Followup.live())
    )


def window_condition(window: str, today: dt.date) -> sa.ColumnElement[bool]:
    """Which follow-ups a work list shows. The same definition feeds the page, the dashboard and the PDF."""
    due, missed = FollowupStatus.DUE.value, FollowupStatus.MISSED.value
    if window == "week":
        _, sunday = week_bounds(today)
        return (Followup.status == due) & (Followup.earliest_date <= sunday) & (Followup.latest_date >= today)
    if window == "overdue":
        # what can still be acted on: windows that closed in the last OVERDUE_DAYS (older misses stay in
        # the person's record and in the "open" list, but no longer crowd the work list)
        closed_since = today - dt.timedelta(days=OVERDUE_DAYS)
        return ((Followup.status == missed) | ((Followup.status == due) & (Followup.latest_date < today))) & (
            Followup.latest_date >= closed_since
        )
    if window == "next30":
        return (
            (Followup.status == due)
            & (Followup.earliest_date <= today + dt.timedelta(days=30))
            & (Followup.latest_date >= today)
        )
    if window == "open":
        return Followup.status.in_([due, missed])
    raise ValueError(f"unknown window {window!r}")


def work_list(
    db: Database,
    today: dt.date,
    window: str = "week",
    followup_type: str | None = None,
    group_no: int | None = None,
) -> list[FollowupRow]:
    q = _select().where(window_condition(window, today))
    if followup_type:
        q = q.where(Followup.followup_type == followup_type)
    if group_no is not None:
        q = q.where(Household.group_no == group_no)
    q = q.order_by(Followup.due_date, Household.household_no, Person.name)
    with db.read() as s:
        return [FollowupRow(*r) for r in s.execute(q)]


def due_between(
    db: Database, first: dt.date, last: dt.date, group_no: int | None = None
) -> list[FollowupRow]:
    """The follow-ups due from `first` to `last`, whatever became of them (due, done, missed, cancelled)."""
    q = _select().where(Followup.due_date >= first, Followup.due_date <= last)
    if group_no is not None:
        q = q.where(Household.group_no == group_no)
    q = q.order_by(Followup.due_date, Household.household_no, Person.name, Followup.followup_type)
    with db.read() as s:
        return [FollowupRow(*r) for r in s.execute(q)]


def count(db: Database, today: dt.date, window: str) -> int:
    q = (
        sa.select(sa.func.count())
        .select_from(Followup)
        .where(Followup.live(), window_condition(window, today))
    )
    with db.read() as s:
        return s.execute(q).scalar_one()


def person_followups(db: Database, person_id: str) -> list[FollowupRow]:
    q = _select().where(Followup.person_id == person_id).order_by(Followup.due_date, Followup.followup_type)
    with db.read() as s:
        return [FollowupRow(*r) for r in s.execute(q)]


def get_detail(db: Database, followup_id: str) -> FollowupDetail:
    with db.read() as s:
        row = s.execute(_select().where(Followup.id == followup_id)).first()
        if row is None:
            raise NotFound("followup.not_found")
        f = s.get(Followup, followup_id)
        assert f is not None
        answers = dict(
            s.execute(
                sa.select(FollowupAnswer.item_key, FollowupAnswer.value).where(
                    FollowupAnswer.followup_id == followup_id, FollowupAnswer.live()
                )
            ).all()
        )
        template = checklists.load_templates().get(f.followup_type, f.checklist_version)
        return FollowupDetail(FollowupRow(*row), template, answers, f.notes, f.updated_by)


def do_record_visit(
    s: Session,
    actor: Actor,
    followup_id: str,
    visit: VisitInput,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    """Record a visit on its checklist. A missed follow-up can still be recorded late; a visit already
    recorded can be corrected (its answers are replaced, the change audited)."""
    require(actor, Permission.CARE)
    if visit.done_date is None:
        raise DomainError("field.required", "done_date")
    not_in_future(visit.done_date, today, "done_date")
    result = optional_text(visit.result, "result", 200)
    notes = optional_text(visit.notes, "notes", 2000, multiline=True)
    f = get_live(s, Followup, followup_id, "followup.not_found")
    expect_rev(f, expected_rev)
    if f.status == FollowupStatus.CANCELLED:
        raise DomainError("followup.is_cancelled", None)
    if visit.done_date < f.earliest_date - dt.timedelta(days=30):
        raise DomainError("followup.too_early", "done_date", earliest=f.earliest_date.isoformat())
    templates = checklists.load_templates()
    template = (
        templates.get(f.followup_type, f.checklist_version)
        if f.status == FollowupStatus.DONE
        else templates.current(f.followup_type)
    )
    answers = checklists.check_answers(template, visit.answers, today)
    f.status, f.done_date, f.result, f.notes = FollowupStatus.DONE.value, visit.done_date, result, notes
    f.status_reason, f.checklist_version = "", template.version
    stored = {
        a.item_key: a
        for a in s.execute(sa.select(FollowupAnswer).where(FollowupAnswer.followup_id == f.id)).scalars()
    }
    for key, value in answers.items():
        a = stored.get(key)
        if a is None:
            s.add(FollowupAnswer(id=answer_id(f.id, key), followup_id=f.id, item_key=key, value=value))
        else:
            a.value, a.deleted_at, a.deleted_reason = value, None, None
    for key, a in stored.items():
        if key not in answers and a.deleted_at is None:
            a.value = ""
    followup_sync.refresh_people(s, [f.person_id], today)


def record_visit(
    db: Database,
    actor: Actor,
    followup_id: str,
    visit: VisitInput,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    db.run(actor, do_record_visit, followup_id, visit, today, expected_rev)


def do_set_status(
    s: Session,
    actor: Actor,
    followup_id: str,
    status: str,
    reason: str,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    """Mark an open follow-up missed or cancelled, with the reason a person gave."""
    require(actor, Permission.CARE)
    if status not in (FollowupStatus.MISSED, FollowupStatus.CANCELLED):
        raise ValueError("only missed or cancelled can be set by hand")
    reason = optional_text(reason, "reason", 200)
    if status == FollowupStatus.CANCELLED and not reason:
        raise DomainError("followup.reason_required", "reason")
    f = get_live(s, Followup, followup_id, "followup.not_found")
    expect_rev(f, expected_rev)
    if f.status not in (FollowupStatus.DUE, FollowupStatus.MISSED):
        raise DomainError("followup.not_open", None)
    f.status, f.status_reason = status, reason


def set_status(
    db: Database,
    actor: Actor,
    followup_id: str,
    status: str,
    reason: str,
    today: dt.date,
    expected_rev: int | None = None,
) -> None:
    db.run(actor, do_set_status, followup_id, status, reason, today, expected_rev)


def do_mark_missed(s: Session, actor: Actor, today: dt.date) -> int:
    require(actor, Permission.CARE)
    return followup_sync.mark_missed(s, today)


def mark_missed(db: Database, actor: Actor, today: dt.date) -> int:
    return db.run(actor, do_mark_missed, today)


def do_regenerate_all(
    s: Session, actor: Actor, today: dt.date, progress: ProgressFn | None = None
) -> followup_sync.SyncSummary:
    """After a rules change (or daily, to extend repeating follow-ups): one transaction, cancellable."""
    require(actor, Permission.CARE)
    return followup_sync.refresh_all(s, today, progress)


def regenerate_all(
    db: Database, actor: Actor, today: dt.date, progress: ProgressFn | None = None
) -> followup_sync.SyncSummary:
    return db.run(actor, do_regenerate_all, today, progress)
