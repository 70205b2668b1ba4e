"""What encryption at rest costs (issue 13): the same work on an encrypted village (SQLCipher, raw key) and on a
plain SQLite file, in the same run. Target: under 10 % more."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app import config
from app.actor import Actor
from app.db import Database, open_database
from app.services import followups, households
from app.services.demo import create_demo_village, generate_demo
from app.services.indicators import monthly_report_document
from app.services.vault import KeyFile, new_key
from bench.common import BenchResult, timed

TODAY = dt.date(2026, 11, 24)
PASSWORD = "bench-password"


def _setup():  # the demo's set-up with the bench's password
    from dataclasses import replace

    from app.services.demo import DEMO_SETUP

    return replace(DEMO_SETUP, password=PASSWORD)


def _database(folder: Path, key: bytes | None) -> Database:
    config.prepare_data_dir(folder)
    return open_database(config.database_path(folder), key=key)


def _demo(folder: Path, key: bytes | None, people: int) -> tuple[Database, float]:
    """The demo generated into a new database (encrypted with `key`, or plain), and its time."""
    db = _database(folder, key)
    seconds, _ = timed(lambda: generate_demo(db, people=people, seed=1, today=TODAY, setup=_setup()))
    return db, seconds


def _best_of_two(work, encrypted: Database, plain: Database) -> tuple[float, float]:  # noqa: ANN001
    """Each side twice, alternating (so neither always runs on a warm cache): the faster of each."""
    times: dict[str, list[float]] = {"e": [], "p": []}
    for side, db in (("p", plain), ("e", encrypted), ("p", plain), ("e", encrypted)):
        times[side].append(timed(lambda d=db: work(d))[0])
    return min(times["e"]), min(times["p"])


def _launch(mode: str, folder: Path) -> float:
    """Median of 3 runs: the password typed → the main window painted (a child process each time)."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(PASSWORD)
    env["FHDESK_PASSWORD_FILE"] = f.name
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bench.launch_probe", mode, str(folder), "demo"],
            check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        runs.append(time.perf_counter() - started)
    Path(f.name).unlink()
    return statistics.median(runs)


def run() -> list[BenchResult]:
    results = []
    with tempfile.TemporaryDirectory(prefix="fhdesk-bench-enc-") as tmp:
        root = Path(tmp)
        plain, plain_demo = _demo(root / "plain", None, 50_000)
        secret, secret_demo = _demo(root / "encrypted", new_key(), 50_000)
        results.append(
            BenchResult(
                "demo township 50,000 people, encrypted", secret_demo, "the same, plain SQLite", plain_demo
            )
        )
        for name, work in (
            ("monthly report, 50,000 people", lambda db: monthly_report_document(db, 2026, 10, today=TODAY)),
            ("household register loaded for the filter, 50,000 people", households.load_register),
            (
                "follow-up schedule re-planned for everyone, 50,000 people",
                lambda db: followups.regenerate_all(db, Actor.system(db.node), TODAY),
            ),
        ):
            encrypted_s, plain_s = _best_of_two(work, secret, plain)
            results.append(BenchResult(f"{name}, encrypted", encrypted_s, "the same, plain SQLite", plain_s))
        plain.dispose()
        secret.dispose()
        _demo(root / "village-plain", None, 3_000)[0].dispose()
        create_demo_village(root / "village-encrypted", password=PASSWORD, people=3_000, seed=1, today=TODAY)
        assert KeyFile.exists(root / "village-encrypted")
        results.append(
            BenchResult(
                "password → main window painted, 3,000 people, encrypted",
                _launch("login", root / "village-encrypted"),
                "the same, plain SQLite (password checked against the account)",
                _launch("plainlogin", root / "village-plain"),
            )
        )
    return results
