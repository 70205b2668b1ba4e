"""One database, many villages (issue 11): keys scoped by their village, ownership, replicate mode, batches of
writes in one transaction with one re-plan — on a SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from app.actor import Actor
from app.clock import now_utc
from app.db import Database, open_url
from app.errors import DomainError
from app.models import (
    AuditEvent,
    ContraceptiveEpisode,
    Followup,
    Household,
    Person,
    SupplyItem,
    VillageProfile,
    VillagerGroup,
    tracking,
)
from app.models.tracking import NotOwner
from app.services import care, followup_sync
from app.services import households as hh
from app.services.village import set_up_village
from app.vocab import UserRole
from tests.conftest import SETUP, TODAY

A = SETUP.village_code  # 620422103201, the database's home village
B = "620422103202"  # a second village of the same township
SAME_ID = "110101199003071233"


@pytest.fixture
def township(any_url: str) -> tuple[Database, Actor, Actor]:
    """A database holding village A (set up) and village B (its profile and groups), each with an officer."""
    db = open_url(any_url)
    officer_a = Actor(set_up_village(db, SETUP), UserRole.ADMIN, A)
    officer_b = Actor("0193aaaa-0000-7000-8000-00000000000b", UserRole.OFFICER, B)
    with db.write(officer_b) as s:
        s.add(
            VillageProfile(
                code=B,
                home=False,
                name="东风村",
                township_code=SETUP.township_code,
                township_name=SETUP.township_name,
                created_at=now_utc(),
            )
        )
        for number, name in enumerate(("一组", "二组", "三组"), start=1):
            s.add(VillagerGroup(number=number, name=name))
    yield db, officer_a, officer_b
    db.dispose()


def _household_with(db: Database, officer: Actor, number: str, name: str) -> tuple[str, str]:
    h = hh.create_household(db, officer, hh.HouseholdInput(number, 1, f"{name}家"))
    p = hh.add_person(db, officer, h, hh.PersonInput(name, id_number=SAME_ID, relation="head"), TODAY)
    return h, p


def test_two_villages_keep_the_same_group_and_household_numbers_and_one_catalogue(township):
    db, officer_a, officer_b = township
    ha, pa = _household_with(db, officer_a, "0101", "张三")
    hb, pb = _household_with(db, officer_b, "0101", "张三丰")  # the same number, the same ID number
    with db.read() as s:
        groups = s.execute(sa.select(VillagerGroup.owner, VillagerGroup.number)).all()
        assert sorted(groups) == [(A, 1), (A, 2), (A, 3), (B, 1), (B, 2), (B, 3)]
        homes = {h.owner: (h.household_no, h.group_no) for h in s.execute(sa.select(Household)).scalars()}
        assert homes == {A: ("0101", 1), B: ("0101", 1)}
        assert {
            p.owner for p in s.execute(sa.select(Person).where(Person.id_number == SAME_ID)).scalars()
        } == {A, B}
        items = s.execute(sa.select(SupplyItem.owner, sa.func.count()).group_by(SupplyItem.owner)).all()
    assert items == [(SETUP.township_code, 8)]  # one catalogue, the township's, for both villages
    # within one village the keys stay as strict as before: by the service...
    with pytest.raises(DomainError) as number_taken:
        hh.create_household(db, officer_a, hh.HouseholdInput("0101", 2))
    assert number_taken.value.msg_id == "household.number_taken"
    with pytest.raises(DomainError) as id_taken:
        hh.add_person(db, officer_b, hb, hh.PersonInput("张小丰", id_number=SAME_ID), TODAY)
    assert id_taken.value.msg_id == "person.id_taken"
    # ...and by the database itself, whatever code writes
    for statement in (
        sa.update(Household).where(Household.owner == B).values(owner=A),
        sa.update(Person).where(Person.owner == B).values(owner=A),
    ):
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(statement)


def test_a_village_cannot_change_another_villages_record_and_is_told_whose_it_is(township):
    db, officer_a, officer_b = township
    hb, pb = _household_with(db, officer_b, "0101", "张三丰")
    with pytest.raises(NotOwner) as refused:
        hh.update_household(db, officer_a, hb, hh.HouseholdInput("0102", 1, "改地址"))
    assert "东风村（620422103202）" in refused.value.message()
    with pytest.raises(NotOwner):
        care.choose_method(db, officer_a, pb, care.MethodInput("condom", TODAY, TODAY), TODAY)
    assert hh.get_household(db, hb).address == "张三丰家"  # nothing changed


def _incoming(rev: int, **data: object) -> dict[str, object]:
    """A household row as village B's package would carry it."""
    at = dt.datetime(2026, 10, 30, 0, 0, 1, 123456, tzinfo=dt.UTC)
    return {
        "id": "0193bbbb-0000-7000-8000-000000000001",
        "rev": rev,
        "owner": B,
        "created_at": dt.datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
        "created_by": "0193aaaa-0000-7000-8000-00000000000b",
        "updated_at": at,
        "updated_by": "0193aaaa-0000-7000-8000-00000000000b",
        "household_no": "0301",
        "address": "东风村三组",
        "residence_type": "local",
        "notes": "",
        **data,
    }


