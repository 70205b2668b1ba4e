"""The database file's health: checked at every start, watched while the app runs, left clean at exit.

- `PRAGMA quick_check` at every start (a 3,000-person village checks in a few hundredths of a second), a full
  `integrity_check` once a week; a failed check raises DamagedDatabase *before* the app writes anything, and
  the newest good backup is offered.
- A marker file (`fhdesk.running`, the computer's name in it) while the database is open: a non-empty `-wal`
  found without it (or with another computer's name) was not left by a crash of this app here — most likely
  the files were copied while the app ran elsewhere, which loses the work still in the WAL — and is said so.
- At a clean exit the WAL is folded into the database (checkpoint) and the marker removed, so a copy of the
  closed folder is whole.
- Storage faults (a full disk, an I/O error, a read-only folder, a file that is no database) become one
  sentence saying what happened and what to do.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.clock import now_utc
from app.db import DamagedDatabase, Database, is_damage
from app.errors import DomainError
from app.files import write_bytes_atomically
from app.i18n import tr

MARKER = "fhdesk.running"
STATE = "fhdesk.state"
FULL_CHECK_EVERY = dt.timedelta(days=7)


def _companion(database: Path, suffix: str) -> Path:
    return database.with_name(database.name + suffix)


def wal_not_ours(database: Path) -> bool:
    """A WAL with pages in it that this app, on this computer, did not leave behind (see the module's text)."""
    wal = _companion(database, "-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        return False
    marker = database.with_name(MARKER)
    if not marker.exists():
        return True
    try:
        return marker.read_text(encoding="utf-8").strip() != socket.gethostname()
    except OSError:
        return True


def mark_running(database: Path) -> None:
    write_bytes_atomically(database.with_name(MARKER), socket.gethostname().encode())


def close_cleanly(db: Database) -> None:
    """Fold the WAL into the database and remove the marker: the folder is whole for whoever copies it next."""
    if db.path is None:
        return
    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception:  # noqa: BLE001 - a checkpoint that cannot run leaves the WAL for the next start: harmless
        pass
    db.engine.dispose()
    db.path.with_name(MARKER).unlink(missing_ok=True)


def _state(folder: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((folder / STATE).read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        return {}


def check_at_start(db: Database, *, now: dt.datetime | None = None, full: bool = False) -> str:
    """quick_check now, integrity_check when the last full one is a week old (or `full`); raises
    DamagedDatabase on any problem. Returns which check ran ("quick" or "full")."""
    assert db.path is not None
    moment = now or now_utc()
    state = _state(db.path.parent)
    last_full = state.get("integrity_checked")
    due = full or last_full is None or moment - dt.datetime.fromisoformat(last_full) >= FULL_CHECK_EVERY
    pragma = "integrity_check" if due else "quick_check"
    try:
        with db.engine.connect() as conn:
            result = [str(r[0]) for r in conn.exec_driver_sql(f"PRAGMA {pragma}")]
    except Exception as e:
        if is_damage(e):
            raise DamagedDatabase(db.path) from None
        raise
    if result != ["ok"]:
        raise DamagedDatabase(db.path)
    if due:
        state["integrity_checked"] = moment.isoformat()
        write_bytes_atomically(db.path.parent / STATE, json.dumps(state).encode())
    return "full" if due else "quick"


# ---------------------------------------------------------------- storage faults as sentences


class StorageFailed(DomainError):
    """A storage fault met outside the database (a USB stick full or pulled out), said in a sentence of its
    own: a failure, not a refusal (the command line exits with 1, like a full disk under the database)."""


@dataclass(frozen=True)
class Fault:
    msg_id: str

    def message(self, folder: Path | str) -> str:
        return tr(self.msg_id, folder=str(folder))


DISK_FULL = Fault("storage.disk_full")
READ_ONLY = Fault("storage.read_only")
IO_ERROR = Fault("storage.io_error")
NOT_A_DATABASE = Fault("storage.not_a_database")
_CODES = {
    sqlite3.SQLITE_FULL: DISK_FULL,
    sqlite3.SQLITE_IOERR: IO_ERROR,
    sqlite3.SQLITE_READONLY: READ_ONLY,
    sqlite3.SQLITE_CANTOPEN: READ_ONLY,
    sqlite3.SQLITE_PERM: READ_ONLY,
    sqlite3.SQLITE_NOTADB: NOT_A_DATABASE,
    sqlite3.SQLITE_CORRUPT: NOT_A_DATABASE,
}
_ERRNOS = {
    28: DISK_FULL,
    27: DISK_FULL,
    122: DISK_FULL,
    30: READ_ONLY,
    13: READ_ONLY,
    1: READ_ONLY,
    5: IO_ERROR,
}


def fault_of(error: BaseException) -> Fault | None:
    """The storage fault behind an error (a driver's, wrapped by SQLAlchemy or not, or the system's), if any.
    A full disk can surface as "disk I/O error" as well as "database or disk is full" (pitfalls.md)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        orig = getattr(current, "orig", None) or current
        code = getattr(orig, "sqlite_errorcode", None)
        if isinstance(code, int):
            primary = code & 0xFF  # extended codes carry the primary one in their low byte
            if primary in _CODES:
                return _CODES[primary]
        text = str(orig).lower()
        if "database or disk is full" in text or "no space left" in text:
            return DISK_FULL
        if "disk i/o error" in text:
            return IO_ERROR
        if "readonly database" in text or "read-only" in text:
            return READ_ONLY
        if isinstance(orig, OSError) and orig.errno in _ERRNOS:
            return _ERRNOS[orig.errno]
        current = current.__cause__ or current.__context__
    return None
