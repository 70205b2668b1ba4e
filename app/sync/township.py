"""Township mode: a database that consolidates its villages from their packages (SQLite or PostgreSQL).

The import follows the table of shared/design/sync-bundle.md, per (village, epoch):

- the file is opened and checked completely before anything is written — decrypted with the township's identity,
  the zip's member rules, the village enrolled, its signature, every member's hash and row count, the recipient,
  the schema version — and a package that fails is moved to the quarantine folder with a sentence;
- a package already imported changes nothing and says when; another package claiming a number already applied
  is a fork: nothing applied;
- rows are applied in one transaction in the replicate mode of the data layer (incoming rev, owner and stamps
  kept), in bulk; a row not newer than the stored one is skipped; a row of a record the village does not own goes
  to the conflict list; a row whose parent is neither stored nor in the package rejects the whole package;
- numbers skipped since the last applied package are logged as superseded (their changes are in this one);
- after applying, the village's state digests are compared with the township's copy: a mismatch asks that
  village for a full snapshot.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyrage
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.actor import Actor
from app.clock import now_utc
from app.db import Database
from app.errors import DomainError
from app.i18n import tr
from app.models import (
    TRAVELLING_MODELS,
    Person,
    SyncConflict,
    SyncImport,
    SyncState,
    TownshipProfile,
    User,
    VillageProfile,
    new_id,
)
from app.models.base import UTCDateTime, table_of
from app.models.tracking import CHUNK, fill_deferred, replicate_rows
from app.progress import ProgressFn, report
from app.services import auth, supplies
from app.services.permissions import Permission, require
from app.sync.container import PackageRejected, ZipReader
from app.sync.keys import OwnKeys, do_ensure_own_keys, own_keys, public_keys_of
from app.sync.package import (
    CRYPTO,
    MAX_MANIFEST_BYTES,
    TRAVELLING_TABLES,
    schema_version,
    state_of,
    verify_reader,
)
from app.vocab import UserRole

MAX_FILE_BYTES = 1024 * 1024 * 1024
MAX_SEQ = 1_000_000  # a village writes a dozen packages a year  # a village package is a few MB; anything near this is not one
AGE_MAGIC = b"age-encryption.org/v1\n"
ZIP_MAGIC = b"PK\x03\x04"
# References that may point to a row applied later in the package's order (or in the same table): written NULL
# with their row and set once every table is in (app.models.tracking.fill_deferred).
DEFERRED = {
    "household": ("head_person_id",),
    "person": ("born_of_pregnancy_id", "merged_into"),
    "stock_movement": ("reverses_id",),
}


# ---------------------------------------------------------------- set-up


@dataclass(frozen=True)
class TownshipSetup:
    township_name: str
    township_code: str
    officer_name: str
    username: str
    password: str


def check_township_setup(data: TownshipSetup) -> None:
    code = data.township_code.strip()
    if not (len(code) == 12 and code.isdigit() and code.endswith("000")):
        raise DomainError("township.code_invalid", "township_code")
    if not data.township_name.strip():
        raise DomainError("township.required", "township_name")
    if not data.officer_name.strip():
        raise DomainError("township.required", "officer_name")
    auth.check_new_credentials(data.username, data.password)


def set_up_township(db: Database, data: TownshipSetup) -> str:
    """A township-mode database: the township's profile, its first administrator, the supply catalogue (the
    township's own records, the same ids as in its villages) and the township's own keys. Returns the user id."""
    check_township_setup(data)
    code = data.township_code.strip()
    with db.read() as s:
        if (
            s.execute(sa.select(TownshipProfile.code)).first()
            or s.execute(sa.select(VillageProfile.code)).first()
        ):
            raise DomainError("village.already_set_up", None)
    user = User(
        id=new_id(),
        username=data.username.strip(),
        display_name=data.officer_name.strip(),
        password_hash=auth.hash_password(data.password),
        role=UserRole.ADMIN,
        created_at=now_utc(),
    )
    actor = Actor(user.id, UserRole.ADMIN, code)
    with db.write(actor) as s:
        s.add(TownshipProfile(code=code, name=data.township_name.strip(), created_at=now_utc()))
        s.add(SyncState(node=code))
        s.add(user)
        s.flush()
        supplies.add_catalogue_items(s, code)
    db.refresh_profile()
    with db.write(actor) as s:
        do_ensure_own_keys(s, actor)
    return user.id


def township_of(db: Database) -> tuple[str, str] | None:
    """(code, name) of the township this database serves, or None (a village's database)."""
    with db.read() as s:
        row = s.execute(sa.select(TownshipProfile.code, TownshipProfile.name)).first()
    return (str(row[0]), str(row[1])) if row else None


def villages(db: Database) -> list[tuple[str, str]]:
    """The enrolled villages, (code, name) by code."""
    with db.read() as s:
        rows = s.execute(
            sa.select(VillageProfile.code, VillageProfile.name)
            .where(VillageProfile.home.is_(False))
            .order_by(VillageProfile.code)
        ).all()
    return [(str(c), str(n)) for c, n in rows]


# ---------------------------------------------------------------- opening a package


class Rejected(DomainError):
    """A package refused before anything was written. `quarantine` says whether the file is suspect (moved
    aside) or merely not to be applied (a fork, a duplicate number)."""

    def __init__(self, msg_id: str, quarantine: bool = True, /, **params: object) -> None:
        super().__init__(msg_id, None, **params)
        self.quarantine = quarantine


@dataclass(frozen=True)
class Opened:
    manifest: dict[str, Any]
    members: dict[str, bytes]
    package_id: str
    encrypted: bool


def _well_formed(manifest: dict[str, Any]) -> bool:
    """The manifest's fields the import relies on have the types the spec gives them (a signed manifest can
    still be written by a broken program)."""
    origin = manifest.get("origin")
    seq = manifest.get("seq")
    return (
        isinstance(origin, dict)
        and isinstance(origin.get("epoch", 1), int)
        and isinstance(seq, int)
        and 1 <= seq <= MAX_SEQ
        and isinstance(manifest.get("state", {}), dict)
        and isinstance(manifest.get("audit_head") or {}, dict)
        and isinstance(manifest.get("period", ""), str)
    )


def open_package(
    s: Session,
    raw: bytes,
    own: OwnKeys,
    *,
    expected_type: str,
    sender_role: str,
    allow_unencrypted: bool = False,
) -> Opened:
    """Decrypt and verify a package addressed to this node, or raise Rejected. Nothing is written."""
    import hashlib

    if len(raw) > MAX_FILE_BYTES:
        raise Rejected("township.reject_too_large")
    encrypted = raw.startswith(AGE_MAGIC)
    if encrypted:
        try:
            zipped = pyrage.decrypt(raw, [pyrage.x25519.Identity.from_str(own.age_identity)])
        except pyrage.DecryptError:
            raise Rejected("township.reject_wrong_recipient") from None
    elif raw.startswith(ZIP_MAGIC):
        zipped = raw
    else:
        raise Rejected("sync.reject_not_zip")
    try:
        reader = ZipReader(zipped)
    except PackageRejected as e:
        raise Rejected(e.msg_id, **e.params) from None
    try:
        try:
            if "manifest.json" not in reader.infos:
                raise KeyError("manifest.json")
            claimed = orjson.loads(reader.read("manifest.json", MAX_MANIFEST_BYTES))
            origin = claimed["origin"]["node"]
            if not isinstance(origin, str):
                raise TypeError
        except (KeyError, TypeError, orjson.JSONDecodeError):
            raise Rejected("sync.reject_no_manifest") from None
        sender = public_keys_of(s, origin, sender_role)
        if sender is None:
            raise Rejected("township.reject_unknown_sender", node=origin[:12])
        manifest, members = verify_reader(reader, sender.sign)
    except PackageRejected as e:
        raise Rejected(e.msg_id, **e.params) from None
    finally:
        reader.close()
    if manifest.get("origin", {}).get("key_id") != sender.sign_id:
        raise Rejected("sync.reject_signature")
    recipient = manifest.get("recipient")
    if not encrypted and not allow_unencrypted:  # never a real package (docs/package-format.md)
        raise Rejected("township.reject_unencrypted")
    if encrypted and (
        not isinstance(recipient, dict)
        or recipient.get("key_id") != own.public.age_id
        or recipient.get("node") != own.public.node
        or manifest.get("crypto") != CRYPTO
    ):
        raise Rejected("township.reject_wrong_recipient")
    if not _well_formed(manifest):
        raise Rejected("sync.reject_no_manifest")
    if manifest.get("package_type") != expected_type:
        raise Rejected("township.reject_wrong_type", kind=str(manifest.get("package_type"))[:40])
    if not isinstance(manifest.get("schema_version"), int) or manifest["schema_version"] > schema_version():
        raise Rejected("township.reject_schema_newer", False)
    return Opened(manifest, members, hashlib.sha256(members["manifest.json"]).hexdigest(), encrypted)


# ---------------------------------------------------------------- rows from the package


@dataclass(frozen=True)
class _Column:
    name: str
    kind: str  # "date", "datetime" or "" (taken as it is)


def _columns(table: sa.Table) -> dict[str, _Column]:
    out = {}
    for c in table.columns:
        kind = ""
        if isinstance(c.type, UTCDateTime | sa.DateTime):
            kind = "datetime"
        elif isinstance(c.type, sa.Date):
            kind = "date"
        out[str(c.name)] = _Column(str(c.name), kind)
    return out


def _typed(value: Any, kind: str) -> Any:
    if value is None or not kind:
        return value
    if not isinstance(value, str):
        raise ValueError("not a date")
    if kind == "date":
        return dt.date.fromisoformat(value)
    stamp = dt.datetime.fromisoformat(value)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def row_from_envelope(table: sa.Table, columns: dict[str, _Column], line: dict[str, Any]) -> dict[str, Any]:
    """A package line as a row of `table`, typed; unknown fields refuse the package (another schema)."""
    data = line["data"]
    if not isinstance(data, dict):
        raise ValueError("data is not an object")
    row: dict[str, Any] = {}
    for key, value in {
        **data,
        **{k: line[k] for k in ("id", "rev", "owner", "updated_at", "updated_by")},
    }.items():
        column = columns.get(key)
        if column is None:
            raise ValueError(f"unknown field {key}")
        row[key] = _typed(value, column.kind)
    if not isinstance(row["id"], str) or not isinstance(row["rev"], int):
        raise ValueError("bad id or rev")
    return row


@dataclass
class Incoming:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # table -> rows (merged ones minimal)
    tombstones: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    audit: list[dict[str, Any]] = field(default_factory=list)


def parse_members(members: dict[str, bytes]) -> Incoming:
    incoming = Incoming()
    known = set(TRAVELLING_TABLES) | {"audit_event", "tombstone"}
    for path, content in members.items():
        if not path.startswith("data/"):
            continue
        name = path.removeprefix("data/").removesuffix(".jsonl")
        if name not in known:
            raise Rejected("township.reject_bad_rows", name=path)
        try:
            lines = [orjson.loads(line) for line in content.splitlines() if line]
            if name == "tombstone":
                for t in lines:
                    if t["table"] not in TRAVELLING_TABLES:
                        raise ValueError("unknown table")
                    incoming.tombstones[t["table"]].append(
                        {
                            "id": str(t["id"]),
                            "rev": int(t["rev"]),
                            "deleted_at": _typed(t["deleted_at"], "datetime"),
                            "deleted_reason": str(t.get("reason") or "")[:200] or "—",
                        }
                    )
            elif name == "audit_event":
                incoming.audit = lines
            else:
                table = next(table_of(m) for m in TRAVELLING_MODELS if m.__tablename__ == name)
                columns = _columns(table)
                rows = [row_from_envelope(table, columns, line) for line in lines]
                if len({r["id"] for r in rows}) != len(rows):
                    raise ValueError("an id twice")
                incoming.rows[name] = rows
        except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
            raise Rejected("township.reject_bad_rows", name=path) from None
    return incoming


# ---------------------------------------------------------------- applying


def _existing(s: Session, table: sa.Table, ids: Iterable[str]) -> dict[str, str]:
    """id -> owner of the rows of `table` stored with these ids."""
    wanted = sorted(set(ids))
    found: dict[str, str] = {}
    for i in range(0, len(wanted), CHUNK):
        for rid, owner in s.execute(
            sa.select(table.c.id, table.c.owner).where(table.c.id.in_(wanted[i : i + CHUNK]))
        ):
            found[str(rid)] = str(owner)
    return found


def _check_parents(
    s: Session, incoming: Incoming, applying: dict[str, list[dict[str, Any]]], node: str, township_code: str
) -> None:
    """Every reference of a row to apply points to a row of the same village stored here or carried by the
    package (or to the township's own catalogue)."""
    in_package: dict[str, set[str]] = {t: {r["id"] for r in rows} for t, rows in incoming.rows.items()}
    for model in TRAVELLING_MODELS:
        table = table_of(model)
        rows = applying.get(model.__tablename__, [])
        if not rows:
            continue
        for fk in table.foreign_keys:
            parent = fk.column.table
            column = fk.parent.name
            wanted = {r[column] for r in rows if r.get(column) is not None} - in_package.get(
                parent.name, set()
            )
            if not wanted:
                continue
            found = _existing(s, parent, wanted)
            # a village's rows point only at its own records (and at the township's catalogue)
            missing = {w for w in wanted if found.get(w) not in (node, township_code)}
            if missing:
                raise Rejected(
                    "township.reject_orphan", table=model.__tablename__, column=column, parent=parent.name
                )


def _note_unheld(s: Session, table: str, node: str, stones: Sequence[dict[str, Any]]) -> None:
    """Voided records this township never held: noted (newest revision), so the state digests agree."""
    from app.models import SyncTombstone

    for t in stones:
        known = s.get(SyncTombstone, t["id"])
        if known is None:
            s.add(
                SyncTombstone(
                    id=t["id"], record_table=table, owner=node, rev=t["rev"], deleted_at=t["deleted_at"]
                )
            )
        elif known.owner == node and t["rev"] > known.rev:
            known.rev, known.deleted_at = t["rev"], t["deleted_at"]
    s.flush()


def _check_chain(s: Session, node: str, lines: Sequence[dict[str, Any]], head: dict[str, Any]) -> bool:
    """The audit lines link up (each line's prev_hash is the previous line's hash, the last is the manifest's
    head) and continue the chain whose head an earlier package left here, when we hold that one."""
    if not lines:
        return True
    for before, after in zip(lines, lines[1:], strict=False):
        if after.get("prev_hash") != before.get("hash") or after.get("id") != before.get("id", 0) + 1:
            return False
    if lines[-1].get("hash") != head.get("hash") or lines[-1].get("id") != head.get("seq"):
        return False
    anchor = s.execute(
        sa.select(SyncImport.audit_hash).where(
            SyncImport.node == node,
            SyncImport.outcome == "applied",
            SyncImport.audit_seq == lines[0]["id"] - 1,
        )
    ).scalar()
    return anchor is None or anchor == lines[0].get("prev_hash")


@dataclass(frozen=True)
class ImportOutcome:
    file: Path
    outcome: str  # applied / already / rejected
    message: str  # a sentence for the person
    node: str | None = None
    seq: int | None = None
    period: str | None = None
    counts: dict[str, list[int]] = field(default_factory=dict)  # table -> [inserted, updated, skipped]
    conflicts: int = 0
    superseded: tuple[int, ...] = ()
    state_ok: bool | None = None
    quarantined: Path | None = None


def _applied_seqs(s: Session, node: str, epoch: int) -> dict[int, str]:
    rows = s.execute(
        sa.select(SyncImport.seq, SyncImport.package_id).where(
            SyncImport.node == node, SyncImport.epoch == epoch, SyncImport.outcome == "applied"
        )
    ).all()
    return {int(seq): str(pid) for seq, pid in rows if seq is not None}


def _log(s: Session, actor: Actor, file: Path, outcome: str, **values: Any) -> SyncImport:
    entry = SyncImport(
        id=new_id(),
        file_name=file.name[:200],
        imported_at=now_utc(),
        imported_by=actor.user_id,
        outcome=outcome,
        detail=orjson.dumps(values.pop("detail", {}), option=orjson.OPT_SORT_KEYS).decode(),
        **values,
    )
    s.add(entry)
    s.flush()
    return entry


def _apply(s: Session, actor: Actor, file: Path, opened: Opened) -> ImportOutcome:
    manifest, node = opened.manifest, opened.manifest["origin"]["node"]
    epoch, seq = int(manifest["origin"].get("epoch", 1)), int(manifest["seq"])
    applied = _applied_seqs(s, node, epoch)
    newest_epoch = s.execute(
        sa.select(sa.func.max(SyncImport.epoch)).where(
            SyncImport.node == node, SyncImport.outcome == "applied"
        )
    ).scalar()
    if newest_epoch is not None and epoch < newest_epoch:
        raise Rejected("township.reject_old_epoch", False, epoch=epoch, newest=newest_epoch)
    # the first package of a newer epoch (the village restored a backup) is the whole truth about the village
    authoritative = newest_epoch is not None and epoch > newest_epoch
    if applied.get(seq) == opened.package_id:
        when = s.execute(
            sa.select(SyncImport.imported_at)
            .where(SyncImport.outcome == "applied", SyncImport.package_id == opened.package_id)
            .order_by(SyncImport.imported_at)
            .limit(1)
        ).scalar()
        raise _Already(when, node, seq)
    if seq in applied:
        raise Rejected("township.reject_fork", False, seq=seq)
    incoming = parse_members(opened.members)

    # what will be applied: merged records only where we hold them, tombstones only for stored rows
    applying: dict[str, list[dict[str, Any]]] = {}
    skipped_merged = 0
    for model in TRAVELLING_MODELS:
        name = model.__tablename__
        rows = incoming.rows.get(name, [])
        merged = [r for r in rows if r.get("status") == "merged" and "name" not in r]
        if merged:
            held = _existing(s, table_of(model), [r["id"] for r in merged])
            skipped_merged += len([r for r in merged if r["id"] not in held])
            rows = [r for r in rows if r not in merged or r["id"] in held]
        if name == "stock_movement":
            # the ledger's own rule (no lot below zero on any day) is checked as each row goes in: receipts
            # first, then what goes out by date — any order of a valid ledger's rows that keeps every
            # intermediate balance at least the final one
            rows = sorted(rows, key=lambda r: (r["direction"] != 1, r["movement_date"], r["id"]))
        applying[name] = rows
    township_code = s.execute(sa.select(TownshipProfile.code)).scalar() or ""
    _check_parents(s, incoming, applying, node, township_code)

    counts: dict[str, list[int]] = {}
    conflicts: list[tuple[str, str, str]] = []
    written: dict[str, tuple[dict[str, Any], ...]] = {}
    for model in TRAVELLING_MODELS:
        name = model.__tablename__
        if not applying[name]:
            continue
        result = replicate_rows(
            s,
            model,
            applying[name],
            sender=node,
            deferred=DEFERRED.get(name, ()),
            authoritative=authoritative,
        )
        counts[name] = [result.inserted, result.updated, result.skipped]
        conflicts += [(name, rid, owner) for rid, owner in result.conflicts]
        written[name] = result.written
    for model in TRAVELLING_MODELS:
        for column in DEFERRED.get(model.__tablename__, ()):
            if written.get(model.__tablename__):
                fill_deferred(s, model, written[model.__tablename__], column)
    for model in TRAVELLING_MODELS:
        name = model.__tablename__
        stones = incoming.tombstones.get(name, [])
        held = _existing(s, table_of(model), [t["id"] for t in stones])
        _note_unheld(s, name, node, [t for t in stones if t["id"] not in held])
        rows = [{**t, "owner": node, "updated_at": t["deleted_at"]} for t in stones if t["id"] in held]
        if rows:
            result = replicate_rows(s, model, rows, sender=node, authoritative=authoritative)
            tally = counts.setdefault(name, [0, 0, 0])
            tally[1] += result.updated
            tally[2] += result.skipped
            conflicts += [(name, rid, owner) for rid, owner in result.conflicts]

    newest = max(applied, default=0)
    superseded = tuple(n for n in range(newest + 1, seq) if n not in applied)
    state_ok: bool | None = None
    if seq > newest:  # an older package replayed after its successor describes an older state
        ours = state_of(s, node)
        state_ok = all(ours.get(k) == v for k, v in manifest.get("state", {}).items())
    chain_ok = _check_chain(s, node, incoming.audit, manifest.get("audit_head", {}))
    head = manifest.get("audit_head", {})
    report_bytes = opened.members.get("report/monthly.json")
    entry = _log(
        s,
        actor,
        file,
        "applied",
        package_id=opened.package_id,
        package_type=manifest["package_type"],
        node=node,
        epoch=epoch,
        seq=seq,
        period=str(manifest.get("period", ""))[:7],
        state_ok=state_ok,
        audit_seq=head.get("seq"),
        audit_hash=head.get("hash"),
        report=report_bytes.decode() if report_bytes else None,
        detail={
            "counts": counts,
            "superseded": list(superseded),
            "skipped_merged": skipped_merged,
            "audit_ok": chain_ok,
            "full_snapshot": bool(manifest.get("full_snapshot")),
            "encrypted": opened.encrypted,
        },
    )
    for table, rid, owner in conflicts:
        s.add(
            SyncConflict(
                id=new_id(), import_id=entry.id, record_table=table, record_id=rid, owner=owner, sender=node
            )
        )
    message = tr(
        "township.applied",
        village=node,
        seq=seq,
        period=manifest.get("period", ""),
        rows=sum(c[0] + c[1] for c in counts.values()),
    )
    if conflicts:
        message += " " + tr("township.applied_conflicts", n=len(conflicts))
    if superseded:
        message += " " + tr("township.applied_superseded", numbers="、".join(map(str, superseded)))
    if state_ok is False:
        message += " " + tr("township.state_mismatch")
    return ImportOutcome(
        file,
        "applied",
        message,
        node,
        seq,
        manifest.get("period"),
        counts,
        len(conflicts),
        superseded,
        state_ok,
    )


class _Already(Exception):
    """The package was applied before: nothing to do."""

    def __init__(self, when: dt.datetime | None, node: str, seq: int) -> None:
        super().__init__(node, seq)
        self.when, self.node, self.seq = when, node, seq


def _quarantine(file: Path, folder: Path) -> Path | None:
    """Move a suspect file aside (never overwriting), so it is not imported again by mistake."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / file.name
        n = 1
        while target.exists():
            n += 1
            target = folder / f"{file.stem}-{n}{file.suffix}"
        shutil.move(str(file), target)
        return target
    except OSError:
        return None


def do_import_package(s: Session, actor: Actor, file: Path, raw: bytes) -> ImportOutcome:
    """Open, check and apply one village package inside the caller's transaction (Rejected / _Already raise
    before anything was written)."""
    require(actor, Permission.ADMIN)
    own = own_keys(s)
    if own is None or s.execute(sa.select(TownshipProfile.code)).first() is None:
        raise DomainError("township.not_township", None)
    opened = open_package(s, raw, own, expected_type="village_changes", sender_role="village")
    return _apply(s, actor, file, opened)


def import_package(db: Database, actor: Actor, file: Path, *, quarantine: Path) -> ImportOutcome:
    """Import one package file in its own transaction; a rejection is logged (and the file quarantined when
    suspect) and returned as an outcome, never half applied."""
    file = Path(file)
    try:
        if file.stat().st_size > MAX_FILE_BYTES:  # said before reading it into memory
            raise Rejected("township.reject_too_large")
        raw = file.read_bytes()
    except OSError:
        return ImportOutcome(file, "rejected", tr("township.reject_unreadable", file=file.name))
    except Rejected as e:
        return _refused(db, actor, file, e, quarantine)
    try:
        with db.write(actor, replicate=True) as s:
            try:
                return do_import_package(s, actor, file, raw)
            except (sa.exc.IntegrityError, sa.exc.DataError):  # signed, but not rows this schema can hold
                raise Rejected("township.reject_bad_rows", name=file.name) from None
    except _Already as already:
        from app.clock import CHINA_TZ

        date = already.when.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if already.when else ""
        return ImportOutcome(file, "already", tr("township.already", date=date), already.node, already.seq)
    except Rejected as e:
        return _refused(db, actor, file, e, quarantine)


def _refused(db: Database, actor: Actor, file: Path, e: Rejected, quarantine: Path) -> ImportOutcome:
    """A refusal logged (the only trace a rejected package leaves) and the file moved aside when suspect."""
    moved = _quarantine(file, quarantine) if e.quarantine else None
    message = e.message() + (" " + tr("township.quarantined", path=str(moved)) if moved else "")
    with db.write(actor) as s:
        _log(
            s,
            actor,
            file,
            "rejected",
            reason=e.msg_id[:60],
            detail={"params": {k: str(v) for k, v in e.params.items()}},
        )
    return ImportOutcome(file, "rejected", message, quarantined=moved)


def package_files(paths: Iterable[Path]) -> list[Path]:
    """The package files named or found (not recursively) in the folders named, in the order they should be
    applied: by village, epoch and number (a later number first is also fine, only slower)."""
    from app.sync.package import PACKAGE_NAME

    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += [p for p in path.iterdir() if p.is_file() and PACKAGE_NAME.match(p.name)]
        else:
            found.append(path)

    def order(p: Path) -> tuple[str, int, int, str]:
        m = PACKAGE_NAME.match(p.name)
        return (m.group(1), int(m.group(2)), int(m.group(3)), p.name) if m else ("~", 0, 0, p.name)

    return sorted(dict.fromkeys(found), key=order)


def import_packages(
    db: Database,
    actor: Actor,
    paths: Iterable[Path],
    *,
    quarantine: Path,
    progress: ProgressFn | None = None,
) -> list[ImportOutcome]:
    """Import every package named or found in the folders named, each in its own transaction."""
    files = package_files(paths)
    outcomes: list[ImportOutcome] = []
    for n, file in enumerate(files):
        report(
            progress,
            n / max(len(files), 1),
            tr("township.progress_import", n=n + 1, total=len(files), file=file.name),
        )
        try:
            outcomes.append(import_package(db, actor, file, quarantine=quarantine))
        except Exception as e:  # noqa: BLE001 - one file's failure never stops the others
            import logging

            from app import storage

            logging.getLogger(__name__).error("importing a package failed: %s", type(e).__name__)
            fault = storage.fault_of(e)
            sentence = (
                fault.message(quarantine.parent)
                if fault
                else tr("township.import_failed", kind=type(e).__name__)
            )
            outcomes.append(ImportOutcome(file, "rejected", sentence))
    report(progress, 1.0, tr("township.progress_done"))
    return outcomes


# ---------------------------------------------------------------- per-village status


@dataclass(frozen=True)
class VillageStatus:
    code: str
    name: str
    last_seq: int | None
    last_period: str | None
    last_imported: dt.datetime | None
    missing: tuple[int, ...]  # numbers never applied below the newest (superseded by later packages)
    conflicts: int
    needs_full: bool  # the last package's state differed from ours: ask for a full snapshot
    audit_ok: bool
    late: bool  # no package for last month by the 5th
    rejected: int  # rejected files since the last applied one


def village_statuses(db: Database, today: dt.date) -> list[VillageStatus]:
    from app.sync.package import last_month, period_text

    due = period_text(*last_month(today))
    late_now = today.day > 5
    out: list[VillageStatus] = []
    with db.read() as s:
        enrolled = s.execute(
            sa.select(VillageProfile.code, VillageProfile.name)
            .where(VillageProfile.home.is_(False))
            .order_by(VillageProfile.code)
        ).all()
        logs: dict[str, list[SyncImport]] = defaultdict(list)
        for entry in s.execute(sa.select(SyncImport).order_by(SyncImport.imported_at)).scalars():
            if entry.node:
                logs[entry.node].append(entry)
        conflict_counts = dict(
            s.execute(
                sa.select(SyncImport.node, sa.func.count(SyncConflict.id))
                .join(SyncConflict, SyncConflict.import_id == SyncImport.id)
                .group_by(SyncImport.node)
            ).all()
        )
    for code, name in enrolled:
        applied = [e for e in logs.get(code, []) if e.outcome == "applied" and e.seq is not None]
        newest = max(applied, key=lambda e: (e.epoch or 0, e.seq or 0), default=None)
        seqs = {e.seq for e in applied if newest and e.epoch == newest.epoch}
        missing = tuple(n for n in range(1, (newest.seq or 0) + 1) if n not in seqs) if newest else ()
        periods = {e.period for e in applied}
        detail = orjson.loads(newest.detail) if newest else {}
        after = [
            e
            for e in logs.get(code, [])
            if e.outcome == "rejected" and (newest is None or e.imported_at > newest.imported_at)
        ]
        out.append(
            VillageStatus(
                code=str(code),
                name=str(name),
                last_seq=newest.seq if newest else None,
                last_period=newest.period if newest else None,
                last_imported=newest.imported_at if newest else None,
                missing=missing,
                conflicts=int(conflict_counts.get(code, 0)),
                needs_full=bool(newest and newest.state_ok is False),
                audit_ok=bool(detail.get("audit_ok", True)),
                late=late_now and due not in periods,
                rejected=len(after),
            )
        )
    return out


@dataclass(frozen=True)
class DuplicateRecord:
    village: str
    person_id: str
    name: str
    birth_date: dt.date
    household_no: str


@dataclass(frozen=True)
class CrossVillageDuplicate:
    id_number: str
    records: tuple[DuplicateRecord, ...]


def cross_village_duplicates(db: Database) -> list[CrossVillageDuplicate]:
    """The same living ID number held by people of two or more villages: listed with both records, for the
    township to resolve with the villages (never merged here)."""
    from app.models import Household

    live = sa.and_(
        Person.deleted_at.is_(None),
        Person.status == "active",
        Person.residence_status != "deceased",
        Person.id_number.is_not(None),
    )
    shared = (
        sa.select(Person.id_number)
        .where(live)
        .group_by(Person.id_number)
        .having(sa.func.count(sa.distinct(Person.owner)) > 1)
        .scalar_subquery()
    )
    with db.read() as s:
        rows = s.execute(
            sa.select(
                Person.id_number,
                Person.owner,
                Person.id,
                Person.name,
                Person.birth_date,
                Household.household_no,
            )
            .join(Household, Household.id == Person.household_id)
            .where(live, Person.id_number.in_(shared))
            .order_by(Person.id_number, Person.owner)
        ).all()
    grouped: dict[str, list[DuplicateRecord]] = defaultdict(list)
    for number, owner, pid, name, birth, household_no in rows:
        grouped[str(number)].append(
            DuplicateRecord(str(owner), str(pid), str(name), birth, str(household_no))
        )
    return [CrossVillageDuplicate(k, tuple(v)) for k, v in grouped.items()]


def conflicts_of(db: Database, village: str) -> list[tuple[str, str, str]]:
    """(table, record id, stored owner) of the rows of `village`'s packages not applied: not its records."""
    with db.read() as s:
        rows = s.execute(
            sa.select(SyncConflict.record_table, SyncConflict.record_id, SyncConflict.owner)
            .join(SyncImport, SyncImport.id == SyncConflict.import_id)
            .where(SyncImport.node == village)
            .order_by(SyncConflict.record_table, SyncConflict.record_id)
        ).all()
    return [(str(t), str(i), str(o)) for t, i, o in rows]


