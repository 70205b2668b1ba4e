"""Applying the follow-up engine to the database: for one person after a change, or for everyone after a
rules change. Facts are read in a few set-based queries, planned and reconciled in Python
(app.services.schedule), and the difference written in bulk through the tracking API (app.models.tracking),
one audit line per changed row with its real revision and old values."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, Session

from app.clock import CHINA_TZ
from app.i18n import tr
from app.models import (
    ContraceptiveEpisode,
    FolicAcidCourse,
    Followup,
    FollowupAnswer,
    Person,
    Pregnancy,
    PrepregnancyCheck,
    SupportEntitlement,
)
from app.models.ids import followup_id
from app.models.tracking import insert_rows, update_rows
from app.progress import ProgressFn, report
from app.services import schedule
from app.services.schedule import Existing, Plan, Rules, Window
from app.vocab import PRESENT, FollowupStatus, FollowupType

REFERRAL_ITEM = "referred"  # a checklist item answered "yes" creates a referral-outcome follow-up
NEXT_CHECK_ITEM = "next_check_date"  # a checklist's date item: the due day of the next occurrence


@dataclass(frozen=True)
class SyncSummary:
    inserted: int
    moved: int
    cancelled: int
    people: int


@dataclass(frozen=True)
class _Source:
    table: str
    id: str
    person_id: str
    plan: Plan


class _MakePlan(Protocol):
    """Makes a record's plan when it needs one: a lambda binding its row through default arguments (a plain
    Callable[[], Plan] cannot type such a lambda)."""

    def __call__(self) -> Plan: ...


def _in(column: QueryableAttribute[str], ids: Sequence[str] | None) -> sa.ColumnElement[bool]:
    return sa.true() if ids is None else column.in_(ids)


def _since_entered(plan: Plan, entered: dt.datetime | None, today: dt.date) -> Plan:
    """Repeating occurrences whose window had closed before the record was typed in are not made: nobody could
    have visited for them (an IUD from the paper register, inserted in 2012 and entered today, gets no "missed"
    yearly checks for 2013–2025). Injection reminders are chained on the last one, so they are all kept.
    (`today` caps the entry day: planning can be run for a date before the record's clock time.)"""
    if entered is None:
        return plan
    day = min(entered.astimezone(CHINA_TZ).date(), today)  # the officer's calendar day, not UTC's
    kept = tuple(
        p for p in plan.planned if p.window.latest >= day or p.followup_type == FollowupType.INJECTION
    )
    return plan if len(kept) == len(plan.planned) else Plan(kept, plan.reason)


def _collect(s: Session, rules: Rules, today: dt.date, person_ids: Sequence[str] | None) -> list[_Source]:
    """Every care record (of the given people, or of everyone) with the plan it should have today."""
    present = {
        pid
        for (pid,) in s.execute(
            sa.select(Person.id).where(
                _in(Person.id, person_ids), Person.live(), Person.residence_status.in_(PRESENT)
            )
        )
    }
    gone = schedule.Plan((), "followup.reason.person_gone")
    deleted = schedule.Plan((), "followup.reason.record_deleted")
    sources: list[_Source] = []
    asked = _next_dates_asked(s, person_ids)

    def add(table: str, sid: str, pid: str, is_deleted: bool, make: _MakePlan) -> None:
        plan = deleted if is_deleted else gone if pid not in present else make()
        if sid in asked:
            plan = schedule.with_next_dates(rules, plan, asked[sid])
        sources.append(_Source(table, sid, pid, plan))

    pregnancies = s.execute(
        sa.select(
            Pregnancy.id,
            Pregnancy.woman_id,
            Pregnancy.lmp,
            Pregnancy.outcome,
            Pregnancy.outcome_date,
            Pregnancy.discharge_date,
            Pregnancy.registration_date,
            Pregnancy.edd,
            Pregnancy.deleted_at,
        ).where(_in(Pregnancy.woman_id, person_ids))
    ).all()
    by_woman: dict[str, list[sa.Row[*tuple[Any, ...]]]] = defaultdict(list)
    for p in pregnancies:
        if p.deleted_at is None:
            by_woman[p.woman_id].append(p)
        add(
            "pregnancy",
            p.id,
            p.woman_id,
            p.deleted_at is not None,
            lambda p=p: schedule.plan_pregnancy(
                rules, schedule.PregnancyFacts(p.lmp, p.outcome, p.outcome_date, p.discharge_date)
            ),
        )

    for c in s.execute(
        sa.select(
            PrepregnancyCheck.id,
            PrepregnancyCheck.woman_id,
            PrepregnancyCheck.check_date,
            PrepregnancyCheck.pregnancy_id,
            PrepregnancyCheck.deleted_at,
            PrepregnancyCheck.created_at,
        ).where(_in(PrepregnancyCheck.woman_id, person_ids))
    ):
        linked = [p for p in by_woman[c.woman_id] if p.id == c.pregnancy_id]
        following = linked or sorted(
            (p for p in by_woman[c.woman_id] if p.registration_date >= c.check_date),
            key=lambda p: p.registration_date,
        )
        first = following[0] if following else None
        add(
            "prepregnancy_check",
            c.id,
            c.woman_id,
            c.deleted_at is not None,
            lambda c=c, first=first: _since_entered(
                schedule.plan_prepregnancy(
                    rules,
                    c.check_date,
                    first.registration_date if first else None,
                    first.edd if first else None,
                    today,
                ),
                c.created_at,
                today,
            ),
        )

    for f in s.execute(
        sa.select(
            FolicAcidCourse.id,
            FolicAcidCourse.woman_id,
            FolicAcidCourse.start_date,
            FolicAcidCourse.end_date,
            FolicAcidCourse.deleted_at,
            FolicAcidCourse.created_at,
        ).where(_in(FolicAcidCourse.woman_id, person_ids))
    ):
        add(
            "folic_acid_course",
            f.id,
            f.woman_id,
            f.deleted_at is not None,
            lambda f=f: _since_entered(
                schedule.plan_folic(rules, f.start_date, f.end_date, today), f.created_at, today
            ),
        )

    injections: dict[str, list[tuple[int, dt.date]]] = defaultdict(list)
    for source_id, occurrence, done in s.execute(
        sa.select(Followup.source_id, Followup.occurrence, Followup.done_date).where(
            _in(Followup.person_id, person_ids),
            Followup.followup_type == FollowupType.INJECTION,
            Followup.status == FollowupStatus.DONE,
            Followup.live(),
        )
    ):
        assert done is not None  # the database's done_has_date check: a done follow-up has its date
        injections[source_id].append((occurrence, done))
    for e in s.execute(
        sa.select(
            ContraceptiveEpisode.id,
            ContraceptiveEpisode.person_id,
            ContraceptiveEpisode.method,
            ContraceptiveEpisode.start_date,
            ContraceptiveEpisode.stop_date,
            ContraceptiveEpisode.deleted_at,
            ContraceptiveEpisode.created_at,
        ).where(_in(ContraceptiveEpisode.person_id, person_ids))
    ):
        given = tuple(d for _, d in sorted(injections[e.id]))
        add(
            "contraceptive_method",
            e.id,
            e.person_id,
            e.deleted_at is not None,
            lambda e=e, given=given: _since_entered(
                schedule.plan_contraceptive(rules, e.method, e.start_date, e.stop_date, given, today),
                e.created_at,
                today,
            ),
        )

    for x in s.execute(
        sa.select(
            SupportEntitlement.id,
            SupportEntitlement.person_id,
            SupportEntitlement.assigned_on,
            SupportEntitlement.ended_on,
            SupportEntitlement.visit_interval_months,
            SupportEntitlement.deleted_at,
            SupportEntitlement.created_at,
        ).where(_in(SupportEntitlement.person_id, person_ids))
    ):
        ended = x.ended_on is not None and x.ended_on <= today
        add(
            "support_entitlement",
            x.id,
            x.person_id,
            x.deleted_at is not None,
            lambda x=x, ended=ended: (
                schedule.Plan((), "followup.reason.support_ended")
                if ended
                else _since_entered(
                    schedule.plan_support(rules, x.assigned_on, x.visit_interval_months, today),
                    x.created_at,
                    today,
                )
            ),
        )

    referred = s.execute(
        sa.select(Followup.id, Followup.person_id, Followup.done_date)
        .join(FollowupAnswer, FollowupAnswer.followup_id == Followup.id)
        .where(
            _in(Followup.person_id, person_ids),
            Followup.status == FollowupStatus.DONE,
            Followup.live(),
            FollowupAnswer.item_key == REFERRAL_ITEM,
            FollowupAnswer.value == "yes",
            FollowupAnswer.live(),
        )
    )
    for fid, pid, done in referred:
        add("followup", fid, pid, False, lambda done=done: schedule.plan_referral(rules, done))
    return sources


def _next_dates_asked(
    s: Session, person_ids: Sequence[str] | None
) -> dict[str, list[tuple[str, int, dt.date]]]:
    """The next check dates that done visits asked for, by source record: (type, occurrence, date)."""
    out: dict[str, list[tuple[str, int, dt.date]]] = defaultdict(list)
    for source_id, ftype, occurrence, value in s.execute(
        sa.select(Followup.source_id, Followup.followup_type, Followup.occurrence, FollowupAnswer.value)
        .join(FollowupAnswer, FollowupAnswer.followup_id == Followup.id)
        .where(
            _in(Followup.person_id, person_ids),
            Followup.status == FollowupStatus.DONE,
            Followup.live(),
            FollowupAnswer.item_key == NEXT_CHECK_ITEM,
            FollowupAnswer.value != "",
            FollowupAnswer.live(),
        )
    ):
        out[source_id].append((ftype, occurrence, dt.date.fromisoformat(value)))
    return out


def _existing(s: Session, person_ids: Sequence[str] | None) -> dict[str, list[Existing]]:
    rows = s.execute(
        sa.select(
            Followup.id,
            Followup.source_id,
            Followup.followup_type,
            Followup.occurrence,
            Followup.earliest_date,
            Followup.due_date,
            Followup.latest_date,
            Followup.status,
        ).where(_in(Followup.person_id, person_ids), Followup.live())
    )
    out: dict[str, list[Existing]] = defaultdict(list)
    for fid, source_id, ftype, occ, earliest, due, latest, status in rows:
        out[source_id].append(Existing(fid, ftype, occ, Window(earliest, due, latest), status))
    return out


def _apply(
    s: Session,
    sources: list[_Source],
    existing: dict[str, list[Existing]],
    today: dt.date,
    progress: ProgressFn | None = None,
) -> SyncSummary:
    """Write the difference between the plans and the stored follow-ups through the tracking API: new
    occurrences with the ids of app.models.ids (the same in every database planning from these records),
    moved windows and cancellations as ordinary audited changes with their real revisions."""
    inserts: list[dict[str, object]] = []
    moves: list[tuple[str, dict[str, object]]] = []
    cancels: list[tuple[str, dict[str, object]]] = []
    seen = set()
    for n, src in enumerate(sources):
        seen.add(src.id)
        changes = schedule.reconcile(existing.get(src.id, ()), src.plan, today)
        for planned, status in changes.inserts:
            w = planned.window
            inserts.append(
                dict(
                    id=followup_id(src.id, planned.followup_type, planned.occurrence),
                    person_id=src.person_id,
                    followup_type=planned.followup_type,
                    source_table=src.table,
                    source_id=src.id,
                    occurrence=planned.occurrence,
                    earliest_date=w.earliest,
                    due_date=w.due,
                    latest_date=w.latest,
                    status=status,
                )
            )
        for fid, w, status in changes.moves:
            moves.append(
                (
                    fid,
                    dict(
                        earliest_date=w.earliest,
                        due_date=w.due,
                        latest_date=w.latest,
                        status=status,
                        status_reason="",
                    ),
                )
            )
        for fid, reason in changes.cancels:
            cancels.append((fid, dict(status=FollowupStatus.CANCELLED.value, status_reason=reason)))
        if n % 500 == 0:
            report(progress, 0.1 + 0.7 * n / max(len(sources), 1), tr("followup.progress.planning"))
    # follow-ups whose source record no longer exists at all
    for source_id, rows in existing.items():
        if source_id not in seen:
            for e in rows:
                if e.status == FollowupStatus.DUE.value:
                    reason = "followup.reason.record_deleted"
                    cancels.append((e.id, dict(status=FollowupStatus.CANCELLED.value, status_reason=reason)))
    _revive_voided(s, inserts)
    insert_rows(s, Followup, inserts)
    moved = update_rows(s, Followup, moves)
    cancelled = update_rows(s, Followup, cancels)
    people = len({src.person_id for src in sources})
    return SyncSummary(len(inserts), moved, cancelled, people)


def _revive_voided(s: Session, inserts: list[dict[str, object]]) -> None:
    """An occurrence planned again whose row exists but was voided (its id is taken): bring that row back with
    the new window instead of inserting a second row with the same id."""
    ids = [str(r["id"]) for r in inserts]
    voided: set[str] = set()
    for i in range(0, len(ids), 500):
        voided |= set(
            s.execute(
                sa.select(Followup.id).where(
                    Followup.id.in_(ids[i : i + 500]), Followup.deleted_at.is_not(None)
                )
            ).scalars()
        )
    if not voided:
        return
    revive = [r for r in inserts if r["id"] in voided]
    inserts[:] = [r for r in inserts if r["id"] not in voided]
    update_rows(
        s,
        Followup,
        [
            (
                str(r["id"]),
                {**{k: v for k, v in r.items() if k != "id"}, "deleted_at": None, "deleted_reason": None},
            )
            for r in revive
        ],
    )


_DEFERRED = "followups_to_replan"
NOTHING = SyncSummary(0, 0, 0, 0)


def refresh_people(s: Session, person_ids: Sequence[str], today: dt.date) -> SyncSummary:
    """Re-plan the follow-ups of these people inside the caller's transaction (after any care change). Inside
    `replan_once`, the people are only noted, and re-planned together when the batch ends."""
    deferred = s.info.get(_DEFERRED)
    if deferred is not None:
        deferred.update(person_ids)
        return NOTHING
    s.flush()
    rules = schedule.load_rules()
    ids = list(dict.fromkeys(person_ids))
    summary = NOTHING
    for i in range(0, len(ids), 500):  # IN lists stay well under SQLite's limit of bound parameters
        part = ids[i : i + 500]
        done = _apply(s, _collect(s, rules, today, part), _existing(s, part), today)
        summary = SyncSummary(
            summary.inserted + done.inserted,
            summary.moved + done.moved,
            summary.cancelled + done.cancelled,
            summary.people + done.people,
        )
    return summary


@contextmanager
def replan_once(s: Session, today: dt.date) -> Iterator[None]:
    """A batch of changes (an import, a package applied) whose follow-ups are re-planned once, at its end,
    for everyone it touched — not once per record."""
    if s.info.get(_DEFERRED) is not None:  # already inside a batch: the outer one re-plans
        yield
        return
    pending: set[str] = set()
    s.info[_DEFERRED] = pending
    try:
        yield
    finally:
        del s.info[_DEFERRED]
    if pending:
        refresh_people(s, sorted(pending), today)


def refresh_all(s: Session, today: dt.date, progress: ProgressFn | None = None) -> SyncSummary:
    """Re-plan everyone's follow-ups (after a rules change, and at start-up to extend repeating ones)."""
    s.flush()
    rules = schedule.load_rules()
    report(progress, 0.0, tr("followup.progress.reading"))
    sources = _collect(s, rules, today, None)
    existing = _existing(s, None)
    summary = _apply(s, sources, existing, today, progress)
    report(progress, 1.0, tr("followup.progress.done"))
    return summary


def mark_missed(s: Session, today: dt.date) -> int:
    """Due follow-ups whose latest day has passed become missed (they stay visible and can be done late)."""
    ids = s.execute(
        sa.select(Followup.id).where(
            Followup.status == FollowupStatus.DUE, Followup.latest_date < today, Followup.live()
        )
    ).scalars()
    return update_rows(s, Followup, [(fid, {"status": FollowupStatus.MISSED.value}) for fid in ids])
