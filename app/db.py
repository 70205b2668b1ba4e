"""The only place that makes database engines and sessions, and that migrates a database on open.

SQLite (the village laptop) gets foreign keys, WAL and synchronous=FULL on every connection; write
sessions take the write lock up front (BEGIN IMMEDIATE) so two windows can never interleave a
read-check-write. A village's file is encrypted with SQLCipher: opened with its raw 32-byte key (the key
slots that wrap it live in app.services.vault), so the file, its WAL, its backups and SQLite's temporary
files never hold personal data in plain text. A PostgreSQL URL (the township) goes through the same
`Database` object.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from app.actor import Actor
from app.assets import migrations_dir
from app.files import create_private_file, make_private
from app.i18n import tr
from app.migrations import HEAD_REVISION
from app.models import tracking
from app.models.village import VillageProfile

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
MIGRATIONS_DIR = migrations_dir()


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # pysqlite's own transaction handling is switched off so that BEGIN is ours (see _begin).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")  # must be outside a transaction, hence here
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA cache_size=-32000")  # 32 MB: uuid-keyed bulk loads are 1.5x slower at 2 MB
    cur.close()


def _sqlcipher_quiet(dbapi_conn: Any, _record: object) -> None:
    # before the key: a wrong key is reported to us as an error, not printed as "ERROR CORE" lines
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA cipher_log_level = NONE")
    cur.close()


def _sqlcipher_pragmas(dbapi_conn: Any, record: object) -> None:
    """After the key: a probe (a wrong key is only noticed at the first read), then the usual pragmas, and
    temporary tables and sorts kept in memory, never in an unencrypted temporary file."""
    cur = dbapi_conn.cursor()
    try:
        cur.execute("SELECT count(*) FROM sqlite_master")
    except Exception as e:  # noqa: BLE001 - the driver's DatabaseError: "file is not a database"
        cur.close()
        raise WrongKey(str(e)) from None
    cur.execute("PRAGMA temp_store = MEMORY")
    cur.close()
    _sqlite_pragmas(dbapi_conn, record)


class WrongKey(Exception):
    """The key given does not open this file (the key file and the database do not belong together, or the
    file is damaged): raised by the probe right after keying."""


def _begin(conn: sa.Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("fhd_write") else "BEGIN")


def make_engine(url: str | sa.URL) -> sa.Engine:
    """An engine whose errors never carry the values of a statement (names, phone numbers): a failed write's
    message holds the SQL with its placeholders, and the log renders it without parameters (app/logs.py)."""
    url = sa.make_url(url)
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)


def keyed_engine(path: Path, key: bytes) -> sa.Engine:
    """An engine on the SQLCipher file at `path`, keyed with its raw 32-byte key (0.1 ms per connection; a
    passphrase would cost a key derivation each time)."""
    if len(key) != 32:
        raise ValueError("a database key is 32 bytes")
    url = sa.URL.create("sqlite+pysqlcipher", password=f"x'{key.hex()}'", database=str(path))
    engine = sa.create_engine(
        url,
        poolclass=sa.pool.QueuePool,  # the dialect's default is one connection per thread
        connect_args={"check_same_thread": False, "timeout": 10},
        hide_parameters=True,
    )
    event.listen(engine, "connect", _sqlcipher_quiet, insert=True)
    event.listen(engine, "connect", _sqlcipher_pragmas)
    event.listen(engine, "begin", _begin)
    return engine


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    return HEAD_REVISION


def alembic_head_revision() -> str | None:
    """The head as Alembic reads it from the migration scripts (tests check HEAD_REVISION against it)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    """The schema revision stored in the database, read without importing Alembic."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def connect_raw(path: Path, key: bytes | None, *, read_only: bool = False) -> Any:
    """A bare driver connection (no engine): the standard sqlite3 for a plain file, sqlcipher3 keyed for an
    encrypted one. For the backup API and the probes that must not switch a file to WAL."""
    uri = f"{path.resolve().as_uri()}{'?mode=ro' if read_only else ''}"
    if key is None:
        return sqlite3.connect(uri, uri=True)
    import sqlcipher3

    conn = sqlcipher3.connect(uri, uri=True)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as e:
        conn.close()
        raise WrongKey(str(e)) from None
    return conn


class Database:
    """An open database: engine, read and write sessions, and this node's code (the home village's)."""

    def __init__(self, engine: sa.Engine, path: Path | None = None) -> None:
        self.engine = engine
        self.path = path
        self._read = sessionmaker(bind=engine, expire_on_commit=False)
        self._write = sessionmaker(bind=engine.execution_options(fhd_write=True), expire_on_commit=False)
        tracking.install(self._write)
        self.node = ""
        self.damaged = False  # set when SQLite said the file is damaged: no write is tried into it again
        self.refresh_profile()

    def refresh_profile(self) -> None:
        """This node's code: the home village's, or in a township-mode database the township's."""
        from app.models import TownshipProfile

        with self.read() as s:
            code = s.execute(sa.select(VillageProfile.code).where(VillageProfile.home)).scalar()
            if code is None:
                code = s.execute(sa.select(TownshipProfile.code)).scalar()
        self.node = code or ""

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading. Closing it ends the transaction without expiring loaded objects, so the
        plain values read stay usable after the block."""
        with self._read() as session:
            yield session

    @contextmanager
    def write(self, actor: Actor, *, replicate: bool = False) -> Iterator[Session]:
        """One unit of work by one person: all of it is saved, or none of it. Every row written in it is
        stamped and audited as `actor`'s (app.models.tracking).

        A write that finds the file damaged stops all writing into it (DamagedDatabase, now and for every
        later write): saving more into a damaged file can only lose more."""
        if self.damaged:
            raise DamagedDatabase(self.path or Path(":memory:"))
        try:
            with self._write() as session:
                tracking.bind(session, actor, replicate=replicate)
                with session.begin():
                    yield session
        except Exception as e:
            if is_damage(e):
                self.damaged = True
                raise DamagedDatabase(self.path or Path(":memory:")) from None
            raise

    def run(
        self,
        actor: Actor,
        core: Callable[Concatenate[Session, Actor, P], R],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Call a service core in a transaction of its own: the thin wrapper every form-facing write uses."""
        with self.write(actor) as s:
            return core(s, actor, *args, **kwargs)

    def dispose(self) -> None:
        self.engine.dispose()


