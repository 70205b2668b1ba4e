"""The consolidated monthly report of a township of 20 villages (about 50,000 people, each village a demo village
of its own code and seed, replicated into one SQLite database as package import does), beside one
monthly_figures over the whole database in the same run: the consolidated report counts every village on its
own with the same indicator code (owner-scoped queries), then puts the figures together.

Also the consolidated report to Excel and to PDF (A4 landscape, the villages split across pages). The report is
computed off the UI thread on the Township page (a progress dialog after 0.6 s)."""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
from pathlib import Path

from app.db import open_database
from app.services.consolidated import consolidated_report
from app.services.indicators import monthly_figures
from bench.common import BenchResult, timed
from tests.township_data import demo_township

TODAY = dt.date(2026, 11, 24)
YEAR, MONTH = 2026, 10
VILLAGES = 20
PEOPLE = 2_500  # per village: 50,000 in the township
RUNS = 3


def median(fn, runs: int = RUNS) -> float:
    return statistics.median(timed(fn)[0] for _ in range(runs))


def run() -> list[BenchResult]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"  making {VILLAGES} villages of {PEOPLE:,} people…", file=sys.stderr, flush=True)
        township = open_database(folder / "township.sqlite")
        try:
            villages = demo_township(township, folder, VILLAGES, people=PEOPLE, today=TODAY)
            pairs = [(v.code, v.name) for v in villages]
            people = len(monthly_figures(township, YEAR, MONTH, today=TODAY).population_total)
            whole = median(lambda: monthly_figures(township, YEAR, MONTH, today=TODAY))
            per_village = median(
                lambda: consolidated_report(township, YEAR, MONTH, villages=pairs, today=TODAY)
            )
            report = consolidated_report(township, YEAR, MONTH, villages=pairs, today=TODAY)

            from app.reports.consolidated_pdf import write_consolidated_pdf
            from app.reports.consolidated_xlsx import write_consolidated_xlsx

            xlsx = median(lambda: write_consolidated_xlsx(folder / "c.xlsx", report, printed_on=TODAY))
            pdf = median(lambda: write_consolidated_pdf(folder / "c.pdf", report, printed_on=TODAY))
        finally:
            township.dispose()
    label = f"{VILLAGES} villages, {people:,} people"
    return [
        BenchResult(
            f"consolidated report, {label} (median of {RUNS})",
            per_village,
            "monthly_figures over the whole database",
            whole,
        ),
        BenchResult(f"consolidated report to Excel, {label}", xlsx),
        BenchResult(f"consolidated report to PDF, {label}", pdf),
    ]
