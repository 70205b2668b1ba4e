"""A real PostgreSQL server for the tests, started by the tests themselves (shared/design/pitfalls.md).

Debian's `postgresql` package (installed by `bash dev.sh test`) gives the binaries; `initdb` and `postgres`
refuse to run as root, so they run as the `postgres` user, in a folder under /tmp that user can enter, on a Unix
socket only (pytest-xdist workers each start their own: no TCP port to collide on). A test that needs the
server and cannot have it is skipped with the reason — never passed silently.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

PORT = 5432


class PostgresUnavailable(RuntimeError):
    """Why no server could be started here (the skip reason)."""


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL is not installed (Debian package postgresql; bash dev.sh test installs it)"
        )
    return Path(found[-1]).parent


def _as_postgres() -> dict[str, object]:
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable("there is no 'postgres' user to run the server as") from None
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


class PostgresServer:
    """One running server; `new_database()` gives each test a fresh, empty database by URL."""

    def __init__(self) -> None:
        bindir = _binaries()
        identity = _as_postgres()
        self.root = Path(tempfile.mkdtemp(prefix="fhdesk-pg-", dir="/tmp"))
        self.socket = self.root / "sock"
        self.socket.mkdir()
        if identity:
            for path in (self.root, self.socket):
                os.chown(path, int(identity["user"]), int(identity["group"]))  # type: ignore[call-overload]
        done = subprocess.run(
            [str(bindir / "initdb"), "-D", str(self.root / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync"],
            capture_output=True, text=True, **identity,  # type: ignore[arg-type]
        )  # fmt: skip
        if done.returncode != 0:
            shutil.rmtree(self.root, ignore_errors=True)
            raise PostgresUnavailable(f"initdb failed: {done.stderr.strip()[:300]}")
        self.process = subprocess.Popen(
            [str(bindir / "postgres"), "-D", str(self.root / "data"), "-p", str(PORT), "-k", str(self.socket),
             "-c", "listen_addresses=", "-c", "fsync=off", "-c", "full_page_writes=off",
             "-c", "synchronous_commit=off", "-c", "max_connections=200"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **identity,  # type: ignore[arg-type]
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(bindir / "pg_isready"), "-h", str(self.socket), "-p", str(PORT)], capture_output=True
            )
            if ready.returncode == 0:
                break
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                self.stop()
                raise PostgresUnavailable(f"the server stopped at start: {err.strip()[:300]}")
            time.sleep(0.1)
        else:
            self.stop()
            raise PostgresUnavailable("the server did not become ready in 30 s")
        self.admin = sa.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket}&port={PORT}"

    def new_database(self) -> str:
        name = "t_" + uuid.uuid4().hex[:16]
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.admin.dispose()
        if getattr(self, "process", None) is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)
            if self.process.poll() is None:
                self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        yield server
    finally:
        server.stop()
