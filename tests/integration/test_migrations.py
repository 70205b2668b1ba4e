"""Schema versions: the migrations build exactly what the models describe, a database saved by the first
release opens and upgrades without losing anything, and a file that is not ours is left alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app import db as app_db
from app.actor import Actor
from app.db import Database, current_revision, head_revision, open_database
from app.models import TRAVELLING_MODELS, AuditEvent, Base, tracking
from app.models.ids import catalogue_item_id, followup_id
from app.models.supply import SQLITE_LEDGER_TRIGGERS
from app.services import auth, search
from app.services import followups as followups_service
from app.services import households as hh

DATA = Path(__file__).resolve().parent.parent / "data"
SCHEMA_0001 = DATA / "schema_0001.sqlite"  # made by tests/data/make_schema_0001_db.py


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dump(path: Path) -> list[str]:
    """Every row of every table, as SQL text (read with plain sqlite3, changing nothing)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [line for line in conn.iterdump() if line.startswith("INSERT")]
    finally:
        conn.close()


def stored_revision(path: Path) -> str:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()


def schema(path: Path) -> dict[tuple[str, str], object]:
    """Tables as sets of column and constraint lines (their order differs between create_all and the
    migration scripts), indexes as their SQL (the WHERE of a partial index included)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
            "AND name <> 'alembic_version'"
        ).fetchall()
    finally:
        conn.close()
    out: dict[tuple[str, str], object] = {}
    for kind, name, sql in rows:
        if kind == "table":
            body = sql[sql.index("(") + 1 : sql.rindex(")")]
            out[(kind, name)] = {line.strip().rstrip(",") for line in body.splitlines() if line.strip()}
        else:
            out[(kind, name)] = re.sub(r"\s+", " ", sql or "")
    return out


def audit_chain_intact(db: Database) -> bool:
    with db.read() as s:
        return (
            tracking.broken_links(s) == []
            and s.execute(sa.select(sa.func.count(AuditEvent.seq))).scalar_one() > 0
        )


# ---------------------------------------------------------------- models and migrations agree


def test_autogenerate_finds_no_difference(empty_db: Database):
    with empty_db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_build_the_same_constraints_and_indexes_as_the_models(tmp_path: Path):
    """Autogenerate does not look at CHECK constraints or the WHERE of partial unique indexes; compare the
    schema SQLite stores for a migrated file and for one made straight from the models."""
    open_database(tmp_path / "migrated.sqlite").dispose()
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'models.sqlite'}")
    Base.metadata.create_all(engine)
    engine.dispose()
    migrated, from_models = schema(tmp_path / "migrated.sqlite"), schema(tmp_path / "models.sqlite")
    assert sorted(migrated) == sorted(from_models)
    assert [k for k in migrated if migrated[k] != from_models[k]] == []
    assert "residence_status <> 'deceased'" in str(migrated[("index", "uq_person_living_id_number")])


def test_the_head_revision_constant_names_the_newest_migration():
    """app.migrations.HEAD_REVISION saves importing Alembic at start-up; it must follow the scripts."""
    assert head_revision() == app_db.alembic_head_revision()


def test_a_new_file_is_created_at_the_head_revision(tmp_path: Path):
    db = open_database(tmp_path / "new.sqlite", backups=tmp_path / "backups")
    try:
        assert current_revision(db.engine) == head_revision()
    finally:
        db.dispose()
    assert not (tmp_path / "backups").exists()  # nothing to back up


def test_an_empty_file_is_treated_as_new(tmp_path: Path):
    (tmp_path / "zero.sqlite").touch()
    db = open_database(tmp_path / "zero.sqlite")
    try:
        assert current_revision(db.engine) == head_revision()
    finally:
        db.dispose()


# ---------------------------------------------------------------- a database saved by the first release


def test_a_database_saved_at_the_first_revision_opens_intact(tmp_path: Path, today):
    assert stored_revision(SCHEMA_0001) == "0001"
    path = tmp_path / "fhdesk.sqlite"
    shutil.copyfile(SCHEMA_0001, path)
    rows_before = dump(path)
    assert any("张三" in line for line in rows_before)

    db = open_database(path, backups=tmp_path / "backups")
    try:
        assert current_revision(db.engine) == head_revision()
        assert db.node == "620422103201"

        households = hh.list_households(db)
        assert [(h.household_no, h.group_no, h.head_name, h.address, h.members) for h in households] == [
            ("0101", 1, "张三", "红星村一组 3 号", 2)
        ]
        members = hh.household_members(db, households[0].id)
        assert [
            (m.name, m.relation, m.sex, m.birth_date.isoformat(), m.id_number, m.marital_status)
            for m in members
        ] == [
            ("张三", "head", "M", "1990-03-07", "110101199003071233", "first_marriage"),
            ("李秀兰", "spouse", "F", "1992-08-15", "620422199208150849", "first_marriage"),
        ]
        assert [h.title for h in search.search(db, "lxl")] == ["李秀兰"]
        assert [h.head_name for h in hh.list_households(db, "zs")] == ["张三"]
        assert auth.login(db, "lixiuying", "secret123").display_name == "李秀英"
        assert audit_chain_intact(db)

        backups = sorted((tmp_path / "backups").glob("*.sqlite")) if (tmp_path / "backups").exists() else []
        if head_revision() == "0001":
            assert backups == []  # nothing to upgrade, so nothing to back up
            assert dump(path) == rows_before  # and not a row changed
        else:
            assert len(backups) == 1
            assert stored_revision(backups[0]) == "0001"  # the copy is the file as it was
            assert dump(backups[0]) == rows_before

        # the old records can be edited: tracking carries on from their revision
        zhang = members[0]
        user = auth.login(db, "lixiuying", "secret123")
        officer = Actor(user.id, user.role, db.node)
        hh.update_person(
            db,
            officer,
            zhang.id,
            hh.PersonInput(
                "张三",
                id_number=zhang.id_number,
                relation="head",
                marital_status="first_marriage",
                marriage_date=zhang.marriage_date,
                phone="13900002222",
            ),
            today,
            expected_rev=zhang.rev,
        )
        assert hh.get_person(db, zhang.id).rev == zhang.rev + 1
        assert audit_chain_intact(db)
    finally:
        db.dispose()


# ---------------------------------------------------------------- 0003: the ledger's rules in the database

LEDGER_TRIGGERS = sorted(SQLITE_LEDGER_TRIGGERS)


def triggers_and_indexes(path: Path) -> tuple[list[str], list[str]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE tbl_name = 'stock_movement' AND type IN ('trigger', 'index') "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    finally:
        conn.close()
    return [n for t, n in found if t == "trigger"], [n for t, n in found if t == "index"]


def test_a_new_database_and_one_made_from_the_models_both_keep_the_ledger_rules(tmp_path: Path):
    open_database(tmp_path / "migrated.sqlite").dispose()
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'models.sqlite'}")
    Base.metadata.create_all(engine)
    engine.dispose()
    for path in (tmp_path / "migrated.sqlite", tmp_path / "models.sqlite"):
        triggers, indexes = triggers_and_indexes(path)
        assert triggers == LEDGER_TRIGGERS, path.name
        assert {"ix_stock_movement_person_date", "uq_stock_movement_reverses_id"} <= set(indexes)
        assert "ix_stock_movement_person_id" not in indexes  # the (person, date) index serves it


def test_a_database_at_0002_gets_the_ledger_rules_and_gives_them_back_on_downgrade(tmp_path: Path):
    from alembic import command

    path = tmp_path / "fhdesk.sqlite"
    shutil.copyfile(SCHEMA_0001, path)
    engine = app_db.make_engine(app_db.sqlite_url(path))
    with engine.begin() as conn:
        command.upgrade(app_db.alembic_config(conn), "0002")
    # a ledger kept before the rules: a receipt, an issue, and an edit that 0003 would refuse
    stamp = "2026-11-01 08:00:00.000000"
    meta = {"rev": 1, "owner": "620422103201", "created_at": stamp, "created_by": "u", "updated_at": stamp}
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO supply_item (id, code, name, form, unit, category, days_per_unit, reorder_level, rev, "
                "owner, created_at, created_by, updated_at, updated_by) VALUES ('item', 'C01', '避孕套', '', '只', "
                "'contraceptive', 3, 300, :rev, :owner, :created_at, :created_by, :updated_at, 'u')"
            ),
            meta,
        )
        for mid, kind, direction, quantity in (
            ("m1", "receipt", 1, 100),
            ("m2", "issue_self_service", -1, 30),
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO stock_movement (id, item_id, lot, expiry_date, movement_type, direction, quantity, "
                    "movement_date, document_no, reason, rev, owner, created_at, created_by, updated_at, updated_by) "
                    "VALUES (:id, 'item', 'A', '2028-01-31', :kind, :direction, :quantity, '2026-11-01', '', '', "
                    ":rev, :owner, :created_at, :created_by, :updated_at, 'u')"
                ),
                {"id": mid, "kind": kind, "direction": direction, "quantity": quantity, **meta},
            )
        conn.exec_driver_sql("UPDATE stock_movement SET quantity = 20 WHERE id = 'm2'")  # allowed before 0003
    engine.dispose()
    assert stored_revision(path) == "0002"
    assert triggers_and_indexes(path)[0] == []
    rows_before = dump(path)

    engine = app_db.make_engine(app_db.sqlite_url(path))
    try:
        with engine.begin() as conn:
            command.upgrade(app_db.alembic_config(conn), "0003")
        assert current_revision(engine) == "0003"
        assert [r for r in dump(path) if "alembic_version" not in r] == [
            r for r in rows_before if "alembic_version" not in r
        ]  # not a row changed
        assert triggers_and_indexes(path)[0] == LEDGER_TRIGGERS
        with pytest.raises(sa.exc.IntegrityError, match="ledger_immutable"), engine.begin() as conn:
            conn.exec_driver_sql("UPDATE stock_movement SET quantity = 10 WHERE id = 'm2'")
        with pytest.raises(sa.exc.IntegrityError, match="stock_below_zero"), engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO stock_movement (id, item_id, lot, expiry_date, movement_type, direction, quantity, "
                    "movement_date, document_no, reason, rev, owner, created_at, created_by, updated_at, updated_by) "
                    "VALUES ('m3', 'item', 'A', '2028-01-31', 'loss', -1, 81, '2026-11-02', '', '', "
                    ":rev, :owner, :created_at, :created_by, :updated_at, 'u')"
                ),
                meta,
            )
        with engine.connect() as conn:
            on_hand = conn.exec_driver_sql("SELECT sum(direction * quantity) FROM stock_movement").scalar()
        assert on_hand == 80
        with engine.begin() as conn:
            command.downgrade(app_db.alembic_config(conn), "0002")
    finally:
        engine.dispose()
    triggers, indexes = triggers_and_indexes(path)
    assert triggers == [] and "ix_stock_movement_person_id" in indexes
    assert "ix_stock_movement_person_date" not in indexes and "uq_stock_movement_reverses_id" not in indexes
    assert stored_revision(path) == "0002"


NEXT_REVISION = """
from alembic import op

