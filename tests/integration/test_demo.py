"""The demo village: the same seed gives the same rows, the data is plausible and obeys the domain rules, and
cancelling leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

import app.cli
from app import config
from app.actor import SYSTEM_USER_ID, Actor
from app.db import Database, is_plain_sqlite, open_database
from app.models import (
    TRAVELLING_MODELS,
    AuditEvent,
    ContraceptiveEpisode,
    Followup,
    FollowupAnswer,
    Household,
    Person,
    Pregnancy,
    StockMovement,
    SupplyItem,
    User,
    VitalEvent,
    tracking,
)
from app.models import ids as derived
from app.services import auth, checklists, followups, identity, login, schedule
from app.services.auth import login as check_login
from app.services.demo import DEMO_SETUP, Cancelled, DemoSummary, generate_demo, table_digest
from app.services.validation import full_years
from app.services.village import group_count, is_set_up, village_info
from app.vocab import PRESENT, FollowupType, MovementType
from tests.conftest import SETUP

TODAY = dt.date(2026, 11, 24)
DAY = dt.timedelta(days=1)
WINDOW_START = TODAY - dt.timedelta(days=548)  # 18 months
PEOPLE = 400


def copy_database(db: Database, dest: Path) -> Database:
    """A second database holding exactly what `db` holds (the backup API copes with WAL)."""
    assert db.path is not None
    with sqlite3.connect(db.path) as src, sqlite3.connect(dest) as out:
        src.backup(out)
    src.close()
    out.close()
    return open_database(dest)


def rows(db: Database, sql: str) -> list[sa.Row]:
    with db.engine.connect() as conn:
        return list(conn.exec_driver_sql(sql))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    """One demo village made from an empty database, shared by the read-only checks below."""
    db = open_database(tmp_path_factory.mktemp("demo") / "fhdesk.sqlite")
    summary = generate_demo(db, people=PEOPLE, seed=7, today=TODAY)
    yield db, summary
    db.dispose()


@pytest.fixture
def demo_db(demo: tuple[Database, DemoSummary]) -> Database:
    return demo[0]


# ---------------------------------------------------------------- determinism


def test_same_seed_on_two_empty_databases_gives_identical_rows(tmp_path):
    """The set-up the demo makes itself (officer, villager groups) comes from the seed too, not the clock."""
    first, second = (open_database(tmp_path / f"{n}.sqlite") for n in ("first", "second"))
    try:
        generate_demo(first, people=PEOPLE, seed=3, today=TODAY)
        generate_demo(second, people=PEOPLE, seed=3, today=TODAY)
        assert table_digest(first) == table_digest(second)
        for sql in ("SELECT * FROM villager_group ORDER BY id", "SELECT id, created_at FROM app_user"):
            assert rows(first, sql) == rows(second, sql)
    finally:
        first.dispose()
        second.dispose()


def test_fhdesk_demo_twice_with_the_same_seed_gives_identical_data(tmp_path, monkeypatch):
    """The issue's words: `fhdesk demo` twice with the same seed gives the same digest of all rows."""
    monkeypatch.setattr(app.cli, "today", lambda: TODAY)  # the command makes the demo for the real today
    digests = []
    for name in ("one", "two"):
        folder = tmp_path / name
        argv = ["--data-dir", str(folder), "demo", "--people", "300", "--seed", "5", "--quiet"]
        assert app.cli.main(argv) == 0
        session = login.open_village(
            folder, "demo", SETUP.password
        )  # FHDESK_PASSWORD_FILE's, as the CLI used
        try:
            digests.append(table_digest(session.db))
            assert {u.username for u in auth.list_users(session.db)} == {"demo", "doctor", "reviewer"}
        finally:
            session.close()
        assert not is_plain_sqlite(config.database_path(folder))  # encrypted like a real village
    assert digests[0] == digests[1]


def test_same_seed_same_database_gives_identical_rows(db, tmp_path):
    """A village its officer set up (with ids of its own): the same starting database and seed, the same rows."""
    twin = copy_database(db, tmp_path / "twin.sqlite")
    try:
        assert table_digest(twin) == table_digest(db)
        before = table_digest(db)
        generate_demo(db, people=PEOPLE, seed=3, today=TODAY)
        generate_demo(twin, people=PEOPLE, seed=3, today=TODAY)
        assert table_digest(db) != before
        assert table_digest(twin) == table_digest(db)
        # ids too, not only the content: the primary keys of both databases are the same set
        assert rows(twin, "SELECT id FROM person ORDER BY id") == rows(
            db, "SELECT id FROM person ORDER BY id"
        )
    finally:
        twin.dispose()


