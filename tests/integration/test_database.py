"""The database file itself: connection settings, every model saved and read back, the rules the database
enforces on its own (whatever code writes to it), and the tracking hook (rev, owner, who, audit chain)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.actor import Actor
from app.clock import CHINA_TZ, now_utc
from app.db import Database, open_database
from app.errors import DomainError
from app.models import (
    SYSTEM_USER_ID,
    TRAVELLING_MODELS,
    AuditEvent,
    ContraceptiveEpisode,
    FolicAcidCourse,
    Followup,
    FollowupAnswer,
    Household,
    Person,
    Pregnancy,
    PrepregnancyCheck,
    StockMovement,
    SupplyItem,
    SupportEntitlement,
    SyncState,
    User,
    VillageProfile,
    VillagerGroup,
    VitalEvent,
    new_id,
    tracking,
)
from app.models.tracking import GENESIS_HASH, HardDeleteRefused
from app.services import households as hh
from app.services.auth import hash_password

CODE = "620422103201"  # the village of tests/conftest.py


# ---------------------------------------------------------------- helpers


def meta(**values: object) -> dict[str, object]:
    """The sync columns a raw insert must fill itself (the ORM hook is bypassed)."""
    now = now_utc()
    return {
        "id": new_id(),
        "rev": 1,
        "owner": CODE,
        "created_at": now,
        "created_by": SYSTEM_USER_ID,
        "updated_at": now,
        "updated_by": SYSTEM_USER_ID,
        **values,
    }


def raw_insert(db: Database, model: type, **values: object) -> str:
    row = meta(**values)
    with db.engine.begin() as conn:
        conn.execute(sa.insert(model.__table__).values(row))
    return str(row["id"])


def raw_person(db: Database, household_id: str, **values: object) -> str:
    person = {"household_id": household_id, "name": "王芳", "sex": "F", "birth_date": dt.date(1990, 1, 1)}
    return raw_insert(db, Person, **{**person, **values})


def audit_count(db: Database) -> int:
    with db.read() as s:
        return s.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()


def broken_links(db: Database) -> list[int]:
    with db.read() as s:
        return tracking.broken_links(s)


def group_id(db: Database, number: int) -> str:
    with db.read() as s:
        return s.execute(sa.select(VillagerGroup.id).where(VillagerGroup.number == number)).scalar_one()


@pytest.fixture
def household(db: Database, officer: Actor) -> str:
    return hh.create_household(db, officer, hh.HouseholdInput("0101", 1, "红星村一组 1 号"))


# ---------------------------------------------------------------- connection settings


def pragmas(conn: sa.Connection) -> tuple[int, str, int]:
    return (
        conn.exec_driver_sql("PRAGMA foreign_keys").scalar(),
        conn.exec_driver_sql("PRAGMA journal_mode").scalar(),
        conn.exec_driver_sql("PRAGMA synchronous").scalar(),
    )


def test_pragmas_are_set_on_every_connection(tmp_path: Path):
    db = open_database(tmp_path / "a.sqlite")
    try:
        with db.engine.connect() as a, db.engine.connect() as b:
            assert a.connection.dbapi_connection is not b.connection.dbapi_connection
            assert pragmas(a) == (1, "wal", 2)  # synchronous 2 = FULL
            assert pragmas(b) == (1, "wal", 2)
        with db.read() as s:
            assert pragmas(s.connection()) == (1, "wal", 2)
        with db.write(SYSTEM_USER_ID) as s:
            assert pragmas(s.connection()) == (1, "wal", 2)
    finally:
        db.dispose()
    # reopened later: the same again, and the file itself is in WAL mode
    db = open_database(tmp_path / "a.sqlite")
    with db.engine.connect() as c:
        assert pragmas(c) == (1, "wal", 2)
    db.dispose()
    plain = sqlite3.connect(tmp_path / "a.sqlite")
    assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    plain.close()


# ---------------------------------------------------------------- every model round-trips


def test_every_model_round_trips(empty_db: Database):
    db = empty_db
    china_morning = dt.datetime(2026, 11, 24, 8, 30, 15, 123456, tzinfo=CHINA_TZ)  # 00:30:15.123456 UTC
    profile = {
        "code": CODE,
        "home": True,
        "name": "红星村",
        "township_code": "620422103000",
        "township_name": "白银镇",
        "officer_phone": "13912345678",
        "created_at": china_morning,
    }
    sync = {
        "node": CODE,
        "epoch": 2,
        "last_seq": 7,
        "last_package_id": "p7",
        "acked_seq": 6,
        "acked_package_id": "p6",
        "acked_at": china_morning,
        "acked_audit_seq": 40,
    }
    user = {
        "id": new_id(),
        "username": "lixiuying",
        "display_name": "李秀英",
        "password_hash": "argon2-hash",
        "role": "admin",
        "phone": "13912345678",
        "active": True,
        "created_at": china_morning,
    }
    with db.write(Actor.system(CODE)) as s:
        s.add_all([VillageProfile(**profile), SyncState(**sync), User(**user)])
    db.refresh_profile()
    assert db.node == CODE

    ids = {m: new_id() for m in TRAVELLING_MODELS}
    d = dt.date
    rows: dict[type, dict[str, object]] = {
        VillagerGroup: {"number": 1, "name": "一组"},
        Household: {
            "household_no": "0101",
            "group_id": ids[VillagerGroup],
            "address": "一组 1 号",
            "phone": "0931-8123456",
            "residence_type": "local",
            "notes": "备注",
        },
        Person: {
            "household_id": ids[Household],
            "name": "王芳",
            "name_pinyin": "wangfang",
            "name_initials": "wf",
            "sex": "F",
            "birth_date": d(1995, 2, 28),
            "id_number": "11010519491231002X",
            "relation": "spouse",
            "marital_status": "first_marriage",
            "marriage_date": d(2018, 10, 1),
            "phone": "13900001111",
            "residence_status": "out_migrant",
            "residence_place": "兰州市",
            "notes": "",
        },
        VitalEvent: {
            "person_id": ids[Person],
            "household_id": ids[Household],
            "event_type": "move_out",
            "event_date": d(2026, 3, 1),
            "place": "兰州市",
            "notes": "打工",
        },
        Pregnancy: {
            "woman_id": ids[Person],
            "lmp": d(2026, 5, 1),
            "edd": d(2027, 2, 5),
            "edd_by_ultrasound": True,
            "registration_date": d(2026, 7, 1),
            "gravidity": 2,
            "parity": 1,
            "risk_notes": "",
            "planned_facility": "县医院",
            "birth_reg_no": "BR-1",
            "birth_reg_date": d(2026, 7, 2),
            "child_order": 2,
            "outcome": None,
            "live_births": 0,
        },
        PrepregnancyCheck: {
            "woman_id": ids[Person],
            "partner_id": None,
            "check_date": d(2026, 1, 10),
            "risk_grade": "high",
            "counselling": "叶酸 4 mg",
            "pregnancy_id": ids[Pregnancy],
        },
        ContraceptiveEpisode: {
            "person_id": ids[Person],
            "method": "condom",
            "start_date": d(2024, 1, 1),
            "stop_date": d(2026, 1, 1),
            "stop_reason": "计划怀孕",
            "counselled_on": d(2024, 1, 1),
            "counselling_notes": "知情选择",
        },
        FolicAcidCourse: {
            "woman_id": ids[Person],
            "start_date": d(2026, 1, 10),
            "end_date": None,
            "dose_mg": 0.4,
            "bottles_issued": 3,
            "high_risk_reason": "",
        },
        Followup: {
            "person_id": ids[Person],
            "followup_type": "anc2",
            "source_table": "pregnancy",
            "source_id": ids[Pregnancy],
            "occurrence": 1,
            "earliest_date": d(2026, 8, 21),
            "due_date": d(2026, 8, 21),
            "latest_date": d(2026, 9, 17),
            "status": "done",
            "done_date": d(2026, 9, 1),
            "result": "正常",
            "checklist_version": "v1",
        },
        FollowupAnswer: {"followup_id": ids[Followup], "item_key": "bp", "value": "110/70"},
        SupplyItem: {
            "code": "FA04",
            "name": "叶酸片 0.4mg",
            "form": "片",
            "unit": "瓶",
            "category": "folic_acid",
            "days_per_unit": 31,
            "reorder_level": 10,
        },
        StockMovement: {
            "item_id": ids[SupplyItem],
            "lot": "L2026",
            "expiry_date": d(2028, 1, 31),
            # incoming: the database refuses an outgoing movement from a lot with nothing in it
            "movement_type": "receipt",
            "direction": 1,
            "quantity": 3,
            "movement_date": d(2026, 1, 10),
            "person_id": ids[Person],
            "folic_acid_course_id": ids[FolicAcidCourse],
            "document_no": "D1",
            "reason": "",
        },
        SupportEntitlement: {
            "household_id": ids[Household],
            "person_id": ids[Person],
            "kind": "reward",
            "year_confirmed": 2026,
            "assigned_on": dt.date(2026, 1, 15),
            "ended_on": None,
            "contact_name": "李秀英",
            "contact_phone": "13912345678",
            "visit_interval_months": 3,
            "notes": "",
        },
    }
    assert set(rows) == set(TRAVELLING_MODELS), "add a row here for every new travelling model"

    written = {}
    with db.write(Actor(user["id"], "admin", CODE)) as s:
        for model in TRAVELLING_MODELS:  # the sync package's dependency order
            obj = model(id=ids[model], **rows[model])
            s.add(obj)
            s.flush()
            written[model] = obj

    with db.read() as s:
        assert s.get(VillageProfile, CODE) is not None
        for key, value in profile.items():
            assert getattr(s.get(VillageProfile, CODE), key) == value, key
        for key, value in sync.items():
            assert getattr(s.get(SyncState, CODE), key) == value, key
        for key, value in user.items():
            assert getattr(s.get(User, user["id"]), key) == value, key
        acked_at = s.get(SyncState, CODE).acked_at
        assert acked_at.utcoffset() == dt.timedelta(0)  # read back as aware UTC
        assert (acked_at.hour, acked_at.minute, acked_at.microsecond) == (0, 30, 123456)

        for model in TRAVELLING_MODELS:
            back = s.get(model, ids[model])
            assert back is not None, model.__name__
            for key, value in rows[model].items():
                assert getattr(back, key) == value, f"{model.__name__}.{key}"
            for column in model.__table__.columns:  # defaults and sync metadata too
                assert getattr(back, column.key) == getattr(written[model], column.key), column.key
            assert (back.rev, back.owner, back.created_by, back.updated_by) == (
                1,
                CODE,
                user["id"],
                user["id"],
            )
            assert back.created_at.tzinfo is not None and back.created_at.utcoffset() == dt.timedelta(0)
            assert abs(now_utc() - back.created_at) < dt.timedelta(minutes=1)
            assert back.deleted_at is None

        audit = (
            s.execute(
                sa.select(AuditEvent).where(
                    AuditEvent.action == "insert",
                    AuditEvent.record_table.not_in(("app_user", "village_profile")),
                )
            )
            .scalars()
            .all()
        )
    assert {(e.record_table, e.record_id) for e in audit} == {
        (m.__tablename__, ids[m]) for m in TRAVELLING_MODELS
    }
    assert {e.user_id for e in audit} == {user["id"]}
    person_line = next(e for e in audit if e.record_table == "person")
    # a new row's line holds its whole image; its digest is the after-image's
    assert json.loads(person_line.changes)["name"] == "王芳"
    assert json.loads(person_line.changes)["birth_date"] == "1995-02-28"
    assert person_line.after_digest == hashlib.sha256(person_line.changes.encode()).hexdigest()
    assert broken_links(db) == []


def test_a_naive_datetime_is_refused(empty_db: Database):
    with pytest.raises(sa.exc.StatementError), empty_db.write(Actor.system(CODE)) as s:
        s.add(SyncState(node=CODE, acked_at=dt.datetime(2026, 11, 24, 8, 0)))


# ---------------------------------------------------------------- the database refuses on its own


def test_two_living_people_cannot_share_an_id_number(db: Database, household: str):
    raw_person(db, household, id_number="11010519491231002X")
    with pytest.raises(sa.exc.IntegrityError):
        raw_person(db, household, name="王芳芳", id_number="11010519491231002X")


def test_a_deceased_person_may_share_an_id_number(db: Database, household: str):
    raw_person(
        db,
        household,
        id_number="11010519491231002X",
        residence_status="deceased",
        death_date=dt.date(2020, 1, 1),
    )
    raw_person(db, household, id_number="11010519491231002X")  # the living one
    with pytest.raises(sa.exc.IntegrityError):  # but not a second living one
        raw_person(db, household, id_number="11010519491231002X")
    # a soft-deleted record does not count either
    raw_insert(
        db,
        Person,
        household_id=household,
        name="错录",
        sex="F",
        birth_date=dt.date(1949, 12, 31),
        id_number="110101199003071233",
        deleted_at=now_utc(),
        deleted_reason="重复录入",
    )
    raw_person(db, household, id_number="110101199003071233", sex="M")


def test_a_woman_has_at_most_one_open_pregnancy(db: Database, household: str):
    woman = raw_person(db, household)
    preg = {
        "woman_id": woman,
        "lmp": dt.date(2026, 5, 1),
        "edd": dt.date(2027, 2, 5),
        "registration_date": dt.date(2026, 7, 1),
    }
    raw_insert(db, Pregnancy, **preg)
    with pytest.raises(sa.exc.IntegrityError):
        raw_insert(db, Pregnancy, **preg)
    # an ended pregnancy does not block a new one
    raw_insert(
        db,
        Pregnancy,
        **{
            **preg,
            "lmp": dt.date(2024, 1, 1),
            "edd": dt.date(2024, 10, 7),
            "outcome": "live_birth",
            "outcome_date": dt.date(2024, 10, 1),
        },
    )


@pytest.mark.parametrize("quantity", [0, -5])
def test_a_stock_movement_quantity_must_be_positive(db: Database, quantity: int):
    item = raw_insert(db, SupplyItem, code="C1", name="避孕套", unit="只", category="contraceptive")
    movement = {
        "item_id": item,
        "lot": "L1",
        "expiry_date": dt.date(2028, 1, 1),
        "movement_type": "receipt",
        "direction": 1,
        "movement_date": dt.date(2026, 11, 1),
    }
    raw_insert(db, StockMovement, quantity=10, **movement)
    with pytest.raises(sa.exc.IntegrityError, match="quantity_positive"):
        raw_insert(db, StockMovement, quantity=quantity, **movement)


def test_a_household_needs_a_known_villager_group(db: Database):
    raw_insert(db, Household, household_no="0301", group_id=group_id(db, 3))
    with pytest.raises(sa.exc.IntegrityError, match="FOREIGN KEY"):
        raw_insert(db, Household, household_no="0901", group_id=new_id())


def test_a_person_cannot_die_before_being_born(db: Database, household: str):
    with pytest.raises(sa.exc.IntegrityError, match="death_after_birth"):
        raw_person(db, household, residence_status="deceased", death_date=dt.date(1989, 12, 31))
    raw_person(db, household, residence_status="deceased", death_date=dt.date(1990, 1, 1))  # same day is fine


def test_deceased_status_and_death_date_go_together(db: Database, household: str):
    with pytest.raises(sa.exc.IntegrityError):
        raw_person(db, household, residence_status="deceased")
    with pytest.raises(sa.exc.IntegrityError):
        raw_person(db, household, death_date=dt.date(2020, 1, 1))


def test_codes_outside_their_vocabulary_are_refused(db: Database, household: str):
    with pytest.raises(sa.exc.IntegrityError, match="sex_valid"):
        raw_person(db, household, sex="X")


# ---------------------------------------------------------------- the tracking hook


def test_every_database_object_gets_the_hook(empty_db: Database):
    """Opening a database again in the same process (restore, switching files) must install the hook each time.
    It once checked with event.contains(), which SQLAlchemy keys by id(): a new session factory that reused
    a freed one's id was skipped, and its writes went unstamped and unaudited (~1 in 5 in this loop)."""
    for number in range(1, 101):
        db = Database(empty_db.engine)
        with db.write(Actor.system(CODE)) as s:
            s.add(VillagerGroup(number=number, name=f"{number}组"))
        del db
    with empty_db.read() as s:
        stamped = s.execute(
            sa.select(sa.func.count())
            .select_from(VillagerGroup)
            .where(VillagerGroup.created_by == SYSTEM_USER_ID)
        ).scalar_one()
    assert stamped == 100
    assert audit_count(empty_db) == 100


