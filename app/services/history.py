"""A record's history, as the audit trail keeps it: who changed what, when, from what to what."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.db import Database
from app.models import AuditEvent, User


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    who: str  # the person's display name (or their id when the account is unknown here)
    action: str  # insert / update / void / merge / replicate / baseline
    rev: int
    changes: dict[str, tuple[Any, Any]]  # field -> (old, new); a new record: (None, value)


def record_history(db: Database, table: str, record_id: str) -> list[HistoryEntry]:
    """Every audit line of the record, oldest first. Stamps (rev, who, when) are left out of the changes."""
    with db.read() as s:
        rows = s.execute(
            sa.select(
                AuditEvent.at,
                AuditEvent.user_id,
                AuditEvent.action,
                AuditEvent.record_rev,
                AuditEvent.changes,
            )
            .where(AuditEvent.record_table == table, AuditEvent.record_id == record_id)
            .order_by(AuditEvent.seq)
        ).all()
        names = dict(s.execute(sa.select(User.id, User.display_name)).all())
    stamps = {"id", "rev", "owner", "created_at", "created_by", "updated_at", "updated_by"}
    out = []
    for at, user, action, rev, text in rows:
        raw = json.loads(text)
        changes = {
            k: (v[0], v[1]) if isinstance(v, list) and len(v) == 2 else (None, v)
            for k, v in raw.items()
            if k not in stamps and not (not isinstance(v, list) and v is None)
        }
        out.append(HistoryEntry(at, names.get(user, user), action, rev, changes))
    return out
