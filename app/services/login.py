"""Opening a village: the password unwraps the database key (app.services.vault), then the encrypted database
opens once, as that person. Also setting up a new village, the first login to a village kept before encryption
(its file converted once, after an encrypted backup), and the accounts: add, change and reset a password.

Logins, failed logins (written at the next successful one: the database cannot be opened without the key)
and password changes are audited.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app import backups, config, storage
from app.actor import Actor
from app.clock import now_utc
from app.db import DamagedDatabase, Database, WrongKey, connect_raw, is_plain_sqlite, open_database
from app.errors import DomainError
from app.files import create_private_file, fsync_file, fsync_folder, make_private_dir
from app.models import User
from app.models.tracking import append_event
from app.services import auth
from app.services.auth import UserInfo
from app.services.permissions import Permission, require
from app.services.validation import clean_phone, required_text
from app.services.vault import KeyFile, LoginRefused, new_key, unlock
from app.services.village import VillageSetup, set_up_village
from app.vocab import UserRole

log = logging.getLogger(__name__)


@dataclass
class LoggedIn:
    """An open village and the person who opened it (with the key, to wrap it for new accounts)."""

    db: Database
    user: UserInfo
    folder: Path
    key: bytes
    warnings: tuple[str, ...] = ()  # message ids worth telling the person once (a WAL not left here)

    @property
    def actor(self) -> Actor:
        return Actor(self.user.id, self.user.role, self.db.node)

    def close(self) -> None:
        """The database closed cleanly: the WAL folded in, the running marker removed."""
        storage.close_cleanly(self.db)


def has_village(folder: Path) -> bool:
    """A village's database is in this folder (set up, or being converted)."""
    path = config.database_path(folder)
    return path.exists() and path.stat().st_size > 0


def is_encrypted(folder: Path) -> bool:
    return KeyFile.exists(folder)


def usernames(folder: Path) -> list[str]:
    """The accounts that can log in here, in the order they were made (the first is the village's first
    officer): for the login screen's list and the command line's default."""
    if KeyFile.exists(folder):
        return [s.username for s in KeyFile.load(folder).slots.values()]
    path = config.database_path(folder)
    if has_village(folder) and is_plain_sqlite(
        path
    ):  # kept before encryption: its accounts, read as they are
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return [
                r[0] for r in conn.execute("SELECT username FROM app_user WHERE active ORDER BY created_at")
            ]
        except sqlite3.DatabaseError:
            return []
        finally:
            conn.close()
    return []


def _audit_login(session: LoggedIn, failed_before: tuple[str, ...]) -> None:
    with session.db.write(session.actor) as s:
        for at in failed_before:
            append_event(s, "login_failed", session.user.id, {"at": at})
        append_event(s, "login", session.user.id)


def open_village(folder: Path, username: str, password: str) -> LoggedIn:
    """Log in: unwrap the key with the password, open the encrypted database (upgrading its schema after an
    encrypted backup), and check the account is still active there. A village kept before encryption is
    converted here, on its first login."""
    folder = Path(folder)
    path = config.database_path(folder)
    if not KeyFile.exists(folder):
        if has_village(folder) and is_plain_sqlite(path):
            return _first_login_of_a_plain_village(folder, username, password)
        raise DomainError("vault.no_village", None, folder=str(folder))
    unlocked = unlock(folder, username, password)
    return _open_unlocked(folder, unlocked.key, unlocked.user_id, unlocked.failed_before)


def reopen(folder: Path, key: bytes, user_id: str) -> LoggedIn:
    """Open the village again as the same person with the key in hand (after a restore, in the same run)."""
    return _open_unlocked(folder, key, user_id, ())


class DamagedVillage(DamagedDatabase):
    """The village's database failed its check after the password unlocked its key: nothing was written into
    it. Carries what a restore needs — the key, who logged in, and the newest backup that is whole."""

    def __init__(self, path: Path, key: bytes, user_id: str, good_backup: backups.BackupInfo | None) -> None:
        super().__init__(path)
        self.key = key
        self.user_id = user_id
        self.good_backup = good_backup


def newest_good_backup(folder: Path, key: bytes) -> backups.BackupInfo | None:
    """The newest backup in the data folder that this key opens and that passes its check."""
    for candidate in backups.list_backups(config.backups_dir(folder)):
        try:
            return backups.preview_restore(candidate.path, key).info
        except DomainError:
            continue
    return None


def recover(folder: Path, damaged: DamagedVillage, backup: Path) -> tuple[LoggedIn, Path]:
    """Put a good backup in place of the damaged database (kept aside, never deleted) and open the village as
    the person who found it damaged. Returns the session and where the damaged file was kept."""
    kept = backups.restore_over_damaged(config.database_path(folder), damaged.key, backup)
    session = _open_unlocked(folder, damaged.key, damaged.user_id, ())
    audit_recovery(session, backup, kept)
    return session, kept


