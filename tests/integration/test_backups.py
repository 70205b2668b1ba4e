"""Backups, restore and the database's health at start (issue 14), on real encrypted village folders."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import backups, config, storage
from app.clock import CHINA_TZ
from app.db import DamagedDatabase, connect_raw
from app.errors import DomainError
from app.i18n import tr
from app.models import Person
from app.services import households as hh
from app.services import login
from app.services.audit import verify
from tests.conftest import SETUP, TODAY

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def village(tmp_path: Path):
    session = login.set_up_new_village(tmp_path / "data", SETUP)
    yield session
    session.close()


def _add_people(session: login.LoggedIn, n: int, start: int = 1) -> None:
    for i in range(start, start + n):
        home = hh.create_household(session.db, session.actor, hh.HouseholdInput(f"{i:04d}", 1))
        hh.add_person(
            session.db,
            session.actor,
            home,
            hh.PersonInput(f"村民{i}", sex="M", birth_date=dt.date(1980, 1, 1)),
            TODAY,
        )


def _summary(database: Path, key: bytes) -> tuple[dict[str, int], dict[str, str]]:
    conn = connect_raw(database, key, read_only=True)
    try:
        return backups._table_summary(conn)
    finally:
        conn.close()


def _flip_middle_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_backup_is_whole_encrypted_and_says_what_it_holds(village):
    _add_people(village, 5)
    made = backups.make_backup(config.database_path(village.folder), village.key, "manual")
    assert made.path.parent == config.backups_dir(village.folder)
    assert made.counts["person"] == 5 and made.counts["household"] == 5
    assert not made.path.read_bytes().startswith(b"SQLite format 3")  # encrypted like the database
    manifest = json.loads(made.path.with_suffix(".json").read_text(encoding="utf-8"))
    assert manifest["schema_revision"] and manifest["audit_head"]["seq"] == made.audit_seq > 0
    assert manifest["digests"] == _summary(made.path, village.key)[1]
    assert backups.newest(config.backups_dir(village.folder)) == made
    assert oct(made.path.stat().st_mode & 0o777) == "0o600"


def test_the_data_still_in_the_wal_is_in_the_backup(village):
    """Copying fhdesk.sqlite while the app runs drops what is in the WAL; a backup never does."""
    _add_people(village, 3)
    wal = config.database_path(village.folder).with_name("fhdesk.sqlite-wal")
    assert wal.stat().st_size > 0
    made = backups.make_backup(config.database_path(village.folder), village.key, "manual")
    assert made.counts["person"] == 3


def test_rotation_over_a_simulated_year_keeps_exactly_seven_days_four_weeks_twelve_months(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    day = dt.date(2026, 1, 1)
    for _ in range(400):  # two backups a day (the start-up one and the exit one), rotated every day
        for hour in (8, 18):
            made = dt.datetime(day.year, day.month, day.day, hour, tzinfo=CHINA_TZ).astimezone(dt.UTC)
            name = backups.backup_name(Path("fhdesk.sqlite"), made, "daily")
            (folder / name).write_bytes(b"x")
            (folder / name).with_suffix(".json").write_text(
                json.dumps({"created_at": made.isoformat(), "label": "daily"}), encoding="utf-8"
            )
        backups.rotate(folder, day)
        day += dt.timedelta(days=1)
    today = day - dt.timedelta(days=1)
    kept = [b.made_at.astimezone(CHINA_TZ) for b in backups.list_backups(folder)]
    assert all(k.hour == 18 for k in kept)  # the newest of its day, week or month
    days = {k.date() for k in kept}
    last_seven = {today - dt.timedelta(days=i) for i in range(7)}
    weeks = {d.isocalendar()[:2] for d in days}
    months = {(d.year, d.month) for d in days}
    assert last_seven <= days
    newest_weeks = sorted(weeks, reverse=True)[:4]
    newest_months = sorted(months, reverse=True)[:12]
    assert len(newest_weeks) == 4 and len(newest_months) == 12 and len(months) == 12
    expected = set(last_seven)
    for week in newest_weeks:
        expected.add(max(d for d in days if d.isocalendar()[:2] == week))
    for month in newest_months:
        expected.add(max(d for d in days if (d.year, d.month) == month))
    assert days == expected
    assert len(list(folder.glob("*.json"))) == len(kept)  # manifests go with their backups


def test_safety_backups_are_kept_apart_from_the_daily_rhythm(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    start = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    for i in range(8):
        made = start + dt.timedelta(days=i)
        for label in ("daily", "before-restore"):
            name = backups.backup_name(
                Path("fhdesk.sqlite"), made + dt.timedelta(minutes=1 if label == "daily" else 0), label
            )
            (folder / name).write_bytes(b"x")
            (folder / name).with_suffix(".json").write_text(
                json.dumps({"created_at": (made).isoformat(), "label": label}), encoding="utf-8"
            )
    backups.rotate(folder, dt.date(2026, 1, 8))
    labels = [b.label for b in backups.list_backups(folder)]
    assert labels.count("before-restore") == backups.SAFETY_KEPT
    assert labels.count("daily") == 7


def test_a_restore_shows_what_it_holds_backs_up_first_and_is_one_step_back(village):
    folder, key, database = village.folder, village.key, config.database_path(village.folder)
    _add_people(village, 4)
    old = backups.make_backup(database, key, "manual")
    _add_people(village, 3, start=100)
    now = _summary(database, key)
    preview = backups.preview_restore(old.path, key)
    assert preview.info.counts["person"] == 4 and preview.newest_records
    village.close()

    safety = backups.restore(database, key, old.path)
    assert safety.label == "before-restore" and safety.counts["person"] == 7
    assert _summary(database, key) == (
        old.counts,
        json.loads(old.path.with_suffix(".json").read_text())["digests"],
    )
    back = backups.restore(database, key, safety.path)  # the step back
    assert _summary(database, key) == now
    assert back.counts["person"] == 4
    session = login.open_village(folder, SETUP.username, SETUP.password)
    session.close()


def test_a_backup_of_another_village_or_a_damaged_one_is_refused_before_anything_changes(village, tmp_path):
    other = login.set_up_new_village(tmp_path / "other", SETUP)
    theirs = backups.make_backup(config.database_path(other.folder), other.key, "manual")
    other.close()
    database = config.database_path(village.folder)
    mine = backups.make_backup(database, village.key, "manual")
    village.close()
    before = database.read_bytes()
    with pytest.raises(DomainError) as refused:
        backups.restore(database, village.key, theirs.path)
    assert refused.value.msg_id == "backup.not_this_village"
    _flip_middle_byte(mine.path)
    with pytest.raises(DomainError) as damaged:
        backups.restore(database, village.key, mine.path)
    assert damaged.value.msg_id == "backup.damaged"
    assert database.read_bytes() == before
    assert [b.label for b in backups.list_backups(config.backups_dir(village.folder))] == ["manual"]


def test_a_damaged_database_is_never_written_and_the_newest_good_backup_brings_it_back(village):
    folder, key, database = village.folder, village.key, config.database_path(village.folder)
    _add_people(village, 30)
    good = backups.make_backup(database, key, "daily")
    before = _summary(database, key)
    village.close()
    _flip_middle_byte(database)
    damaged_bytes = database.read_bytes()

    with pytest.raises(login.DamagedVillage) as refused:
        login.open_village(folder, SETUP.username, SETUP.password)
    assert refused.value.good_backup is not None and refused.value.good_backup.path == good.path
    assert database.read_bytes() == damaged_bytes  # not one byte written into it
    assert (
        not database.with_name("fhdesk.sqlite-wal").exists()
        or database.with_name("fhdesk.sqlite-wal").stat().st_size == 0
    )

    session, kept = login.recover(folder, refused.value, good.path)
    try:
        assert kept.read_bytes() == damaged_bytes  # kept aside, never deleted
        assert _summary(database, key) == before
        assert verify(session.db) == []
    finally:
        session.close()


def test_damage_found_while_saving_stops_every_later_save(tmp_path):
    """A page that goes bad under a running app: the save that meets it fails, and no later save is tried."""
    from app.actor import Actor
    from app.db import open_database
    from app.services.village import set_up_village
    from app.vocab import UserRole

    path = tmp_path / "plain.sqlite"
    db = open_database(path)
    actor = Actor(set_up_village(db, SETUP), UserRole.ADMIN, SETUP.village_code)
    db.refresh_profile()
    homes = [
        hh.create_household(db, actor, hh.HouseholdInput(f"{i:04d}", 1, "x" * 100)) for i in range(1, 200)
    ]
    db.dispose()
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(
        len(data) * 3 // 4 // page * page, len(data), page
    ):  # the last pages: the newest rows
        data[offset : offset + page] = b"\x55" * page
    path.write_bytes(bytes(data))
    db = open_database(path)
    try:
        with pytest.raises(DamagedDatabase):
            for home in homes:
                with db.write(actor) as s:
                    hh.do_update_household(s, actor, home, hh.HouseholdInput("9999", 1, "改"), None)
        assert db.damaged
        with pytest.raises(DamagedDatabase), db.write(actor):
            pytest.fail("a write was started in a damaged database")
    finally:
        db.dispose()


def test_start_up_checks_quickly_and_fully_once_a_week(village):
    now = dt.datetime(2026, 12, 4, 9, tzinfo=dt.UTC)
    assert storage.check_at_start(village.db, now=now) == "quick"  # the first login already ran the full one
    assert storage.check_at_start(village.db, now=now + dt.timedelta(days=8)) == "full"
    assert storage.check_at_start(village.db, now=now + dt.timedelta(days=9)) == "quick"


def test_a_wal_left_by_another_computer_is_said_and_a_clean_exit_leaves_none(village):
    folder, database = village.folder, config.database_path(village.folder)
    assert (folder / storage.MARKER).read_text() == socket.gethostname()
    _add_people(village, 2)
    wal = database.with_name("fhdesk.sqlite-wal")
    copied = wal.read_bytes()
    village.close()
    assert not wal.exists() or wal.stat().st_size == 0  # folded in at the clean exit
    assert not (folder / storage.MARKER).exists()
    again = login.open_village(folder, SETUP.username, SETUP.password)
    assert again.warnings == ()
    again.close()
    wal.write_bytes(copied)  # the folder copied from a computer where the app was running
    (folder / storage.MARKER).write_text("another-computer")
    assert storage.wal_not_ours(database)
    third = login.open_village(folder, SETUP.username, SETUP.password)
    third.close()
    assert third.warnings == ("storage.wal_not_ours",)


def test_a_first_open_interrupted_leaves_nothing_mistaken_for_a_village(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "fhdesk.sqlite.new").write_bytes(b"\0" * 4096)  # a set-up cut off half way
    assert not login.has_village(folder)
    session = login.set_up_new_village(folder, SETUP)
    session.close()
    assert not (folder / "fhdesk.sqlite.new").exists()
    login.open_village(folder, SETUP.username, SETUP.password).close()


def test_backup_if_due_makes_one_a_day(village):
    database = config.database_path(village.folder)
    moment = dt.datetime(2026, 12, 4, 1, tzinfo=dt.UTC)
    assert backups.backup_if_due(database, village.key, now=moment) is not None
    assert backups.backup_if_due(database, village.key, now=moment + dt.timedelta(hours=20)) is None
    assert backups.backup_if_due(database, village.key, now=moment + dt.timedelta(hours=25)) is not None


def test_storage_faults_are_recognised_whichever_way_they_come():
    import sqlite3

    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
    io = sqlite3.OperationalError("disk I/O error")
    io.sqlite_errorcode = 778  # type: ignore[attr-defined]  # SQLITE_IOERR_WRITE
    wrapped = sa.exc.OperationalError("INSERT", {}, io)
    assert storage.fault_of(full) is storage.DISK_FULL
    assert storage.fault_of(wrapped) is storage.IO_ERROR
    assert storage.fault_of(OSError(28, "No space left on device")) is storage.DISK_FULL
    assert storage.fault_of(PermissionError(13, "Permission denied")) is storage.READ_ONLY
    assert storage.fault_of(ValueError("x")) is None
    assert "{" not in tr("storage.disk_full", folder="/d")


# ---------------------------------------------------------------- the commands


def fhdesk(folder: Path, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "--data-dir", str(folder), *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "FHDESK_PASSWORD_FILE": os.environ["FHDESK_PASSWORD_FILE"],
        },
    )


def test_the_backup_commands_back_up_list_and_restore(village, tmp_path):
    folder = village.folder
    _add_people(village, 2)
    village.close()
    stick = tmp_path / "stick"
    stick.mkdir()
    made = fhdesk(folder, "backup", "--to", str(stick))
    assert made.returncode == 0, made.stderr
    on_stick = list(stick.glob("*.sqlite"))
    assert len(on_stick) == 1 and str(on_stick[0]) in made.stdout and "2" in made.stdout
    assert fhdesk(folder, "backup").returncode == 0
    listed = fhdesk(folder, "backups")
    assert listed.returncode == 0 and tr("backups.label.manual") in listed.stdout

    session = login.open_village(folder, SETUP.username, SETUP.password)
    _add_people(session, 4, start=50)
    session.close()
    refused = fhdesk(folder, "restore", str(on_stick[0]))  # no terminal to ask: nothing happens
    assert refused.returncode == 2 and tr("backups.cli_confirm_needed") in refused.stderr
    restored = fhdesk(folder, "restore", str(on_stick[0]), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert tr("backups.cli_holds", when="", people=2, households=2).split("，")[1] in restored.stdout
    session = login.open_village(folder, SETUP.username, SETUP.password)
    with session.db.read() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Person)) == 2
    session.close()


def test_a_damaged_database_says_so_on_the_command_line_and_restore_brings_it_back(village):
    folder, database = village.folder, config.database_path(village.folder)
    _add_people(village, 10)
    good = backups.make_backup(database, village.key, "daily")
    village.close()
    _flip_middle_byte(database)
    refused = fhdesk(folder, "info")
    assert refused.returncode == 1 and len(refused.stderr.strip().splitlines()) == 1
    assert f"fhdesk restore {good.path}" in refused.stderr
    restored = fhdesk(folder, "restore", str(good.path), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert fhdesk(folder, "info").returncode == 0
    assert list(folder.glob("fhdesk.sqlite.damaged-*"))
