"""What backups and the start-up check cost (issue 14), beside a plain file copy of the same database in the
same run: a backup of the 50,000-person township database (online backup API through the keyed driver,
integrity_check, fsync, manifest) and the quick_check every start runs on a 3,000-person village."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from app import backups, config, storage
from app.db import open_database
from app.services.demo import generate_demo
from app.services.vault import new_key
from bench.common import BenchResult, timed

TODAY = dt.date(2026, 11, 24)


def _village(folder: Path, key: bytes, people: int) -> Path:
    config.prepare_data_dir(folder)
    path = config.database_path(folder)
    db = open_database(path, key=key)
    generate_demo(db, people=people, seed=1, today=TODAY)
    with db.engine.connect() as conn:  # as a clean exit leaves it: everything in the main file
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


def _copy(path: Path, target: Path) -> None:
    shutil.copyfile(path, target)
    with open(target, "rb+") as f:  # flushed to the disk like the backup: the same promise
        os.fsync(f.fileno())


def run() -> list[BenchResult]:
    results = []
    with tempfile.TemporaryDirectory(prefix="fhdesk-bench-backups-") as tmp:
        root = Path(tmp)
        key = new_key()
        township = _village(root / "township", key, 50_000)
        size_mb = township.stat().st_size / 1e6
        copies = [timed(lambda: _copy(township, root / "copy.sqlite"))[0] for _ in range(3)]
        made = [timed(lambda: backups.make_backup(township, key, "manual"))[0] for _ in range(3)]
        results.append(
            BenchResult(
                f"backup, 50,000 people ({size_mb:.0f} MB, encrypted, checked)",
                min(made),
                "plain file copy + fsync of the same file",
                min(copies),
            )
        )
        village = _village(root / "village", key, 3_000)
        db = open_database(village, key=key)
        try:
            storage.check_at_start(
                db, full=True
            )  # the weekly full check done: the next starts run quick_check
            quick = [timed(lambda: storage.check_at_start(db))[0] for _ in range(5)]
            full = [timed(lambda: storage.check_at_start(db, full=True))[0] for _ in range(3)]
        finally:
            db.dispose()
        village_copies = [timed(lambda: _copy(village, root / "village-copy.sqlite"))[0] for _ in range(5)]
        results.append(
            BenchResult(
                "quick_check at start, 3,000 people (encrypted)",
                min(quick),
                "plain file copy + fsync of the same file",
                min(village_copies),
            )
        )
        results.append(
            BenchResult(
                "integrity_check (weekly), 3,000 people (encrypted)",
                min(full),
                "plain file copy + fsync of the same file",
                min(village_copies),
            )
        )
    return results