revision = "{revision}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_household_address_test", "household", ["address"])
    {extra}


def downgrade() -> None:
    op.drop_index("ix_household_address_test", "household")
"""


@pytest.fixture
def next_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A copy of the migrations with one more revision after today's head (as a future release will have)."""

    def make(extra: str = "") -> str:
        migrations = tmp_path / "migrations"
        shutil.copytree(app_db.MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
        down = head_revision()
        (migrations / "versions" / "9000_next.py").write_text(
            NEXT_REVISION.format(revision="9000", down=down, extra=extra or "pass"), encoding="utf-8"
        )
        monkeypatch.setattr(app_db, "MIGRATIONS_DIR", migrations)
        monkeypatch.setattr(app_db, "HEAD_REVISION", "9000", raising=False)  # what that release would say
        assert head_revision() == app_db.alembic_head_revision() == "9000"
        return down

    return make


def test_an_upgrade_backs_the_file_up_first(tmp_path: Path, next_revision):
    path = tmp_path / "fhdesk.sqlite"
    shutil.copyfile(SCHEMA_0001, path)
    open_database(path, backups=tmp_path / "old-backups").dispose()  # as today's release leaves it
    previous = next_revision()  # then comes a release with one more revision
    rows_before = dump(path)

    db = open_database(path, backups=tmp_path / "backups")
    try:
        assert current_revision(db.engine) == "9000"
    finally:
        db.dispose()
    backups = sorted((tmp_path / "backups").glob("*.sqlite"))
    assert len(backups) == 1 and "before-9000" in backups[0].name
    assert stored_revision(backups[0]) == previous
    assert dump(backups[0]) == rows_before


def test_a_failed_upgrade_leaves_the_database_as_it_was(tmp_path: Path, next_revision):
    next_revision(extra='raise RuntimeError("migration bug")')
    path = tmp_path / "fhdesk.sqlite"
    shutil.copyfile(SCHEMA_0001, path)
    rows_before = dump(path)
    with pytest.raises(RuntimeError, match="migration bug"):
        open_database(path, backups=tmp_path / "backups")
    assert stored_revision(path) == "0001"  # every step since 0001 undone, not only the failing one
    assert dump(path) == rows_before
    assert "ix_household_address_test" not in str(schema(path))
    assert len(list((tmp_path / "backups").glob("*.sqlite"))) == 1


# ---------------------------------------------------------------- files that are not ours


def test_another_programs_sqlite_database_is_refused_and_left_unchanged(tmp_path: Path):
    path = tmp_path / "accounts.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE ledger (day TEXT, amount INTEGER)")
    conn.execute("INSERT INTO ledger VALUES ('2026-11-01', 100)")
    conn.commit()
    conn.close()
    before = file_digest(path)
    with pytest.raises(ValueError, match="not a Family Health Desk database"):
        open_database(path, backups=tmp_path / "backups")
    assert file_digest(path) == before  # not even switched to WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.db"]  # no -wal, no backup


