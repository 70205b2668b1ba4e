"""Follow-ups at township scale (the 50,000-person demo): this week's work list against the same select in
raw sqlite3, and re-planning everyone after a rules change against a raw bulk UPDATE of as many rows.

Targets: the week's list under 200 ms; regenerate_all after a rules change under 30 s."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from app.clock import now_utc
from app.db import Database, open_database
from app.models import User
from app.services import followups, schedule
from app.services.demo import generate_demo
from app.services.followups import week_bounds
from app.vocab import UserRole
from bench.common import BenchResult, timed

TODAY = dt.date(2026, 11, 24)
PEOPLE = 50_000
RUNS = 20
ANTENATAL = ("anc1", "anc2", "anc3", "anc4", "anc5")

WEEK_SQL = """
SELECT f.id, f.person_id, h.id, h.household_no, h.group_no, h.address, p.name,
       coalesce(p.phone, h.phone, ''), f.followup_type, f.occurrence, f.earliest_date, f.due_date,
       f.latest_date, f.status, f.done_date, f.result, f.status_reason, f.source_table, f.source_id
FROM followup f
JOIN person p ON p.id = f.person_id
JOIN household h ON h.id = p.household_id
WHERE f.deleted_at IS NULL AND f.status = 'due' AND f.earliest_date <= ? AND f.latest_date >= ?
ORDER BY f.due_date, h.household_no, p.name
"""


def median_seconds(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, object]:
    result = None
    times = []
    for _ in range(runs):
        seconds, result = timed(fn)
        times.append(seconds)
    return statistics.median(times), result


def raw_connection(path: Path) -> sqlite3.Connection:
    """A plain connection with the app's settings (foreign keys, WAL, synchronous=FULL, 32 MB cache)."""
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL", "cache_size=-32000"):
        con.execute(f"PRAGMA {pragma}")
    return con


def officer_of(db: Database) -> str:
    with db.read() as s:
        return s.execute(
            sa.select(User.id)
            .where(User.active, User.role.in_([UserRole.ADMIN, UserRole.OFFICER]))
            .order_by(User.created_at, User.id)
            .limit(1)
        ).scalar_one()


def shifted_rules(folder: Path) -> Path:
    """The default rules with every antenatal window a day later, so every open antenatal follow-up moves."""
    data = json.loads(schedule.RULES_FILE.read_text(encoding="utf-8"))
    for ftype in ANTENATAL:
        rule = data["rules"][ftype]
        for key in ("earliest", "due", "latest"):
            rule[key] += 1
    data["version"] = f"{data['version']}-bench"
    path = folder / "rules-shifted.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def use_rules(path: Path) -> None:
    schedule.RULES_FILE = path
    schedule._load.cache_clear()


def week_list(db: Database, path: Path, label: str) -> BenchResult:
    seconds, rows = median_seconds(lambda: followups.work_list(db, TODAY, "week"))
    _, sunday = week_bounds(TODAY)
    con = raw_connection(path)
    try:
        raw_seconds, raw_rows = median_seconds(
            lambda: con.execute(WEEK_SQL, (sunday.isoformat(), TODAY.isoformat())).fetchall()
        )
    finally:
        con.close()
    assert len(rows) == len(raw_rows), (len(rows), len(raw_rows))  # type: ignore[arg-type]
    return BenchResult(
        f"follow-ups: this week's list, {label} ({len(rows):,} rows, median of {RUNS})",  # type: ignore[arg-type]
        seconds,
        "raw sqlite3 select, same where + joins",
        raw_seconds,
    )


def raw_bulk_update(path: Path, count: int, user_id: str) -> float:
    """Move `count` open follow-ups by a day in one transaction: what a re-plan has to write at the least."""
    con = raw_connection(path)
    try:
        ids = [
            fid
            for (fid,) in con.execute(
                "SELECT id FROM followup WHERE status IN ('due', 'missed') AND deleted_at IS NULL "
                "ORDER BY due_date LIMIT ?",
                (count,),
            )
        ]
        now = now_utc().isoformat(sep=" ")

        def update() -> None:
            con.execute("BEGIN IMMEDIATE")
            con.executemany(
                "UPDATE followup SET earliest_date = date(earliest_date, '+1 day'), "
                "due_date = date(due_date, '+1 day'), latest_date = date(latest_date, '+1 day'), "
                "rev = rev + 1, updated_at = ?, updated_by = ? WHERE id = ?",
                [(now, user_id, fid) for fid in ids],
            )
            con.execute("COMMIT")

        seconds, _ = timed(update)
        return seconds
    finally:
        con.close()


def measure(people: int, folder: Path) -> list[BenchResult]:
    path = folder / f"followups-{people}.sqlite"
    db = open_database(path)
    results: list[BenchResult] = []
    default_rules = schedule.RULES_FILE
    try:
        generate_demo(db, people=people, seed=1, today=TODAY)
        user = officer_of(db)
        scale = "village" if people <= 5000 else "township"
        label = f"demo {scale} {people:,} people"
        with db.read() as s:
            total = s.execute(sa.text("SELECT count(*) FROM followup")).scalar_one()
        # the demo writes its own rows; the first re-plan brings them in line with the rules engine
        seconds, first = timed(lambda: followups.regenerate_all(db, user, TODAY))
        results.append(
            BenchResult(
                f"follow-ups: regenerate_all after the demo, {label} ({total:,} follow-ups; "
                f"+{first.inserted:,} ~{first.moved:,} x{first.cancelled:,})",
                seconds,
            )
        )
        results.append(week_list(db, path, label))
        # a rules change: every antenatal window a day later
        use_rules(shifted_rules(folder))
        seconds, changed = timed(lambda: followups.regenerate_all(db, user, TODAY))
        assert changed.moved > 0, changed
        again_seconds, again = timed(lambda: followups.regenerate_all(db, user, TODAY))
        # last: the raw baseline moves rows behind the engine's back
        raw_seconds = raw_bulk_update(path, changed.moved + changed.inserted + changed.cancelled, user)
        results.append(
            BenchResult(
                f"follow-ups: regenerate_all after a rules change, {label} "
                f"(+{changed.inserted:,} ~{changed.moved:,} x{changed.cancelled:,}, {changed.people:,} people)",
                seconds,
                "raw sqlite3 bulk UPDATE of as many rows",
                raw_seconds,
            )
        )
        results.append(
            BenchResult(
                f"follow-ups: regenerate_all again, nothing to change, {label} "
                f"(+{again.inserted} ~{again.moved} x{again.cancelled})",
                again_seconds,
            )
        )
    finally:
        use_rules(default_rules)
        db.dispose()
    return results


def run(people: int = PEOPLE) -> list[BenchResult]:
    with tempfile.TemporaryDirectory(prefix="fhdesk-bench-") as tmp:
        return measure(people, Path(tmp))