def test_another_seed_gives_other_rows(db, tmp_path):
    other = copy_database(db, tmp_path / "other.sqlite")
    try:
        generate_demo(db, people=PEOPLE, seed=3, today=TODAY)
        generate_demo(other, people=PEOPLE, seed=4, today=TODAY)
        assert table_digest(other) != table_digest(db)
        names = {r[0] for r in rows(db, "SELECT name FROM person")}
        other_names = {r[0] for r in rows(other, "SELECT name FROM person")}
        assert names != other_names
    finally:
        other.dispose()


def test_digest_sees_a_single_changed_value(db, tmp_path):
    generate_demo(db, people=PEOPLE, seed=3, today=TODAY)
    before = table_digest(db)
    with db.engine.begin() as conn:
        # the ledger refuses edits (migration 0003), except to its sync bookkeeping
        conn.exec_driver_sql(
            "UPDATE stock_movement SET rev = rev + 1 WHERE id = (SELECT max(id) FROM stock_movement)"
        )
    assert table_digest(db) != before


def test_ids_are_uuid7_made_from_the_creation_time(demo_db):
    for table in ("household", "person", "stock_movement"):
        for row_id, created_at in rows(demo_db, f"SELECT id, created_at FROM {table} LIMIT 50"):
            assert row_id[14] == "7" and row_id[19] in "89ab", row_id
            ms = int(row_id.replace("-", "")[:12], 16)
            stamp = dt.datetime.fromisoformat(created_at).replace(tzinfo=dt.UTC)
            assert ms == int(stamp.timestamp() * 1000), (table, row_id, created_at)


def test_derived_rows_have_the_ids_the_engine_computes(demo_db):
    """Follow-ups, their answers and the catalogue carry UUIDv5 ids made from their source, as any database
    planning from the same records would make them (app.models.ids)."""
    for fid, source, ftype, occurrence in rows(
        demo_db, "SELECT id, source_id, followup_type, occurrence FROM followup"
    ):
        assert fid == derived.followup_id(source, ftype, occurrence)
    for aid, fid, key in rows(demo_db, "SELECT id, followup_id, item_key FROM followup_answer"):
        assert aid == derived.answer_id(fid, key)
    for iid, code in rows(demo_db, "SELECT id, code FROM supply_item"):
        assert iid == derived.catalogue_item_id(code)


# ---------------------------------------------------------------- setting up and the summary


