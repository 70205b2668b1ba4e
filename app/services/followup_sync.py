"""Applying the follow-up engine to the database: for one person after a change, or for everyone after a
rules change. Facts are read in a few set-based queries, planned and reconciled in Python
(app.services.schedule), and the difference written with Core statements and one audit line per change."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.clock import CHINA_TZ, now_utc
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
from app.models.base import new_id
from app.models.tracking import append_audit, last_audit_hash
from app.models.vocab import PRESENT, FollowupStatus, FollowupType
from app.services import schedule
from app.services.schedule import Existing, Plan, Rules, Window

REFERRAL_ITEM = "referred"  # a checklist item answered "yes" creates a referral-outcome follow-up
ProgressFn = Callable[[float, str], bool]


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


def _in(column: sa.ColumnElement, ids: Sequence[str] | None) -> sa.ColumnElement[bool]:
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
                _in(Person.id, person_ids), Person.deleted_at.is_(None), Person.residence_status.in_(PRESENT)
            )
        )
    }
    gone = schedule.Plan((), "followup.reason.person_gone")
    deleted = schedule.Plan((), "followup.reason.record_deleted")
    sources: list[_Source] = []

    def add(table: str, sid: str, pid: str, is_deleted: bool, make: Callable[[], Plan]) -> None:
        plan = deleted if is_deleted else gone if pid not in present else make()
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
    by_woman: dict[str, list] = defaultdict(list)
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
            Followup.deleted_at.is_(None),
        )
    ):
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
        done = tuple(d for _, d in sorted(injections[e.id]))
        add(
            "contraceptive_method",
            e.id,
            e.person_id,
            e.deleted_at is not None,
            lambda e=e, done=done: _since_entered(
                schedule.plan_contraceptive(rules, e.method, e.start_date, e.stop_date, done, today),
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
            Followup.deleted_at.is_(None),
            FollowupAnswer.item_key == REFERRAL_ITEM,
            FollowupAnswer.value == "yes",
            FollowupAnswer.deleted_at.is_(None),
        )
    )
    for fid, pid, done in referred:
        add("followup", fid, pid, False, lambda done=done: schedule.plan_referral(rules, done))
    return sources


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
        ).where(_in(Followup.person_id, person_ids), Followup.deleted_at.is_(None))
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
    user_id = s.info["user_id"]
    node = s.info.get("node", "")
    now = now_utc()
    inserts: list[dict] = []
    updates: list[dict] = []
    audit: list[tuple[str, str, int, dict]] = []
    seen = set()
    for n, src in enumerate(sources):
        seen.add(src.id)
        changes = schedule.reconcile(existing.get(src.id, ()), src.plan, today)
        for planned, status in changes.inserts:
            fid = new_id()
            w = planned.window
            inserts.append(
                dict(
                    id=fid,
                    rev=1,
                    owner=node,
                    created_at=now,
                    created_by=user_id,
                    updated_at=now,
                    updated_by=user_id,
                    person_id=src.person_id,
                    followup_type=planned.followup_type,
                    source_table=src.table,
                    source_id=src.id,
                    occurrence=planned.occurrence,
                    earliest_date=w.earliest,
                    due_date=w.due,
                    latest_date=w.latest,
                    status=status,
                    result="",
                    notes="",
                    status_reason="",
                )
            )
            audit.append(
                (
                    "insert",
                    fid,
                    1,
                    {
                        "followup_type": [None, planned.followup_type],
                        "due_date": [None, w.due.isoformat()],
                        "status": [None, status],
                    },
                )
            )
        for fid, w, status in changes.moves:
            updates.append(
                dict(
                    fid=fid,
                    earliest_date=w.earliest,
                    due_date=w.due,
                    latest_date=w.latest,
                    status=status,
                    status_reason="",
                )
            )
            audit.append(
                ("update", fid, 0, {"due_date": [None, w.due.isoformat()], "status": [None, status]})
            )
        for fid, reason in changes.cancels:
            updates.append(dict(fid=fid, status=FollowupStatus.CANCELLED.value, status_reason=reason))
            audit.append(("update", fid, 0, {"status": [None, "cancelled"], "status_reason": [None, reason]}))
        if (
            progress is not None
            and n % 500 == 0
            and not progress(0.1 + 0.7 * n / max(len(sources), 1), "followup.progress.planning")
        ):
            raise Cancelled
    # follow-ups whose source record no longer exists at all
    for source_id, rows in existing.items():
        if source_id not in seen:
            for e in rows:
                if e.status == FollowupStatus.DUE.value:
                    reason = "followup.reason.record_deleted"
                    updates.append(
                        dict(fid=e.id, status=FollowupStatus.CANCELLED.value, status_reason=reason)
                    )
                    audit.append(("update", e.id, 0, {"status": [None, "cancelled"]}))
    table = Followup.__table__
    if inserts:
        s.execute(sa.insert(table), inserts)
    moves = [u for u in updates if "due_date" in u]
    cancels = [u for u in updates if "due_date" not in u]
    bump = dict(rev=table.c.rev + 1, updated_at=now, updated_by=user_id)
    if moves:
        s.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("fid"))
            .values(
                earliest_date=sa.bindparam("earliest_date"),
                due_date=sa.bindparam("due_date"),
                latest_date=sa.bindparam("latest_date"),
                status=sa.bindparam("status"),
                status_reason=sa.bindparam("status_reason"),
                **bump,
            ),
            moves,
        )
    if cancels:
        s.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("fid"))
            .values(status=sa.bindparam("status"), status_reason=sa.bindparam("status_reason"), **bump),
            cancels,
        )
    if audit:
        prev = last_audit_hash(s)
        for action, fid, rev, changes in audit:
            prev = append_audit(
                s, action=action, table="followup", record_id=fid, rev=rev, changes=changes, prev_hash=prev
            ).hash
    s.expire_all()  # Core statements bypassed the identity map
    people = len({src.person_id for src in sources})
    return SyncSummary(len(inserts), len(moves), len(cancels), people)


class Cancelled(Exception):
    """The person pressed Cancel; the transaction is rolled back and nothing changed."""


def refresh_people(s: Session, person_ids: Sequence[str], today: dt.date) -> SyncSummary:
    """Re-plan the follow-ups of these people inside the caller's transaction (after any care change)."""
    s.flush()
    rules = schedule.load_rules()
    return _apply(s, _collect(s, rules, today, list(person_ids)), _existing(s, list(person_ids)), today)


