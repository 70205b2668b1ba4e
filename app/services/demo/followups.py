"""Follow-ups of the demo and their checklist answers: exactly what the follow-up engine would have made.

Kept apart on purpose, one entry point per kind of source record (a pregnancy, a pre-pregnancy check, a folic
acid course, a contraceptive method, a support entitlement, and a visit that referred someone). Each derives
the facts app.services.followup_sync._collect derives for the record, asks the engine's planners
(app.services.schedule) for its windows as of today, and decides the story of every window with the demo's
seeded random stream:

- a window closed before today was mostly done (on a day inside it, its checklist answered on the current
  template), else missed; an open window is due, or done already; a window still ahead is due;
- what the engine made on the way and later gave up is there as cancelled, with the engine's reason (the
  antenatal checks left when a pregnancy ended, the pre-pregnancy calls once she is pregnant, the checks ahead
  when a method or a folic acid course stopped, everything still due when the person died or moved away);
- a visit answered "referred: yes" has its referral follow-up.

So `followup_sync.refresh_all` on a fresh demo finds nothing to insert, move or cancel. The demo's story of
the desk itself: the village began using it on the first day of the window (Builder.start) and typed in its
older care records from the paper register that day (Builder.typed_in); the engine makes no follow-ups for the
windows that had closed before a record was typed in, except the chain of injection reminders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.models.ids import answer_id, followup_id
from app.services import checklists, schedule
from app.services.demo.builder import Builder
from app.services.demo.dates import days
from app.services.demo.places import HOSPITALS
from app.services.schedule import Plan, Planned, PregnancyFacts, Window
from app.vocab import (
    PRESENT,
    DeliveryPlace,
    FollowupStatus,
    FollowupType,
    PregnancyOutcome,
    VitalEventType,
)

DONE, DUE = FollowupStatus.DONE.value, FollowupStatus.DUE.value
MISSED, CANCELLED = FollowupStatus.MISSED.value, FollowupStatus.CANCELLED.value
PERSON_GONE = "followup.reason.person_gone"
REFERRED = "referred"  # the checklist item that makes a referral follow-up (followup_sync.REFERRAL_ITEM)
ANTENATAL = (FollowupType.ANC1, FollowupType.ANC2, FollowupType.ANC3, FollowupType.ANC4, FollowupType.ANC5)
P_DONE = 0.9  # a window closed before today was done (else missed)
P_OPEN = 0.8  # ... and an open one, in proportion of the part of it gone by

Answers = Callable[[dt.date], dict[str, str]]


@dataclass(frozen=True)
class _Source:
    """A record follow-ups are made for, as the engine sees it."""

    table: str
    id: str
    person_id: str
    entered: dt.date  # the day it was typed in (its follow-ups exist from then on)
    left: dt.date | None  # the day its person died or moved away; None while she belongs to the village

    def now(self, b: Builder) -> dt.date:
        """The day its plan is made on: today, or the last day its person was in the village."""
        return b.today if self.left is None else min(self.left, b.today)


def _left(b: Builder, person_id: str) -> dt.date | None:
    member = b.people_by_id[person_id]
    if member.row["residence_status"] in PRESENT:
        return None
    day = member.row.get("death_date")
    if day is None:
        moves = [
            r["event_date"]
            for r in b.rows["vital_event"]
            if r["person_id"] == person_id and r["event_type"] == VitalEventType.MOVE_OUT
        ]
        day = max(moves, default=b.today)
    return min(day, b.today)


def _source(b: Builder, table: str, row: dict[str, Any], person_id: str) -> _Source:
    return _Source(table, row["id"], person_id, row["created_at"].date(), _left(b, person_id))


def _since(plan: Plan, src: _Source, day: dt.date) -> list[Planned]:
    """The plan without the windows closed before the record was typed in (followup_sync._since_entered)."""
    first = min(src.entered, day)
    return [p for p in plan.planned if p.window.latest >= first or p.followup_type == FollowupType.INJECTION]


def _dropped(before: list[Planned], now: list[Planned]) -> list[Planned]:
    """What the engine had made before a change and no longer plans after it."""
    kept = {(p.followup_type, p.occurrence) for p in now}
    return [p for p in before if (p.followup_type, p.occurrence) not in kept]


def _made(src: _Source, w: Window) -> dt.date:
    """When the engine made a repeating follow-up: once its due day came within the horizon."""
    return max(src.entered, w.due - days(schedule.load_rules().horizon_days))


# ---------------------------------------------------------------- one window


def _draw(b: Builder, w: Window, lo: dt.date, hi: dt.date, cut: dt.date, p_done: float) -> dt.date | None:
    """The day the visit of window `w` was made, seen on `cut`, or None: it could be made from `lo` to `hi`."""
    rng = b.rng
    hi = min(hi, w.latest, cut)
    if lo > hi:
        return None
    if w.latest < cut:  # closed
        p = p_done
    else:  # open: the longer it has been open, the likelier the visit is made already
        p = P_OPEN * ((cut - lo).days + 1) / ((w.latest - lo).days + 1)
    if rng.random() >= p:
        return None
    return lo + days(rng.randint(0, (hi - lo).days))


def _visit(
    b: Builder,
    src: _Source,
    p: Planned,
    answers: Answers,
    *,
    made: dt.date,
    until: dt.date | None = None,
    reason: str = "",
    floor: dt.date | None = None,
    last: dt.date | None = None,
    p_done: float = P_DONE,
    done_on: dt.date | None = None,
    result: str = "",
) -> dict[str, Any]:
    """The follow-up of window `p`, made on `made`. Wanted by the engine today unless `until` says from when it
    is not any more (then it is cancelled with `reason` if it was still due that day). Its visit can be made
    from `floor` to `last` (or is made on `done_on`)."""
    w = p.window
    wanted, cut = until is None, b.today if until is None else until
    if src.left is not None and src.left <= cut:
        wanted, cut, reason = False, src.left, PERSON_GONE
    done: dt.date | None = None
    if done_on is not None and done_on <= cut:
        done = done_on
    elif p_done > 0:
        lo = max(w.earliest, made, floor or made)
        done = _draw(b, w, lo, last or cut, cut, p_done)
    if done is not None:
        status = DONE
    elif w.latest < cut:
        status = MISSED
    else:
        status = DUE if wanted else CANCELLED
    row = b.add(
        "followup",
        max(done, made) if done is not None else made,
        id=followup_id(src.id, p.followup_type, p.occurrence),  # as the engine names it (app.models.ids)
        person_id=src.person_id,
        followup_type=p.followup_type,
        source_table=src.table,
        source_id=src.id,
        occurrence=p.occurrence,
        earliest_date=w.earliest,
        due_date=w.due,
        latest_date=w.latest,
        status=status,
        done_date=done,
        result=result if done is not None else "",
        status_reason=reason if status == CANCELLED else "",
        checklist_version=checklists.load_templates().current(p.followup_type).version if done else None,
    )
    if done is not None:
        filled = answers(done)
        for key, value in filled.items():
            b.add(
                "followup_answer",
                done,
                id=answer_id(row["id"], key),
                followup_id=row["id"],
                item_key=key,
                value=value,
            )
        if filled.get(REFERRED) == "yes":
            referral(b, row)
    return row


# ---------------------------------------------------------------- checklist answers (current templates)


def _yes(b: Builder, p: float) -> str:
    return "yes" if b.rng.random() < p else "no"


def _antenatal_answers(b: Builder, lmp: dt.date, kind: str) -> Answers:
    def answer(done: dt.date) -> dict[str, str]:
        rng = b.rng
        ga = (done - lmp).days
        out = {"checked_at_facility": _yes(b, 0.93)}
        if out["checked_at_facility"] == "yes":
            out["facility"] = rng.choice(HOSPITALS)
        out["weeks_at_visit"] = f"{ga // 7}+{ga % 7}"
        out["blood_pressure_ok"] = _yes(b, 0.95)
        danger = _yes(b, 0.03)
        out["danger_signs"] = danger
        if ga < 13 * 7 + 7:
            out["folic_acid_taken"] = _yes(b, 0.85)
        out[REFERRED] = "yes" if danger == "yes" or rng.random() < 0.02 else "no"
        if kind != FollowupType.ANC5 and rng.random() < 0.7:
            out["next_check_date"] = (done + days(rng.randint(21, 42))).isoformat()
        return out

    return answer


def _postpartum_answers(b: Builder, outcome: str) -> Answers:
    def answer(done: dt.date) -> dict[str, str]:
        rng = b.rng
        live = outcome == PregnancyOutcome.LIVE_BIRTH
        danger = _yes(b, 0.03)
        out = {
            "mother_well": _yes(b, 0.95),
            "baby_well": _yes(b, 0.97) if live else "no",
            "feeding": rng.choices(("breast", "mixed", "formula"), (70, 22, 8))[0],
            "danger_signs": danger,
            "contraception_counselled": _yes(b, 0.8),
            REFERRED: "yes" if danger == "yes" or rng.random() < 0.02 else "no",
        }
        return out

    return answer


def _prepregnancy_answers(b: Builder, lmp: dt.date | None) -> Answers:
    def answer(done: dt.date) -> dict[str, str]:
        pregnant = lmp is not None and done >= lmp + days(35)  # a test turns positive by 5 weeks
        return {
            "pregnant_now": "yes" if pregnant else "no",
            "still_planning": "no" if pregnant else _yes(b, 0.9),
            "folic_acid_taken": _yes(b, 0.8),
        }

    return answer


def _outcome_answers(b: Builder, outcome: str) -> Answers:
    def answer(done: dt.date) -> dict[str, str]:
        out = {"outcome_known": "yes", "outcome": outcome}
        if outcome in (PregnancyOutcome.LIVE_BIRTH, PregnancyOutcome.STILLBIRTH):
            out["birth_defect"] = _yes(b, 0.01)
        return out

    return answer


def _folic_answers(b: Builder) -> Answers:
    def answer(done: dt.date) -> dict[str, str]:
        rng = b.rng
        out = {
            "taking": rng.choices(("daily", "sometimes", "stopped"), (75, 18, 7))[0],
            "bottles_left": str(rng.randint(0, 2)),
        }
        if rng.random() < 0.05:
            out["side_effects"] = rng.choice(("轻微恶心", "食欲稍差", "偶有腹胀"))
        return out

    return answer


def _contraceptive_answers(b: Builder) -> Answers:
    def answer(done: dt.date) -> dict[str, str]:
        side = _yes(b, 0.12)
        return {
            "side_effects": side,
            "satisfied": _yes(b, 0.75 if side == "yes" else 0.96),
            "wants_change": _yes(b, 0.25 if side == "yes" else 0.03),
            REFERRED: "yes" if side == "yes" and b.rng.random() < 0.15 else "no",
        }

    return answer


def _referral_answers(b: Builder) -> Answers:
    def answer(done: dt.date) -> dict[str, str]:
        rng = b.rng
        if rng.random() < 0.88:
            return {
                "reached_facility": "yes",
                "facility": rng.choice(HOSPITALS),
                "result": rng.choice(
                    ("已就诊，遵医嘱处理", "已就诊，无异常", "已住院观察", "已复查，情况好转")
                ),
            }
        return {"reached_facility": "no", "result": rng.choice(("家中有事未去", "本人不愿前往"))}

    return answer


def _support_answers(b: Builder) -> Answers:
    def answer(done: dt.date) -> dict[str, str]:
        rng = b.rng
        out = {"care_kind": rng.choices(("daily_life", "illness", "emotional"), (50, 25, 25))[0]}
        if rng.random() < 0.4:
            out["needs"] = rng.choice(
                ("需要帮助购买药品", "希望有人陪同就医", "冬季取暖需要帮助", "生活用品短缺")
            )
        out["help_arranged"] = _yes(b, 0.6 if "needs" in out else 0.2)
        return out

    return answer


# ---------------------------------------------------------------- the sources


def pregnancy(b: Builder, preg: dict[str, Any]) -> None:
    """The antenatal checks made when the pregnancy was registered (cancelled as they stood when it ended) and
    the postpartum visits after a birth."""
    src = _source(b, "pregnancy", preg, preg["woman_id"])
    rules = schedule.load_rules()
    lmp, reg, end = preg["lmp"], preg["registration_date"], preg["outcome_date"]
    plan = schedule.plan_pregnancy(rules, PregnancyFacts(lmp, preg["outcome"], end, preg["discharge_date"]))
    asked: list[tuple[str, int, dt.date]] = []  # the next check dates the checks done so far asked for
    if end is not None and reg < end:  # registered before it ended: the checks made then stop at the end
        before = schedule.plan_pregnancy(rules, PregnancyFacts(lmp))
        for p in _dropped(list(before.planned), list(plan.planned)):
            _antenatal(b, src, preg, p, asked, until=end, reason=plan.reason)
    for p in plan.planned:
        if p.followup_type in ANTENATAL:
            _antenatal(b, src, preg, p, asked)
        else:
            _postpartum(b, src, preg, p)


def _antenatal(
    b: Builder,
    src: _Source,
    preg: dict[str, Any],
    p: Planned,
    asked: list[tuple[str, int, dt.date]],
    until: dt.date | None = None,
    reason: str = "",
) -> None:
    """One antenatal check; its window's due day is the next check date the check before it asked for
    (schedule.with_next_dates, as the engine does), and a next check date it asks for goes into `asked`."""
    reg = preg["registration_date"]
    p = schedule.with_next_dates(schedule.load_rules(), Plan((p,)), asked).planned[0]
    drawn = _antenatal_answers(b, preg["lmp"], p.followup_type)
    given: dict[str, str] = {}

    def answers(done: dt.date) -> dict[str, str]:
        given.update(drawn(done))
        return given

    late = p.followup_type == FollowupType.ANC1 and p.window.latest < reg
    row = _visit(
        b,
        src,
        p,
        answers,
        made=reg,
        until=until,
        reason=reason,
        last=until,
        # a late registration: the first check is made on the day, after its window (flagged, never refused)
        done_on=reg if late else None,
        result="晚建册" if late else "",
    )
    if row["status"] == DONE and given.get("next_check_date"):
        asked.append((p.followup_type, p.occurrence, dt.date.fromisoformat(given["next_check_date"])))


def _postpartum(b: Builder, src: _Source, preg: dict[str, Any], p: Planned) -> None:
    delivered, home = preg["outcome_date"], preg["discharge_date"]
    still_in_hospital = home is None and preg["delivery_place"] == DeliveryPlace.HOSPITAL
    _visit(
        b,
        src,
        p,
        _postpartum_answers(b, preg["outcome"]),
        made=delivered,
        floor=home or delivered,
        p_done=0.0 if still_in_hospital else 0.9,
    )


def _first_pregnancy_after(b: Builder, check: dict[str, Any]) -> dict[str, Any] | None:
    """The pregnancy a check leads to: the one it names, or her first registered on or after the check."""
    woman, day, linked = check["woman_id"], check["check_date"], check["pregnancy_id"]
    mine = [p for p in b.rows["pregnancy"] if p["woman_id"] == woman]
    named = [p for p in mine if p["id"] == linked]
    after = sorted((p for p in mine if p["registration_date"] >= day), key=lambda p: p["registration_date"])
    found = named or after
    return found[0] if found else None


def prepregnancy_check(b: Builder, check: dict[str, Any]) -> None:
    """After a pre-pregnancy check: a call every three months asking whether she is pregnant (made up to the
    horizon, stopped when a pregnancy is registered), then the outcome of that pregnancy after its EDD.
    Call it once her pregnancies are made."""
    src = _source(b, "prepregnancy_check", check, check["woman_id"])
    rules = schedule.load_rules()
    first = _first_pregnancy_after(b, check)
    reg, edd = (first["registration_date"], first["edd"]) if first else (None, None)
    now = src.now(b)
    plan = schedule.plan_prepregnancy(rules, check["check_date"], reg, edd, now)
    wanted = _since(plan, src, now)
    lmp = first["lmp"] if first else None
    early = _prepregnancy_answers(b, lmp)
    if reg is not None and src.entered < reg <= now:  # the calls made before she was known to be pregnant
        eve = reg - days(1)
        before = _since(schedule.plan_prepregnancy(rules, check["check_date"], None, None, eve), src, eve)
        for p in _dropped(before, wanted):
            _visit(b, src, p, early, made=_made(src, p.window), until=reg, reason=plan.reason)
    for p in wanted:
        if p.followup_type == FollowupType.PREPREG_EARLY:
            _visit(b, src, p, early, made=_made(src, p.window))
        else:  # the outcome of the pregnancy: asked once it is known
            assert first is not None
            ended = first["outcome_date"]
            _visit(
                b,
                src,
                p,
                _outcome_answers(b, first["outcome"] or ""),
                made=max(src.entered, reg or src.entered),
                floor=ended,
                p_done=P_DONE if ended is not None else 0.0,
            )


def folic_course(b: Builder, course: dict[str, Any]) -> None:
    """Monthly checks that she takes her folic acid, made up to the horizon, until the course ends."""
    src = _source(b, "folic_acid_course", course, course["woman_id"])
    rules = schedule.load_rules()
    start, end = course["start_date"], course["end_date"]
    now = src.now(b)
    plan = schedule.plan_folic(rules, start, end, now)
    wanted = _since(plan, src, now)
    answers = _folic_answers(b)
    if (
        end is not None and src.entered < end <= now
    ):  # the end typed in on the day: the checks ahead cancelled
        eve = end - days(1)
        before = _since(schedule.plan_folic(rules, start, None, eve), src, eve)
        for p in _dropped(before, wanted):
            _visit(b, src, p, answers, made=_made(src, p.window), until=end, reason=plan.reason)
    for p in wanted:
        _visit(b, src, p, answers, made=_made(src, p.window))


def contraceptive_method(b: Builder, episode: dict[str, Any]) -> list[dt.date]:
    """The checks after an IUD or implant insertion (1, 3, 12 months, then yearly, up to the horizon) and the
    chain of injection reminders, each made when the injection before it was given. Returns the days the
    injections were given (the first on the start day), for the stock ledger."""
    src = _source(b, "contraceptive_method", episode, episode["person_id"])
    rules = schedule.load_rules()
    method, start, stop = episode["method"], episode["start_date"], episode["stop_date"]
    now = src.now(b)
    stopped = stop is not None and src.entered < stop <= now
    answers = _contraceptive_answers(b)

    def checks(plan: Plan) -> list[Planned]:
        return [p for p in plan.planned if p.followup_type != FollowupType.INJECTION]

    plan = schedule.plan_contraceptive(rules, method, start, stop, (), now)
    wanted = checks(Plan(tuple(_since(plan, src, now))))
    if stopped:  # the stop typed in on the day: the checks ahead of it cancelled
        eve = stop - days(1)
        before = schedule.plan_contraceptive(rules, method, start, None, (), eve)
        for p in _dropped(checks(Plan(tuple(_since(before, src, eve)))), wanted):
            _visit(b, src, p, answers, made=_made(src, p.window), until=stop, reason=plan.reason)
    for p in wanted:
        _visit(b, src, p, answers, made=_made(src, p.window), last=stop)

    given = [start]
    while True:
        injected = tuple(given[1:])
        plan = schedule.plan_contraceptive(rules, method, start, stop, injected, now)
        reminders = [p for p in plan.planned if p.followup_type == FollowupType.INJECTION]
        k = len(given)  # the reminder made when the last injection was given
        made = max(src.entered, given[-1])
        if len(reminders) < k:  # none (not an injectable), or due after the stop
            if stopped and reminders and made < stop:
                again = schedule.plan_contraceptive(rules, method, start, None, injected, now)
                p = [r for r in again.planned if r.followup_type == FollowupType.INJECTION][k - 1]
                _visit(b, src, p, answers, made=made, until=stop, reason=plan.reason)
            break
        p = reminders[k - 1]
        # a method from the paper register: the officer records the last injection it lists on the first
        # reminder, which the engine dates from the start however long ago (the chain goes on from there)
        paper = k == 1 and p.window.latest < src.entered and (stop is None or stop > src.entered)
        row = _visit(
            b,
            src,
            p,
            answers,
            made=made,
            last=stop,
            done_on=src.entered - days(b.rng.randint(7, 80)) if paper else None,
            result="纸质登记补录" if paper else "",
        )
        if row["status"] != DONE:
            break
        given.append(row["done_date"])
    return given


def support_entitlement(b: Builder, entitlement: dict[str, Any]) -> None:
    """The care visits to a family of the support schemes every `visit_interval_months`, up to the horizon."""
    src = _source(b, "support_entitlement", entitlement, entitlement["person_id"])
    rules = schedule.load_rules()
    assigned, every = entitlement["assigned_on"], entitlement["visit_interval_months"]
    ended = entitlement.get("ended_on")
    answers = _support_answers(b)
    now = src.now(b)
    if ended is not None and ended <= b.today:  # the engine plans nothing once it ended
        if src.entered < ended:
            eve = ended - days(1)
            for p in _since(schedule.plan_support(rules, assigned, every, eve), src, eve):
                _visit(
                    b,
                    src,
                    p,
                    answers,
                    made=_made(src, p.window),
                    until=ended,
                    reason="followup.reason.support_ended",
                )
        return
    for p in _since(schedule.plan_support(rules, assigned, every, now), src, now):
        _visit(b, src, p, answers, made=_made(src, p.window))


def referral(b: Builder, visit: dict[str, Any]) -> None:
    """The follow-up of a referral: did she reach the facility (within two weeks of the visit)?"""
    done = visit["done_date"]
    src = _Source("followup", visit["id"], visit["person_id"], done, _left(b, visit["person_id"]))
    for p in schedule.plan_referral(schedule.load_rules(), done).planned:
        _visit(b, src, p, _referral_answers(b), made=done)