def test_empty_database_gets_the_demo_village_and_its_officer(demo):
    db, summary = demo
    info = village_info(db)
    assert info is not None and (info.code, info.name) == (DEMO_SETUP.village_code, "红星村")
    assert group_count(db) == 6
    assert db.node == DEMO_SETUP.village_code
    officer = check_login(db, "demo", "demo1234")
    with db.read() as s:
        for model in TRAVELLING_MODELS:
            people = s.execute(
                sa.select(model.created_by, model.updated_by, model.owner, model.rev).distinct()
            ).all()
            if model is SupplyItem:  # the township's catalogue, as shipped
                assert people == [(SYSTEM_USER_ID, SYSTEM_USER_ID, DEMO_SETUP.township_code, 1)]
            else:
                assert people in ([], [(officer.id, officer.id, DEMO_SETUP.village_code, 1)]), (
                    model.__tablename__
                )
        audit = s.execute(sa.select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
        first_household = s.execute(sa.select(sa.func.min(Household.created_at))).scalar_one()
        assert s.execute(sa.select(User.created_at)).scalar_one() < first_household  # set up first
        rows_written = sum(
            s.execute(sa.select(sa.func.count()).select_from(m)).scalar_one() for m in TRAVELLING_MODELS
        )
        assert tracking.broken_links(s) == []
    # one line per row: the profile and the account, then every travelling row (replicated with its own stamps)
    assert [(a.action, a.record_table) for a in audit[:2]] == [
        ("insert", "village_profile"),
        ("insert", "app_user"),
    ]
    assert [a.action for a in audit[2:]] == ["replicate"] * rows_written
    assert {a.user_id for a in audit} == {officer.id}


def test_summary_counts_what_is_in_the_database(demo):
    db, summary = demo
    counted = {
        table: n
        for table, n in rows(
            db,
            """
        SELECT 'household', count(*) FROM household UNION ALL SELECT 'person', count(*) FROM person
        UNION ALL SELECT 'followup', count(*) FROM followup UNION ALL SELECT 'stock', count(*) FROM stock_movement
        UNION ALL SELECT 'pregnancy', count(*) FROM pregnancy""",
        )
    }
    assert counted == {
        "household": summary.households,
        "person": summary.people,
        "followup": summary.followups,
        "stock": summary.stock_movements,
        "pregnancy": summary.pregnancies,
    }
    assert abs(summary.people - PEOPLE) <= 10
    assert PEOPLE / 4.5 <= summary.households <= PEOPLE / 3.0
    assert summary.supply_items == 8
    assert (
        min(
            summary.contraceptive_episodes,
            summary.folic_acid_courses,
            summary.prepregnancy_checks,
            summary.followup_answers,
            summary.support_entitlements,
            summary.vital_events,
        )
        > 0
    )


def test_existing_village_keeps_its_groups_and_officer(db, officer):
    summary = generate_demo(db, people=PEOPLE, seed=5, today=TODAY)
    found = rows(
        db,
        "SELECT g.number, h.household_no, h.address FROM household h JOIN villager_group g ON g.id = h.group_id",
    )
    assert len(found) == summary.households
    assert {g for g, _, _ in found} == {1, 2, 3}  # the three groups of tests/conftest.py, all used
    assert len({no for _, no, _ in found}) == len(found)
    names = {1: "一组", 2: "二组", 3: "三组"}
    for group, number, address in found:
        assert number.startswith(f"{group:02d}") and address.startswith(f"红星村{names[group]} ")
    assert rows(db, "SELECT DISTINCT created_by FROM person") == [(officer.user_id,)]


def test_a_village_with_households_is_refused(db):
    generate_demo(db, people=PEOPLE, seed=5, today=TODAY)
    before = table_digest(db)
    with pytest.raises(ValueError):
        generate_demo(db, people=PEOPLE, seed=6, today=TODAY)
    assert table_digest(db) == before


# ---------------------------------------------------------------- plausibility


def test_id_numbers_are_valid_and_agree_with_birth_date_and_sex(demo_db):
    people = rows(demo_db, "SELECT id_number, birth_date, sex, residence_status FROM person")
    with_id = [p for p in people if p[0] is not None]
    for number, birth, sex, _ in with_id:
        parsed = identity.parse(number)
        assert parsed.number == number
        assert (parsed.birth_date.isoformat(), parsed.sex) == (birth, sex), number
    living = [p[0] for p in with_id if p[3] != "deceased"]
    assert len(living) == len(set(living))
    without = len(people) - len(with_id)
    assert 0 < without <= 0.05 * len(people)
    # the few without a number are young children
    assert all(full_years(dt.date.fromisoformat(p[1]), TODAY) < 5 for p in people if p[0] is None)


def test_names_have_search_keys_and_children_carry_the_fathers_surname(demo_db):
    for name, pinyin, initials in rows(demo_db, "SELECT name, name_pinyin, name_initials FROM person"):
        assert 2 <= len(name) <= 3 and pinyin and initials and pinyin.isascii()
    pairs = rows(
        demo_db,
        """SELECT c.name, f.name FROM person c JOIN household h ON h.id = c.household_id
                             JOIN person f ON f.id = h.head_person_id
                             WHERE c.relation IN ('son', 'daughter') AND f.sex = 'M'""",
    )
    assert pairs and all(child[0] == father[0] for child, father in pairs)


def test_the_age_pyramid_of_a_village(demo_db):
    present = [
        dt.date.fromisoformat(b)
        for (b,) in rows(
            demo_db,
            "SELECT birth_date FROM person WHERE residence_status IN ('resident', 'out_migrant', 'in_migrant')",
        )
    ]
    ages = [full_years(b, TODAY) for b in present]
    middle = sum(40 <= a < 70 for a in ages)
    assert middle / len(ages) > 0.3  # many people between 40 and 70
    assert sum(a >= 80 for a in ages) > 0 and sum(a < 5 for a in ages) > 0
    out = rows(
        demo_db, "SELECT birth_date, residence_place FROM person WHERE residence_status = 'out_migrant'"
    )
    assert out and all(place for _, place in out)
    assert sum(18 <= full_years(dt.date.fromisoformat(b), TODAY) <= 45 for b, _ in out) / len(out) > 0.6
    assert rows(
        demo_db,
        "SELECT count(*) FROM person WHERE residence_status = 'in_migrant' AND "
        "(residence_place IS NULL OR residence_place = '')",
    ) == [(0,)]


def test_there_are_many_women_of_reproductive_age(demo_db):
    women = rows(demo_db, "SELECT birth_date FROM person WHERE sex = 'F' AND residence_status <> 'deceased'")
    fertile = [b for (b,) in women if 15 <= full_years(dt.date.fromisoformat(b), TODAY) <= 49]
    assert len(fertile) >= 0.15 * PEOPLE


def test_open_pregnancies_span_early_to_late(demo_db):
    with demo_db.read() as s:
        open_ = s.execute(
            sa.select(Pregnancy, Person)
            .join(Person, Person.id == Pregnancy.woman_id)
            .where(Pregnancy.outcome.is_(None))
        ).all()
        anc = Counter(
            s.execute(sa.select(Followup.source_id).where(Followup.followup_type.like("anc%"))).scalars()
        )
    weeks = sorted((TODAY - p.lmp).days / 7 for p, _ in open_)
    assert len(weeks) >= 4 and weeks[0] < 13 and weeks[-1] > 37
    for p, woman in open_:
        assert woman.sex == "F" and 10 <= full_years(woman.birth_date, p.lmp) <= 60
        assert p.edd == p.lmp + dt.timedelta(days=280)
        assert p.lmp <= p.registration_date <= TODAY
        assert p.gravidity >= 1 and p.parity >= 0 and p.gravidity > p.parity
        assert anc[p.id] >= 1
    assert len({w.id for _, w in open_}) == len(open_)


def test_births_and_deaths_of_the_last_18_months(demo_db):
    with demo_db.read() as s:
        events = s.execute(
            sa.select(VitalEvent.event_type, VitalEvent.event_date, Person).join(
                Person, Person.id == VitalEvent.person_id
            )
        ).all()
        pregnancies = {p.id: p for p in s.execute(sa.select(Pregnancy)).scalars()}
    assert all(WINDOW_START <= day <= TODAY for _, day, _ in events)
    births = [(day, p) for kind, day, p in events if kind == "birth"]
    deaths = [(day, p) for kind, day, p in events if kind == "death"]
    assert births and deaths
    for day, baby in births:
        assert baby.birth_date == day
        mother_pregnancy = pregnancies[baby.born_of_pregnancy_id]
        assert mother_pregnancy.outcome == "live_birth" and mother_pregnancy.outcome_date == day
        assert mother_pregnancy.live_births == 1 and mother_pregnancy.delivery_place in ("hospital", "home")
    for day, person in deaths:
        assert person.residence_status == "deceased" and person.death_date == day
    kinds = Counter(kind for kind, _, _ in events)
    assert kinds["marriage"] > 0 and kinds["move_in"] > 0 and kinds["move_out"] > 0
    closed = [p for p in pregnancies.values() if p.outcome is not None]
    assert all(WINDOW_START <= p.outcome_date <= TODAY for p in closed)
    assert {p.outcome for p in closed} == {"live_birth", "miscarriage"}


def test_nothing_is_dated_after_today(demo_db):
    checks = {
        "vital_event": "event_date",
        "pregnancy": "registration_date",
        "followup": "done_date",
        "contraceptive_method": "start_date",
        "stock_movement": "movement_date",
        "person": "marriage_date",
        "folic_acid_course": "start_date",
        "prepregnancy_check": "check_date",
    }
    for table, column in checks.items():
        assert rows(demo_db, f"SELECT count(*) FROM {table} WHERE {column} > '{TODAY}'") == [(0,)], table
    assert rows(
        demo_db,
        "SELECT count(*) FROM pregnancy WHERE discharge_date > ? OR outcome_date > ?".replace(
            "?", f"'{TODAY}'"
        ),
    ) == [(0,)]


def test_follow_ups_have_windows_statuses_and_answers(demo_db):
    with demo_db.read() as s:
        fus = s.execute(sa.select(Followup)).scalars().all()
        answered = set(s.execute(sa.text("SELECT DISTINCT followup_id FROM followup_answer")).scalars())
        asked = dict(
            s.execute(
                sa.text("SELECT followup_id, value FROM followup_answer WHERE item_key = 'next_check_date'")
            ).all()
        )
        open_lmp = dict(
            s.execute(sa.select(Pregnancy.id, Pregnancy.lmp).where(Pregnancy.outcome.is_(None))).all()
        )
        present = set(s.execute(sa.select(Person.id).where(Person.residence_status.in_(PRESENT))).scalars())
    kinds = Counter(f.followup_type for f in fus)
    for kind in (
        "anc1",
        "anc2",
        "anc3",
        "anc4",
        "anc5",
        "postpartum_visit",
        "postpartum_42d",
        "prepreg_early",
        "prepreg_outcome",
        "folic_adherence",
        "contraceptive_check",
        "injection",
        "support_visit",
    ):
        assert kinds[kind] > 0, kind
    statuses = Counter(f.status for f in fus)
    assert statuses["done"] > statuses["due"] > 0 and statuses["missed"] > 0
    reasons = Counter(f.status_reason for f in fus if f.status == "cancelled")
    assert reasons["followup.reason.pregnancy_ended"] > 0  # the antenatal checks left when a pregnancy ended
    assert set(reasons) <= {
        "followup.reason.pregnancy_ended",
        "followup.reason.pregnancy_known",
        "followup.reason.course_ended",
        "followup.reason.method_stopped",
        "followup.reason.support_ended",
        "followup.reason.person_gone",
    }
    windows = {
        FollowupType.ANC1: (0, 84, 90),
        FollowupType.ANC2: (112, 112, 146),
        FollowupType.ANC3: (147, 147, 174),
        FollowupType.ANC4: (196, 196, 258),
        FollowupType.ANC5: (259, 259, 286),
    }
    # the due day of an antenatal check is the next check date the check before it asked for, kept in its window
    by_key = {(f.source_id, f.followup_type): f for f in fus}
    moved = 0
    for f in fus:
        assert f.earliest_date <= f.due_date <= f.latest_date
        assert (f.status == "done") == (f.done_date is not None) == (f.checklist_version is not None)
        assert (f.id in answered) == (f.status == "done")
        assert bool(f.status_reason) == (f.status == "cancelled")
        if f.done_date is not None:
            assert f.done_date <= TODAY
        if f.status in ("due", "missed"):  # as the engine has it: a window closed before today is missed
            window = schedule.Window(f.earliest_date, f.due_date, f.latest_date)
            assert f.status == schedule.status_for(window, TODAY), f
        if f.status == "due":
            assert f.person_id in present
        if f.source_id in open_lmp:
            lmp = open_lmp[f.source_id]
            e, d, la = windows[FollowupType(f.followup_type)]
            assert (f.earliest_date - lmp).days == e and (f.latest_date - lmp).days == la
            n = int(f.followup_type[-1])
            before = by_key.get((f.source_id, f"anc{n - 1}"))
            if before is not None and before.status == "done" and before.id in asked:
                day = dt.date.fromisoformat(asked[before.id])
                assert f.due_date == min(max(day, f.earliest_date), f.latest_date)
                moved += f.due_date != lmp + dt.timedelta(days=d)
            else:
                assert (f.due_date - lmp).days == d
    assert moved > 0
    keys = Counter((f.source_id, f.followup_type, f.occurrence) for f in fus)
    assert max(keys.values()) == 1


def test_the_follow_up_engine_finds_nothing_to_change_in_a_fresh_demo(empty_db):
    """The demo's follow-ups are exactly what the engine schedules: re-planning everyone (as the start-up run
    does) inserts, moves and cancels nothing, and nothing due has its window closed."""
    generate_demo(empty_db, people=600, seed=7, today=TODAY)
    before = table_digest(empty_db)
    user = check_login(empty_db, "demo", "demo1234")
    officer = Actor(user.id, user.role, empty_db.node)
    summary = followups.regenerate_all(empty_db, officer, TODAY)
    assert (summary.inserted, summary.moved, summary.cancelled) == (0, 0, 0)
    assert summary.people > 50
    assert followups.mark_missed(empty_db, officer, TODAY) == 0
    assert table_digest(empty_db) == before


def test_done_follow_ups_are_answered_on_their_current_checklist(demo_db):
    templates = checklists.load_templates()
    with demo_db.read() as s:
        fus = s.execute(sa.select(Followup)).scalars().all()
        answers: dict[str, dict[str, str]] = defaultdict(dict)
        for fid, key, value in s.execute(
            sa.select(FollowupAnswer.followup_id, FollowupAnswer.item_key, FollowupAnswer.value)
        ):
            answers[fid][key] = value
    done = [f for f in fus if f.status == "done"]
    assert len({f.followup_type for f in done}) >= 10
    for f in done:
        template = templates.current(f.followup_type)
        assert f.checklist_version == template.version
        assert checklists.check_answers(template, answers[f.id], TODAY) == answers[f.id], f.followup_type
    # a visit that referred her has the referral follow-up the engine plans from its day, and only such a visit
    referrals = {f.source_id: f for f in fus if f.followup_type == "referral"}
    referring = {f.id: f for f in done if answers[f.id].get("referred") == "yes"}
    assert set(referrals) == set(referring)
    for fid, r in referrals.items():
        assert (r.source_table, r.person_id) == ("followup", referring[fid].person_id)
        assert (r.earliest_date, r.latest_date) == (
            referring[fid].done_date,
            referring[fid].done_date + DAY * 14,
        )


def test_this_weeks_work_list_of_the_demo_has_antenatal_visits(demo_db):
    rows = followups.work_list(demo_db, TODAY, "week")
    assert rows and {r.status for r in rows} == {"due"}
    assert any(r.followup_type.startswith("anc") for r in rows)


def test_injections_recorded_on_follow_ups_are_the_injections_issued(demo_db):
    """An injectable's follow-ups chain on the day each injection was given; the stock ledger issued one then."""
    with demo_db.read() as s:
        episodes = dict(
            s.execute(
                sa.select(ContraceptiveEpisode.id, ContraceptiveEpisode.start_date).where(
                    ContraceptiveEpisode.method == "injectable"
                )
            ).all()
        )
        done = s.execute(
            sa.select(Followup.source_id, Followup.done_date).where(
                Followup.followup_type == "injection", Followup.status == "done"
            )
        ).all()
        issued = s.execute(
            sa.select(StockMovement.contraceptive_episode_id, StockMovement.movement_date)
            .join(SupplyItem, SupplyItem.id == StockMovement.item_id)
            .where(SupplyItem.code == "C03", StockMovement.movement_type == "issue_person")
        ).all()
    assert episodes and done
    given = {(e, day) for e, day in [*episodes.items(), *done] if WINDOW_START <= day <= TODAY}
    assert given == set(issued)


def test_stock_never_goes_below_zero_and_no_expired_lot_is_issued(demo_db):
    with demo_db.read() as s:
        moves = s.execute(sa.select(StockMovement).order_by(StockMovement.movement_date)).scalars().all()
    assert {m.movement_type for m in moves} >= {"receipt", "issue_person", "issue_self_service", "loss"}
    balance: Counter[tuple[str, str]] = Counter()
    for m in moves:
        inward = m.movement_type in (MovementType.RECEIPT, MovementType.RETURN) or (
            m.movement_type == MovementType.ADJUSTMENT and m.direction == 1
        )
        assert m.direction == (1 if inward else -1) and m.quantity > 0
        if m.movement_type.startswith("issue"):
            assert m.expiry_date > m.movement_date
            assert (m.person_id is None) == (m.movement_type == "issue_self_service")
        balance[m.item_id, m.lot] += m.direction * m.quantity
    assert min(balance.values()) >= 0
    totals = rows(demo_db, "SELECT item_id, lot, sum(direction * quantity) FROM stock_movement GROUP BY 1, 2")
    assert all(total >= 0 for _, _, total in totals) and sum(t for _, _, t in totals) > 0
    expiry_per_lot = rows(
        demo_db, "SELECT item_id, lot, count(DISTINCT expiry_date) FROM stock_movement GROUP BY 1, 2"
    )
    assert all(n == 1 for _, _, n in expiry_per_lot)


def test_one_current_method_per_person_and_none_while_pregnant(demo_db):
    assert rows(
        demo_db,
        """SELECT count(*) FROM contraceptive_method c JOIN pregnancy p ON p.woman_id = c.person_id
                            WHERE p.outcome IS NULL AND c.stop_date IS NULL""",
    ) == [(0,)]
    current = rows(
        demo_db, "SELECT person_id, count(*) FROM contraceptive_method WHERE stop_date IS NULL GROUP BY 1"
    )
    assert current and all(n == 1 for _, n in current)


def test_the_database_finds_no_broken_reference(demo_db):
    assert rows(demo_db, "PRAGMA foreign_key_check") == []
    assert rows(demo_db, "PRAGMA integrity_check") == [("ok",)]
    heads = rows(
        demo_db,
        """SELECT count(*) FROM household h JOIN person p ON p.id = h.head_person_id
                             WHERE p.household_id = h.id AND p.relation = 'head'""",
    )
    assert heads == [(len(rows(demo_db, "SELECT id FROM household")),)]


def test_a_late_head_is_replaced_unless_the_death_is_recent(demo_db):
    headless = rows(
        demo_db,
        """SELECT p.death_date, (SELECT count(*) FROM person o WHERE o.household_id = h.id
                                 AND o.residence_status IN ('resident', 'out_migrant', 'in_migrant'))
           FROM household h JOIN person p ON p.id = h.head_person_id
           WHERE p.residence_status NOT IN ('resident', 'out_migrant', 'in_migrant')""",
    )
    for death, members_left in headless:
        assert members_left == 0 or dt.date.fromisoformat(death) > TODAY - dt.timedelta(days=30)
    replaced = rows(
        demo_db,
        """SELECT count(*) FROM person p JOIN household h ON h.id = p.household_id
           WHERE p.residence_status = 'deceased' AND p.death_date <= date(?, '-30 days')
             AND h.head_person_id <> p.id AND p.sex = 'M' AND p.relation = 'spouse'""".replace(
            "?", f"'{TODAY}'"
        ),
    )
    assert replaced[0][0] > 0  # a late husband is the widow's "spouse" once she heads the household


# ---------------------------------------------------------------- progress and cancelling


def test_progress_is_reported_from_zero_to_one(empty_db):
    seen: list[tuple[float, str]] = []
    generate_demo(
        empty_db, people=PEOPLE, seed=1, today=TODAY, progress=lambda f, m: seen.append((f, m)) or True
    )
    fractions = [f for f, _ in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert all(message and not message.startswith("demo.") for _, message in seen)  # translated, not an id


def test_cancelling_at_the_start_changes_nothing(empty_db):
    with pytest.raises(Cancelled):
        generate_demo(empty_db, people=PEOPLE, seed=1, today=TODAY, progress=lambda f, m: False)
    assert village_info(empty_db) is None
    with empty_db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(Household)).scalar_one() == 0


def test_cancelling_an_empty_database_at_the_last_moment_leaves_it_empty(empty_db):
    """The demo's own set-up is part of its one transaction: nothing of it stays either."""
    with pytest.raises(Cancelled):
        generate_demo(empty_db, people=PEOPLE, seed=1, today=TODAY, progress=lambda f, m: f < 1.0)
    assert not is_set_up(empty_db) and empty_db.node == ""
    for table in ("app_user", "village_profile", "sync_state", "audit_event", "villager_group", "person"):
        assert rows(empty_db, f"SELECT count(*) FROM {table}") == [(0,)], table
    assert generate_demo(empty_db, people=PEOPLE, seed=1, today=TODAY).households > 0
    assert check_login(empty_db, "demo", "demo1234").role == "admin"


def test_cancelling_at_the_last_moment_rolls_everything_back(db):
    before = table_digest(db)
    with pytest.raises(Cancelled):
        generate_demo(db, people=PEOPLE, seed=1, today=TODAY, progress=lambda f, m: f < 1.0)
    assert table_digest(db) == before
    with db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(Household)).scalar_one() == 0
        assert s.execute(sa.select(sa.func.count()).select_from(Person)).scalar_one() == 0
        assert (
            s.execute(
                sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "bulk")
            ).scalar_one()
            == 0
        )
    # and the village can still be filled afterwards
    assert generate_demo(db, people=PEOPLE, seed=1, today=TODAY).households > 0
