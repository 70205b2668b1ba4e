"""The follow-up engine: schedule rules (resources/followups/rules.json) turned into follow-up windows.

Planning is pure (plain facts in, windows out) and reconciling is idempotent: re-running it for a record
changes nothing; editing an LMP moves the open windows; done and cancelled follow-ups are never touched;
a window whose latest day has passed becomes missed. The database layer applies the difference.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from app.assets import resource
from app.vocab import FollowupStatus, PregnancyOutcome

RULES_FILE = resource("followups", "rules.json")
OPEN = (FollowupStatus.DUE.value, FollowupStatus.MISSED.value)


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    followup_type: str
    source: str
    anchor: str
    earliest: int
    due: int
    latest: int
    every_months: int | str | None = None
    months: tuple[int, ...] = ()
    then_every_months: int | None = None
    count: int | None = None
    methods: tuple[str, ...] = ()
    after_outcomes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rules:
    version: str
    rules: dict[str, Rule]
    horizon_days: int

    def of_source(self, source: str) -> list[Rule]:
        return [r for r in self.rules.values() if r.source == source]


def parse_rules(data: dict[str, Any]) -> Rules:
    if data.get("format") != "fhd-followup-rules":
        raise ValueError("not a follow-up rules file")
    rules = {}
    for ftype, r in data["rules"].items():
        rules[ftype] = Rule(
            followup_type=ftype,
            source=r["source"],
            anchor=r["anchor"],
            earliest=int(r["earliest"]),
            due=int(r["due"]),
            latest=int(r["latest"]),
            every_months=r.get("every_months"),
            months=tuple(r.get("months", ())),
            then_every_months=r.get("then_every_months"),
            count=r.get("count"),
            methods=tuple(r.get("methods", ())),
            after_outcomes=tuple(r.get("after_outcomes", ())),
        )
        if not rules[ftype].earliest <= rules[ftype].due <= rules[ftype].latest:
            raise ValueError(f"rule {ftype}: earliest <= due <= latest does not hold")
    return Rules(str(data["version"]), rules, int(data.get("horizon_days", 92)))


@cache
def _load(path: Path) -> Rules:
    with open(path, encoding="utf-8") as f:
        return parse_rules(json.load(f))


def load_rules(path: Path | None = None) -> Rules:
    return _load(path or RULES_FILE)


# ---------------------------------------------------------------- windows


@dataclass(frozen=True, order=True)
class Window:
    earliest: dt.date
    due: dt.date
    latest: dt.date


@dataclass(frozen=True)
class Planned:
    followup_type: str
    occurrence: int
    window: Window


@dataclass(frozen=True)
class Plan:
    """What a source record should have; open follow-ups not in `planned` are cancelled with `reason`."""

    planned: tuple[Planned, ...]
    reason: str = "followup.reason.not_scheduled"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the 31st becomes the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window(rule: Rule, anchor: dt.date) -> Window:
    return Window(
        anchor + dt.timedelta(days=rule.earliest),
        anchor + dt.timedelta(days=rule.due),
        anchor + dt.timedelta(days=rule.latest),
    )


# ---------------------------------------------------------------- planners (pure)


@dataclass(frozen=True)
class PregnancyFacts:
    lmp: dt.date
    outcome: str | None = None
    outcome_date: dt.date | None = None
    discharge_date: dt.date | None = None


def plan_pregnancy(rules: Rules, p: PregnancyFacts) -> Plan:
    planned: list[Planned] = []
    for rule in rules.of_source("pregnancy"):
        if rule.anchor == "lmp":
            if p.outcome is None:
                planned.append(Planned(rule.followup_type, 1, window(rule, p.lmp)))
        elif p.outcome in rule.after_outcomes and p.outcome_date is not None:
            anchor = p.outcome_date
            if rule.anchor == "discharge_or_delivery" and p.discharge_date is not None:
                anchor = p.discharge_date
            planned.append(Planned(rule.followup_type, 1, window(rule, anchor)))
    return Plan(
        tuple(planned), "followup.reason.pregnancy_ended" if p.outcome else "followup.reason.not_scheduled"
    )


def _repeating(
    rule: Rule, anchor: dt.date, months: Iterable[int], last_day: dt.date | None, horizon: dt.date
) -> list[Planned]:
    """Occurrences at anchor + each number of months, while due <= last_day (if any) and <= horizon."""
    out = []
    for occurrence, m in enumerate(months, start=1):
        w = window(rule, add_months(anchor, m))
        if (last_day is not None and w.due > last_day) or w.due > horizon:
            break
        out.append(Planned(rule.followup_type, occurrence, w))
    return out


def _every(step: int) -> Iterable[int]:
    """step, 2·step, 3·step, … months (cut off by the horizon or the last day)."""
    k = 1
    while True:
        yield k * step
        k += 1


def plan_prepregnancy(
    rules: Rules,
    check_date: dt.date,
    pregnancy_registered: dt.date | None,
    pregnancy_edd: dt.date | None,
    today: dt.date,
) -> Plan:
    planned: list[Planned] = []
    horizon = today + dt.timedelta(days=rules.horizon_days)
    for rule in rules.of_source("prepregnancy_check"):
        if rule.anchor == "check_date":
            step = int(rule.every_months or 3)
            occurrences = _repeating(
                rule, check_date, (step * k for k in range(1, (rule.count or 4) + 1)), None, horizon
            )
            if pregnancy_registered is not None:  # stops when a pregnancy is known
                occurrences = [o for o in occurrences if o.window.earliest <= pregnancy_registered]
            planned += occurrences
        elif pregnancy_edd is not None:
            planned.append(Planned(rule.followup_type, 1, window(rule, pregnancy_edd)))
    return Plan(
        tuple(planned),
        "followup.reason.pregnancy_known" if pregnancy_registered else "followup.reason.not_scheduled",
    )


def plan_folic(rules: Rules, start: dt.date, end: dt.date | None, today: dt.date) -> Plan:
    rule = rules.rules["folic_adherence"]
    horizon = today + dt.timedelta(days=rules.horizon_days)
    step = int(rule.every_months or 1)
    planned = _repeating(rule, start, _every(step), end, horizon)
    return Plan(tuple(planned), "followup.reason.course_ended" if end else "followup.reason.not_scheduled")


def plan_contraceptive(
    rules: Rules,
    method: str,
    start: dt.date,
    stop: dt.date | None,
    injections_done: tuple[dt.date, ...],
    today: dt.date,
) -> Plan:
    """IUD/implant checks at 1, 3, 12 months then yearly; the next injection from the last one given."""
    planned: list[Planned] = []
    horizon = today + dt.timedelta(days=rules.horizon_days)
    reason = "followup.reason.method_stopped" if stop else "followup.reason.not_scheduled"
    for rule in rules.of_source("contraceptive_method"):
        if method not in rule.methods:
            continue
        if rule.anchor == "start_date":

            def months(rule: Rule = rule) -> Iterable[int]:
                yield from rule.months
                last = rule.months[-1] if rule.months else 0
                if rule.then_every_months:
                    k = 1
                    while True:
                        yield last + k * rule.then_every_months
                        k += 1

            checks = _repeating(rule, start, months(), None if stop is None else stop, horizon)
            if stop is not None:  # after a method stops, a check whose window was still open is not needed
                checks = [c for c in checks if c.window.latest < stop]
            planned += checks
        elif rule.anchor == "previous_injection":
            # one open reminder at a time: after the first injection, then after each one recorded as done
            anchors = (start, *injections_done)
            for occurrence, anchor in enumerate(anchors, start=1):
                w = window(rule, anchor)
                if stop is not None and w.due > stop:
                    break
                planned.append(Planned(rule.followup_type, occurrence, w))
    return Plan(tuple(planned), reason)


def plan_support(rules: Rules, assigned_on: dt.date, interval_months: int, today: dt.date) -> Plan:
    rule = rules.rules["support_visit"]
    horizon = today + dt.timedelta(days=rules.horizon_days)
    return Plan(tuple(_repeating(rule, assigned_on, _every(interval_months), None, horizon)))


def plan_referral(rules: Rules, referral_date: dt.date) -> Plan:
    rule = rules.rules["referral"]
    return Plan((Planned(rule.followup_type, 1, window(rule, referral_date)),))


def _repeats(rule: Rule) -> bool:
    return bool(rule.every_months or rule.months or rule.then_every_months or rule.count)


def next_after(rules: Rules, followup_type: str, occurrence: int) -> tuple[str, int] | None:
    """The occurrence that comes after this one in its schedule: the next month's (or year's) of a repeating
    rule; else the next rule of the same source and anchor in the rules' order (the 3rd antenatal check after
    the 2nd); None after the last."""
    rule = rules.rules.get(followup_type)
    if rule is None:
        return None
    if _repeats(rule):
        return followup_type, occurrence + 1
    names = list(rules.rules)
    for name in names[names.index(followup_type) + 1 :]:
        other = rules.rules[name]
        if (other.source, other.anchor) == (rule.source, rule.anchor):
            return name, 1
    return None


def with_next_dates(rules: Rules, plan: Plan, asked: Iterable[tuple[str, int, dt.date]]) -> Plan:
    """The plan with the next check dates that done visits asked for (their checklist's "next check date"):
    each is the due day of the occurrence after that visit (next_after), clamped into that occurrence's window
    (earliest..latest are the rule's and do not move)."""
    wanted: dict[tuple[str, int], dt.date] = {}
    for followup_type, occurrence, day in asked:
        after = next_after(rules, followup_type, occurrence)
        if after is not None:
            wanted[after] = day
    if not wanted:
        return plan
    planned = []
    for p in plan.planned:
        due = wanted.get((p.followup_type, p.occurrence))
        if due is not None:
            w = p.window
            p = Planned(
                p.followup_type,
                p.occurrence,
                Window(w.earliest, min(max(due, w.earliest), w.latest), w.latest),
            )
        planned.append(p)
    return Plan(tuple(planned), plan.reason)


# ---------------------------------------------------------------- reconciling (pure)


@dataclass(frozen=True)
class Existing:
    id: str
    followup_type: str
    occurrence: int
    window: Window
    status: str


@dataclass
class Changes:
    inserts: list[tuple[Planned, str]] = field(default_factory=list)  # (planned, status)
    moves: list[tuple[str, Window, str]] = field(default_factory=list)  # (id, new window, status)
    cancels: list[tuple[str, str]] = field(default_factory=list)  # (id, reason message id)

    def __bool__(self) -> bool:
        return bool(self.inserts or self.moves or self.cancels)


def status_for(w: Window, today: dt.date) -> str:
    return FollowupStatus.MISSED.value if w.latest < today else FollowupStatus.DUE.value


def reconcile(existing: Iterable[Existing], plan: Plan, today: dt.date) -> Changes:
    changes = Changes()
    by_key = {(e.followup_type, e.occurrence): e for e in existing}
    wanted = set()
    for p in plan.planned:
        key = (p.followup_type, p.occurrence)
        wanted.add(key)
        e = by_key.get(key)
        if e is None:
            changes.inserts.append((p, status_for(p.window, today)))
        elif e.status in OPEN:
            status = status_for(p.window, today)
            if (
                e.window != p.window
                or e.status == FollowupStatus.DUE.value
                and status == FollowupStatus.MISSED.value
            ):
                changes.moves.append((e.id, p.window, status))
            # a follow-up marked missed by hand while its window is still open stays missed
    for key, e in by_key.items():
        # only what is still ahead is cancelled; a missed visit stays missed (it is history)
        if key not in wanted and e.status == FollowupStatus.DUE.value:
            changes.cancels.append((e.id, plan.reason))
    return changes


def is_live_birth(outcome: str | None) -> bool:
    return outcome == PregnancyOutcome.LIVE_BIRTH
