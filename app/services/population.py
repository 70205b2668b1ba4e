"""Who was in the village on a given day, and with which residence status, rebuilt from dated facts (birth,
death and move dates) rather than from the status a record has today — so a report or a quality check of a
past day reads what was true then, whatever was recorded since.

Used by the monthly report (app.services.indicators) and the record-quality rules (app.services.quality).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Person, VitalEvent
from app.vocab import ResidenceStatus, VitalEventType

Move = tuple[dt.date, str, str | None, str | None]  # (date, move_in / move_out, place, status it gave)
PRESENT_NOW = (ResidenceStatus.RESIDENT, ResidenceStatus.IN_MIGRANT)


def status_on(
    current: str,
    death_date: dt.date | None,
    birth_date: dt.date,
    moves: Sequence[tuple[dt.date, str] | tuple[dt.date, str, str | None]],
    day: dt.date,
) -> str | None:
    """A person's residence status on `day` from their dated facts, or None when not in the village then.

    `moves` are the person's move-in / move-out events, oldest first: (date, kind), or (date, kind, the status
    the move gave) when that was recorded. Someone registered from the paper register has no move events: they
    were in the village all along, with the status they have now."""
    if birth_date > day or (death_date is not None and death_date <= day):
        return None
    before = [m for m in moves if m[0] <= day]
    later = [m[1] for m in moves if m[0] > day]
    if current == ResidenceStatus.MOVED_AWAY and not later and (before or not moves):
        return None  # left for good on or before that day (or with no date recorded)
    if before:
        last = before[-1]
        if last[1] == VitalEventType.MOVE_OUT:
            return ResidenceStatus.OUT_MIGRANT
        if current in PRESENT_NOW:
            return current  # here since they came, as they are now (a correction of the status included)
        # they died or left after that day: what they came as, when the move in recorded it
        arrived_as = last[2] if len(last) > 2 else None
        return (
            ResidenceStatus.IN_MIGRANT
            if arrived_as == ResidenceStatus.IN_MIGRANT
            else ResidenceStatus.RESIDENT
        )
    if later:
        # Their first recorded move came after that day: arriving later means not here yet.
        return None if later[0] == VitalEventType.MOVE_IN else ResidenceStatus.RESIDENT
    if current in (ResidenceStatus.DECEASED, ResidenceStatus.MOVED_AWAY):
        return ResidenceStatus.RESIDENT  # died after that day; their status before is not recorded
    return current


def moves_by_person(s: Session, owner: str | None = None) -> dict[str, list[Move]]:
    """Every person's dated moves in and out (with the place recorded on each), oldest first; of one village's
    people when `owner` (its code) is given."""
    moves: dict[str, list[Move]] = defaultdict(list)
    for pid, when, kind, place, status in s.execute(
        sa.select(
            VitalEvent.person_id,
            VitalEvent.event_date,
            VitalEvent.event_type,
            VitalEvent.place,
            VitalEvent.residence_status,
        )
        .where(
            VitalEvent.live(),
            VitalEvent.owned_by(owner),
            VitalEvent.event_type.in_([VitalEventType.MOVE_IN, VitalEventType.MOVE_OUT]),
        )
        .order_by(VitalEvent.event_date, VitalEvent.id)
    ):
        moves[pid].append((when, kind, place, status))
    return moves


def statuses_on(
    s: Session, day: dt.date, moves: dict[str, list[Move]] | None = None, owner: str | None = None
) -> dict[str, str]:
    """The people present on `day` (records on the register, neither voided nor merged), each with their
    residence status that day, in person-id order; the people of one village when `owner` is given."""
    moves = moves_by_person(s, owner) if moves is None else moves
    out: dict[str, str] = {}
    for pid, current, death_date, birth_date in s.execute(
        sa.select(Person.id, Person.residence_status, Person.death_date, Person.birth_date)
        .where(Person.live(), Person.owned_by(owner), Person.birth_date <= day)
        .order_by(Person.id)
    ):
        dated = [(when, kind, gave) for when, kind, _, gave in moves.get(pid, ())]
        status = status_on(current, death_date, birth_date, dated, day)
        if status is not None:
            out[pid] = status
    return out


def place_on(moves: list[Move], recorded: str | None, day: dt.date) -> str:
    """Where a migrant went to or came from, as known on `day`: the place of their last move by then, else
    the place on their record."""
    places = [place for when, _, place, _ in moves if when <= day]
    return (places[-1] if places else None) or recorded or ""
