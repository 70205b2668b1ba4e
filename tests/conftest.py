"""Shared fixtures: a fresh village database on disk, its officer, and a fixed "today"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.actor import Actor
from app.db import Database, open_database
from app.services.village import VillageSetup, set_up_village
from app.vocab import UserRole

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
def officer(empty_db: Database) -> Actor:
    """The officer (the village's first account, an administrator) acting for the village set up with three
    groups: what every write service takes."""
    return Actor(set_up_village(empty_db, SETUP), UserRole.ADMIN, SETUP.village_code)


@pytest.fixture
def db(empty_db: Database, officer: str) -> Database:
    return empty_db


# ---------------------------------------------------------------- a real PostgreSQL server


@pytest.fixture(scope="session")
def postgres_server():
    """The tests' own PostgreSQL server (tests/postgres.py), started once per worker; skipped with the reason
    where it truly cannot start."""
    from tests.postgres import PostgresUnavailable, running_server

    try:
        with running_server() as server:
            yield server
    except PostgresUnavailable as e:
        pytest.skip(f"PostgreSQL cannot start here: {e}")


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return postgres_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request, tmp_path) -> str:
    """The same test on a SQLite file and on a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fhdesk.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(autouse=True, scope="session")
def password_file(tmp_path_factory):
    """The command line reads a village's password from the file FHDESK_PASSWORD_FILE names (never from an
    argument): every test's villages use SETUP's password, and the demo villages the CLI makes get it too.
    Session-wide, so module-scoped fixtures that run the CLI see it as well."""
    path = tmp_path_factory.getbasetemp() / "password.txt"
    path.write_text(SETUP.password, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FHDESK_PASSWORD_FILE", str(path))
        mp.delenv("FHDESK_USER", raising=False)
        yield path