def audit_recovery(session: LoggedIn, backup: Path, kept: Path | None) -> None:
    """Every restore is audited, and the village's packages begin a new epoch (app/sync/epoch.py)."""
    from app.services.audit import record_event

    details = {"from": backup.name} | ({"damaged_kept": kept.name} if kept is not None else {})
    record_event(session.db, session.actor, "restore", "database", details)
    from app.sync.epoch import do_begin_new_epoch  # the packages start a new epoch after any restore

    with session.db.write(Actor.system(session.db.node)) as s:
        do_begin_new_epoch(s, session.actor)


def _open_unlocked(folder: Path, key: bytes, user_id: str, failed_before: tuple[str, ...]) -> LoggedIn:
    """The database opened with its key: checked (quick_check, a full check weekly) before anything is
    written — a damaged file raises DamagedVillage (with the newest good backup) and nothing is written."""
    path = config.database_path(folder)
    warnings = ("storage.wal_not_ours",) if storage.wal_not_ours(path) else ()
    backups.clean_partials(config.backups_dir(folder))
    try:
        db = open_database(path, key=key, backups=config.backups_dir(folder))
    except (DamagedDatabase, WrongKey):  # the key came out of the vault whole: a key that fails is damage
        raise DamagedVillage(path, key, user_id, newest_good_backup(folder, key)) from None
    try:
        try:
            storage.check_at_start(db)
        except DamagedDatabase:
            raise DamagedVillage(path, key, user_id, newest_good_backup(folder, key)) from None
        storage.mark_running(path)
        user = auth.get_user(db, user_id)
        if user is None or not auth.is_active(db, user.id):
            raise LoginRefused("auth.account_disabled", "username")
        session = LoggedIn(db, user, folder, key, warnings)
        _audit_login(session, failed_before)
    except BaseException:
        db.dispose()
        raise
    return session


def clean_leftovers(folder: Path) -> None:
    """What an interrupted first set-up left: the database it was building under its temporary name, and a
    key file whose database never got its real name. Never a village: that has its database in place."""
    path = config.database_path(folder)
    staging = path.with_name(path.name + ".new")
    for leftover in (staging, *(staging.with_name(staging.name + s) for s in ("-wal", "-shm", "-journal"))):
        leftover.unlink(missing_ok=True)
    if not has_village(folder) and KeyFile.exists(folder):
        KeyFile.path(folder).unlink()


@contextlib.contextmanager
def building(folder: Path) -> Iterator[tuple[Path, bytes]]:
    """A new village's database built under a temporary name with a new key; when the block ends without an
    error it gets its real name — a half-built database is never taken for a village."""
    folder = Path(folder)
    config.prepare_data_dir(folder)
    clean_leftovers(folder)
    if has_village(folder) or KeyFile.exists(folder):
        raise DomainError("village.already_set_up", None)
    path = config.database_path(folder)
    staging = path.with_name(path.name + ".new")
    try:
        yield staging, new_key()
        fsync_file(staging)
        os.replace(staging, path)  # the key file was saved inside the block: keys first, then the database
        fsync_folder(folder)
    except BaseException:
        clean_leftovers(folder)
        raise


def set_up_new_village(folder: Path, data: VillageSetup) -> LoggedIn:
    """A new village: a new random key, the encrypted database set up with its first officer (an
    administrator), that officer's key slot, and the village's own package keys (signing and age)."""
    folder = Path(folder)
    with building(folder) as (staging, key):
        db = open_database(staging, key=key)
        try:
            user_id = set_up_village(db, data)
            with db.write(Actor(user_id, UserRole.ADMIN, db.node)) as s:
                append_event(s, "key_created", user_id)
            from app.sync.keys import ensure_own_keys  # the package keys are made with the village

            ensure_own_keys(db, Actor(user_id, UserRole.ADMIN, db.node))
        finally:
            db.dispose()
        keys = KeyFile()
        keys.add(key, data.username, user_id, data.password)
        keys.save(folder)
    return _open_unlocked(folder, key, user_id, ())


# ---------------------------------------------------------------- a village kept before encryption


