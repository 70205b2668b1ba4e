"""The monthly report at village (3,000 people) and township (50,000) scale: every indicator with the people
behind each number, against raw sqlite3 reading the same rows the indicators read (persons, vital events,
pregnancies, follow-ups of the period, folic-acid answers, stock movements) without computing anything.

Also the report's Excel and PDF files from the computed tables. Target: the report on screen in under 2 s
for 50,000 people (it is computed off the UI thread; the screen shows a progress dialog after 0.6 s)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
import tempfile
from pathlib import Path

from app.db import open_database
from app.services.demo import generate_demo
from app.services.indicators import monthly_report_document
from bench.common import BenchResult, timed

TODAY = dt.date(2026, 11, 24)
YEAR, MONTH = 2026, 10
FIRST, LAST = "2026-10-01", "2026-10-31"
RUNS = 5

RAW_READS = (
    ("SELECT id, residence_status, death_date, birth_date, sex FROM person WHERE deleted_at IS NULL", ()),
    (
        "SELECT person_id, event_date, event_type FROM vital_event WHERE deleted_at IS NULL "
        "AND event_type IN ('move_in', 'move_out') ORDER BY event_date",
        (),
    ),
    (
        "SELECT v.event_type, v.person_id, p.sex, p.born_of_pregnancy_id FROM vital_event v "
        "JOIN person p ON p.id = v.person_id WHERE v.deleted_at IS NULL AND v.event_date BETWEEN ? AND ?",
        (FIRST, LAST),
    ),
    (
        "SELECT id, woman_id, lmp, registration_date, outcome, outcome_date, delivery_place, discharge_date "
        "FROM pregnancy WHERE deleted_at IS NULL AND (registration_date BETWEEN ? AND ? "
        "OR outcome_date BETWEEN ? AND ?)",
        (FIRST, LAST, FIRST, LAST),
    ),
    (
        "SELECT f.followup_type, f.person_id, f.status, f.done_date, f.latest_date FROM followup f "
        "JOIN person p ON p.id = f.person_id WHERE f.deleted_at IS NULL AND f.status <> 'cancelled' "
        "AND f.due_date BETWEEN ? AND ?",
        (FIRST, LAST),
    ),
    (
        "SELECT f.person_id, f.done_date, a.value FROM followup f JOIN followup_answer a "
        "ON a.followup_id = f.id AND a.item_key = 'taking' WHERE f.followup_type = 'folic_adherence' "
        "AND f.status = 'done' AND f.done_date BETWEEN ? AND ?",
        (FIRST, LAST),
    ),
    (
        "SELECT item_id, movement_type, movement_date, direction * quantity FROM stock_movement "
        "WHERE deleted_at IS NULL AND movement_date <= ?",
        (LAST,),
    ),
)


def raw_reads(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return sum(len(con.execute(sql, params).fetchall()) for sql, params in RAW_READS)
    finally:
        con.close()


def median(fn, runs: int = RUNS) -> float:
    return statistics.median(timed(fn)[0] for _ in range(runs))


def measure(people: int, folder: Path, files: bool) -> list[BenchResult]:
    path = folder / f"report-{people}.sqlite"
    db = open_database(path)
    generate_demo(db, people=people, seed=1, today=TODAY)
    try:
        raw = median(lambda: raw_reads(path))
        report = median(lambda: monthly_report_document(db, YEAR, MONTH, today=TODAY))
        results = [
            BenchResult(
                f"monthly report, {people:,} people (median of {RUNS})",
                report,
                "raw sqlite3 reading the same rows",
                raw,
            )
        ]
        if files:
            from app.reports.monthly_pdf import write_report_pdf
            from app.reports.monthly_xlsx import write_report_xlsx

            doc = monthly_report_document(db, YEAR, MONTH, today=TODAY)
            xlsx = median(lambda: write_report_xlsx(folder / "r.xlsx", doc, printed_on=TODAY))
            pdf = median(lambda: write_report_pdf(folder / "r.pdf", doc, printed_on=TODAY))
            results += [
                BenchResult(f"monthly report to Excel, {people:,} people", xlsx),
                BenchResult(f"monthly report to PDF (with chart), {people:,} people", pdf),
            ]
        return results
    finally:
        db.dispose()


def run() -> list[BenchResult]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        return measure(3000, folder, files=True) + measure(50_000, folder, files=False)
