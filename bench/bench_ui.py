"""The register's speed as the officer feels it: a keystroke in the household filter at township scale
(50,000 people), and launch to the first painted main window on a 3,000-person village."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app import config
from app.db import open_database
from app.services.demo import generate_demo
from bench.common import BenchResult

TODAY = dt.date(2026, 11, 24)
# What an officer types, one key at a time: names in pinyin and characters, household numbers.
TYPED = ["zhangw", "liuf", "wangjian", "chenm", "0301", "0512", "zs", "lxy"]

RAW_FILTER = """
SELECT h.id, h.household_no, h.group_no, COALESCE(head.name, ''), h.address, COALESCE(h.phone, ''),
       COALESCE(m.n, 0), h.residence_type
FROM household h
LEFT JOIN person head ON head.id = h.head_person_id
LEFT JOIN (SELECT household_id, count(*) AS n FROM person
           WHERE residence_status IN ('resident', 'out_migrant', 'in_migrant') AND deleted_at IS NULL
           GROUP BY household_id) m ON m.household_id = h.id
WHERE h.deleted_at IS NULL AND (h.household_no LIKE :q OR h.address LIKE :q OR h.phone LIKE :q OR h.id IN (
    SELECT household_id FROM person WHERE deleted_at IS NULL
    AND (name LIKE :q OR name_pinyin LIKE :q OR name_initials LIKE :q)))
ORDER BY h.household_no
"""


def make_village(folder: Path, people: int) -> Path:
    folder.mkdir(parents=True)
    db = open_database(config.database_path(folder))
    generate_demo(db, people=people, seed=1, today=TODAY)
    db.dispose()
    return folder


def keystrokes() -> list[str]:
    """Every prefix of every typed word: what the filter box holds after each key."""
    return [word[:i] for word in TYPED for i in range(1, len(word) + 1)][:50]


def filter_latency(folder: Path) -> tuple[float, float]:
    """Median seconds from a key press in the filter to the table showing the new rows (painted), and the
    median of the same query in raw sqlite3."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.services import auth
    from app.ui.application import settings_for
    from app.ui.context import AppContext
    from app.ui.pages.households import HouseholdsPage

    app = QApplication.instance() or QApplication([])
    db = open_database(config.database_path(folder))
    ctx = AppContext(db=db, user=auth.list_users(db)[0], data_dir=folder, settings=settings_for(folder))
    page = HouseholdsPage(ctx)
    page.resize(1200, 700)
    page.show()
    app.processEvents()
    times = []
    for text in keystrokes():
        page.filter_edit.blockSignals(True)
        page.filter_edit.setText(text[:-1])
        page.filter_edit.blockSignals(False)
        started = time.perf_counter()
        QTest.keyClick(page.filter_edit, text[-1])
        page.household_view.viewport().repaint()
        app.processEvents()
        times.append(time.perf_counter() - started)
        assert page.filter_edit.text() == text
    page.close()
    db.dispose()

    con = sqlite3.connect(config.database_path(folder))
    raw = []
    for text in keystrokes():
        started = time.perf_counter()
        con.execute(RAW_FILTER, {"q": f"%{text}%"}).fetchall()
        raw.append(time.perf_counter() - started)
    con.close()
    return statistics.median(times), statistics.median(raw)


def launch_time(*args: str) -> float:
    """Median of 3 wall-clock runs of a child process that exits at its window's first paint."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bench.launch_probe", *args],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


BUILT = Path(__file__).resolve().parent.parent / "dist" / "FamilyHealthDesk" / "FamilyHealthDesk"
PASSWORD = "bench-ui-pw1"


def program_launch_time(command: list[str], folder: Path, password_file: Path) -> float:
    """Median of 3: start the program itself (`--exit-after-paint`: log-in with the password file, the main
    window, "painted" on stdout at its first paint) until that line; the process then ends on its own."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        FHDESK_PASSWORD_FILE=str(password_file),
    )
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        child = subprocess.Popen(
            [*command, "--data-dir", str(folder), "--exit-after-paint"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert child.stdout is not None
        line = child.stdout.readline()
        runs.append(time.perf_counter() - started)
        child.wait(timeout=120)
        assert line.strip() == "painted", line
    return statistics.median(runs)


def program_launches(tmp: Path) -> list[BenchResult]:
    """The whole start of the program on an encrypted 3,000-person demo village (log-in, start-up checks and
    the backup and re-plan started in the background included), from the checkout and, when `bash dev.sh
    dist` has built it, from the one-folder build."""
    from app.services.demo import create_demo_village

    folder = tmp / "encrypted"
    create_demo_village(folder, password=PASSWORD, people=3000, seed=1, today=TODAY)
    password_file = tmp / "pw"
    password_file.write_text(PASSWORD, encoding="utf-8")
    empty = launch_time("empty")
    results = [
        BenchResult(
            "python -m app → painted main window, log-in included, 3,000 people",
            program_launch_time([sys.executable, "-m", "app"], folder, password_file),
            "launch → empty QMainWindow painted",
            empty,
        )
    ]
    if BUILT.is_file():
        results.append(
            BenchResult(
                "one-folder build → painted main window, log-in included, 3,000 people",
                program_launch_time([str(BUILT)], folder, password_file),
                "launch → empty QMainWindow painted",
                empty,
            )
        )
    return results


def run() -> list[BenchResult]:
    with tempfile.TemporaryDirectory() as tmp:
        township = make_village(Path(tmp) / "township", 50_000)
        village = make_village(Path(tmp) / "village", 3_000)
        key, raw = filter_latency(township)
        first_paint = launch_time("app", str(village))
        empty = launch_time("empty")
        programs = program_launches(Path(tmp))
    return [
        BenchResult(
            "household filter keystroke → table, 50,000 people (median of 50)",
            key,
            "same query, raw sqlite3",
            raw,
        ),
        BenchResult(
            "launch → first painted main window, 3,000 people",
            first_paint,
            "launch → empty QMainWindow painted",
            empty,
        ),
        *programs,
    ]
