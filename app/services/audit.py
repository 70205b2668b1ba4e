"""The audit trail: events worth recording that are not row changes, and `verify` — is the trail intact, does
every row equal what its last line says, are the database's own rules still there, and does the chain still
hold every head anchored outside the file (backup manifests, packages)?

What each check finds:
- a line edited, removed from the middle, or forged: its hash (or the next line's link) no longer matches;
- a row edited outside the app: its digest differs from the after-image of its last line;
- the newest lines deleted: the rows they changed no longer match their (older) last line, and an anchor
  taken after them is missing from the chain;
- the whole chain re-hashed after a forgery: every anchor taken before the forgery differs;
- a trigger of the ledger or of the trail dropped or replaced, an index dropped: the schema differs from the
  one the migrations make.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.actor import Actor
from app.db import Database, head_revision, open_database
from app.models import TRAVELLING_MODELS, AuditEvent, User, VillageProfile
from app.models.audit import audit_triggers
from app.models.base import Base, table_of
from app.models.tracking import append_event, broken_links, row_digest

MANIFEST_SUFFIX = ".json"


@dataclass(frozen=True)
class Anchor:
    """A chain head recorded outside the database: (seq, hash) as it was when `source` was made."""

    seq: int
    hash: str
    source: str  # the backup or package file that holds it


@dataclass(frozen=True)
class Finding:
    """One thing `verify` found wrong. `kind` is a message id; the rest names what it concerns."""

    kind: str
    table: str = ""
    record_id: str = ""
    seq: int = 0
    detail: str = ""


def record_event(
    db: Database, actor: Actor, action: str, subject: str, details: Mapping[str, Any] | None = None
) -> None:
    """Audit something done that changes no row (an export, a print, a backup, an import): who, when, what kind.
    `details` never holds personal data: kinds, counts, file names chosen by the app."""
    with db.write(actor) as s:
        append_event(s, action, subject, details)


def audit_head(db: Database) -> tuple[int, str]:
    with db.read() as s:
        row = s.execute(
            sa.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).first()
    return (int(row[0]), str(row[1])) if row else (0, "0" * 64)


def anchors_in(folders: Iterable[Path]) -> list[Anchor]:
    """The chain heads kept in the manifests (`*.json` with an `audit_head`) of these folders."""
    found: list[Anchor] = []
    for folder in folders:
        if not Path(folder).is_dir():
            continue
        for manifest in sorted(Path(folder).glob(f"*{MANIFEST_SUFFIX}")):
            try:
                head = json.loads(manifest.read_text(encoding="utf-8")).get("audit_head")
            except (OSError, ValueError):
                continue
            if isinstance(head, dict) and head.get("seq"):
                found.append(Anchor(int(head["seq"]), str(head["hash"]), manifest.name))
    return found


# ---------------------------------------------------------------- the schema the migrations make


def _normalised(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip()


@cache
def _sqlite_schema_objects(revision: str) -> frozenset[tuple[str, str, str]]:
    """The triggers and indexes a database made by the migrations has at `revision` (made once, in a
    throw-away file)."""
    with tempfile.TemporaryDirectory(prefix="fhdesk-schema-") as tmp:
        fresh = open_database(Path(tmp) / "fresh.sqlite")
        try:
            return _sqlite_objects(fresh)
        finally:
            fresh.dispose()


def _sqlite_objects(db: Database) -> frozenset[tuple[str, str, str]]:
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') AND name NOT LIKE 'sqlite_%'"
        ).all()
    return frozenset((str(t), str(n), _normalised(sql)) for t, n, sql in rows)


def _schema_findings(db: Database) -> list[Finding]:
    if db.engine.dialect.name == "sqlite":
        expected = _sqlite_schema_objects(head_revision())
        actual = _sqlite_objects(db)
        findings = []
        names = {(t, n): sql for t, n, sql in actual}
        for kind, name, sql in sorted(expected):
            if (kind, name) not in names:
                findings.append(Finding("audit.schema_missing", detail=name))
            elif names[(kind, name)] != sql:
                findings.append(Finding("audit.schema_changed", detail=name))
        known = {(t, n) for t, n, _ in expected}
        findings += [Finding("audit.schema_extra", detail=n) for t, n in sorted(names) if (t, n) not in known]
        return findings
    # PostgreSQL: the rule triggers and the models' indexes by name
    with db.engine.connect() as conn:
        triggers = set(conn.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").scalars())
        indexes = set(
            conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            ).scalars()
        )
    expected_triggers = {"stock_movement_rules", *audit_triggers("postgresql")}
    expected_indexes = {str(i.name) for t in Base.metadata.tables.values() for i in t.indexes}
    return [Finding("audit.schema_missing", detail=n) for n in sorted(expected_triggers - triggers)] + [
        Finding("audit.schema_missing", detail=n) for n in sorted(expected_indexes - indexes)
    ]


# ---------------------------------------------------------------- verify


def verify(db: Database, anchors: Iterable[Anchor] = ()) -> list[Finding]:
    """Every finding, in the order of the checks above; an empty list for an intact database."""
    findings: list[Finding] = []
    with db.read() as s:
        findings += [Finding("audit.chain_broken", seq=seq) for seq in broken_links(s)]
        heads = dict(s.execute(sa.select(AuditEvent.seq, AuditEvent.hash)).all())
        last: dict[tuple[str, str], str | None] = {
            (table, rid): after
            for table, rid, after in s.execute(
                sa.select(AuditEvent.record_table, AuditEvent.record_id, AuditEvent.after_digest).order_by(
                    AuditEvent.seq
                )
            )
        }
        checked: list[tuple[sa.Table, str]] = [(table_of(m), "id") for m in TRAVELLING_MODELS]
        checked += [(table_of(User), "id"), (table_of(VillageProfile), "code")]
        for table, key in checked:
            for row in s.execute(sa.select(table)).mappings():
                expected = last.get((table.name, str(row[key])))
                if expected is None:
                    findings.append(Finding("audit.row_unaudited", table.name, str(row[key])))
                elif expected != row_digest(table, row):
                    findings.append(Finding("audit.row_changed", table.name, str(row[key])))
    for anchor in anchors:
        stored = heads.get(anchor.seq)
        if stored is None:
            findings.append(Finding("audit.anchor_missing", seq=anchor.seq, detail=anchor.source))
        elif stored != anchor.hash:
            findings.append(Finding("audit.anchor_differs", seq=anchor.seq, detail=anchor.source))
    findings += _schema_findings(db)
    return findings
