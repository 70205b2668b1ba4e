"""Shared fixtures: a fresh village database on disk, its officer, and a fixed "today"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.db import Database, open_database
from app.services.village import VillageSetup, set_up_village

TODAY = dt.date(2026, 11, 24)

SETUP = VillageSetup(
    village_name="红星村",
    village_code="620422103201",
    township_name="白银镇",
    township_code="620422103000",
    groups=("一组", "二组", "三组"),
    officer_name="李秀英",
    username="lixiuying",
    password="secret123",
    officer_phone="13912345678",
)


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture
def empty_db(tmp_path: Path) -> Database:
    db = open_database(tmp_path / "fhdesk.sqlite")
    yield db
    db.dispose()


@pytest.fixture
def officer(empty_db: Database) -> str:
    """The officer's user id, on a village set up with three groups."""
    return set_up_village(empty_db, SETUP)


@pytest.fixture
def db(empty_db: Database, officer: str) -> Database:
    return empty_db
