"""What a township's monthly import costs (issue 16): 60 village packages (a 50,000-person township) imported
into SQLite and into PostgreSQL — decrypted, checked, applied in replicate mode with audit lines, state
digests compared — beside the plainest way of putting the same rows into the same engine in the same run:
`executemany` INSERTs of the already-parsed rows into an empty schema (no checks, no audit, no digests)."""

from __future__ import annotations

import datetime as dt
import os
import resource
import tempfile
from pathlib import Path

import sqlalchemy as sa

from app.actor import Actor
from app.db import Database, open_url
from app.models import TRAVELLING_MODELS
from app.models.base import table_of
from app.sync import demo_township, keys, township
from app.sync.township import parse_members
from bench.common import BenchResult, timed

TODAY = dt.date(2026, 12, 4)
# A township by default; the county (`FHDESK_BENCH_PEOPLE=600000 FHDESK_BENCH_VILLAGES=99
# FHDESK_BENCH_ENGINES=postgresql python -m bench township`) takes ~30 minutes on two cores.
VILLAGES = int(os.environ.get("FHDESK_BENCH_VILLAGES", "60"))
PEOPLE = int(os.environ.get("FHDESK_BENCH_PEOPLE", "50000"))
ENGINES = os.environ.get("FHDESK_BENCH_ENGINES", "sqlite,postgresql").split(",")


def _packages(root: Path) -> tuple[list[Path], Database, Actor]:
    """The 60 villages' packages (encrypted to the demo township), made once through a first township."""
    maker = open_url(f"sqlite:///{root / 'maker.sqlite'}")
    user = township.set_up_township(maker, demo_township.DEMO_TOWNSHIP_SETUP)
    actor = Actor(user, "admin", demo_township.DEMO_TOWNSHIP_SETUP.township_code)
    demo_township.install_demo_keys(maker, actor)
    stick = root / "stick"
    demo_township.fill_demo_township(
        maker, actor, villages=VILLAGES, people=PEOPLE, today=TODAY, packages_to=stick
    )
    kept = [p for p in stick.iterdir() if p.name.startswith("FHD_")]
    return sorted(kept), maker, actor


def _fresh_township(url: str, maker: Database) -> tuple[Database, Actor]:
    db = open_url(url)
    user = township.set_up_township(db, demo_township.DEMO_TOWNSHIP_SETUP)
    actor = Actor(user, "admin", demo_township.DEMO_TOWNSHIP_SETUP.township_code)
    demo_township.install_demo_keys(db, actor)
    with maker.read() as s:
        for code, _ in township.villages(maker):
            public = keys.public_keys_of(s, code, "village")
            assert public is not None
            keys.enrol_village(db, actor, public.text())
    return db, actor


def _parsed(files: list[Path], maker: Database) -> dict[str, list[dict[str, object]]]:
    """Every row of every package, parsed and typed, by table (what the baseline inserts)."""
    import pyrage

    from app.sync.container import read_zip

    with maker.read() as s:
        own = keys.own_keys(s)
    assert own is not None
    identity = pyrage.x25519.Identity.from_str(own.age_identity)
    rows: dict[str, list[dict[str, object]]] = {m.__tablename__: [] for m in TRAVELLING_MODELS}
    for f in files:
        incoming = parse_members(read_zip(pyrage.decrypt(f.read_bytes(), [identity])))
        for table, part in incoming.rows.items():
            rows[table] += part
    rows["stock_movement"].sort(key=lambda r: (r["direction"] != 1, r["movement_date"], r["id"]))  # type: ignore[operator]
    return rows


def _baseline(db: Database, rows: dict[str, list[dict[str, object]]]) -> None:
    later = {"household": "head_person_id", "person": "born_of_pregnancy_id"}
    with db.engine.begin() as conn:
        for model in TRAVELLING_MODELS:
            table = table_of(model)
            part = rows[model.__tablename__]
            defaults = {c.name: None for c in table.columns}
            column = later.get(model.__tablename__)
            for i in range(0, len(part), 5000):
                chunk = [{**defaults, **r, **({column: None} if column else {})} for r in part[i : i + 5000]]
                if chunk:
                    conn.execute(sa.insert(table), chunk)


def _measure(url_for, files, maker, parsed, label: str) -> BenchResult:  # type: ignore[no-untyped-def]
    db, actor = _fresh_township(url_for("import"), maker)
    quarantine = Path(tempfile.mkdtemp(prefix="fhdesk-q-"))
    seconds, outcomes = timed(lambda: township.import_packages(db, actor, files, quarantine=quarantine))
    assert all(o.outcome == "applied" for o in outcomes), [
        o.message for o in outcomes if o.outcome != "applied"
    ]
    db.dispose()
    base_db, _ = _fresh_township(url_for("baseline"), maker)
    base_seconds, _ = timed(lambda: _baseline(base_db, parsed))
    base_db.dispose()
    return BenchResult(label, seconds, "executemany of the parsed rows, same engine", base_seconds)


def run() -> list[BenchResult]:
    results = []
    with tempfile.TemporaryDirectory(prefix="fhdesk-bench-township-") as tmp:
        root = Path(tmp)
        files, maker, _ = _packages(root)
        parsed = _parsed(files, maker)
        people = len(parsed["person"])
        if "sqlite" in ENGINES:
            results.append(
                _measure(
                    lambda name: f"sqlite:///{root / (name + '.sqlite')}",
                    files,
                    maker,
                    parsed,
                    f"import {len(files)} village packages ({people:,} people) into SQLite",
                )
            )
        try:
            from tests.postgres import PostgresUnavailable, running_server
        except ImportError:  # the benchmark run outside the repository
            return results
        if "postgresql" not in ENGINES:
            return results
        try:
            with running_server() as server:
                results.append(
                    _measure(
                        lambda name: server.new_database(),
                        files,
                        maker,
                        parsed,
                        f"import {len(files)} village packages ({people:,} people) into PostgreSQL",
                    )
                )
        except PostgresUnavailable as e:
            print(f"PostgreSQL cannot start here: {e}")
        maker.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the benchmark process: {peak:.0f} MB")
    return results
