"""What a failed write leaves in the log, on SQLite and on PostgreSQL: the error, the table and the record —
never a name, a phone number or another value (issue 12, item 22). The files' modes: tests/integration/
test_file_modes.py; the desktop app's log: tests/ui/test_private_log.py."""

from __future__ import annotations

import logging
import re

import pytest
import sqlalchemy as sa

from app.actor import Actor
from app.db import open_database, open_url
from app.errors import DomainError
from app.logs import describe_exception, format_exception, log_exception
from app.models import Household, VillagerGroup
from app.services.village import set_up_village
from app.vocab import UserRole
from tests.conftest import SETUP

CANARY_NAME = "王金丝雀"
CANARY_PHONE = "13712345678"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.fixture
def village(any_url, tmp_path):
    db = open_database(tmp_path / "fhdesk.sqlite") if any_url.startswith("sqlite") else open_url(any_url)
    actor = Actor(set_up_village(db, SETUP), UserRole.ADMIN, SETUP.village_code)
    yield db, actor
    db.dispose()


def add_household(db, actor, number: str) -> str:
    with db.write(actor) as s:
        group = s.execute(sa.select(VillagerGroup.id).where(VillagerGroup.number == 1)).scalar_one()
        household = Household(
            household_no=number, group_id=group, address=f"{CANARY_NAME}家", phone=CANARY_PHONE
        )
        s.add(household)
        s.flush()
        return household.id


def failed_write(db, actor) -> sa.exc.StatementError:
    """The same household number twice, past the service's own check: the database refuses the second."""
    add_household(db, actor, CANARY_NAME)
    with pytest.raises(sa.exc.IntegrityError) as caught:
        add_household(db, actor, CANARY_NAME)
    return caught.value


def test_a_failed_write_is_described_without_its_values(village, tmp_path):
    db, actor = village
    error = failed_write(db, actor)
    line = describe_exception(error)
    assert CANARY_NAME not in line and CANARY_PHONE not in line
    assert line.startswith("sqlalchemy.exc.IntegrityError: ")
    assert re.search(rf"table household; record {UUID}$", line), line
    full = format_exception(error)
    assert CANARY_NAME not in full and CANARY_PHONE not in full
    assert "Traceback (most recent call last)" in full and "add_household" in full

    log = log_exception(tmp_path / "logs", "saving a household failed", error)
    text = log.read_text(encoding="utf-8")
    assert "saving a household failed" in text and "table household" in text
    assert CANARY_NAME not in text and CANARY_PHONE not in text


def test_the_engine_keeps_values_out_of_its_own_messages(tmp_path):
    """SQLAlchemy's text of a failed statement shows no parameters (hide_parameters on every engine)."""
    db = open_database(tmp_path / "fhdesk.sqlite")
    actor = Actor(set_up_village(db, SETUP), UserRole.ADMIN, SETUP.village_code)
    try:
        error = failed_write(db, actor)
        assert CANARY_PHONE not in str(error) and CANARY_NAME not in str(error)
        assert "INSERT INTO household" in str(error)
    finally:
        db.dispose()


def test_a_handler_formatting_first_does_not_leak_its_text_into_the_log(tmp_path):
    """logging caches a record's traceback text: a console handler that formats first must not put the
    full text of the error into the file."""
    from app.logs import SafeFormatter

    error = ValueError(f"invalid literal for int() with base 10: '{CANARY_NAME}'")
    record = logging.LogRecord(
        "app", logging.ERROR, __file__, 1, "failed: %s", (error,), (ValueError, error, None)
    )
    plain = logging.Formatter("%(message)s").format(record)
    assert CANARY_NAME in plain  # what any other handler would write
    safe = SafeFormatter("%(message)s").format(record)
    assert CANARY_NAME not in safe and safe.startswith("failed: ValueError") and "ValueError" in safe


@pytest.mark.parametrize(
    "error, expected",
    [
        (KeyError(CANARY_PHONE), "KeyError"),
        (
            OSError(13, "Permission denied", f"/home/officer/{CANARY_NAME}.xlsx"),
            "PermissionError: [Errno 13]",
        ),
        (DomainError("household.number_taken", "household_no", number=CANARY_NAME), "household.number_taken"),
        (UnicodeEncodeError("utf-8", CANARY_NAME, 0, 1, "surrogates"), "utf-8 surrogates"),
    ],
)
def test_other_errors_keep_their_kind_and_drop_their_values(error, expected):
    line = describe_exception(error)
    assert expected in line
    assert CANARY_NAME not in line and CANARY_PHONE not in line
