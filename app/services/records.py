"""Fetching one record to change it (or to attach a new record to it): refused with the record's own "not
found" sentence when it does not exist, was voided, or (a person) was merged into another record — and refused
with the owner's name when it belongs to another village: only the owner changes a record, or adds to it."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from app.errors import NotFound
from app.models import Person
from app.models.base import SyncMixin
from app.models.tracking import actor_of, refuse_unless_owner
from app.vocab import RecordStatus

M = TypeVar("M", bound=SyncMixin)


def get_live(
    s: Session,
    model: type[M],
    record_id: str | None,
    msg_id: str,
    field: str | None = None,
    *,
    owned: bool = True,
) -> M:
    """The live record `record_id` of `model`, in a write session. `owned=False` for a record that is only
    referred to, never changed (the township's catalogue items)."""
    row = s.get(model, record_id) if record_id else None
    if row is None or row.deleted_at is not None:
        raise NotFound(msg_id, field)
    if owned:
        refuse_unless_owner(s, model.__tablename__, row.owner, actor_of(s))
    return row


def live_person(s: Session, person_id: str | None, field: str | None = None) -> Person:
    p = get_live(s, Person, person_id, "person.not_found", field)
    if p.status != RecordStatus.ACTIVE:
        raise NotFound("person.not_found", field)
    return p
