"""Session hook: stamps sync metadata on every travelling record and writes the audit trail.

Runs inside the same transaction as the change, so a change and its audit line are saved together or
not at all. The acting user and this village's code come from `session.info` (set by app.db).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import weakref
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, attributes

from app.clock import now_utc
from app.models.audit import AuditEvent
from app.models.base import SyncMixin, new_id

GENESIS_HASH = "0" * 64
_META = {"rev", "created_at", "created_by", "updated_at", "updated_by"}


class HardDeleteRefused(RuntimeError):
    """People and events are never deleted, only marked deleted with a reason."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _changes(obj: SyncMixin, new: bool) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for col in sa.inspect(obj).mapper.column_attrs:
        key = col.key
        if key in _META:
            continue
        hist = attributes.get_history(obj, key)
        if new:
            value = getattr(obj, key)
            if value is not None:
                changes[key] = [None, _jsonable(value)]
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            newv = hist.added[0] if hist.added else None
            if old != newv:
                changes[key] = [_jsonable(old), _jsonable(newv)]
    return changes


def chain_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def last_audit_hash(session: Session) -> str:
    with session.no_autoflush:
        found = session.execute(sa.select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).scalar()
    pending = [o for o in session.new if isinstance(o, AuditEvent)]
    if pending:
        return pending[-1].hash
    return found or GENESIS_HASH


def append_audit(
    session: Session,
    *,
    action: str,
    table: str,
    record_id: str,
    rev: int,
    changes: dict[str, Any],
    prev_hash: str | None = None,
) -> AuditEvent:
    """Add one audit line chained to the previous one; returns it (its hash is the new head)."""
    user_id = session.info.get("user_id")
    if not user_id:
        raise RuntimeError("a change needs an acting user: open the session with db.write(user_id)")
    at = now_utc()
    prev = prev_hash if prev_hash is not None else last_audit_hash(session)
    payload = {
        "at": at.isoformat(),
        "user": user_id,
        "action": action,
        "table": table,
        "id": record_id,
        "rev": rev,
        "changes": changes,
    }
    ev = AuditEvent(
        at=at,
        user_id=user_id,
        action=action,
        record_table=table,
        record_id=record_id,
        record_rev=rev,
        changes=json.dumps(changes, ensure_ascii=False, sort_keys=True),
        prev_hash=prev,
        hash=chain_hash(prev, payload),
    )
    session.add(ev)
    return ev


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, SyncMixin):
            raise HardDeleteRefused(f"{type(obj).__tablename__} rows are never deleted; mark them deleted")
    touched = [(o, True) for o in session.new if isinstance(o, SyncMixin)]
    touched += [
        (o, False)
        for o in session.dirty
        if isinstance(o, SyncMixin) and session.is_modified(o, include_collections=False)
    ]
    if not touched:
        return
    user_id = session.info.get("user_id")
    if not user_id:
        raise RuntimeError("a change needs an acting user: open the session with db.write(user_id)")
    now = now_utc()
    prev = last_audit_hash(session)
    for obj, new in touched:
        changes = _changes(obj, new)
        if not new and not changes:
            continue
        if new:
            obj.owner = obj.owner or session.info.get("node") or ""
            obj.rev = 1
            obj.created_at, obj.created_by = now, user_id
            action = "insert"
        else:
            obj.rev = (obj.rev or 0) + 1
            action = "delete" if "deleted_at" in changes and obj.deleted_at is not None else "update"
        obj.updated_at, obj.updated_by = now, user_id
        obj.id = obj.id or new_id()
        prev = append_audit(
            session,
            action=action,
            table=type(obj).__tablename__,
            record_id=obj.id,
            rev=obj.rev,
            changes=changes,
            prev_hash=prev,
        ).hash


_installed: weakref.WeakSet[Any] = weakref.WeakSet()


def install(session_factory: Any) -> None:
    # Not event.contains(): SQLAlchemy keys it by id(), and a sessionmaker made after an earlier one was freed
    # can get the same id while the old entry lingers, so the hook was silently left out (about 1 open in 60).
    if session_factory not in _installed:
        event.listen(session_factory, "before_flush", _before_flush)
        _installed.add(session_factory)
