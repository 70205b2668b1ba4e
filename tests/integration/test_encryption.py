"""Encryption at rest, login and accounts (issue 13): nobody without a password reads anything."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import config
from app.actor import Actor
from app.db import is_plain_sqlite, open_database
from app.errors import DomainError
from app.models import TRAVELLING_MODELS, AuditEvent, tracking
from app.services import households as hh
from app.services import login, vault
from app.services.vault import KeyFile, LoginRefused
from app.services.village import set_up_village
from app.vocab import UserRole
from tests.conftest import SETUP, TODAY

CANARY_NAME = "金丝雀"
CANARY_PHONE = "13987654321"
CANARY_ID = "11010519491231002X"


def _canaries() -> list[bytes]:
    out = []
    for text in (CANARY_NAME, CANARY_PHONE, CANARY_ID):
        out += [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be")]
    return out


def _add_canary(session: login.LoggedIn) -> str:
    home = hh.create_household(
        session.db, session.actor, hh.HouseholdInput("0101", 1, "一组 1 号", CANARY_PHONE)
    )
    return hh.add_person(
        session.db,
        session.actor,
        home,
        hh.PersonInput(CANARY_NAME, id_number=CANARY_ID, phone=CANARY_PHONE),
        TODAY,
    )


@pytest.fixture
def village(tmp_path: Path):
    session = login.set_up_new_village(tmp_path / "data", SETUP)
    yield session
    session.close()


def test_a_new_village_is_encrypted_and_its_files_hold_no_personal_data(village, tmp_path):
    _add_canary(village)
    folder = village.folder
    with village.db.engine.connect() as conn:  # the rows are still in the WAL, not yet in the main file
        conn.exec_driver_sql("SELECT 1")
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files)
    for path in files:
        data = path.read_bytes()
        for canary in _canaries():
            assert canary not in data, (path.name, canary)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(config.database_path(folder)).execute("SELECT * FROM person").fetchall()
    assert not is_plain_sqlite(config.database_path(folder))


def test_the_right_password_opens_and_a_wrong_one_is_refused_calmly(village):
    folder = village.folder
    person = _add_canary(village)
    village.close()
    with pytest.raises(LoginRefused) as wrong:
        login.open_village(folder, SETUP.username, "not-the-password")
    assert wrong.value.msg_id == "auth.wrong_credentials" and wrong.value.field == "password"
    with pytest.raises(LoginRefused):
        login.open_village(folder, "nobody", SETUP.password)
    again = login.open_village(folder, SETUP.username.upper(), SETUP.password)  # usernames: any case
    try:
        assert hh.get_person(again.db, person).name == CANARY_NAME
        with again.db.read() as s:
            events = s.execute(
                sa.select(AuditEvent.action, AuditEvent.record_table).order_by(AuditEvent.seq)
            ).all()
        assert events[-2:] == [
            ("login_failed", "event"),
            ("login", "event"),
        ]  # the wrong try, then this login
    finally:
        again.close()


def test_the_delay_after_wrong_passwords_survives_a_restart(village):
    folder = village.folder
    village.close()
    start = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    for n in range(vault.FREE_ATTEMPTS):
        with pytest.raises(LoginRefused):
            vault.unlock(folder, SETUP.username, "wrong", now=start + dt.timedelta(seconds=n))
    # the key file remembers: a new process (a restart) still has to wait, even with the right password
    later = start + dt.timedelta(seconds=vault.FREE_ATTEMPTS)
    assert vault.seconds_to_wait(folder, SETUP.username, later) > 0
    with pytest.raises(LoginRefused) as waiting:
        vault.unlock(folder, SETUP.username, SETUP.password, now=later)
    assert waiting.value.msg_id == "auth.wait"
    after = start + dt.timedelta(minutes=10)
    unlocked = vault.unlock(folder, SETUP.username, SETUP.password, now=after)
    assert len(unlocked.failed_before) == vault.FREE_ATTEMPTS
    assert vault.seconds_to_wait(folder, SETUP.username, after) == 0  # a good login clears it


def test_accounts_passwords_and_the_recovery_slot(village):
    folder = village.folder
    doctor = login.add_account(village, "doctor", "王医生", UserRole.DOCTOR, "doctor-pass")
    login.change_password(village, SETUP.password, "new-secret-1")
    with pytest.raises(DomainError) as old_wrong:
        login.change_password(village, "wrong-old", "x" * 8)
    assert old_wrong.value.field == "old_password"
    login.reset_password(village, doctor, "reset-pass-2")
    village.close()
    with pytest.raises(LoginRefused):
        login.open_village(folder, SETUP.username, SETUP.password)  # the old password no longer opens
    for username, password in ((SETUP.username, "new-secret-1"), ("doctor", "reset-pass-2")):
        session = login.open_village(folder, username, password)
        session.close()
    doc = login.open_village(folder, "doctor", "reset-pass-2")
    try:
        with pytest.raises(Exception) as refused:
            login.add_account(doc, "x2", "某人", UserRole.OFFICER, "secret-99")
        assert getattr(refused.value, "msg_id", "") == "permission.denied"
    finally:
        doc.close()

    import pyrage

    identity = pyrage.x25519.Identity.generate()
    keys = KeyFile.load(folder)
    admin = login.open_village(folder, SETUP.username, "new-secret-1")
    keys.enrol_recovery(admin.key, str(identity.to_public()))
    keys.save(folder)
    assert vault.recover_key(folder, str(identity)) == admin.key
    with pytest.raises(DomainError):
        vault.recover_key(folder, str(pyrage.x25519.Identity.generate()))
    admin.close()


def _digests(db) -> dict[str, str]:
    out = {}
    with db.read() as s:
        for model in TRAVELLING_MODELS:
            for row in s.execute(sa.select(model.__table__)).mappings():
                out[row["id"]] = tracking.row_digest(model.__table__, row)
    return out


def test_a_plain_village_is_encrypted_on_its_first_login_after_an_encrypted_backup(tmp_path):
    folder = tmp_path / "data"
    config.prepare_data_dir(folder)
    plain = open_database(config.database_path(folder), backups=config.backups_dir(folder))
    officer = Actor(set_up_village(plain, SETUP), UserRole.ADMIN, SETUP.village_code)
    home = hh.create_household(plain, officer, hh.HouseholdInput("0101", 1, "一组", CANARY_PHONE))
    hh.add_person(plain, officer, home, hh.PersonInput(CANARY_NAME, id_number=CANARY_ID), TODAY)
    before = _digests(plain)
    plain.dispose()
    backup_dir = config.backups_dir(folder)
    backup_dir.mkdir(exist_ok=True)
    (backup_dir / "fhdesk-old-before-0004.sqlite").write_bytes(config.database_path(folder).read_bytes())
    assert is_plain_sqlite(config.database_path(folder))

    with pytest.raises(LoginRefused):
        login.open_village(folder, SETUP.username, "wrong")
    assert is_plain_sqlite(config.database_path(folder))  # a wrong password converts nothing

    session = login.open_village(folder, SETUP.username, SETUP.password)
    try:
        assert _digests(session.db) == before  # every row exactly as it was
        with session.db.read() as s:
            assert tracking.broken_links(s) == []
            actions = s.execute(sa.select(AuditEvent.action).order_by(AuditEvent.seq)).scalars().all()
        assert actions[-2:] == ["database_encrypted", "login"]
    finally:
        session.close()
    assert not is_plain_sqlite(config.database_path(folder))
    backups = sorted(backup_dir.glob("*.sqlite"))
    assert any("before-encryption" in b.name for b in backups)
    for path in [*backups, *folder.glob("fhdesk.sqlite*")]:
        assert not is_plain_sqlite(path), path.name
        data = path.read_bytes()
        assert all(c not in data for c in _canaries()), path.name
