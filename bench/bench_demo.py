"""The demo generator against the plainest possible load of the same rows (raw sqlite3 executemany)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from app.db import open_database
from app.models import TRAVELLING_MODELS
from app.services.demo import generate_demo
from bench.common import BenchResult, timed

TODAY = dt.date(2026, 11, 24)
# Columns that point forwards in TRAVELLING_MODELS order: inserted NULL, set by primary key afterwards.
BACKWARD = {"household": "head_person_id", "person": "born_of_pregnancy_id"}


def capture(path: Path) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every row of every travelling table and of the audit trail (one line per row), exactly as stored."""
    con = sqlite3.connect(path)
    try:
        out = {}
        for table in [m.__tablename__ for m in TRAVELLING_MODELS] + ["audit_event"]:
            cur = con.execute(f'SELECT * FROM "{table}"')
            out[table] = ([d[0] for d in cur.description], cur.fetchall())
        return out
    finally:
        con.close()


def raw_load(path: Path, tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> None:
    """Insert the captured rows into an empty database of the same schema, in one transaction, with the
    connection settings the app uses (foreign keys on, synchronous=FULL, 32 MB cache)."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("foreign_keys=ON", "synchronous=FULL", "cache_size=-32000"):
            con.execute(f"PRAGMA {pragma}")
        con.execute("BEGIN IMMEDIATE")
        for table, (columns, rows) in tables.items():
            later = BACKWARD.get(table)
            if later:
                k = columns.index(later)
                rows_now = [row[:k] + (None,) + row[k + 1 :] for row in rows]
            else:
                rows_now = rows
            marks = ", ".join("?" * len(columns))
            names = ", ".join(f'"{c}"' for c in columns)
            con.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows_now)
        for table, column in BACKWARD.items():
            columns, rows = tables[table]
            i, k = columns.index("id"), columns.index(column)
            con.executemany(
                f'UPDATE "{table}" SET "{column}" = ? WHERE id = ?',
                [(row[k], row[i]) for row in rows if row[k] is not None],
            )
        con.execute("COMMIT")
        problems = con.execute("PRAGMA foreign_key_check").fetchall()
        assert not problems, problems[:5]
    finally:
        con.close()


def measure(people: int, folder: Path) -> BenchResult:
    generated = folder / f"demo-{people}.sqlite"
    db = open_database(generated)
    seconds, summary = timed(lambda: generate_demo(db, people=people, seed=1, today=TODAY))
    db.dispose()
    tables = capture(generated)
    empty = folder / f"raw-{people}.sqlite"
    open_database(empty).dispose()  # the same schema, made by the migrations
    raw_seconds, _ = timed(lambda: raw_load(empty, tables))
    rows = sum(len(r) for _, r in tables.values())
    label = "village" if people <= 5000 else "township"
    return BenchResult(
        f"demo {label} {people:,} people through the services ({summary.people:,} people, {rows:,} rows)",
        seconds,
        "raw sqlite3 executemany of the same rows and audit lines",
        raw_seconds,
    )


def run() -> list[BenchResult]:
    with tempfile.TemporaryDirectory(prefix="fhdesk-bench-") as tmp:
        return [measure(3000, Path(tmp)), measure(50000, Path(tmp))]