class ForeignKeysBroken(RuntimeError):
    """A migration left rows pointing at nothing; it was rolled back."""


class DatabaseProblem(ValueError):
    """The database file cannot be used as it is; `message()` says why in the person's language."""

    msg_id = ""

    def __init__(self, path: Path, text: str) -> None:
        super().__init__(text)
        self.path = path

    def message(self) -> str:
        return tr(self.msg_id, path=str(self.path), backups=str(self.path.parent / "backups"))


class NotOurDatabase(DatabaseProblem):
    """The file is not a Family Health Desk database (another program's, or not a database at all)."""

    msg_id = "cli_errors.database_not_ours"

    def __init__(self, path: Path) -> None:
        super().__init__(path, f"{path} is not a Family Health Desk database")


class NewerDatabase(DatabaseProblem):
    """The file was saved by a newer version of the app, with a schema this one does not know."""

    msg_id = "cli_errors.database_newer"

    def __init__(self, path: Path, revision: str) -> None:
        super().__init__(
            path, f"{path} was saved by a newer version of Family Health Desk (schema {revision})"
        )
        self.revision = revision


class DamagedDatabase(DatabaseProblem):
    """The file is ours but cannot be read: cut short (a copy interrupted, a full disk) or overwritten."""

    msg_id = "cli_errors.database_damaged"

    def __init__(self, path: Path) -> None:
        super().__init__(path, f"{path} is damaged (the database cannot be read)")


# SQLite's result codes for a file that is damaged or not a database at all
SQLITE_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


