"""Power cuts and full disks (issue 14): a child process does real work on a real village folder and is killed
with SIGKILL at random moments (or runs out of room); then the folder is checked as the next start would."""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import backups, config
from app.db import connect_raw, open_database
from app.i18n import tr
from app.models import Household, Person
from app.services import login
from tests.conftest import SETUP
from tests.integration.crash_workers import MEMBERS

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def village(tmp_path: Path):
    session = login.set_up_new_village(tmp_path / "data", SETUP)
    folder, key = session.folder, session.key
    session.close()
    return folder, key


def _child(mode: str, folder: Path, key: bytes | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ, FHDESK_TEST_KEY=(key or b"").hex(), PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.crash_workers", mode, str(folder)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_then_kill(child: subprocess.Popen[str], after: float) -> list[str]:
    """Let the child work for `after` seconds from its "ready", SIGKILL it, and return every line it
    finished."""
    assert child.stdout is not None
    lines: list[str] = []
    deadline: float | None = None
    while True:
        timeout = 60.0 if deadline is None else max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([child.stdout], [], [], timeout)
        if not ready:
            if deadline is None:
                child.kill()
                pytest.fail(f"the child did not start in 60 s: {child.stderr.read() if child.stderr else ''}")
            break
        line = child.stdout.readline()
        if not line:
            break  # it ended by itself
        lines.append(line.strip())
        if deadline is None:
            deadline = time.monotonic() + after
        elif time.monotonic() >= deadline:
            break
    child.send_signal(signal.SIGKILL)
    rest, _ = child.communicate()
    lines += [line.strip() for line in rest.splitlines() if line.strip()]
    return lines


def _integrity(database: Path, key: bytes) -> list[str]:
    conn = connect_raw(database, key)
    try:
        return [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def test_fifty_kills_while_saving_lose_no_committed_transaction_and_leave_none_half_saved(village):
    folder, key = village
    rng = random.Random(14)
    committed: set[int] = set()
    for _ in range(50):
        lines = _run_then_kill(_child("save", folder, key), rng.uniform(0.0, 0.4))
        committed |= {int(line.split()[1]) for line in lines if line.startswith("committed ")}
    assert len(committed) >= 25  # a kill came before, during or after one of these in every run
    assert _integrity(config.database_path(folder), key) == ["ok"]
    db = open_database(config.database_path(folder), key=key)
    try:
        with db.read() as s:
            numbers = {int(n) for n in s.scalars(sa.select(Household.household_no))}
            members = dict(
                s.execute(sa.select(Person.household_id, sa.func.count()).group_by(Person.household_id)).all()
            )
            households = s.scalars(sa.select(Household)).all()
        assert committed <= numbers  # every transaction the child saw committed is there
        assert all(members.get(h.id) == MEMBERS for h in households)  # and none is there by halves
        assert numbers == set(range(1, max(numbers) + 1))  # at most the one in flight at a kill is missing
    finally:
        db.dispose()
    again = login.open_village(folder, SETUP.username, SETUP.password)  # the next start is an ordinary one
    again.close()


def test_kills_during_a_backup_never_leave_a_torn_file_under_a_backups_name(village):
    folder, key = village
    fill = _child("save", folder, key)  # some pages worth copying: a few hundred households
    _run_then_kill(fill, 2.0)
    rng = random.Random(7)
    finished: set[str] = set()
    for _ in range(15):
        lines = _run_then_kill(_child("backup", folder, key), rng.uniform(0.0, 0.4))
        finished |= {line.split()[1] for line in lines if line.startswith("backup ")}
        for made in backups.list_backups(config.backups_dir(folder)):
            backups.preview_restore(made.path, key)  # every file with a backup's name is a whole backup
    assert finished, "no backup finished at all: the kills came too early to test anything"
    assert finished <= {b.name for b in backups.list_backups(config.backups_dir(folder))}
    session = login.open_village(folder, SETUP.username, SETUP.password)
    session.close()
    assert list(config.backups_dir(folder).glob("*.partial")) == []  # the next start cleans what a kill left


def test_kills_during_the_very_first_open_never_make_the_folder_unusable(tmp_path):
    rng = random.Random(3)
    outcomes = {"set up": 0, "empty": 0}
    for attempt in range(20):
        folder = tmp_path / f"data{attempt}"
        _run_then_kill(_child("first-open", folder), rng.uniform(0.0, 1.5))
        if login.has_village(folder):
            login.open_village(folder, SETUP.username, SETUP.password).close()
            outcomes["set up"] += 1
        else:  # nothing usable was left: the folder takes a new village as if it were new
            login.set_up_new_village(folder, SETUP).close()
            login.open_village(folder, SETUP.username, SETUP.password).close()
            outcomes["empty"] += 1
    assert sum(outcomes.values()) == 20


def test_a_save_past_the_file_size_limit_gets_the_sentence_and_the_data_stays_whole(village):
    folder, key = village
    _run_then_kill(_child("save", folder, key), 0.5)  # a few households to keep
    before = _summary(folder, key)
    child = _child("full-disk", folder, key)
    out, err = child.communicate(timeout=120)
    sentence = out.strip().removeprefix("ready").strip()
    assert sentence in (
        tr("storage.disk_full", folder=str(folder)),
        tr("storage.io_error", folder=str(folder)),
    ), (out, err[-2000:])
    assert "Traceback" not in out
    assert _summary(folder, key) == before
    assert _integrity(config.database_path(folder), key) == ["ok"]


def test_a_backup_past_the_file_size_limit_is_one_sentence_and_leaves_no_backup(village):
    folder, key = village
    _run_then_kill(_child("save", folder, key), 1.0)
    before = _summary(folder, key)
    child = _child("full-disk-backup", folder, key)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 1, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0] in (
        "fhdesk: " + tr("storage.disk_full", folder=str(folder)),
        "fhdesk: " + tr("storage.io_error", folder=str(folder)),
    )
    assert backups.list_backups(config.backups_dir(folder)) == []
    assert _summary(folder, key) == before


def _summary(folder: Path, key: bytes) -> str:
    conn = connect_raw(config.database_path(folder), key, read_only=True)
    try:
        counts, digests = backups._table_summary(conn)
    finally:
        conn.close()
    return json.dumps([counts, digests], sort_keys=True)


def _enrol_township(folder: Path) -> object:
    from app.sync import keys
    from tests.sync_keys import make_township

    township = make_township()
    session = login.open_village(folder, SETUP.username, SETUP.password)
    try:
        keys.enrol_township(session.db, session.actor, township.public.text())
    finally:
        session.close()
    return township


def test_kills_during_an_export_never_leave_a_file_with_a_packages_name_that_is_not_whole(village):
    import pyrage

    from app.sync import keys, package

    folder, key = village
    _run_then_kill(_child("save", folder, key), 1.0)  # a village worth a package of some size
    township = _enrol_township(folder)
    rng = random.Random(11)
    finished: set[str] = set()
    for _ in range(15):
        lines = _run_then_kill(_child("export", folder, key), rng.uniform(0.0, 0.6))
        finished |= {line.split()[1] for line in lines if line.startswith("package ")}
    session = login.open_village(folder, SETUP.username, SETUP.password)
    try:
        own, _ = keys.read_keys(session.db)
        named = sorted((folder / "stick").glob("FHD_*.fhd"))
        assert finished and finished <= {p.name for p in named}
        for path in named:  # every file with a package's name opens and verifies, signature and hashes
            package.verify_inner(pyrage.decrypt(path.read_bytes(), [township.identity]), own.sign)
        numbers = [int(package.PACKAGE_NAME.match(p.name).group(3)) for p in named]
        assert len(numbers) == len(set(numbers))  # a number is never used twice, whatever was killed
        after = package.export_package(session.db, session.actor, folder / "stick", month=(2026, 11))
        assert after.seq > max(numbers)
        assert list((folder / "stick").glob(".~fhd-*")) == []  # the next export clears what a kill left
    finally:
        session.close()


def test_an_export_onto_a_full_stick_is_one_sentence_and_leaves_no_package(village):
    from app.sync import package

    folder, key = village
    _run_then_kill(_child("save", folder, key), 1.0)
    _enrol_township(folder)
    child = _child("full-stick", folder, key)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 1, (out, err[-2000:])
    stick = folder / "stick"
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0] == "fhdesk: " + tr("sync.stick_full", folder=str(stick)), lines
    assert list(stick.iterdir()) == []
    session = login.open_village(folder, SETUP.username, SETUP.password)
    try:
        assert package.history(session.db) == []  # nothing recorded as sent
    finally:
        session.close()