def _plain_account(path: Path, username: str, password: str) -> str:
    """The user id of this account in a plain (not yet encrypted) database, if the password is right."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT id, password_hash FROM app_user WHERE lower(username) = lower(?) AND active",
            (username.strip(),),
        ).fetchone()
    finally:
        conn.close()
    if row is None:
        raise LoginRefused("auth.wrong_credentials", "password")
    try:
        PasswordHasher().verify(row[1], password)
    except (VerificationError, InvalidHashError):
        raise LoginRefused("auth.wrong_credentials", "password") from None
    return str(row[0])


def _export_encrypted(plain: Path, target: Path, key: bytes) -> None:
    """Copy the whole plain database (schema, rows, triggers) into a new file encrypted with `key`."""
    target.unlink(missing_ok=True)
    create_private_file(target)  # SQLCipher fills it keeping the owner-only permissions
    conn = connect_raw(plain, None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the rows still in the WAL are copied too
        conn.close()
        import sqlcipher3

        conn = sqlcipher3.connect(str(plain))
        conn.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(target), f"x'{key.hex()}'"))
        conn.execute("SELECT sqlcipher_export('encrypted')")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
    check = connect_raw(target, key)
    try:
        result = [r[0] for r in check.execute("PRAGMA integrity_check")]
    finally:
        check.close()
    if result != ["ok"]:
        target.unlink(missing_ok=True)
        raise RuntimeError(f"the encrypted copy failed its integrity check: {result[:3]}")
    fsync_file(target)


def convert_plain_database(folder: Path, key: bytes) -> None:
    """Encrypt a village kept before encryption, once: first an encrypted backup of it, then the encrypted
    copy, checked, put in place of the plain file (the plain file is gone only when the encrypted one passed
    integrity_check). Plain backups left by earlier upgrades are encrypted too."""
    path = config.database_path(folder)
    backups = make_private_dir(config.backups_dir(folder))
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    _export_encrypted(path, backups / f"{path.stem}-{stamp}-before-encryption.sqlite", key)
    staging = path.with_name(path.name + ".encrypting")
    _export_encrypted(path, staging, key)
    os.replace(staging, path)
    for companion in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + companion).unlink(missing_ok=True)  # checkpointed: nothing left in them
    fsync_folder(path.parent)
    for old in sorted(backups.glob("*.sqlite")):
        if is_plain_sqlite(old):
            encrypted = old.with_name(old.name + ".encrypting")
            _export_encrypted(old, encrypted, key)
            os.replace(encrypted, old)
    with contextlib.suppress(OSError):
        fsync_folder(backups)


def _first_login_of_a_plain_village(folder: Path, username: str, password: str) -> LoggedIn:
    path = config.database_path(folder)
    user_id = _plain_account(path, username, password)
    key = new_key()
    convert_plain_database(folder, key)
    keys = KeyFile()
    keys.add(key, username, user_id, password)
    keys.save(folder)
    db = open_database(path, key=key, backups=config.backups_dir(folder))
    try:
        user = auth.get_user(db, user_id)
        assert user is not None
        session = LoggedIn(db, user, folder, key)
        with db.write(session.actor) as s:
            append_event(s, "database_encrypted", user_id)
        _audit_login(session, ())
    except BaseException:
        db.dispose()
        raise
    log.info("the village database in %s was encrypted on its first login", folder)
    return session


# ---------------------------------------------------------------- accounts


def check_password(session: LoggedIn, password: str) -> bool:
    """Whether `password` is the logged-in person's (the idle lock asks for it)."""
    keys = KeyFile.load(session.folder)
    slot = keys.slot_of_user(session.user.id)
    return slot is not None and slot.unwrap(password) == session.key


def _set_password(session: LoggedIn, user: User, new_password: str, action: str) -> None:
    auth.check_new_credentials(user.username, new_password)
    keys = KeyFile.load(session.folder)
    with session.db.write(session.actor) as s:
        stored = s.get(User, user.id)
        assert stored is not None
        stored.password_hash = auth.hash_password(new_password)
        append_event(s, action, user.id)
        keys.remove(stored.username)
        keys.add(session.key, stored.username, stored.id, new_password)
        keys.failures.pop(stored.username.lower(), None)
        keys.save(session.folder)  # inside the transaction: a slot is never saved for a change rolled back


def change_password(session: LoggedIn, old_password: str, new_password: str) -> None:
    """The person changes their own password: their key slot is rewrapped (the database is not re-keyed)."""
    if not check_password(session, old_password):
        raise DomainError("auth.old_password_wrong", "old_password")
    with session.db.read() as s:
        user = s.get(User, session.user.id)
    assert user is not None
    _set_password(session, user, new_password, "password_changed")


def reset_password(session: LoggedIn, user_id: str, new_password: str) -> None:
    """An administrator gives an account a new password (audited)."""
    require(session.actor, Permission.ADMIN)
    with session.db.read() as s:
        user = s.get(User, user_id)
    if user is None:
        raise DomainError("auth.user_not_found", None)
    _set_password(session, user, new_password, "password_reset")


def add_account(
    session: LoggedIn, username: str, display_name: str, role: str, password: str, phone: str | None = None
) -> str:
    """An administrator adds an account (officer, village doctor, township reviewer or administrator)."""
    require(session.actor, Permission.ADMIN)
    auth.check_new_credentials(username, password)
    display_name = required_text(display_name, "display_name", 40)
    phone = clean_phone(phone, "phone")
    if role not in UserRole.__members__.values():
        raise DomainError("field.invalid_choice", "role")
    keys = KeyFile.load(session.folder)
    if username.strip().lower() in keys.slots:
        raise DomainError("auth.username_taken", "username")
    with session.db.write(session.actor) as s:
        if s.execute(
            sa.select(User.id).where(sa.func.lower(User.username) == username.strip().lower())
        ).first():
            raise DomainError("auth.username_taken", "username")
        user = User(
            username=username.strip(),
            display_name=display_name,
            password_hash=auth.hash_password(password),
            role=role,
            phone=phone,
            created_at=now_utc(),
        )
        s.add(user)
        s.flush()
        keys.add(session.key, user.username, user.id, password)
        keys.save(session.folder)
        return user.id