def is_damage(error: BaseException) -> bool:
    """Whether a driver error (bare or wrapped by SQLAlchemy; sqlite3's or sqlcipher3's) says the database
    file itself is damaged."""
    orig = getattr(error, "orig", error)
    return (
        isinstance(orig, sqlite3.DatabaseError | _cipher_error())
        and getattr(orig, "sqlite_errorcode", None) in SQLITE_DAMAGED
    )


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the head revision, all of it in one transaction.

    On SQLite the migrations run with foreign keys off (SQLite's own recipe for rebuilding a table that other
    tables point at: it cannot be switched inside a transaction) and every reference is checked before the
    commit, so a migration can never leave a dangling one behind."""
    from alembic import command

    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.dbapi_connection
        if (
            sqlite and raw is not None
        ):  # outside any transaction, at the driver (SQLAlchemy would BEGIN first)
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                command.upgrade(alembic_config(conn), "head")
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise ForeignKeysBroken(f"{len(broken)} references broken, first: {broken[0]}")
        finally:
            if sqlite and raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


PLAIN_HEADER = b"SQLite format 3\x00"


def is_plain_sqlite(path: Path) -> bool:
    """Whether the file starts as an unencrypted SQLite database does (an encrypted one looks random)."""
    with open(path, "rb") as f:
        return f.read(16) == PLAIN_HEADER


def _stored_revision(path: Path, key: bytes | None = None) -> str:
    """The schema revision of an existing file, read without changing it; ValueError if it is not ours.

    Checked before the engine connects: its connect hook switches the file to WAL, which would rewrite the
    header of another program's database (and a text file would only give "file is not a database"). An
    encrypted file is read through the keyed driver, never the standard sqlite3 module."""
    not_ours = NotOurDatabase(path)
    if is_plain_sqlite(path) != (key is None):
        raise not_ours  # a plain file given a key (convert it first), or an encrypted one without a key
    conn = connect_raw(path, key, read_only=True)
    try:
        if not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone():
            raise not_ours
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except (sqlite3.DatabaseError, _cipher_error()) as e:  # a locked file says so itself
        if getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
            raise not_ours from None  # "file is not a database": our header, another content
        if getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_CORRUPT:
            raise DamagedDatabase(path) from None  # "database disk image is malformed": cut short
        raise
    finally:
        conn.close()
    if row is None:
        raise not_ours
    revision: str = row[0]
    if revision == HEAD_REVISION:
        return revision
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError:
        raise NewerDatabase(path, revision) from None
    return revision


def _make_private(path: Path) -> None:
    """The database and its companions readable by their owner alone. SQLite gives the -wal and -shm files it
    creates the database file's permissions, so a new file is created private before SQLite opens it."""
    create_private_file(path)
    for companion in ("-wal", "-shm", "-journal"):
        make_private(path.with_name(path.name + companion))


def check_before_login(path: Path) -> None:
    """What can be known of a database file before its key is unwrapped: a plain file (kept before
    encryption) is probed as it is — damaged, another program's or too new is said at once; an encrypted
    file can only be checked once it is opened."""
    if path.exists() and path.stat().st_size > 0 and is_plain_sqlite(path):
        _stored_revision(path)


def _cipher_error() -> type[Exception]:
    import sqlcipher3

    error: type[Exception] = sqlcipher3.DatabaseError
    return error


def open_database(path: Path, *, key: bytes | None = None, backups: Path | None = None) -> Database:
    """Open (or create) the SQLite database at `path` — encrypted with `key` (a village's), or plain (tests
    and tools that make throw-away files) — upgrading an older schema after a backup. Its folder must exist.
    A damaged file raises DamagedDatabase, another program's NotOurDatabase, a key that does not open it
    WrongKey."""
    path = Path(path)
    existed = path.exists() and path.stat().st_size > 0
    if existed:
        _stored_revision(path, key)
    _make_private(path)
    engine = keyed_engine(path, key) if key is not None else make_engine(sqlite_url(path))
    try:
        current = current_revision(engine) if existed else None
        if existed and current is None:
            raise NotOurDatabase(path)
        if current != head_revision():
            if existed:
                from app.backups import make_backup  # the backups need this module: imported when used

                saved = make_backup(path, key, f"before-{head_revision()}", to=backups).path
                log.info("backed up %s to %s before upgrading from %s", path, saved, current)
            upgrade(engine)
        database = Database(engine, path)
    except Exception as e:
        engine.dispose()
        if is_damage(e):  # a header intact, the pages behind it cut off
            raise DamagedDatabase(path) from None
        raise
    return database


def open_url(url: str) -> Database:
    """Open a database by URL (a township's PostgreSQL), migrating it to the current schema."""
    engine = make_engine(url)
    upgrade(engine)
    return Database(engine)