def submitted_reports(db: Database, period: str) -> dict[str, dict[str, Any]]:
    """Each village's report/monthly.json for `period` as it arrived (the newest applied package of that
    month), by village code — kept exactly as submitted."""
    out: dict[str, dict[str, Any]] = {}
    with db.read() as s:
        for node, text in s.execute(
            sa.select(SyncImport.node, SyncImport.report)
            .where(
                SyncImport.outcome == "applied", SyncImport.period == period, SyncImport.report.is_not(None)
            )
            .order_by(SyncImport.imported_at)
        ):
            with contextlib.suppress(orjson.JSONDecodeError):
                out[str(node)] = orjson.loads(text or b"{}")
    return out


def set_up_new_township(folder: Path, data: TownshipSetup) -> Any:
    """A township on this laptop: an encrypted SQLite database in `folder` (like a village's: a random key
    wrapped in the administrator's key slot), set up in township mode. Returns the logged-in session."""
    from app.db import open_database
    from app.services import login
    from app.services.vault import KeyFile

    check_township_setup(data)
    folder = Path(folder)
    with login.building(folder) as (staging, key):
        db = open_database(staging, key=key)
        try:
            user_id = set_up_township(db, data)
        finally:
            db.dispose()
        slots = KeyFile()
        slots.add(key, data.username, user_id, data.password)
        slots.save(folder)
    return login.reopen(folder, key, user_id)
