"""Child processes for the crash tests (tests/integration/test_crash_safety.py): each does real work on a real
village folder until the parent kills it, and prints what it has finished, one line each, flushed ("ready" first, once the imports are done).

    python -m tests.integration.crash_workers save FOLDER       # transactions: "committed N" after each
    python -m tests.integration.crash_workers backup FOLDER     # backups: "backup NAME" after each
    python -m tests.integration.crash_workers first-open FOLDER # a new village set up: "set-up" when done
    python -m tests.integration.crash_workers full-disk FOLDER  # a save past RLIMIT_FSIZE: the sentence
    python -m tests.integration.crash_workers full-disk-backup FOLDER  # `fhdesk backup` past it
    python -m tests.integration.crash_workers export FOLDER     # packages into FOLDER/stick: "package NAME"
    python -m tests.integration.crash_workers full-stick FOLDER # `fhdesk package export` onto a full stick

The village's key comes in FHDESK_TEST_KEY (hex), as the app would have it after the login.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
from pathlib import Path

from app import backups, config
from app.actor import Actor
from app.db import open_database
from app.services import households as hh
from app.vocab import Relation, UserRole

MEMBERS = 2  # every transaction writes a household and this many people: all of them or none


def _key() -> bytes:
    return bytes.fromhex(os.environ["FHDESK_TEST_KEY"])


def _actor(db) -> Actor:  # type: ignore[no-untyped-def]
    from app.services import auth

    officer = auth.list_users(db)[0]
    return Actor(officer.id, UserRole.ADMIN, db.node)


def household_transaction(s, actor: Actor, n: int) -> None:  # type: ignore[no-untyped-def]
    """Household number n with its members, in the caller's one transaction."""
    import datetime as dt

    home = hh.do_create_household(s, actor, hh.HouseholdInput(f"{n:04d}", 1, f"一组 {n} 号"))
    for m in range(MEMBERS):
        relation = Relation.HEAD if m == 0 else Relation.OTHER
        data = hh.PersonInput(f"住户{n}之{m}", sex="F", birth_date=dt.date(1990, 1, 1), relation=relation)
        hh.do_add_person(s, actor, home, data, dt.date(2026, 11, 24))


def save(folder: Path) -> None:
    db = open_database(config.database_path(folder), key=_key())
    actor = _actor(db)
    with db.read() as s:
        from sqlalchemy import func, select

        from app.models import Household

        n = s.execute(select(func.count()).select_from(Household)).scalar_one()
    print("ready", flush=True)  # the database is open: from here on every moment is a moment of saving
    while True:
        n += 1
        with db.write(actor) as s:
            household_transaction(s, actor, n)
        print(f"committed {n}", flush=True)


def backup(folder: Path) -> None:
    while True:
        made = backups.make_backup(config.database_path(folder), _key(), "manual")
        print(f"backup {made.path.name}", flush=True)


def first_open(folder: Path) -> None:
    from app.services import login
    from tests.conftest import SETUP

    login.set_up_new_village(folder, SETUP).close()
    print("set-up", flush=True)


def full_disk(folder: Path) -> None:
    """A save that needs more room than the file-size limit leaves (as a full disk would), then the sentence
    the person reads — the command line's and the window's are the same catalogue entry."""
    from app import storage

    database = config.database_path(folder)
    db = open_database(database, key=_key())
    actor = _actor(db)
    largest = max(p.stat().st_size for p in folder.iterdir() if p.is_file())
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing us
    resource.setrlimit(resource.RLIMIT_FSIZE, (largest + 64 * 1024, largest + 64 * 1024))
    try:
        with db.write(actor) as s:
            for n in range(10_000, 12_000):
                household_transaction(s, actor, n)
    except Exception as e:  # noqa: BLE001 - what the app makes of it is the point
        fault = storage.fault_of(e)
        print(fault.message(folder) if fault is not None else f"unrecognised {type(e).__name__}: {e}")
        return
    print("saved: the limit was never reached")


def full_disk_backup(folder: Path) -> None:
    """`fhdesk backup` with room for half the database only: the command's own sentence and exit code."""
    from app import cli

    half = config.database_path(folder).stat().st_size // 2
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (half, half))
    sys.exit(cli.main(["--data-dir", str(folder), "backup"]))


def export(folder: Path) -> None:
    """Monthly packages into FOLDER/stick, one after another (the township's key is enrolled already)."""
    from app.sync.package import export_package

    db = open_database(config.database_path(folder), key=_key())
    actor = _actor(db)
    stick = folder / "stick"
    stick.mkdir(exist_ok=True)
    while True:
        made = export_package(db, actor, stick, month=(2026, 11))
        print(f"package {made.path.name}", flush=True)


def full_stick(folder: Path) -> None:
    """`fhdesk package export` onto a stick with room for less than the package: the file being written meets
    the limit (as a full stick would) while the database, on the laptop, does not."""
    import contextlib

    from app import cli
    from app.sync import package

    original = package.atomic_output
    room = 8 * 1024  # less than any package (the report alone is larger)

    @contextlib.contextmanager
    def stick_with_little_room(path, **kwargs):  # type: ignore[no-untyped-def]
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, hard))
        try:
            with original(path, **kwargs) as tmp:
                yield tmp
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    package.atomic_output = stick_with_little_room  # type: ignore[assignment]
    stick = folder / "stick"
    stick.mkdir(exist_ok=True)
    sys.exit(cli.main(["--data-dir", str(folder), "package", "export", "--out", str(stick), "--quiet"]))


if __name__ == "__main__":
    work = {
        "save": save,
        "backup": backup,
        "first-open": first_open,
        "full-disk": full_disk,
        "full-disk-backup": full_disk_backup,
        "export": export,
        "full-stick": full_stick,
    }[sys.argv[1]]
    if work is not save:
        print("ready", flush=True)  # the imports are done: the parent's clock for the kill starts here
    work(Path(sys.argv[2]))
