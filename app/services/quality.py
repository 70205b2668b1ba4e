"""个案信息合格率: the share of person records that pass every validation rule, with failing rules counted.

The rules are checked as of a day, over the people present that day, and every rule that depends on the state
of people reads that state as it was on the day, from dated facts (app.services.population): whether the head
was still there, who in the household had a phone then, whether someone was married then (marriages and
divorces are dated events; a spouse widowed by a later death was still married), where a migrant had gone by
then. So a death, a move or a marriage recorded today never changes the quality figure of a past month.
What is not dated — a record's own fields, such as an ID number or a phone typed in — counts from when it is
typed, for every day: a correction of a record is not an event of the village.

One definition serves the CLI `check`, the dashboard (as of today) and the monthly report (as of the
month's last day).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.clock import today as clock_today
from app.db import Database
from app.models import Household, Person, VitalEvent
from app.services import population
from app.vocab import MARRIED, MaritalStatus, Relation, ResidenceStatus, VitalEventType

QUALITY_TARGET = 0.95

# The rules, in the order the report lists them (each id is also its label in the catalogue).
RULES = (
    "quality.rule.id_missing",
    "quality.rule.household_unreachable",  # no household phone and no member's phone
    "quality.rule.marriage_date_missing",
    "quality.rule.household_without_head",
    "quality.rule.migrant_place_missing",
)
ID_MISSING, UNREACHABLE, MARRIAGE_DATE_MISSING, WITHOUT_HEAD, MIGRANT_PLACE_MISSING = RULES
MIGRANTS = (ResidenceStatus.OUT_MIGRANT, ResidenceStatus.IN_MIGRANT)
COUPLE = {Relation.HEAD: Relation.SPOUSE, Relation.SPOUSE: Relation.HEAD}


@dataclass(frozen=True)
class QualityCheck:
    """The records checked on a day and, for each rule somebody fails, who fails it (in `checked` order)."""

    day: dt.date
    checked: tuple[str, ...]
    failing: dict[str, tuple[str, ...]]

    @property
    def passing(self) -> tuple[str, ...]:
        bad = {pid for people in self.failing.values() for pid in people}
        return tuple(pid for pid in self.checked if pid not in bad)


@dataclass(frozen=True)
class QualityReport:
    total: int
    passing: int
    failures: tuple[tuple[str, int], ...]  # (rule message id, failing records)

    @property
    def rate(self) -> float | None:
        return self.passing / self.total if self.total else None


def _married_on(
    status_now: str,
    later_events: list[str],
    widowed_by_death_after: bool,
) -> bool:
    """Whether someone was married on the day: just before their first marriage or divorce recorded after
    the day, the opposite of what that event made them; with none, what they are now — a widow(er) whose
    spouse died after the day was still married then."""
    if later_events:
        return later_events[0] == VitalEventType.DIVORCE
    if status_now in MARRIED:
        return True
    return status_now == MaritalStatus.WIDOWED and widowed_by_death_after


def check_on(
    s: Session,
    day: dt.date,
    statuses: dict[str, str] | None = None,
    moves: dict[str, list[population.Move]] | None = None,
    owner: str | None = None,
) -> QualityCheck:
    """Every rule over the people present on `day` (`statuses`, `moves`: app.services.population's, when the
    caller has them already); over one village's people when `owner` (its code) is given."""
    moves = population.moves_by_person(s, owner) if moves is None else moves
    statuses = population.statuses_on(s, day, moves, owner) if statuses is None else statuses
    people = {
        row.id: row
        for row in s.execute(
            sa.select(
                Person.id,
                Person.household_id,
                Person.id_number,
                Person.phone,
                Person.relation,
                Person.marital_status,
                Person.marriage_date,
                Person.residence_place,
                Person.death_date,
            ).where(Person.live(), Person.owned_by(owner))
        )
        if row.id in statuses
    }
    households = {
        hid: (phone, head)
        for hid, phone, head in s.execute(
            sa.select(Household.id, Household.phone, Household.head_person_id).where(
                Household.owned_by(owner)
            )
        )
    }
    later: dict[str, list[str]] = defaultdict(list)
    for pid, kind in s.execute(
        sa.select(VitalEvent.person_id, VitalEvent.event_type)
        .where(
            VitalEvent.live(),
            VitalEvent.owned_by(owner),
            VitalEvent.event_type.in_([VitalEventType.MARRIAGE, VitalEventType.DIVORCE]),
            VitalEvent.event_date > day,
        )
        .order_by(VitalEvent.event_date, VitalEvent.id)
    ):
        later[pid].append(kind)

    members: dict[str, list[str]] = defaultdict(list)
    for pid, p in people.items():
        members[p.household_id].append(pid)
    reachable = {
        hid
        for hid, ids in members.items()
        if (households.get(hid, (None, None))[0] or any(people[pid].phone for pid in ids))
    }
    # a spouse (or head) who was there on the day and has died since: their partner was married then
    died_after = {
        (p.household_id, p.relation)
        for p in people.values()
        if p.death_date is not None and p.death_date > day and p.relation in COUPLE
    }

    checked = tuple(statuses)
    failing: dict[str, list[str]] = {rule: [] for rule in RULES}
    for pid in checked:
        p = people[pid]
        if not p.id_number:
            failing[ID_MISSING].append(pid)
        if p.household_id not in reachable:
            failing[UNREACHABLE].append(pid)
        partner_died = p.relation in COUPLE and (p.household_id, COUPLE[p.relation]) in died_after
        if p.marriage_date is None and _married_on(p.marital_status, later.get(pid, []), partner_died):
            failing[MARRIAGE_DATE_MISSING].append(pid)
        head = households.get(p.household_id, (None, None))[1]
        if head is None or head not in statuses:
            failing[WITHOUT_HEAD].append(pid)
        if statuses[pid] in MIGRANTS and not population.place_on(moves.get(pid, []), p.residence_place, day):
            failing[MIGRANT_PLACE_MISSING].append(pid)
    return QualityCheck(day, checked, {rule: tuple(ids) for rule, ids in failing.items() if ids})


def record_quality(db: Database, day: dt.date | None = None) -> QualityReport:
    """Quality of the records of the people present on `day` (today when not given)."""
    with db.read() as s:
        check = check_on(s, day or clock_today())
    return QualityReport(
        len(check.checked),
        len(check.passing),
        tuple((rule, len(check.failing[rule])) for rule in RULES if rule in check.failing),
    )