def test_a_text_file_is_refused_and_left_unchanged(tmp_path: Path):
    path = tmp_path / "notes.sqlite"
    path.write_text("这不是数据库\n" * 100, encoding="utf-8")
    before = file_digest(path)
    with pytest.raises(ValueError, match="not a Family Health Desk database"):
        open_database(path, backups=tmp_path / "backups")
    assert file_digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.sqlite"]


def test_a_database_from_a_newer_version_is_refused_and_left_unchanged(tmp_path: Path):
    path = tmp_path / "fhdesk.sqlite"
    shutil.copyfile(SCHEMA_0001, path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    before = file_digest(path)
    with pytest.raises(ValueError, match="newer version"):
        open_database(path, backups=tmp_path / "backups")
    assert file_digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fhdesk.sqlite"]


def test_head_revision_constant_matches_alembic():
    from app.db import alembic_head_revision, head_revision

    assert head_revision() == alembic_head_revision()


# ---------------------------------------------------------------- 0004: a database saved by round 1 (at 0003)

SCHEMA_0003 = DATA / "schema_0003.sqlite"  # made by tests/data/make_schema_0003_db.py at commit e266c60
KEPT = {  # table -> columns that 0004 leaves as they were (ids it re-keys are compared through their keys)
    "household": ("household_no", "address", "head_person_id", "phone", "residence_type", "notes", "rev", "owner",
                  "created_at", "created_by", "updated_at", "updated_by"),
    "person": ("id", "household_id", "name", "name_pinyin", "name_initials", "sex", "birth_date", "id_number",
               "relation", "marital_status", "marriage_date", "phone", "residence_status", "residence_place",
               "death_date", "born_of_pregnancy_id", "notes", "rev", "owner", "created_at", "updated_at"),
    "vital_event": ("id", "person_id", "household_id", "event_type", "event_date", "place", "notes", "rev"),
    "pregnancy": ("id", "woman_id", "lmp", "edd", "registration_date", "outcome", "outcome_date", "rev"),
    "contraceptive_method": ("id", "person_id", "method", "start_date", "stop_date", "rev"),
    "folic_acid_course": ("id", "woman_id", "start_date", "end_date", "dose_mg", "rev"),
    "prepregnancy_check": ("id", "woman_id", "check_date", "pregnancy_id", "rev"),
    "support_entitlement": ("id", "household_id", "person_id", "kind", "assigned_on", "rev"),
}  # fmt: skip


def _rows_0003(conn: sa.Connection) -> dict[str, list[tuple[object, ...]]]:
    """What round 1 stored, keyed the way 0004 keeps it: plain rows, households with their group's number,
    follow-ups by (source, type, occurrence), answers by (follow-up key, item), movements by their item's code."""
    out = {
        t: sorted(conn.execute(sa.text(f"SELECT {', '.join(c)} FROM {t}")).all(), key=str)
        for t, c in KEPT.items()
    }
    out["household_group"] = sorted(
        conn.execute(
            sa.text("SELECT h.id, g.number FROM household h JOIN villager_group g ON g.id = h.group_id")
            if "group_id" in _columns(conn, "household")
            else sa.text("SELECT id, group_no FROM household")
        ).all()
    )
    followup_key = (
        "CASE WHEN f.source_table = 'followup' THEN (SELECT s.followup_type || '/' || s.source_id || '/' || "
        "s.occurrence FROM followup s WHERE s.id = f.source_id) ELSE f.source_id END"
    )
    out["followup"] = sorted(
        conn.execute(
            sa.text(
                f"SELECT {followup_key}, f.followup_type, f.occurrence, f.person_id, f.earliest_date, f.due_date, "
                "f.latest_date, f.status, f.done_date, f.result, f.rev FROM followup f"
            )
        ).all(),
        key=str,
    )
    out["followup_answer"] = sorted(
        conn.execute(
            sa.text(
                f"SELECT {followup_key}, f.followup_type, f.occurrence, a.item_key, a.value FROM followup_answer a "
                "JOIN followup f ON f.id = a.followup_id"
            )
        ).all(),
        key=str,
    )
    out["stock_movement"] = sorted(
        conn.execute(
            sa.text(
                "SELECT m.id, i.code, m.lot, m.expiry_date, m.movement_type, m.direction, m.quantity, "
                "m.movement_date, m.person_id FROM stock_movement m JOIN supply_item i ON i.id = m.item_id"
            )
        ).all(),
        key=str,
    )
    return {table: _plain(rows) for table, rows in out.items()}


def _plain(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Rows as comparable text whatever the database: SQLite hands back its stored text, PostgreSQL typed
    values (timestamps in UTC with a zone)."""

    def one(v: object) -> object:
        if isinstance(v, dt.datetime):
            v = v.astimezone(dt.UTC).replace(tzinfo=None) if v.tzinfo else v
            return v.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, dt.date):
            return v.isoformat()
        return v

    return sorted((tuple(one(v) for v in row) for row in rows), key=str)


def _columns(conn: sa.Connection, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(conn).get_columns(table)}


def _check_upgraded(db: Database, before: dict[str, list[tuple[object, ...]]]) -> None:
    with db.engine.connect() as conn:
        after = _rows_0003(conn)
        for table in before:
            assert after[table] == before[table], table
        derived = conn.execute(sa.text("SELECT id, source_id, followup_type, occurrence FROM followup")).all()
        assert all(fid == followup_id(src, t, occ) for fid, src, t, occ in derived)
        items = conn.execute(sa.text("SELECT id, code, owner FROM supply_item")).all()
        assert all(iid == catalogue_item_id(code) and owner == "620422103000" for iid, code, owner in items)
        rows = sum(
            conn.execute(sa.text(f"SELECT count(*) FROM {m.__tablename__}")).scalar_one()
            for m in TRAVELLING_MODELS
        )
        baselines = conn.execute(
            sa.text("SELECT count(DISTINCT record_table || '/' || record_id) FROM audit_event "
                    "WHERE action = 'baseline' AND record_table NOT IN ('app_user', 'village_profile')")
        ).scalar_one()  # fmt: skip
        # every row's after-image anchored in the chain (0005 anchors again the rows whose table it widened)
        assert baselines == rows
    assert db.node == "620422103201"
    assert audit_chain_intact(db)
    with db.read() as s:  # every row is its last line's after-image
        last = dict(
            s.execute(sa.select(AuditEvent.record_id, AuditEvent.after_digest).order_by(AuditEvent.seq)).all()
        )
        for model in TRAVELLING_MODELS:
            for row in s.execute(sa.select(model.__table__)).mappings():
                assert last[row["id"]] == tracking.row_digest(model.__table__, row), model.__tablename__


def _next_checks_asked(db: Database) -> dict[str, dt.date]:
    """Open antenatal checks whose previous check asked for another due day (its next check date, kept in this
    check's window): follow-up id -> the due day the engine gives it."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT f.id, f.earliest_date, f.due_date, f.latest_date, a.value FROM followup f "
                "JOIN followup p ON p.source_id = f.source_id AND p.status = 'done' AND p.followup_type = "
                "'anc' || (CAST(substr(f.followup_type, 4) AS INTEGER) - 1) "
                "JOIN followup_answer a ON a.followup_id = p.id AND a.item_key = 'next_check_date' "
                "WHERE f.followup_type IN ('anc2', 'anc3', 'anc4', 'anc5') AND f.status IN ('due', 'missed') "
                "AND f.deleted_at IS NULL AND p.deleted_at IS NULL AND a.deleted_at IS NULL AND a.value <> ''"
            )
        ).all()
    out = {}
    for fid, earliest, due, latest, value in rows:
        day = min(max(dt.date.fromisoformat(value), _day(earliest)), _day(latest))
        if day != _day(due):
            out[fid] = day
    return out


def _windows(db: Database) -> dict[str, tuple[object, ...]]:
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, earliest_date, due_date, latest_date, status FROM followup"))
        return {fid: (_day(e), _day(d), _day(la), st) for fid, e, d, la, st in rows}


def _day(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def test_a_database_saved_at_0003_upgrades_with_every_row_intact(tmp_path: Path):
    path = tmp_path / "fhdesk.sqlite"
    shutil.copyfile(SCHEMA_0003, path)
    assert stored_revision(path) == "0003"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        before = _rows_0003(conn)
    engine.dispose()
    assert (
        len(before["person"]) > 400 and len(before["followup"]) > 250 and len(before["stock_movement"]) > 250
    )
    db = open_database(path, backups=tmp_path / "backups")
    try:
        _check_upgraded(db, before)
        # the upgraded village works: an officer edits, the schedule finds nothing to change
        user = auth.login(db, "demo", "demo1234")
        officer = Actor(user.id, user.role, db.node)
        asked, before = _next_checks_asked(db), _windows(db)
        summary = followups_service.regenerate_all(db, officer, dt.date(2026, 11, 24))
        # nothing new; only due days move, to the next check date round 1's checklists asked for
        after = _windows(db)
        moved = {fid for fid in before if after[fid] != before[fid]}
        assert summary.inserted == 0 and summary.moved == len(moved) > 0
        for fid in moved:
            (earliest, _, latest, status), now = before[fid], after[fid]
            assert now == (earliest, asked[fid], latest, status)
        assert audit_chain_intact(db)
    finally:
        db.dispose()
    assert (
        stored_revision(next((tmp_path / "backups").glob("*.sqlite"))) == "0003"
    )  # backed up before upgrading


def test_a_postgresql_database_at_0003_upgrades_with_every_row_intact(postgres_url: str):
    """The same round-1 rows loaded into PostgreSQL at revision 0003, then upgraded there."""
    from alembic import command

    engine = app_db.make_engine(postgres_url)
    with engine.begin() as conn:
        command.upgrade(app_db.alembic_config(conn), "0003")
    source = sa.create_engine(f"sqlite:///{SCHEMA_0003}")
    old = sa.MetaData()
    old.reflect(engine)
    with source.connect() as src, engine.begin() as dst:
        heads: list[dict[str, object]] = []
        births: list[dict[str, object]] = []
        for table in old.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = [
                dict(r)
                for r in src.execute(
                    sa.select(sa.Table(table.name, sa.MetaData(), autoload_with=src))
                ).mappings()
            ]
            for r in rows:  # the two references that point forwards are set afterwards
                if table.name == "household" and r.get("head_person_id"):
                    heads.append({"b_id": r["id"], "b_v": r["head_person_id"]})
                    r["head_person_id"] = None
                if table.name == "person" and r.get("born_of_pregnancy_id"):
                    births.append({"b_id": r["id"], "b_v": r["born_of_pregnancy_id"]})
                    r["born_of_pregnancy_id"] = None
            if rows:
                dst.execute(table.insert(), rows)
        for name, column, pairs in (
            ("household", "head_person_id", heads),
            ("person", "born_of_pregnancy_id", births),
        ):
            t = old.tables[name]
            dst.execute(
                t.update().where(t.c.id == sa.bindparam("b_id")).values({column: sa.bindparam("b_v")}), pairs
            )
        dst.exec_driver_sql("SELECT setval('audit_event_seq_seq', (SELECT max(seq) FROM audit_event))")
    with source.connect() as src:
        before = _rows_0003(src)
    source.dispose()
    engine.dispose()
    db = app_db.open_url(postgres_url)
    try:
        _check_upgraded(db, before)
    finally:
        db.dispose()


# ---------------------------------------------------------------- 0005: risk factors, the status a move gave


def last_lines_describe_their_rows(db: Database, models: tuple[type, ...]) -> bool:
    """Every row's last audit line carries the digest of the row as it is stored now."""
    with db.read() as s:
        for model in models:
            table = model.__table__
            last = dict(
                s.execute(
                    sa.select(AuditEvent.record_id, AuditEvent.after_digest)
                    .where(AuditEvent.record_table == table.name)
                    .order_by(AuditEvent.seq)
                ).all()
            )
            for obj in s.execute(sa.select(model)).scalars():
                values = {c.columns[0].name: getattr(obj, c.key) for c in model.__mapper__.column_attrs}
                if last.get(obj.id) != tracking.row_digest(table, values):
                    return False
    return True


def test_a_round_1_database_gets_risk_factors_and_move_statuses(tmp_path: Path):
    from app.models import Person, Pregnancy, VitalEvent

    path = tmp_path / "fhdesk.sqlite"
    shutil.copyfile(SCHEMA_0003, path)
    notes_before = sorted(
        r for (r,) in sqlite3.connect(path).execute("SELECT risk_notes FROM pregnancy").fetchall()
    )
    db = open_database(path, backups=tmp_path / "backups")
    try:
        assert current_revision(db.engine) == head_revision()
        with db.read() as s:
            pregnancies = s.execute(sa.select(Pregnancy.risk_factors, Pregnancy.risk_notes)).all()
            arrivals = s.execute(
                sa.select(VitalEvent.residence_status, Person.residence_status)
                .join(Person, Person.id == VitalEvent.person_id)
                .where(VitalEvent.event_type == "move_in")
            ).all()
        assert len(pregnancies) == 13 and {f for f, _ in pregnancies} == {""}
        assert sorted(n for _, n in pregnancies) == notes_before  # the notes are kept as typed
        assert arrivals and all(
            gave == now if now in ("resident", "in_migrant") else gave is None for gave, now in arrivals
        )
        assert audit_chain_intact(db)
        assert last_lines_describe_their_rows(db, (Pregnancy, VitalEvent))
    finally:
        db.dispose()


def test_0005_goes_down_and_up_again_on_sqlite_and_postgresql(any_url: str, today):
    """Both ways on both databases: the columns go and come back; what can be known is filled in again."""
    from alembic import command

    from app.db import open_url, upgrade
    from app.models import Pregnancy, VitalEvent
    from app.services import pregnancies
    from app.services.village import set_up_village
    from tests.conftest import SETUP

    db = open_url(any_url)
    try:
        officer = Actor(set_up_village(db, SETUP), "admin", SETUP.village_code)
        hid = hh.create_household(db, officer, hh.HouseholdInput("0101", 1, "一组 1 号", "13900001111"))
        came = dict(sex="F", birth_date=dt.date(1995, 5, 5), relation="other")
        settled = hh.add_person(
            db, officer, hid, hh.PersonInput("王芳", **came), today, hh.VitalEventType.MOVE_IN, today
        )
        worker = hh.add_person(
            db,
            officer,
            hid,
            hh.PersonInput("李娟", residence_status="in_migrant", residence_place="四川省", **came),
            today,
            hh.VitalEventType.MOVE_IN,
            today - dt.timedelta(days=60),
        )
        hh.record_death(db, officer, worker, today, today)
        pregnancies.register_pregnancy(
            db, officer, settled, pregnancies.PregnancyInput(today - dt.timedelta(days=70), today), today
        )
        with db.read() as s:
            statuses = dict(
                s.execute(
                    sa.select(VitalEvent.person_id, VitalEvent.residence_status).where(
                        VitalEvent.event_type == "move_in"
                    )
                ).all()
            )
        assert statuses == {settled: "resident", worker: "in_migrant"}  # recorded as they came

        with db.engine.begin() as conn:
            command.downgrade(app_db.alembic_config(conn), "0004")
        columns = {
            t: {c["name"] for c in sa.inspect(db.engine).get_columns(t)} for t in ("pregnancy", "vital_event")
        }
        assert "risk_factors" not in columns["pregnancy"] and "residence_status" not in columns["vital_event"]

        upgrade(db.engine)
        assert current_revision(db.engine) == head_revision()
        with db.read() as s:
            statuses = dict(
                s.execute(
                    sa.select(VitalEvent.person_id, VitalEvent.residence_status).where(
                        VitalEvent.event_type == "move_in"
                    )
                ).all()
            )
            factors = s.execute(sa.select(Pregnancy.risk_factors)).scalars().all()
        # she still lives here as a resident: that is what she came as; the worker has died: not known
        assert statuses == {settled: "resident", worker: None}
        assert factors == [""]
        assert audit_chain_intact(db)
        assert last_lines_describe_their_rows(db, (Pregnancy, VitalEvent))
    finally:
        db.dispose()
