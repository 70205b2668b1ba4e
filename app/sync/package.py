"""The village package: every change the township has not acknowledged, the month's report, signed, encrypted
to the township, written whole to the stick and read back before anyone is told it is safe to remove it.

The contract is shared/design/sync-bundle.md; docs/package-format.md shows a township programmer how to read it.
What "not acknowledged" means here: every record changed by an audit line newer than the line the township
acknowledged last (SyncState.acked_audit_seq; 0 until the first return package: then the package holds the
whole village). A lost stick therefore heals itself: the next package carries everything again.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyrage
import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from app import storage
from app.actor import Actor
from app.clock import CHINA_TZ, now_utc, today
from app.db import Database, head_revision
from app.errors import DomainError
from app.files import atomic_output
from app.i18n import tr
from app.models import TRAVELLING_MODELS, AuditEvent, SyncPackage, SyncState
from app.models.base import SyncMixin, table_of
from app.models.tracking import CHUNK, canonical_json
from app.models.village import home_profile
from app.progress import ProgressFn, report
from app.services.permissions import Permission, require
from app.sync.container import PackageRejected, ZipReader, write_zip
from app.sync.keys import OwnKeys, PublicKeys, own_keys, township_keys

FORMAT = "fhd-sync-package"
FORMAT_VERSION = 1
CRYPTO = "age-x25519+ed25519+sha256"
CRYPTO_UNENCRYPTED = "none+ed25519+sha256"
ENVELOPE = ("id", "rev", "owner", "updated_at", "updated_by")
NOT_CARRIED = frozenset({*ENVELOPE, "deleted_at", "deleted_reason"})
TRAVELLING_TABLES = tuple(m.__tablename__ for m in TRAVELLING_MODELS)
PACKAGE_NAME = re.compile(r"^FHD_(\d{12})_(\d+)-(\d+)_(\d{8})\.fhd(\.zip)?$")
PARTIAL_PREFIX = ".~fhd-"  # app.files.atomic_output's temporary names


class ExportRefused(DomainError):
    """The package cannot be written as asked (no township key, no keys of our own, nothing to send...)."""


class ReadBackMismatch(DomainError):
    """The file on the stick differs from what was written: the stick is failing or was pulled out."""


def app_version() -> str:
    from app.version import app_version as version

    return version()


def schema_version() -> int:
    return int(head_revision())


def period_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def last_month(day: dt.date) -> tuple[int, int]:
    first = day.replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


def package_file_name(node: str, epoch: int, seq: int, day: dt.date, *, encrypted: bool) -> str:
    """`FHD_<village code>_<epoch>-<seq>_<yyyymmdd>.fhd` — nothing personal in the name."""
    return f"FHD_{node}_{epoch}-{seq}_{day:%Y%m%d}.fhd" + ("" if encrypted else ".zip")


# ---------------------------------------------------------------- rows as they travel


def envelope(table: sa.Table, row: Mapping[str, Any] | sa.RowMapping) -> dict[str, Any]:
    """A row as a package line: the sync metadata outside, the record's own fields under "data". A merged
    record carries only where it went: its personal fields stay with the record it was merged into."""
    if row.get("status") == "merged" and "merged_into" in row:
        data: dict[str, Any] = {"merged_into": row["merged_into"], "status": "merged"}
    else:
        data = {c.name: row[c.name] for c in table.columns if c.name not in NOT_CARRIED}
    out = {k: row[k] for k in ENVELOPE}
    out["data"] = data
    return out


def tombstone(table: str, row: Mapping[str, Any] | sa.RowMapping) -> dict[str, Any]:
    """A voided record: which one, its revision, when and why — none of its fields."""
    return {
        "deleted_at": row["deleted_at"],
        "id": row["id"],
        "reason": row["deleted_reason"] or "",
        "rev": row["rev"],
        "table": table,
    }


def audit_line(row: Mapping[str, Any] | sa.RowMapping) -> dict[str, Any]:
    """An audit line as it travels: who changed which record when, and the chain's links. The changed values
    stay on the laptop (their digest travels): the township anchors the chain, it does not need old values."""
    return {
        "action": row["action"],
        "after": row["after_digest"],
        "at": row["at"],
        "changes_sha256": hashlib.sha256(row["changes"].encode()).hexdigest(),
        "hash": row["hash"],
        "id": row["seq"],
        "prev_hash": row["prev_hash"],
        "record_id": row["record_id"],
        "record_rev": row["record_rev"],
        "table": row["record_table"],
        "user": row["user_id"],
    }


def jsonl(rows: Iterable[Mapping[str, Any]]) -> bytes:
    return b"".join(canonical_json(r) + b"\n" for r in rows)


def state_digest(pairs: Iterable[tuple[str, int]]) -> dict[str, Any]:
    """{"count", "digest"}: sha256 over the lines "id:rev\\n" in ascending id order."""
    lines = sorted(pairs)
    h = hashlib.sha256()
    for rid, rev in lines:
        h.update(f"{rid}:{rev}\n".encode())
    return {"count": len(lines), "digest": h.hexdigest()}


def state_of(s: Session, node: str) -> dict[str, Any]:
    """The state digests of `node`'s records in this database (the same computation on both sides): per table
    the rows in use — not voided, not merged into another (a merged record travels without its fields, so a
    copy may never have held it) — and, as "tombstone", the voided ones of every table."""
    state: dict[str, Any] = {}
    voided: list[tuple[str, int]] = []
    for model in TRAVELLING_MODELS:
        table = table_of(model)
        owned = sa.select(table.c.id, table.c.rev, table.c.deleted_at.is_(None)).where(table.c.owner == node)
        if "merged_into" in table.c:
            owned = owned.where(table.c.merged_into.is_(None))
        live: list[tuple[str, int]] = []
        for rid, rev, in_use in s.execute(owned):
            (live if in_use else voided).append((rid, rev))
        state[model.__tablename__] = state_digest(live)
    from app.models import (
        SyncTombstone,  # a township's record of voided rows it never held (none in a village)
    )

    known = {rid for rid, _ in voided}
    voided += [
        (rid, rev)
        for rid, rev in s.execute(
            sa.select(SyncTombstone.id, SyncTombstone.rev).where(SyncTombstone.owner == node)
        )
        if rid not in known
    ]
    state["tombstone"] = state_digest(voided)
    return state


@dataclass
class Contents:
    """What one package carries, read in one transaction (so rows, state and audit head agree)."""

    node: str
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # table -> envelopes, by id
    tombstones: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    audit_head: tuple[int, str] = (0, "0" * 64)

    def counts(self) -> dict[str, int]:
        out = {t: len(r) for t, r in self.rows.items() if r}
        if self.tombstones:
            out["tombstone"] = len(self.tombstones)
        if self.audit:
            out["audit_event"] = len(self.audit)
        return out

    def members(self) -> list[tuple[str, bytes, int]]:
        """(path, bytes, rows) of the data members, in the dependency order of the spec (empty ones left out)."""
        out = [
            (f"data/{t}.jsonl", jsonl(self.rows[t]), len(self.rows[t]))
            for t in TRAVELLING_TABLES
            if self.rows.get(t)
        ]
        if self.audit:
            out.append(("data/audit_event.jsonl", jsonl(self.audit), len(self.audit)))
        if self.tombstones:
            out.append(("data/tombstone.jsonl", jsonl(self.tombstones), len(self.tombstones)))
        return out


def _changed_ids(s: Session, after_seq: int, upto_seq: int) -> dict[str, set[str]]:
    changed: dict[str, set[str]] = defaultdict(set)
    query = sa.select(AuditEvent.record_table, AuditEvent.record_id).where(
        AuditEvent.seq > after_seq, AuditEvent.seq <= upto_seq, AuditEvent.record_table.in_(TRAVELLING_TABLES)
    )
    for table, rid in s.execute(query):
        changed[table].add(rid)
    return changed


def _owned_rows(s: Session, model: type[SyncMixin], node: str, ids: set[str] | None) -> list[sa.RowMapping]:
    table = table_of(model)
    base = sa.select(table).where(table.c.owner == node)
    if ids is None:
        return list(s.execute(base).mappings())
    wanted = sorted(ids)
    out: list[sa.RowMapping] = []
    for i in range(0, len(wanted), CHUNK):
        out += s.execute(base.where(table.c.id.in_(wanted[i : i + CHUNK]))).mappings().all()
    return out


def read_contents(s: Session, node: str, *, after_audit_seq: int, full: bool) -> Contents:
    """Every record of `node` changed after audit line `after_audit_seq` (all of them when `full`), as
    envelopes and tombstones; the audit lines since; the state of every table; the audit head."""
    head = s.execute(
        sa.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    contents = Contents(node, audit_head=(int(head[0]), str(head[1])) if head else (0, "0" * 64))
    since = 0 if full else after_audit_seq
    changed = None if since == 0 else _changed_ids(s, since, contents.audit_head[0])
    contents.state = state_of(s, node)
    for model in TRAVELLING_MODELS:
        table = table_of(model)
        name = model.__tablename__
        rows = _owned_rows(s, model, node, None if changed is None else changed.get(name, set()))
        rows.sort(key=lambda r: r["id"])
        contents.rows[name] = [envelope(table, r) for r in rows if r["deleted_at"] is None]
        contents.tombstones += [tombstone(name, r) for r in rows if r["deleted_at"] is not None]
    contents.tombstones.sort(key=lambda t: t["id"])
    audit = table_of(AuditEvent)
    lines = s.execute(
        sa.select(audit)
        .where(audit.c.seq > since, audit.c.seq <= contents.audit_head[0])
        .order_by(audit.c.seq)
    ).mappings()
    contents.audit = [audit_line(r) for r in lines]
    return contents


# ---------------------------------------------------------------- the month's report


def report_members(db: Database, year: int, month: int, state_day: dt.date) -> list[tuple[str, bytes]]:
    """report/monthly.json (figures with the definitions' version, for programs) and report/monthly.xlsx
    (the same report for people), both deterministic for the same data."""
    from app.reports.monthly_xlsx import write_report_xlsx
    from app.services.indicators import INDICATOR_DEFINITIONS_VERSION, monthly_report_document

    period_last = dt.date(year, month, 1) + dt.timedelta(days=31)
    period_last = period_last.replace(day=1) - dt.timedelta(days=1)
    doc = monthly_report_document(db, year, month, today=min(today(), period_last))
    figures = {
        "definitions_version": INDICATOR_DEFINITIONS_VERSION,
        "format": "fhd-monthly-report",
        "format_version": 1,
        "period": period_text(year, month),
        "period_first": doc.period_first,
        "period_last": doc.period_last,
        "tables": [
            {
                "columns": [{"key": c.key, "kind": c.kind.value} for c in t.columns],
                "key": t.key,
                "rows": [{"cells": list(r.cells), "label": r.label, "literal": r.literal} for r in t.rows],
            }
            for t in doc.tables
        ],
        "village": doc.village_code,
    }
    with tempfile.TemporaryDirectory(prefix="fhd-report-") as tmp:
        path = Path(tmp) / "monthly.xlsx"
        write_report_xlsx(path, doc, printed_on=state_day)
        xlsx = deterministic_xlsx(path.read_bytes(), dt.datetime.combine(state_day, dt.time()))
    return [("report/monthly.json", canonical_json(figures)), ("report/monthly.xlsx", xlsx)]


_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def deterministic_xlsx(raw: bytes, when: dt.datetime) -> bytes:
    """The workbook with its save time replaced by `when` and fixed zip timestamps: the same report gives the
    same bytes (openpyxl stamps the moment of saving)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.create_system = 3
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()


# ---------------------------------------------------------------- manifest, signature, verification


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def inner_zip(
    manifest: Mapping[str, Any], keys: OwnKeys, members: Sequence[tuple[str, bytes]]
) -> tuple[bytes, str]:
    """(the zip, package_id): manifest.json (canonical JSON), manifest.sig (base64 Ed25519 of those bytes),
    then the members in order."""
    manifest_bytes = canonical_json(manifest)
    signature = base64.b64encode(keys.sign(manifest_bytes))
    return write_zip([("manifest.json", manifest_bytes), ("manifest.sig", signature), *members]), sha256_hex(
        manifest_bytes
    )


MAX_MANIFEST_BYTES = 4 * 1024 * 1024


def verify_inner(data: bytes, sign_public_b64: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Check a package's zip as a reader must before using anything in it: the member rules, the signature of
    manifest.json by `sign_public_b64` (before any data member is inflated), every member listed with its hash
    and row count, nothing unlisted. Returns (manifest, members) or raises PackageRejected."""
    reader = ZipReader(data)
    try:
        return verify_reader(reader, sign_public_b64)
    finally:
        reader.close()


def verify_reader(reader: ZipReader, sign_public_b64: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    if "manifest.json" not in reader.infos or "manifest.sig" not in reader.infos:
        raise PackageRejected("sync.reject_no_manifest", None)
    manifest_bytes = reader.read("manifest.json", MAX_MANIFEST_BYTES)
    signature = reader.read("manifest.sig", 1024)
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(sign_public_b64)).verify(
            base64.b64decode(signature, validate=True), manifest_bytes
        )
    except (InvalidSignature, ValueError):
        raise PackageRejected("sync.reject_signature", None) from None
    try:
        manifest = orjson.loads(manifest_bytes)
        listed = {str(m["path"]): m for m in manifest["members"]}
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise PackageRejected("sync.reject_no_manifest", None) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackageRejected("sync.reject_no_manifest", None)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise PackageRejected(
            "sync.reject_format_version", None, version=str(manifest.get("format_version"))[:10]
        )
    present = set(reader.names) - {"manifest.json", "manifest.sig"}
    if present != set(listed):
        raise PackageRejected("sync.reject_bad_member", None, name=sorted(present ^ set(listed))[0][:80])
    members = {"manifest.json": manifest_bytes, "manifest.sig": signature}
    for path in reader.names:
        if path in members:
            continue
        entry = listed[path]
        content = reader.read(path)
        if sha256_hex(content) != entry.get("sha256"):
            raise PackageRejected("sync.reject_hash", None, name=path)
        if path.endswith(".jsonl") and content.count(b"\n") != entry.get("rows"):
            raise PackageRejected("sync.reject_hash", None, name=path)
        members[path] = content
    return manifest, members


# ---------------------------------------------------------------- what the next package carries


@dataclass(frozen=True)
class NextPackage:
    seq: int
    epoch: int
    period: str
    counts: dict[str, int]  # table -> rows (tombstone, audit_event included)
    full: bool  # nothing acknowledged yet: the whole village travels
    township: PublicKeys | None
    acked_seq: int


def _state_row(s: Session, node: str) -> SyncState:
    state = s.get(SyncState, node)
    if state is None:
        state = SyncState(node=node, epoch=1, last_seq=0, acked_seq=0, acked_audit_seq=0)
        s.add(state)
        s.flush()
    return state


def next_package(db: Database, *, month: tuple[int, int] | None = None, full: bool = False) -> NextPackage:
    """What "export" would write now: its number, month, and rows by kind."""
    with db.read() as s:
        profile = home_profile(s)
        if profile is None:
            raise ExportRefused("sync.no_village", None)
        state = s.get(SyncState, profile.code)
        acked_audit, acked_seq = (state.acked_audit_seq, state.acked_seq) if state else (0, 0)
        last_seq, epoch = (state.last_seq, state.epoch) if state else (0, 1)
        counts = pending_counts(s, profile.code, after_audit_seq=0 if full else acked_audit)
        township = township_keys(s)
    year, mon = month or last_month(today())
    return NextPackage(
        last_seq + 1, epoch, period_text(year, mon), counts, full or acked_audit == 0, township, acked_seq
    )


def pending_counts(s: Session, node: str, *, after_audit_seq: int) -> dict[str, int]:
    """The rows by kind that read_contents would carry, counted in the database (the Sync page shows them
    without building the package)."""
    counts: dict[str, int] = {}
    tombstones = 0
    audit = table_of(AuditEvent)
    for model in TRAVELLING_MODELS:
        table = table_of(model)
        live = table.c.deleted_at.is_(None)
        query = sa.select(live, sa.func.count()).where(table.c.owner == node)
        if after_audit_seq:
            changed = sa.select(audit.c.record_id).where(
                audit.c.seq > after_audit_seq, audit.c.record_table == model.__tablename__
            )
            query = query.where(table.c.id.in_(changed))
        for is_live, n in s.execute(query.group_by(live)):
            if is_live:
                counts[model.__tablename__] = int(n)
            else:
                tombstones += int(n)
    if tombstones:
        counts["tombstone"] = tombstones
    lines = s.scalar(sa.select(sa.func.count()).select_from(audit).where(audit.c.seq > after_audit_seq)) or 0
    if lines:
        counts["audit_event"] = int(lines)
    return {k: v for k, v in counts.items() if v}


# ---------------------------------------------------------------- export


@dataclass(frozen=True)
class Exported:
    path: Path
    package_id: str
    seq: int
    period: str
    size: int
    counts: dict[str, int]
    encrypted: bool


def _reserve(s: Session, actor: Actor) -> tuple[str, SyncState, int]:
    """Take the next number for this package now, in its own transaction: a number once used is never used
    again for other content (a failed export leaves a gap, which the township reads as superseded)."""
    require(actor, Permission.SYNC)
    profile = home_profile(s)
    if profile is None:
        raise ExportRefused("sync.no_village", None)
    state = _state_row(s, profile.code)
    state.last_seq += 1
    return profile.code, state, state.last_seq


def _record(s: Session, actor: Actor, row: SyncPackage) -> None:
    from app.models.tracking import append_event

    s.add(row)
    append_event(
        s, "export_package", "sync_package", {"seq": row.seq, "period": row.period, "package": row.id[:16]}
    )
    state = _state_row(s, row.node)
    state.last_package_id = row.id


def _clean_partials(folder: Path) -> None:
    """Temporary files of an export killed mid-write (never with a package's name): removed."""
    for stale in folder.glob(f"{PARTIAL_PREFIX}*.fhd*"):
        with contextlib.suppress(OSError):
            stale.unlink()


def _read_back(path: Path) -> bytes:
    """The file's bytes as the stick holds them: the kernel's cached copy is dropped first where possible."""
    with open(path, "rb") as f:
        if hasattr(os, "posix_fadvise"):
            with contextlib.suppress(OSError):
                os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        return f.read()


def export_package(
    db: Database,
    actor: Actor,
    out_dir: Path,
    *,
    month: tuple[int, int] | None = None,
    full: bool = False,
    unencrypted: bool = False,
    recovery_recipient: str | None = None,
    progress: ProgressFn | None = None,
) -> Exported:
    """Write the next package into `out_dir` and prove it is there: built, verified (member rules, hashes,
    signature) before encryption, encrypted to the township (and the recovery recipient), written under a
    temporary name, fsynced, renamed, read back and compared byte for byte. Only then is it recorded in the
    history. Without the township's key only `unencrypted=True` writes (a test package, `.fhd.zip`)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise ExportRefused("sync.no_folder", None, folder=str(out_dir))
    report(progress, 0.0, tr("sync.progress_reading"))
    with db.read() as s:
        keys = own_keys(s)
        township = township_keys(s)
    if keys is None:
        raise ExportRefused("sync.no_own_keys", None)
    if township is None and not unencrypted:
        raise ExportRefused("sync.no_township_key", None)

    node, seq, epoch, prev_id, acked_seq, acked_audit = _reserve_number(db, actor)
    year, mon = month or last_month(today())
    with db.read() as s:
        profile = home_profile(s)
        assert profile is not None  # _reserve_number checked it
        contents = read_contents(s, node, after_audit_seq=acked_audit, full=full)
    report(progress, 0.3, tr("sync.progress_report"))
    state_time = now_utc() if not contents.audit else contents.audit[-1]["at"]
    state_day = state_time.astimezone(CHINA_TZ).date()
    reports = report_members(db, year, mon, state_day)
    report(progress, 0.6, tr("sync.progress_packing"))
    data = contents.members()
    members: list[tuple[str, bytes]] = [(p, b) for p, b, _ in data] + reports
    created = now_utc().astimezone(CHINA_TZ).replace(microsecond=0)
    manifest = {
        "app_version": app_version(),
        "audit_head": {"hash": contents.audit_head[1], "seq": contents.audit_head[0]},
        "created_at": created.isoformat(),
        "created_by": actor.user_id,
        "crypto": CRYPTO_UNENCRYPTED if unencrypted else CRYPTO,
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "full_snapshot": full or acked_audit == 0,
        "members": [{"path": p, "rows": n, "sha256": sha256_hex(b)} for p, b, n in data]
        + [{"path": p, "sha256": sha256_hex(b)} for p, b in reports],
        "origin": {"epoch": epoch, "key_id": keys.public.sign_id, "name": profile.name, "node": node},
        "package_type": "village_changes",
        "period": period_text(year, mon),
        "prev_package_id": prev_id,
        "recipient": None
        if unencrypted or township is None
        else {"key_id": township.age_id, "node": township.node},
        "schema_version": schema_version(),
        "seq": seq,
        "since_ack_seq": acked_seq,
        "state": contents.state,
    }
    zipped, package_id = inner_zip(manifest, keys, members)
    verify_inner(zipped, keys.public.sign)  # what the township will check, checked here before encryption
    if unencrypted:
        blob = zipped
    else:
        assert township is not None
        recipients = [pyrage.x25519.Recipient.from_str(township.age)]
        if recovery_recipient:
            recipients.append(pyrage.x25519.Recipient.from_str(recovery_recipient))
        blob = pyrage.encrypt(zipped, recipients)
    report(progress, 0.8, tr("sync.progress_writing"))
    _clean_partials(out_dir)
    path = out_dir / package_file_name(node, epoch, seq, created.date(), encrypted=not unencrypted)
    try:
        with atomic_output(path, mode=0o644) as tmp:
            tmp.write_bytes(blob)
        report(progress, 0.9, tr("sync.progress_checking"))
        written = _read_back(path)
    except OSError as e:  # a full or pulled-out stick: said of the stick, not of the village's data
        raise _stick_problem(e, out_dir) from None
    if written != blob:
        with contextlib.suppress(OSError):
            path.unlink()
        raise ReadBackMismatch("sync.readback_failed", None, path=str(path))
    counts = contents.counts()
    db.run(
        actor,
        _record,
        SyncPackage(
            id=package_id,
            node=node,
            epoch=epoch,
            seq=seq,
            period=period_text(year, mon),
            created_at=created.astimezone(dt.UTC),
            created_by=actor.user_id,
            file_name=path.name,
            size=len(blob),
            full_snapshot=bool(manifest["full_snapshot"]),
            encrypted=not unencrypted,
            audit_seq=contents.audit_head[0],
            counts=orjson.dumps(counts, option=orjson.OPT_SORT_KEYS).decode(),
        ),
    )
    report(progress, 1.0, tr("sync.progress_done"))
    return Exported(path, package_id, seq, period_text(year, mon), len(blob), counts, not unencrypted)


def _stick_problem(error: OSError, folder: Path) -> DomainError:
    fault = storage.fault_of(error)
    kind = (
        {storage.DISK_FULL: "full", storage.READ_ONLY: "read_only"}.get(fault, "failed")
        if fault
        else "failed"
    )
    return storage.StorageFailed(f"sync.stick_{kind}", None, folder=str(folder))


def _void_orphaned_visits(s: Session) -> int:
    """Follow-ups (and their answers) still live for a person voided before voiding took them along (older
    versions of the app): voided now, as the app's own audited change, so that no live row of a package points
    at a voided record (a township that never held the person could not take them)."""
    from app.models import Followup, FollowupAnswer, Person

    reason = tr("sync.orphan_void_reason")

    orphans = (
        s.execute(
            sa.select(Followup).where(
                Followup.live(),
                Followup.person_id.in_(sa.select(Person.id).where(Person.deleted_at.is_not(None))),
            )
        )
        .scalars()
        .all()
    )
    if not orphans:
        return 0
    now = now_utc()
    ids = [f.id for f in orphans]
    for answer in s.execute(
        sa.select(FollowupAnswer).where(FollowupAnswer.live(), FollowupAnswer.followup_id.in_(ids))
    ).scalars():
        answer.deleted_at, answer.deleted_reason = now, reason
    for visit in orphans:
        visit.deleted_at, visit.deleted_reason = now, reason
    s.flush()
    return len(orphans)


def _reserve_number(db: Database, actor: Actor) -> tuple[str, int, int, str | None, int, int]:
    """(node, seq, epoch, prev_package_id, acked_seq, acked_audit_seq) with `seq` taken for good."""

    def take(s: Session, actor: Actor) -> tuple[str, int, int, str | None, int, int]:
        node, state, seq = _reserve(s, actor)
        _void_orphaned_visits(s)
        return node, seq, state.epoch, state.last_package_id, state.acked_seq, state.acked_audit_seq

    return db.run(actor, take)


@dataclass(frozen=True)
class PackageRecord:
    seq: int
    period: str
    created_at: dt.datetime
    file_name: str
    size: int
    full: bool
    encrypted: bool
    acked_at: dt.datetime | None
    counts: dict[str, int]


def history(db: Database) -> list[PackageRecord]:
    """The packages this village wrote, newest first."""
    with db.read() as s:
        profile = home_profile(s)
        if profile is None:
            return []
        rows = s.execute(
            sa.select(SyncPackage)
            .where(SyncPackage.node == profile.code)
            .order_by(SyncPackage.epoch.desc(), SyncPackage.seq.desc())
        ).scalars()
        return [
            PackageRecord(
                r.seq,
                r.period,
                r.created_at,
                r.file_name,
                r.size,
                r.full_snapshot,
                r.encrypted,
                r.acked_at,
                orjson.loads(r.counts),
            )
            for r in rows
        ]


def do_acknowledge(s: Session, actor: Actor, seq: int, package_id: str) -> int:
    """The township has applied our packages up to number `seq` (its return package says so, with that
    package's id): every change those packages carried is acknowledged and leaves the next package. An
    acknowledgement of a package we never wrote, or older than one already acknowledged, changes nothing.
    Returns the audit line acknowledged up to (0 when nothing changed)."""
    profile = home_profile(s)
    if profile is None:
        return 0
    package = s.get(SyncPackage, package_id)
    state = _state_row(s, profile.code)
    if package is None or package.node != profile.code or package.seq != seq or seq <= state.acked_seq:
        return 0
    now = now_utc()
    state.acked_seq, state.acked_package_id, state.acked_at = seq, package_id, now
    state.acked_audit_seq = max(state.acked_audit_seq, package.audit_seq)
    for row in s.execute(
        sa.select(SyncPackage).where(
            SyncPackage.node == profile.code, SyncPackage.epoch == package.epoch, SyncPackage.seq <= seq
        )
    ).scalars():
        if row.acked_at is None:
            row.acked_at = now
    return state.acked_audit_seq


@dataclass(frozen=True)
class TownshipStatus:
    acked_seq: int
    acked_at: dt.datetime | None
    last_seq: int


def township_status(db: Database) -> TownshipStatus:
    with db.read() as s:
        profile = home_profile(s)
        state = s.get(SyncState, profile.code) if profile else None
        if state is None:
            return TownshipStatus(0, None, 0)
        return TownshipStatus(state.acked_seq, state.acked_at, state.last_seq)