def refresh_all(s: Session, today: dt.date, progress: ProgressFn | None = None) -> SyncSummary:
    """Re-plan everyone's follow-ups (after a rules change, and at start-up to extend repeating ones)."""
    s.flush()
    rules = schedule.load_rules()
    if progress is not None and not progress(0.0, "followup.progress.reading"):
        raise Cancelled
    sources = _collect(s, rules, today, None)
    existing = _existing(s, None)
    summary = _apply(s, sources, existing, today, progress)
    if progress is not None:
        progress(1.0, "followup.progress.done")
    return summary


def mark_missed(s: Session, today: dt.date) -> int:
    """Due follow-ups whose latest day has passed become missed (they stay visible and can be done late)."""
    table = Followup.__table__
    ids = [
        fid
        for (fid,) in s.execute(
            sa.select(table.c.id).where(
                table.c.status == FollowupStatus.DUE,
                table.c.latest_date < today,
                table.c.deleted_at.is_(None),
            )
        )
    ]
    if ids:
        refresh_ids = [{"fid": fid} for fid in ids]
        s.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("fid"))
            .values(
                status=FollowupStatus.MISSED.value,
                rev=table.c.rev + 1,
                updated_at=now_utc(),
                updated_by=s.info["user_id"],
            ),
            refresh_ids,
        )
        prev = last_audit_hash(s)
        for fid in ids:
            prev = append_audit(
                s,
                action="update",
                table="followup",
                record_id=fid,
                rev=0,
                changes={"status": ["due", "missed"]},
                prev_hash=prev,
            ).hash
        s.expire_all()
    return len(ids)
