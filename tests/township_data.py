"""A township's database filled from village databases the way a package import fills it: every travelling row
copied table by table (TRAVELLING_MODELS order) with the data layer's replicate mode, its id, rev, owner and
stamps kept. Used by the consolidated-report tests and bench/bench_consolidated.py.

Two references go backwards in that order (household.head_person_id, person.born_of_pregnancy_id): they are
replicated empty and set afterwards by primary key, as the demo writer does (app.services.demo.writer).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.actor import Actor
from app.clock import now_utc
from app.db import Database, open_database
from app.models import TRAVELLING_MODELS, StockMovement, SupplyItem, VillageProfile
from app.models.base import table_of
from app.models.tracking import fill_deferred, replicate_rows
from app.services.demo import DEMO_SETUP, generate_demo
from app.vocab import UserRole

TOWNSHIP_CODE = DEMO_SETUP.township_code
TOWNSHIP_NAME = DEMO_SETUP.township_name
IMPORTER = Actor("0193cccc-0000-7000-8000-0000000000cc", UserRole.ADMIN, TOWNSHIP_CODE)
BACKWARD_KEYS = {"household": "head_person_id", "person": "born_of_pregnancy_id"}
NAMES = ("红星村", "东风村", "向阳村", "胜利村", "前进村", "和平村", "团结村", "光明村", "新华村", "长青村")


@dataclass(frozen=True)
class DemoVillage:
    code: str
    name: str
    path: Path


def village_code(n: int) -> str:
    """The n-th village of the demo township (1-based): 620422103201, 620422103202, …"""
    return f"{TOWNSHIP_CODE[:9]}{200 + n:03d}"


def village_name(n: int) -> str:
    base = NAMES[(n - 1) % len(NAMES)]
    return base if n <= len(NAMES) else f"{base[:-1]}{(n - 1) // len(NAMES) + 1}村"


def make_village(
    folder: Path, n: int, *, people: int, today: dt.date, seed: int | None = None
) -> DemoVillage:
    """Demo village number `n` in its own SQLite file (its own code, name and seed)."""
    code, name = village_code(n), village_name(n)
    path = folder / f"village-{code}.sqlite"
    db = open_database(path)
    try:
        setup = replace(DEMO_SETUP, village_code=code, village_name=name)
        generate_demo(db, people=people, seed=seed if seed is not None else 100 + n, today=today, setup=setup)
    finally:
        db.dispose()
    return DemoVillage(code, name, path)


def _rows(db: Database, model: type[Any]) -> list[dict[str, Any]]:
    table = table_of(model)
    order: list[Any] = [table.c.id]
    if model is StockMovement:
        # The ledger's rule (no lot below zero on any day) is checked row by row as rows are inserted: a lot's
        # receipts go in before what is taken from it (a package's rows come sorted by id, not by date).
        order = [table.c.movement_date, table.c.direction.desc(), table.c.id]
    with db.read() as s:
        return [dict(r) for r in s.execute(sa.select(table).order_by(*order)).mappings()]


def copy_village(township: Database, village: DemoVillage) -> int:
    """Every travelling row of `village` into `township` in one transaction, replicated as its package would
    carry it (catalogue rows are the township's own); the village's profile added first. Returns rows copied."""
    source = open_database(village.path)
    try:
        tables = [(model, _rows(source, model)) for model in TRAVELLING_MODELS]
    finally:
        source.dispose()
    copied = 0
    with township.write(IMPORTER, replicate=True) as s:
        if s.get(VillageProfile, village.code) is None:
            s.add(
                VillageProfile(
                    code=village.code,
                    home=False,
                    name=village.name,
                    township_code=TOWNSHIP_CODE,
                    township_name=TOWNSHIP_NAME,
                    created_at=now_utc(),
                )
            )
            s.flush()
        later: list[tuple[type[Any], list[dict[str, Any]], str]] = []
        for model, rows in tables:
            column = BACKWARD_KEYS.get(model.__tablename__)
            given = [{**r, column: None} for r in rows] if column else rows
            sender = TOWNSHIP_CODE if model is SupplyItem else village.code
            result = replicate_rows(s, model, given, sender=sender)
            assert not result.conflicts, (model.__tablename__, result.conflicts[:3])
            copied += result.inserted + result.updated
            if column:
                later.append((model, rows, column))
        for model, rows, column in later:
            fill_deferred(s, model, rows, column)
    return copied


def demo_township(
    township: Database, folder: Path, count: int, *, people: int, today: dt.date
) -> list[DemoVillage]:
    """`count` demo villages copied into `township`. The ledger's rules hold per lot across the whole database
    (app/migrations 0003: one expiry date per item and lot): two demo villages may have drawn the same lot
    number with different expiry dates, which no real township's lots do; such a village is made again with
    another seed."""
    villages = []
    for n in range(1, count + 1):
        for attempt in range(5):
            village = make_village(folder, n, people=people, today=today, seed=100 + n + 1000 * attempt)
            try:
                copy_village(township, village)
            except sa.exc.IntegrityError as e:
                if "lot_expiry_mismatch" not in str(e) or attempt == 4:
                    raise
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{village.path}{suffix}").unlink(missing_ok=True)
                continue
            villages.append(village)
            break
    return villages
