"""备份: copies of the village database that are always whole, and putting one back.

A backup is made with SQLite's online backup API through the keyed driver (so it is encrypted with the
village's key, like the database), into a temporary name in the backup folder, checked with integrity_check,
flushed to the disk, and only then renamed: a file with a backup's name is always a whole backup. Beside it, a
small manifest (`<name>.json`): when, the schema revision, the rows and a digest of each table, and the head of
the audit chain — an anchor outside the live file (app.services.audit).

Automatic backups are made at start-up when the newest is older than a day, and at a clean exit; forced ones
before a migration, a conversion, an import and a restore. Rotation keeps the newest backup of each of the
last 7 days, of each of the last 4 weeks and of each of the last 12 months (the ones of those that exist).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import config
from app.clock import CHINA_TZ, now_utc
from app.db import WrongKey, connect_raw, is_plain_sqlite
from app.errors import DomainError
from app.files import create_private_file, fsync_file, fsync_folder, make_private_dir, write_bytes_atomically
from app.i18n import tr
from app.models import TRAVELLING_MODELS
from app.progress import ProgressFn, report

BACKUP_SUFFIX = ".sqlite"
PARTIAL_SUFFIX = ".partial"
MANIFEST_FORMAT = "fhd-backup"
DAILY, WEEKLY, MONTHLY = 7, 4, 12
SAFETY_KEPT = 5  # the backups made before a migration, import, conversion or restore: the newest five
AMBER_DAYS, RED_DAYS = 7, 30  # the status bar's colours: days since the last backup
PAGES_PER_STEP = 256  # the backup API copies this many pages at a time (progress, and others may write)
STAMP = "%Y%m%d-%H%M%S"


class BackupFailed(DomainError):
    """A backup could not be made or checked; nothing with a backup's name was left."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    made_at: dt.datetime  # aware UTC
    label: str  # daily / exit / manual / before-0006 / before-restore / before-import / ...
    schema_revision: str | None
    counts: dict[str, int]
    audit_seq: int
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def label_text(label: str) -> str:
    """Why a backup was made, in the person's language ("before-0006": before an upgrade)."""
    if label.startswith("before-") and label.removeprefix("before-").isdigit():
        return tr("backups.label.before-upgrade")
    key = f"backups.label.{label}"
    text = tr(key)
    return label if text == key else text


def backup_name(database: Path, made_at: dt.datetime, label: str) -> str:
    local = made_at.astimezone(CHINA_TZ)
    return f"{database.stem}-{local.strftime(STAMP)}-{label}{BACKUP_SUFFIX}"


def _table_summary(conn: Any) -> tuple[dict[str, int], dict[str, str]]:
    """Rows and a digest (sha256 over the sorted `id:rev` lines) of every travelling table."""
    counts, digests = {}, {}
    for model in TRAVELLING_MODELS:
        table = model.__tablename__
        h = hashlib.sha256()
        n = 0
        for rid, rev in conn.execute(f'SELECT id, rev FROM "{table}" ORDER BY id'):
            h.update(f"{rid}:{rev}\n".encode())
            n += 1
        counts[table], digests[table] = n, h.hexdigest()
    return counts, digests


def _manifest(conn: Any, path: Path, made_at: dt.datetime, label: str) -> dict[str, Any]:
    revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    head = conn.execute("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1").fetchone()
    counts, digests = _table_summary(conn)
    return {
        "format": MANIFEST_FORMAT,
        "version": 1,
        "database": path.name,
        "created_at": made_at.isoformat(),
        "label": label,
        "schema_revision": revision[0] if revision else None,
        "counts": counts,
        "digests": digests,
        "audit_head": {"seq": head[0], "hash": head[1]} if head else None,
    }