def test_a_new_record_is_stamped(db: Database, officer: Actor, household: str):
    with db.read() as s:
        h = s.get(Household, household)
    assert (h.rev, h.owner, h.created_by, h.updated_by) == (1, CODE, officer.user_id, officer.user_id)
    assert h.created_at == h.updated_at
    assert h.created_at.utcoffset() == dt.timedelta(0)


def test_an_edit_bumps_rev_and_names_the_editor(db: Database, officer: Actor, household: str):
    doctor = Actor(new_id(), "officer", CODE)
    with db.write(officer) as s:
        s.add(
            User(
                id=doctor.user_id,
                username="doctor",
                display_name="王医生",
                password_hash=hash_password("secret123"),
                role="officer",
                created_at=now_utc(),
            )
        )
    hh.update_household(db, doctor, household, hh.HouseholdInput("0101", 2, "红星村二组 5 号"))
    with db.read() as s:
        h = s.get(Household, household)
        lines = (
            s.execute(sa.select(AuditEvent).where(AuditEvent.record_id == household).order_by(AuditEvent.seq))
            .scalars()
            .all()
        )
    assert (h.rev, h.group_no, h.created_by, h.updated_by) == (2, 2, officer.user_id, doctor.user_id)
    assert h.updated_at > h.created_at
    assert [(e.action, e.record_rev, e.user_id) for e in lines] == [
        ("insert", 1, officer.user_id),
        ("update", 2, doctor.user_id),
    ]
    assert json.loads(lines[1].changes) == {
        "group_id": [group_id(db, 1), group_id(db, 2)],
        "address": ["红星村一组 1 号", "红星村二组 5 号"],
    }


