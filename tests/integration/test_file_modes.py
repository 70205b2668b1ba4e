"""On POSIX the data folder the app creates is the owner's alone (0700), and so is every file it writes with
personal data (0600): the database and its -wal and -shm, backups, the log, exports (issue 12, item 22). The
desktop app's settings.ini: tests/ui/test_private_log.py."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import cli
from app.db import open_database
from tests.conftest import TODAY

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
DATA = Path(__file__).resolve().parents[1] / "data"


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture(autouse=True)
def lenient_umask():
    """The usual umask (022), under which a file is created readable by every account unless made private."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_the_demo_folder_and_database_are_the_owners_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "today", lambda: TODAY)
    data = tmp_path / "new" / "data"
    assert cli.main(["--data-dir", str(data), "--demo", "demo", "--people", "60", "--quiet"]) == 0
    folder = data / "demo"
    assert mode(data.parent) == mode(data) == mode(folder) == 0o700  # every folder the app made
    assert mode(folder / "fhdesk.sqlite") == 0o600
    out = tmp_path / "women.xlsx"
    assert (
        cli.main(
            ["--data-dir", str(data), "--demo", "export", "--register", "women", "--out", str(out), "--quiet"]
        )
        == 0
    )
    assert mode(out) == 0o600


def test_the_database_its_wal_and_shm_are_private(tmp_path):
    db = open_database(tmp_path / "fhdesk.sqlite")
    try:
        with db.engine.begin() as conn:  # a write leaves the -wal and -shm beside the open database
            conn.execute(sa.text("CREATE TABLE scratch (x)"))
            conn.execute(sa.text("INSERT INTO scratch VALUES (1)"))
        files = {p.name: mode(p) for p in tmp_path.iterdir()}
        assert files == {"fhdesk.sqlite": 0o600, "fhdesk.sqlite-wal": 0o600, "fhdesk.sqlite-shm": 0o600}
    finally:
        db.dispose()


def test_an_older_database_is_made_private_and_so_is_its_backup(tmp_path):
    path = tmp_path / "fhdesk.sqlite"
    shutil.copy(DATA / "schema_0003.sqlite", path)
    path.chmod(0o644)  # as an older version left it
    db = open_database(path, backups=tmp_path / "backups")
    db.dispose()
    assert mode(path) == 0o600
    backups = list((tmp_path / "backups").iterdir())  # the copy and its manifest
    assert len([b for b in backups if b.suffix == ".sqlite"]) == 1 and all(mode(b) == 0o600 for b in backups)
    assert mode(tmp_path / "backups") == 0o700


def test_the_log_is_private_and_stays_so_when_it_rotates(tmp_path):
    from app.logs import PrivateRotatingFileHandler, SafeFormatter, setup_logging

    log = setup_logging(tmp_path / "logs")
    logging.getLogger("app").warning("started")
    assert mode(tmp_path / "logs") == 0o700 and mode(log) == 0o600

    handler = PrivateRotatingFileHandler(
        tmp_path / "small.log", maxBytes=200, backupCount=2, encoding="utf-8"
    )
    handler.setFormatter(SafeFormatter("%(message)s"))
    logger = logging.getLogger("test.rotation")
    logger.addHandler(handler)
    try:
        for i in range(20):
            logger.warning("line %d of a log that rotates", i)
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(tmp_path.glob("small.log*"))
    assert len(files) == 3
    assert {mode(f) for f in files} == {0o600}
