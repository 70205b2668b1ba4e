"""Derived rows have ids computed from their source (issue 11): any two databases planning from the same records
make the very same follow-ups — a village and its restored backup, a village and the township."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.actor import Actor
from app.db import Database, open_database
from app.models import (
    ContraceptiveEpisode,
    FolicAcidCourse,
    Followup,
    Household,
    Person,
    Pregnancy,
    PrepregnancyCheck,
    VillagerGroup,
)
from app.models.ids import followup_id
from app.models.tracking import insert_rows, replicate_mode
from app.services import followups
from app.services.village import set_up_village
from app.vocab import UserRole
from tests.conftest import SETUP, TODAY

AT = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Actor]:
    """A village set up once, copied for every database of the property."""
    path = tmp_path_factory.mktemp("derived") / "template.sqlite"
    db = open_database(path)
    officer = Actor(set_up_village(db, SETUP), UserRole.ADMIN, SETUP.village_code)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path, officer


def _stamped(officer: Actor, record_id: str, **fields: object) -> dict[str, object]:
    return {
        "id": record_id,
        "rev": 1,
        "owner": officer.node,
        "created_at": AT,
        "created_by": officer.user_id,
        "updated_at": AT,
        "updated_by": officer.user_id,
        **fields,
    }


CARE = st.lists(
    st.tuples(
        st.sampled_from(["pregnancy", "method", "folic", "check"]),
        st.integers(min_value=0, max_value=400),  # days before TODAY the record starts
        st.sampled_from(["iud", "implant", "pill", "injectable", "condom"]),
    ),
    min_size=1,
    max_size=12,
)


def _write_records(db: Database, officer: Actor, records: list[tuple[str, int, str]]) -> None:
    """The same care records, with the same ids, as a package would bring them into each database."""
    with db.read() as s:
        group = s.execute(sa.select(VillagerGroup.id).where(VillagerGroup.number == 1)).scalar_one()
    with db.write(officer) as s, replicate_mode(s):
        insert_rows(s, Household, [_stamped(officer, "h-1", household_no="0101", group_id=group)])
        women = [
            _stamped(
                officer,
                f"w-{n}",
                household_id="h-1",
                name=f"妇女{n}",
                sex="F",
                birth_date=dt.date(1995, 1, 1),
            )
            for n in range(len(records))
        ]
        insert_rows(s, Person, women)
        for n, (kind, days_before, method) in enumerate(records):
            start = TODAY - dt.timedelta(days=days_before)
            woman = f"w-{n}"
            if kind == "pregnancy":
                insert_rows(s, Pregnancy, [_stamped(officer, f"p-{n}", woman_id=woman, lmp=start,
                                                    edd=start + dt.timedelta(days=280), registration_date=start)])  # fmt: skip
            elif kind == "method":
                insert_rows(s, ContraceptiveEpisode, [_stamped(officer, f"m-{n}", person_id=woman, method=method,
                                                               start_date=start, counselled_on=start)])  # fmt: skip
            elif kind == "folic":
                insert_rows(
                    s, FolicAcidCourse, [_stamped(officer, f"f-{n}", woman_id=woman, start_date=start)]
                )
            else:
                insert_rows(
                    s, PrepregnancyCheck, [_stamped(officer, f"c-{n}", woman_id=woman, check_date=start)]
                )


def _planned(db: Database) -> list[tuple[object, ...]]:
    with db.read() as s:
        return [
            tuple(r)
            for r in s.execute(
                sa.select(
                    Followup.id,
                    Followup.source_id,
                    Followup.followup_type,
                    Followup.occurrence,
                    Followup.earliest_date,
                    Followup.due_date,
                    Followup.latest_date,
                    Followup.status,
                ).order_by(Followup.id)
            )
        ]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=CARE)
@example(
    records=[("pregnancy", 30, "iud"), ("method", 100, "iud"), ("folic", 10, "iud"), ("check", 200, "iud")]
)
def test_two_fresh_databases_plan_the_same_follow_ups_with_the_same_ids(template, tmp_path_factory, records):
    path, officer = template
    plans = []
    for name in ("village", "township"):
        copy = tmp_path_factory.mktemp(name) / "fhdesk.sqlite"
        shutil.copyfile(path, copy)
        db = open_database(copy)
        try:
            _write_records(db, officer, records)
            followups.regenerate_all(db, officer, TODAY)
            plans.append(_planned(db))
        finally:
            db.dispose()
    assert plans[0] == plans[1]
    if any(kind in ("pregnancy", "folic") for kind, _, _ in records):
        assert plans[0], "a pregnancy or a folic-acid course plans follow-ups"
    for fid, source, ftype, occurrence, *_ in plans[0]:
        assert fid == followup_id(str(source), str(ftype), int(occurrence))  # type: ignore[arg-type]