def test_saving_without_a_change_does_not_bump_rev(db: Database, officer: Actor, household: str):
    before = audit_count(db)
    hh.update_household(db, officer, household, hh.HouseholdInput("0101", 1, "红星村一组 1 号"))
    with db.read() as s:
        assert s.get(Household, household).rev == 1
    assert audit_count(db) == before


def test_a_hard_delete_is_refused_and_nothing_is_saved(db: Database, officer: Actor, household: str, today):
    pid = hh.add_person(db, officer, household, hh.PersonInput("张三", id_number="110101199003071233"), today)
    before = audit_count(db)
    with pytest.raises(HardDeleteRefused), db.write(officer) as s:
        p = s.get(Person, pid)
        p.notes = "删除前改一下"
        s.delete(p)
    person = hh.get_person(db, pid)
    assert (person.name, person.notes, person.rev) == ("张三", "", 1)
    assert audit_count(db) == before


def test_a_change_needs_an_acting_user(db: Database, household: str):
    with pytest.raises(tracking.NoActor, match="acting person"), db._write() as s, s.begin():
        s.get(Household, household).notes = "无人"
    with db.read() as s:
        assert s.get(Household, household).notes == ""


def test_audit_lines_form_a_hash_chain_and_name_the_user(db: Database, officer: Actor, household: str, today):
    pid = hh.add_person(
        db, officer, household, hh.PersonInput("张三", id_number="110101199003071233", relation="head"), today
    )
    hh.record_move_away(db, officer, pid, dt.date(2026, 5, 1), "兰州市", today, permanent=False)
    with db.read() as s:
        events = s.execute(sa.select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    # set-up: the profile, the officer's account, 3 groups, then the 8 items of the township's supply
    # catalogue (replicated); household, person, household's head; then the move: its event, the person
    # (within one flush the hook writes new records before edited ones)
    assert [(e.action, e.record_table) for e in events] == [
        ("insert", "village_profile"),
        ("insert", "app_user"),
    ] + [("insert", "villager_group")] * 3 + [("replicate", "supply_item")] * 8 + [
        ("insert", "household"),
        ("insert", "person"),
        ("update", "household"),
        ("insert", "vital_event"),
        ("update", "person"),
    ]
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert {e.user_id for e in events} == {officer.user_id}
    assert broken_links(db) == []
    person_lines = [(e.action, e.record_rev) for e in events if e.record_id == pid]
    assert person_lines == [("insert", 1), ("update", 2)]

    # the check can fail: an audit line edited afterwards (the trail's trigger dropped first: the database
    # itself refuses the edit otherwise) no longer matches its hash
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_event_no_update")
        conn.execute(sa.update(AuditEvent).where(AuditEvent.seq == events[3].seq).values(changes="{}"))
    assert broken_links(db) == [events[3].seq]


def test_a_write_that_fails_half_way_saves_nothing(db: Database, officer: Actor):
    before = audit_count(db)
    with pytest.raises(ZeroDivisionError), db.write(officer) as s:
        s.add(Household(household_no="0999", group_id=group_id(db, 1)))
        s.flush()  # already in the database's transaction, with its audit line
        1 / 0  # noqa: B018
    with db.read() as s:
        assert s.execute(sa.select(Household).where(Household.household_no == "0999")).first() is None
    assert audit_count(db) == before


def test_a_service_refusal_after_partial_changes_saves_nothing(db: Database, officer: Actor, today):
    """Moving a head into a household that has a head: the move is half done when the rule says no."""
    a = hh.create_household(db, officer, hh.HouseholdInput("0101", 1))
    b = hh.create_household(db, officer, hh.HouseholdInput("0102", 1))
    head_a = hh.add_person(
        db, officer, a, hh.PersonInput("张三", id_number="110101199003071233", relation="head"), today
    )
    hh.add_person(
        db,
        officer,
        b,
        hh.PersonInput("李四", sex="M", birth_date=dt.date(1980, 1, 1), relation="head"),
        today,
    )
    before = audit_count(db)
    with pytest.raises(DomainError) as info:
        hh.move_to_household(db, officer, head_a, b, "head", today)
    assert info.value.msg_id == "household.has_head"
    assert hh.get_person(db, head_a).household_id == a
    assert hh.get_household(db, a).head_name == "张三"
    assert audit_count(db) == before