def test_replicate_mode_keeps_the_incoming_metadata_exactly(township):
    db, officer_a, officer_b = township
    with db.read() as s:
        group = s.execute(
            sa.select(VillagerGroup.id).where(VillagerGroup.owner == B, VillagerGroup.number == 3)
        ).scalar_one()
    importer = Actor("0193cccc-0000-7000-8000-00000000000c", UserRole.ADMIN, SETUP.township_code)
    row = _incoming(7, group_id=group)
    with db.write(importer) as s:
        result = tracking.replicate_rows(s, Household, [row], sender=B)
    assert (result.inserted, result.updated, result.skipped, result.conflicts) == (1, 0, 0, ())
    with db.read() as s:
        stored = s.get(Household, row["id"])
        for key in ("id", "rev", "owner", "created_at", "created_by", "updated_at", "updated_by"):
            assert getattr(stored, key) == row[key], key
        line = s.execute(sa.select(AuditEvent).where(AuditEvent.record_id == row["id"])).scalar_one()
        assert (line.action, line.record_rev, line.user_id) == ("replicate", 7, importer.user_id)
        assert line.after_digest == tracking.row_digest(Household.__table__, {**row, "deleted_at": None})
    with db.write(importer) as s:
        again = tracking.replicate_rows(s, Household, [row, _incoming(6, group_id=group)], sender=B)
        newer = tracking.replicate_rows(s, Household, [_incoming(8, group_id=group, notes="改了")], sender=B)
        forged = tracking.replicate_rows(
            s, Household, [_incoming(9, group_id=group, notes="冒充")], sender="620422103299"
        )
    assert (again.skipped, newer.updated, forged.conflicts) == (2, 1, ((row["id"], B),))
    with db.read() as s:
        stored = s.get(Household, row["id"])
        assert (stored.rev, stored.notes) == (8, "改了")
        changes = json.loads(
            s.execute(
                sa.select(AuditEvent.changes)
                .where(AuditEvent.record_id == row["id"])
                .order_by(AuditEvent.seq.desc())
            )
            .scalars()
            .first()
        )
        assert changes["notes"] == ["", "改了"] and changes["rev"] == [7, 8]
        assert tracking.broken_links(s) == []


def test_three_thousand_people_in_one_transaction_with_one_replan(township, monkeypatch):
    db, officer_a, _ = township
    planned: list[int] = []
    real_apply = followup_sync._apply
    monkeypatch.setattr(
        followup_sync,
        "_apply",
        lambda s, sources, *rest, **kw: planned.append(len(sources)) or real_apply(s, sources, *rest, **kw),
    )
    with db.write(officer_a) as s, followup_sync.replan_once(s, TODAY):
        home = hh.do_create_household(s, officer_a, hh.HouseholdInput("0101", 1))
        for n in range(3000):
            pid = hh.do_add_person(
                s, officer_a, home, hh.PersonInput(f"村民{n}", sex="F", birth_date=dt.date(1990, 1, 1)), TODAY
            )
            if n % 3 == 0:
                care.do_choose_method(s, officer_a, pid, care.MethodInput("iud", TODAY, TODAY), TODAY)
        hh.do_update_person(
            s, officer_a, pid, hh.PersonInput("村民二九九九", sex="F", birth_date=dt.date(1990, 1, 1)), TODAY
        )
    assert len(planned) == 2  # one re-plan at the end, in two rounds of at most 500 people... of the 1,000
    with db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(Person)).scalar_one() == 3000
        assert s.execute(sa.select(sa.func.count()).select_from(ContraceptiveEpisode)).scalar_one() == 1000
        assert s.execute(sa.select(sa.func.count()).select_from(Followup)).scalar_one() >= 1000
        edit = (
            s.execute(
                sa.select(AuditEvent).where(AuditEvent.record_id == pid).order_by(AuditEvent.seq.desc())
            )
            .scalars()
            .first()
        )
        assert (edit.action, edit.record_rev) == ("update", 2)
        assert json.loads(edit.changes)["name"] == ["村民2999", "村民二九九九"]
        assert tracking.broken_links(s) == []


def test_a_batch_that_fails_at_its_last_row_leaves_nothing_behind(township):
    db, officer_a, _ = township
    with db.read() as s:
        before = (
            s.execute(sa.select(sa.func.count()).select_from(Person)).scalar_one(),
            s.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one(),
        )
    with pytest.raises(DomainError), db.write(officer_a) as s, followup_sync.replan_once(s, TODAY):
        home = hh.do_create_household(s, officer_a, hh.HouseholdInput("0101", 1))
        for n in range(3000):
            data = hh.PersonInput(f"村民{n}", sex="F", birth_date=dt.date(1990, 1, 1))
            if n == 2998:
                data = hh.PersonInput("", sex="F", birth_date=dt.date(1990, 1, 1))  # the 2,999th has no name
            pid = hh.do_add_person(s, officer_a, home, data, TODAY)
            care.do_choose_method(s, officer_a, pid, care.MethodInput("iud", TODAY, TODAY), TODAY)
    with db.read() as s:
        after = (
            s.execute(sa.select(sa.func.count()).select_from(Person)).scalar_one(),
            s.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one(),
        )
        assert s.execute(sa.select(sa.func.count()).select_from(Household)).scalar_one() == 0
    assert after == before


def test_a_reviewer_reads_but_cannot_change(township):
    db, officer_a, _ = township
    h, p = _household_with(db, officer_a, "0101", "张三")
    reviewer = Actor(officer_a.user_id, UserRole.REVIEWER, A)
    with pytest.raises(DomainError) as refused:
        hh.update_household(db, reviewer, h, hh.HouseholdInput("0101", 1, "新地址"))
    assert refused.value.msg_id == "permission.denied"
    assert "乡镇审核" in refused.value.message()
    assert hh.get_household(db, h).address == "张三家"