def make_backup(
    database: Path,
    key: bytes | None,
    label: str,
    *,
    to: Path | None = None,
    progress: ProgressFn | None = None,
    now: dt.datetime | None = None,
) -> BackupInfo:
    """Copy the live database (other connections may keep working) into `to` (the data folder's `backups`
    by default) as a whole, checked backup with its manifest."""
    made_at = now or now_utc()
    folder = make_private_dir(to or config.backups_dir(database.parent))
    final = folder / backup_name(database, made_at, label)
    for n in range(2, 1000):  # two in the same second (a restore, then its step back): never one over another
        if not final.exists():
            break
        final = folder / backup_name(database, made_at, f"{label}-{n}")
    partial = final.with_name(final.name + PARTIAL_SUFFIX)
    partial.unlink(missing_ok=True)
    create_private_file(partial)
    try:
        source, copy = connect_raw(database, key), connect_raw(partial, key)
        try:

            def step(status: int, remaining: int, total: int) -> None:
                report(progress, 0.9 * (total - remaining) / max(total, 1), "")

            source.backup(copy, pages=PAGES_PER_STEP, progress=step)
            result = [r[0] for r in copy.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                raise BackupFailed("backup.check_failed", None)
            manifest = _manifest(copy, final, made_at, label)
        finally:
            copy.close()
            source.close()
        fsync_file(partial)
        os.replace(partial, final)
        fsync_folder(folder)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    manifest["size"] = final.stat().st_size
    write_bytes_atomically(
        final.with_suffix(".json"), json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    )
    report(progress, 1.0, "")
    return _info(final, manifest)


def _info(path: Path, manifest: dict[str, Any]) -> BackupInfo:
    head = manifest.get("audit_head") or {}
    return BackupInfo(
        path,
        dt.datetime.fromisoformat(manifest["created_at"]),
        str(manifest.get("label", "")),
        manifest.get("schema_revision"),
        dict(manifest.get("counts") or {}),
        int(head.get("seq") or 0),
        int(manifest.get("size") or path.stat().st_size),
    )


def read_info(path: Path) -> BackupInfo:
    """What a backup is, from its manifest (or, for a copy without one, from the file's own time)."""
    manifest_path = path.with_suffix(".json")
    try:
        return _info(path, json.loads(manifest_path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError):
        made = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        return BackupInfo(path, made, "", None, {}, 0, path.stat().st_size)


def list_backups(folder: Path) -> list[BackupInfo]:
    """The whole backups in a folder, newest first (a `.partial` file is never one)."""
    if not folder.is_dir():
        return []
    found = [read_info(p) for p in folder.glob(f"*{BACKUP_SUFFIX}") if p.is_file()]
    return sorted(found, key=lambda b: b.made_at, reverse=True)


def newest(folder: Path) -> BackupInfo | None:
    backups = list_backups(folder)
    return backups[0] if backups else None


def clean_partials(folder: Path) -> int:
    """Remove what an interrupted backup left (never a whole backup: those have no `.partial`)."""
    removed = 0
    if folder.is_dir():
        for leftover in folder.glob(f"*{PARTIAL_SUFFIX}"):
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed


# ---------------------------------------------------------------- rotation


def is_safety(backup: BackupInfo) -> bool:
    """Made before something that changes the whole file (a migration, an import, a restore)."""
    return backup.label.startswith("before-")


def to_keep(backups: Iterable[BackupInfo], today: dt.date) -> set[Path]:
    """The backups rotation keeps: the newest of each of the last 7 days that have one, of each of the last 4
    ISO weeks, of each of the last 12 months (China days); of the safety backups, the newest five."""
    keep: set[Path] = set()
    backups = list(backups)
    safety = sorted((b for b in backups if is_safety(b)), key=lambda b: b.made_at, reverse=True)
    keep |= {b.path for b in safety[:SAFETY_KEPT]}  # a step back kept apart from the daily rhythm
    backups = [b for b in backups if not is_safety(b)]
    by_day: dict[dt.date, BackupInfo] = {}
    by_week: dict[tuple[int, int], BackupInfo] = {}
    by_month: dict[tuple[int, int], BackupInfo] = {}
    for b in sorted(backups, key=lambda b: b.made_at, reverse=True):
        day = b.made_at.astimezone(CHINA_TZ).date()
        if day > today:
            keep.add(b.path)  # from the future (a clock set wrong): never deleted on that account
            continue
        by_day.setdefault(day, b)
        by_week.setdefault(tuple(day.isocalendar())[:2], b)  # type: ignore[arg-type]
        by_month.setdefault((day.year, day.month), b)
    for group, count in ((by_day, DAILY), (by_week, WEEKLY), (by_month, MONTHLY)):
        newest_first = sorted(group.items(), key=lambda item: item[0], reverse=True)[:count]
        keep |= {b.path for _, b in newest_first}
    return keep


def rotate(folder: Path, today: dt.date) -> list[Path]:
    """Delete the backups rotation does not keep (and their manifests); returns what was deleted."""
    backups = list_backups(folder)
    keep = to_keep(backups, today)
    removed = []
    for b in backups:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)
            b.path.with_suffix(".json").unlink(missing_ok=True)
            removed.append(b.path)
    return removed


def backup_if_due(database: Path, key: bytes | None, *, now: dt.datetime | None = None) -> BackupInfo | None:
    """At start-up: a backup when the newest is older than a day (then rotation)."""
    moment = now or now_utc()
    folder = config.backups_dir(database.parent)
    last = newest(folder)
    if last is not None and moment - last.made_at < dt.timedelta(days=1):
        return None
    made = make_backup(database, key, "daily", now=moment)
    rotate(folder, moment.astimezone(CHINA_TZ).date())
    return made


def age_in_days(folder: Path, now: dt.datetime | None = None) -> int | None:
    """Whole days since the newest backup (None: there is none)."""
    last = newest(folder)
    if last is None:
        return None
    return max(0, ((now or now_utc()) - last.made_at).days)


# ---------------------------------------------------------------- restoring


@dataclass(frozen=True)
class RestorePreview:
    info: BackupInfo
    newest_records: tuple[tuple[str, str], ...]  # (table, when) of the latest changes it holds


def preview_restore(path: Path, key: bytes | None) -> RestorePreview:
    """What a backup holds, read before anything changes: refused (one sentence) when it is not a whole
    backup of this village (another key), or damaged."""
    try:
        conn = connect_raw(path, key, read_only=True)
    except WrongKey:
        raise DomainError("backup.not_this_village", None, name=path.name) from None
    try:
        if [r[0] for r in conn.execute("PRAGMA quick_check")] != ["ok"]:
            raise DomainError("backup.damaged", None, name=path.name)
        newest_lines = conn.execute(
            "SELECT record_table, at FROM audit_event WHERE record_table <> 'event' ORDER BY seq DESC LIMIT 5"
        ).fetchall()
        counts, _ = _table_summary(conn)
    except DomainError:
        raise
    except Exception:  # noqa: BLE001 - not a database of ours at all
        raise DomainError("backup.damaged", None, name=path.name) from None
    finally:
        conn.close()
    info = read_info(path)
    info = BackupInfo(
        info.path, info.made_at, info.label, info.schema_revision, counts, info.audit_seq, info.size
    )
    return RestorePreview(info, tuple((str(t), str(a)) for t, a in newest_lines))


def restore(database: Path, key: bytes | None, backup: Path, *, now: dt.datetime | None = None) -> BackupInfo:
    """Put `backup` in place of the live database (every connection to it must be closed). The current state
    is backed up first ("before-restore"): restoring that one is the step back. Returns that safety backup."""
    preview_restore(backup, key)  # refused before anything changes
    safety = make_backup(database, key, "before-restore", now=now)
    _put_in_place(database, key, backup)
    return safety


def restore_over_damaged(
    database: Path, key: bytes | None, backup: Path, *, now: dt.datetime | None = None
) -> Path:
    """Put `backup` in place of a database that failed its check. The damaged file cannot be backed up, so it
    is kept as it is under a name of its own (`<name>.damaged-<time>`, beside its WAL): nothing is deleted,
    and someone technical may still read what the backup lacks. Returns where the damaged file now is."""
    preview_restore(backup, key)
    stamp = (now or now_utc()).astimezone(CHINA_TZ).strftime(STAMP)
    kept = database.with_name(f"{database.name}.damaged-{stamp}")
    for companion in ("", "-wal"):
        source = database.with_name(database.name + companion)
        if source.exists():
            os.replace(source, kept.with_name(kept.name + companion))
    database.with_name(database.name + "-shm").unlink(missing_ok=True)
    fsync_folder(database.parent)
    _put_in_place(database, key, backup)
    return kept


def _put_in_place(database: Path, key: bytes | None, backup: Path) -> None:
    """Copy the backup under a temporary name, check it, and rename it over the database (its old WAL removed
    first: SQLite would otherwise replay the old pages onto the restored file)."""
    staging = database.with_name(database.name + ".restoring")
    staging.unlink(missing_ok=True)
    create_private_file(staging)
    try:
        source, target = connect_raw(backup, key, read_only=True), connect_raw(staging, key)
        try:
            source.backup(target)
            if [r[0] for r in target.execute("PRAGMA integrity_check")] != ["ok"]:
                raise BackupFailed("backup.check_failed", None)
        finally:
            target.close()
            source.close()
        fsync_file(staging)
        for companion in ("-wal", "-shm"):
            database.with_name(database.name + companion).unlink(missing_ok=True)
        os.replace(staging, database)
        fsync_folder(database.parent)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise


def is_backup_file(path: Path) -> bool:
    return path.suffix == BACKUP_SUFFIX and path.is_file() and not is_plain_sqlite(path)
