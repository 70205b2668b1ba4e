"""Follow-ups of the demo and their checklist answers, made from the care records they belong to.

A stand-in, kept apart on purpose: the real follow-up engine (app.services.followups) will take its place. Each
public function receives one source row (a pregnancy, a folic acid course, a pre-pregnancy check, a method, an
entitlement) and adds the follow-ups a village officer would have on her list for it by today.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from app.models.vocab import FollowupStatus, FollowupType
from app.services.demo.builder import Builder
from app.services.demo.dates import add_months, days

CHECKLIST_VERSION = "1"
# Antenatal check windows in days after the LMP: (earliest, due, latest) — see domain.md.
ANC_WINDOWS = (
    (FollowupType.ANC1, 0, 84, 90),
    (FollowupType.ANC2, 112, 112, 146),
    (FollowupType.ANC3, 147, 147, 174),
    (FollowupType.ANC4, 196, 196, 258),
    (FollowupType.ANC5, 259, 259, 286),
)
# Contraceptive checks after an IUD or implant insertion: 1, 3 and 12 months, then yearly.
CHECK_MONTHS = (1, 3, 12)


def _followup(
    b: Builder,
    person_id: str,
    kind: str,
    source_table: str,
    source_id: str,
    occurrence: int,
    earliest: dt.date,
    due: dt.date,
    latest: dt.date,
    status: str,
    done: dt.date | None,
    created: dt.date,
    result: str = "",
    reason: str = "",
) -> None:
    row = b.add(
        "followup",
        done or created,
        person_id=person_id,
        followup_type=kind,
        source_table=source_table,
        source_id=source_id,
        occurrence=occurrence,
        earliest_date=earliest,
        due_date=due,
        latest_date=latest,
        status=status,
        done_date=done,
        result=result,
        status_reason=reason,
        checklist_version=CHECKLIST_VERSION if done else None,
    )
    if done is not None:
        _answers(b, row, kind)


def _resolve(
    b: Builder,
    earliest: dt.date,
    latest: dt.date,
    floor: dt.date | None = None,
    p_done: float = 0.88,
    p_missed: float = 0.06,
) -> tuple[str, dt.date | None]:
    """A plausible status for a window seen from today: past ones mostly done, some missed or overdue."""
    lo = max(earliest, floor or earliest)
    rng = b.rng
    if latest < b.today:
        r = rng.random()
        if r < p_done:
            hi = max(lo, min(latest, b.today))
            return FollowupStatus.DONE, min(lo + days(rng.randint(0, (hi - lo).days)), b.today)
        return (FollowupStatus.MISSED, None) if r < p_done + p_missed else (FollowupStatus.DUE, None)
    if earliest <= b.today and lo <= b.today and rng.random() < 0.45:
        return FollowupStatus.DONE, lo + days(rng.randint(0, (b.today - lo).days))
    return FollowupStatus.DUE, None


def _answers(b: Builder, row: dict[str, Any], kind: str) -> None:
    """The checklist answers of a follow-up done."""
    rng = b.rng
    if kind.startswith("anc"):
        items = {
            "blood_pressure": f"{rng.randint(100, 135)}/{rng.randint(62, 88)}",
            "weight_kg": f"{rng.uniform(48, 78):.1f}",
            "hemoglobin_g_l": str(rng.randint(98, 138)),
            "referred": "yes" if rng.random() < 0.04 else "no",
        }
    elif kind in (FollowupType.POSTPARTUM_VISIT, FollowupType.POSTPARTUM_42D):
        items = {
            "breastfeeding": rng.choice(("exclusive", "exclusive", "exclusive", "mixed", "none")),
            "recovery_ok": "yes" if rng.random() < 0.95 else "no",
            "mood_ok": "yes" if rng.random() < 0.9 else "no",
            "newborn_ok": "yes" if rng.random() < 0.97 else "no",
        }
    elif kind == FollowupType.CONTRACEPTIVE_CHECK:
        items = {
            "side_effects": "none" if rng.random() < 0.85 else rng.choice(("bleeding", "pain")),
            "satisfied": "yes" if rng.random() < 0.9 else "no",
            "wants_change": "yes" if rng.random() < 0.05 else "no",
        }
    elif kind == FollowupType.FOLIC_ADHERENCE:
        items = {
            "taking": rng.choices(("daily", "sometimes", "stopped"), (75, 18, 7))[0],
            "bottles_left": str(rng.randint(0, 1)),
        }
    elif kind == FollowupType.INJECTION:
        items = {"injected": "yes"}
    elif kind == FollowupType.SUPPORT_VISIT:
        items = {"care": rng.choice(("生活照料", "大病治疗", "精神慰藉")), "needs_help": "no"}
    else:
        items = {"pregnant": "no"}
    on = row["done_date"]
    for key, value in items.items():
        b.add("followup_answer", on, followup_id=row["id"], item_key=key, value=value)


def _windowed(
    b: Builder,
    person_id: str,
    kind: str,
    table: str,
    source_id: str,
    occurrence: int,
    due: dt.date,
    before: int,
    after: int,
    created: dt.date,
) -> None:
    """A follow-up due on `due`, open from `before` days earlier to `after` days later."""
    earliest, latest = due - days(before), due + days(after)
    status, day = _resolve(b, earliest, latest, created)
    _followup(
        b,
        person_id,
        kind,
        table,
        source_id,
        occurrence,
        earliest,
        due,
        latest,
        status,
        day,
        min(created, earliest),
    )


def anc(b: Builder, preg: dict[str, Any]) -> None:
    """The five antenatal checks of a pregnancy, as far as its registration and its end allow."""
    lmp, reg, end = preg["lmp"], preg["registration_date"], preg["outcome_date"]
    for kind, e, d, la in ANC_WINDOWS:
        earliest, due, latest = lmp + days(e), lmp + days(d), lmp + days(la)
        if kind != FollowupType.ANC1 and latest < reg:
            continue  # the window had passed before the pregnancy was registered
        args = (preg["woman_id"], kind, "pregnancy", preg["id"], 1, earliest, due, latest)
        if end is not None and earliest > end:
            _followup(b, *args, FollowupStatus.CANCELLED, None, end, reason="妊娠已结束")
            continue
        if kind == FollowupType.ANC1 and reg > latest:  # late registration: flagged, never refused
            _followup(b, *args, FollowupStatus.DONE, reg, reg, result="晚建册")
            continue
        if end is not None and latest >= end:  # the pregnancy ended inside this window
            done = end >= max(earliest, reg) and b.rng.random() < 0.8
            day = (
                max(earliest, reg) + days(b.rng.randint(0, (end - max(earliest, reg)).days)) if done else None
            )
            _followup(
                b,
                *args,
                FollowupStatus.DONE if done else FollowupStatus.CANCELLED,
                day,
                reg,
                reason="" if done else "妊娠已结束",
            )
            continue
        status, day = _resolve(
            b, earliest, latest, reg, p_done=0.9 if end else 0.86, p_missed=0.1 if end else 0.06
        )
        _followup(b, *args, status, day, reg)


def postpartum(b: Builder, preg: dict[str, Any]) -> None:
    """The visit at home after the discharge, and the check 42 days after the delivery."""
    delivered = preg["outcome_date"]
    anchor = preg["discharge_date"] or delivered
    status, day = _resolve(b, anchor, anchor + days(7), anchor + days(2), p_done=0.92, p_missed=0.08)
    _followup(
        b,
        preg["woman_id"],
        FollowupType.POSTPARTUM_VISIT,
        "pregnancy",
        preg["id"],
        1,
        anchor,
        anchor + days(3),
        anchor + days(7),
        status,
        day,
        delivered,
    )
    start = delivered + days(42)
    status, day = _resolve(b, start, delivered + days(56), p_done=0.85, p_missed=0.1)
    _followup(
        b,
        preg["woman_id"],
        FollowupType.POSTPARTUM_42D,
        "pregnancy",
        preg["id"],
        1,
        start,
        start,
        delivered + days(56),
        status,
        day,
        delivered,
    )


def folic_adherence(b: Builder, course: dict[str, Any], course_end: dt.date) -> None:
    """Monthly checks that the woman takes her folic acid, inside the window, until the course ends."""
    start = course["start_date"]
    for k in range(1, 13):
        due = add_months(start, k)
        if due > course_end or due > b.today + days(45):
            break
        if due < b.start:
            continue
        _windowed(
            b,
            course["woman_id"],
            FollowupType.FOLIC_ADHERENCE,
            "folic_acid_course",
            course["id"],
            k,
            due,
            3,
            14,
            start,
        )


def prepregnancy(b: Builder, check_row: dict[str, Any], pregnancy: dict[str, Any] | None) -> None:
    """After a pre-pregnancy check: asking every three months whether she is pregnant, then the outcome."""
    woman_id, check = check_row["woman_id"], check_row["check_date"]
    known = pregnancy["registration_date"] if pregnancy else None
    for k in range(1, 5):
        due = add_months(check, 3 * k)
        if due > b.today + days(60) or (known is not None and due - days(14) > known):
            break
        earliest, latest = due - days(14), due + days(30)
        args = (
            woman_id,
            FollowupType.PREPREG_EARLY,
            "prepregnancy_check",
            check_row["id"],
            k,
            earliest,
            due,
            latest,
        )
        if known is not None and known <= latest:
            _followup(b, *args, FollowupStatus.DONE, max(known, earliest), check, result="已孕")
            break
        status, day = _resolve(b, earliest, latest, check)
        _followup(b, *args, status, day, check, result="未孕" if day else "")
    if pregnancy is not None:
        edd = pregnancy["edd"]
        outcome = pregnancy["outcome_date"]
        args = (
            woman_id,
            FollowupType.PREPREG_OUTCOME,
            "prepregnancy_check",
            check_row["id"],
            1,
            edd,
            edd,
            edd + days(42),
        )
        if outcome is not None:
            done = min(b.today, outcome + days(b.rng.randint(3, 30)))
            _followup(b, *args, FollowupStatus.DONE, done, check, result=pregnancy["outcome"])
        else:
            _followup(b, *args, FollowupStatus.DUE, None, check)


def contraceptive_checks(b: Builder, episode: dict[str, Any]) -> None:
    """The checks after an IUD or implant insertion (1, 3, 12 months, then yearly) that fall in the window."""
    start, stop = episode["start_date"], episode["stop_date"]
    months: list[int] = list(CHECK_MONTHS)
    while months[-1] < 12 * 40:
        months.append(months[-1] + 12)
    for k, m in enumerate(months, 1):
        due = add_months(start, m)
        if due > b.today + days(90) or (stop is not None and due > stop):
            break
        if due < b.start:
            continue
        _windowed(
            b,
            episode["person_id"],
            FollowupType.CONTRACEPTIVE_CHECK,
            "contraceptive_method",
            episode["id"],
            k,
            due,
            14,
            30,
            start,
        )


def injection(
    b: Builder, episode: dict[str, Any], occurrence: int, given: dt.date, following: dt.date, end: dt.date
) -> None:
    """The next injection after the one `given`; `following` is when it was (or would be) given, `end` when
    the method was stopped (or today)."""
    stop = episode["stop_date"]
    earliest, latest = given + days(84), given + days(91)
    if following <= end:  # the next injection was given: that is the follow-up done
        status, done, reason = FollowupStatus.DONE, following, ""
    elif stop is not None:
        status, done, reason = FollowupStatus.CANCELLED, None, "已停用"
    elif latest < b.today:
        status, done, reason = b.rng.choice((FollowupStatus.DUE, FollowupStatus.MISSED)), None, ""
    else:
        status, done, reason = FollowupStatus.DUE, None, ""
    if given >= b.start:
        _followup(
            b,
            episode["person_id"],
            FollowupType.INJECTION,
            "contraceptive_method",
            episode["id"],
            occurrence,
            earliest,
            earliest,
            latest,
            status,
            done,
            given,
            reason=reason,
        )


def support_visits(b: Builder, entitlement: dict[str, Any]) -> None:
    """The monthly care visits of the last six months to a family of the special support (特别扶助)."""
    for k in range(1, 7):
        due = add_months(b.today, k - 6).replace(day=15)
        earliest = due.replace(day=1)
        latest = due.replace(day=calendar.monthrange(due.year, due.month)[1])
        status, day = _resolve(b, earliest, latest, p_done=0.95, p_missed=0.05)
        _followup(
            b,
            entitlement["person_id"],
            FollowupType.SUPPORT_VISIT,
            "support_entitlement",
            entitlement["id"],
            k,
            earliest,
            due,
            latest,
            status,
            day,
            earliest,
        )
