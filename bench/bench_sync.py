"""What the monthly package costs (issue 15), beside the plainest way of doing the same reading and writing in
the same run: the 3,000-person demo village (encrypted), a full export (the first package: the whole village)
and a month's changes after the township acknowledged it — against reading the same tables with the bare
driver and writing them as JSON lines with the standard library (no report, no signature, no encryption, no
read-back)."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from app import config
from app.actor import Actor
from app.db import connect_raw, open_database
from app.models import TRAVELLING_MODELS
from app.services import households as hh
from app.services.demo import DEMO_SETUP, generate_demo
from app.services.vault import new_key
from app.sync import keys, package
from bench.common import BenchResult, timed

TODAY = dt.date(2026, 12, 4)
TABLES = [m.__tablename__ for m in TRAVELLING_MODELS] + ["audit_event"]


def _baseline(path: Path, key: bytes, out: Path, *, after_seq: int = 0) -> int:
    """Every row of the travelling tables (only those changed after audit line `after_seq`, like the package)
    read with the bare driver and written as sorted-key JSON lines, fsynced."""
    conn = connect_raw(path, key)
    written = 0
    try:
        with open(out, "w", encoding="utf-8") as f:
            for table in TABLES:
                if table == "audit_event":
                    cursor = conn.execute(
                        "SELECT * FROM audit_event WHERE seq > ? ORDER BY seq", (after_seq,)
                    )
                elif after_seq:
                    cursor = conn.execute(
                        f"SELECT * FROM {table} WHERE id IN (SELECT record_id FROM audit_event WHERE seq > ? "
                        "AND record_table = ?) ORDER BY id",
                        (after_seq, table),
                    )
                else:
                    cursor = conn.execute(f"SELECT * FROM {table} ORDER BY id")
                names = [c[0] for c in cursor.description]
                for row in cursor:
                    f.write(
                        json.dumps(dict(zip(names, row, strict=True)), sort_keys=True, ensure_ascii=False)
                        + "\n"
                    )
                    written += 1
            f.flush()
            os.fsync(f.fileno())
    finally:
        conn.close()
    return written


def _month_of_changes(db, actor: Actor) -> None:  # type: ignore[no-untyped-def]
    """About a month of a village's work: 20 new households of 3 people."""
    for n in range(20):
        home = hh.create_household(db, actor, hh.HouseholdInput(f"09{n:03d}", 1, f"一组 {n} 号"))
        for m in range(3):
            data = hh.PersonInput(
                f"新户{n}之{m}", sex="F" if m else "M", birth_date=dt.date(1980 + m, 3, 1 + n)
            )
            hh.add_person(db, actor, home, data, TODAY)


def run() -> list[BenchResult]:
    results = []
    with tempfile.TemporaryDirectory(prefix="fhdesk-bench-sync-") as tmp:
        root = Path(tmp)
        key = new_key()
        config.prepare_data_dir(root / "village")
        path = config.database_path(root / "village")
        db = open_database(path, key=key)
        generate_demo(db, people=3000, seed=1, today=TODAY)
        actor = Actor.system(DEMO_SETUP.village_code)
        keys.ensure_own_keys(db, actor)
        keys.enrol_township(db, actor, keys.demo_township_keys().text(), allow_demo=True)
        stick = root / "stick"
        stick.mkdir()

        full_times, exported = [], None
        for _ in range(3):
            seconds, exported = timed(lambda: package.export_package(db, actor, stick, month=(2026, 11)))
            full_times.append(seconds)
        assert exported is not None
        base_full = min(timed(lambda: _baseline(path, key, root / "plain.jsonl"))[0] for _ in range(3))
        size_mb = exported.size / 1e6
        results.append(
            BenchResult(
                f"package, full, 3,000 people ({size_mb:.1f} MB encrypted)",
                min(full_times),
                "bare driver read + stdlib JSON lines",
                base_full,
            )
        )

        with db.write(actor) as s:
            package.do_acknowledge(s, actor, exported.seq, exported.package_id)
        with db.read() as s:
            from app.models import SyncState

            acked = s.get(SyncState, DEMO_SETUP.village_code).acked_audit_seq  # type: ignore[union-attr]
        _month_of_changes(db, actor)
        month_times = [
            timed(lambda: package.export_package(db, actor, stick, month=(2026, 11)))[0] for _ in range(3)
        ]
        base_month = min(
            timed(lambda: _baseline(path, key, root / "plain-month.jsonl", after_seq=acked))[0]
            for _ in range(3)
        )
        results.append(
            BenchResult(
                "package, a month's changes (60 people) after an acknowledgement",
                min(month_times),
                "bare driver read of the changed rows + stdlib JSON lines",
                base_month,
            )
        )
        db.dispose()
    return results
