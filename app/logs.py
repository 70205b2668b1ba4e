"""The log, without personal data: what failed, where in the code, which table and record — never the values.

A failed write's exception text is not safe to log: SQLAlchemy's includes the statement's parameters (names,
phone numbers, ID numbers), PostgreSQL's detail line repeats the row, and a Python error such as
`int("张三")` quotes its input. So the log renders every exception through `describe_exception`: its class,
and only what is known to hold no values — SQLite's own message (it names constraints and columns, never
values), the table and the record ids of a failed statement, an OS error's number and reason, a domain error's
message id. The traceback keeps its frames (file, line, code), which are code, not data.

The log file is the owner's alone (0600 in a 0700 folder on POSIX), rotated files included.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import traceback
from collections.abc import Iterable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from app.files import create_private_file, make_private, make_private_dir

LOG_FILENAME = "fhdesk.log"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_IDS = 3  # record ids named for one failed statement (a bulk insert has thousands)

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TABLE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM|SELECT\b.*?\bFROM)\s+"?(\w+)"?',
    re.IGNORECASE | re.DOTALL,
)
_INSERT_COLUMNS = re.compile(r'^\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+"?\w+"?\s*\(([^)]*)\)', re.IGNORECASE)
_WHERE_ID_QMARK = re.compile(r'\bWHERE\s+(?:"?\w+"?\.)?"?id"?\s*=\s*\?', re.IGNORECASE)
_WHERE_ID_NAMED = re.compile(r'\bWHERE\s+(?:"?\w+"?\.)?"?id"?\s*=\s*(?:%\((\w+)\)s|:(\w+))', re.IGNORECASE)
_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _statement_table(statement: str | None) -> str | None:
    match = _TABLE.match(statement or "")
    return match.group(1) if match else None


def _ids(values: Iterable[object]) -> list[str]:
    return [v for v in values if isinstance(v, str) and _UUID.match(v)]


def _statement_ids(statement: str | None, params: object) -> list[str]:
    """The ids of the records a failed statement wrote (uuids only: anything else could be a value)."""
    if not statement or params is None:
        return []
    rows = params if isinstance(params, list) else [params]
    found: list[str] = []
    insert = _INSERT_COLUMNS.match(statement)
    for row in rows:
        if isinstance(row, dict):
            if insert is None:
                named = _WHERE_ID_NAMED.search(statement)
                key = next((g for g in named.groups() if g), None) if named else None
                found += _ids([row.get(key)] if key else [])
            else:
                found += _ids([row.get("id")])
        elif isinstance(row, tuple):
            if insert is not None:
                columns = [c.strip().strip('"') for c in insert.group(1).split(",")]
                if "id" in columns and columns:
                    found += _ids(row[columns.index("id") :: len(columns)])  # every row of a multi-row insert
            else:
                where = _WHERE_ID_QMARK.search(statement)
                if where is not None:
                    index = statement[: where.end()].count("?") - 1
                    found += _ids(row[index : index + 1])
        if len(found) >= MAX_IDS:
            break
    return found[:MAX_IDS]


def _name(error: BaseException) -> str:
    """`ValueError`, `sqlite3.IntegrityError`, `sqlalchemy.exc.IntegrityError`: where the class comes from."""
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _driver_error(orig: BaseException) -> str:
    """What a driver's error says without values: SQLite's message; for PostgreSQL the error code, the
    constraint and table it names, and the message only of a broken constraint or of the app's own triggers
    (a data error's message quotes the value, and every detail line the row)."""
    if isinstance(orig, sqlite3.Error):
        text = str(orig).splitlines()[0][:200] if str(orig) else ""
        return f"{_name(orig)}: {text}" if text else _name(orig)
    parts = [_name(orig)]
    diag = getattr(orig, "diag", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code:
        parts.append(f"sqlstate {code}")
        primary = getattr(diag, "message_primary", None) if diag is not None else None
        if primary and (code.startswith("23") or code == "P0001"):
            parts.append(str(primary).splitlines()[0][:200])
    for name in ("table_name", "constraint_name"):
        value = getattr(diag, name, None) if diag is not None else None
        if value:
            parts.append(f"{name.split('_')[0]} {value}")
    return ", ".join(parts)


def describe_exception(error: BaseException) -> str:
    """One line about `error` that never holds a value from the data: see the module's docstring."""
    from sqlalchemy.exc import StatementError

    from app.errors import DomainError

    kind = _name(error)
    if isinstance(error, StatementError):
        parts = [kind if error.orig is None else f"{kind}: {_driver_error(error.orig)}"]
        table = _statement_table(error.statement)
        if table:
            parts.append(f"table {table}")
        ids = _statement_ids(error.statement, error.params)
        if ids:
            parts.append("record " + ", ".join(ids))
        return "; ".join(parts)
    if isinstance(error, DomainError):
        return f"{kind}: {error.msg_id}" + (f" (field {error.field})" if error.field else "")
    if isinstance(error, sqlite3.Error):
        return _driver_error(error)
    if isinstance(error, OSError):  # the file name is left out: an export may be named after a person
        return f"{kind}: [Errno {error.errno}] {error.strerror}" if error.errno else kind
    if isinstance(error, UnicodeError):
        return f"{kind}: {getattr(error, 'encoding', '')} {getattr(error, 'reason', '')}".rstrip()
    return kind


def format_exception(error: BaseException, tb: TracebackType | None = None) -> str:
    """A traceback as Python prints it — frames and the chain of causes — with `describe_exception` in place
    of each exception's own text."""
    lines: list[str] = []
    seen: set[int] = set()

    def walk(exc: BaseException, trace: TracebackType | None) -> None:
        seen.add(id(exc))
        if exc.__cause__ is not None and id(exc.__cause__) not in seen:
            walk(exc.__cause__, exc.__cause__.__traceback__)
            lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
        elif exc.__context__ is not None and not exc.__suppress_context__ and id(exc.__context__) not in seen:
            walk(exc.__context__, exc.__context__.__traceback__)
            lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
        if trace is not None:
            lines.append("Traceback (most recent call last):\n")
            lines.extend(traceback.format_list(traceback.extract_tb(trace)))
        lines.append(describe_exception(exc) + "\n")

    walk(error, tb if tb is not None else error.__traceback__)
    return "".join(lines).rstrip("\n")


class SafeFormatter(logging.Formatter):
    """Renders a record's exception with `format_exception`, and any exception passed as an argument with
    `describe_exception`. It never reuses a text another handler cached on the record."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)  # a copy: other handlers see the record unchanged
        if isinstance(record.args, tuple):
            record.args = tuple(
                describe_exception(a) if isinstance(a, BaseException) else a for a in record.args
            )
        record.exc_text = None
        return super().format(record)

    def formatException(self, ei: _ExcInfo | tuple[None, None, None]) -> str:  # noqa: N802 (logging's name)
        if ei[1] is None:
            return ""
        return format_exception(ei[1], ei[2])


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log whose every file — the first and each one after a rotation — is the owner's alone."""

    def _open(self):  # type: ignore[no-untyped-def]  # logging's own hook for (re)opening the file
        create_private_file(self.baseFilename)
        return super()._open()

    def doRollover(self) -> None:  # noqa: N802 (logging's name)
        super().doRollover()
        for n in range(1, self.backupCount + 1):
            make_private(f"{self.baseFilename}.{n}")


def _file_handler(folder: Path) -> logging.Handler:
    make_private_dir(folder)
    handler = PrivateRotatingFileHandler(
        folder / LOG_FILENAME, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(SafeFormatter(LOG_FORMAT))
    return handler


_handler: logging.Handler | None = None
_log_file: Path | None = None


def setup_logging(folder: Path) -> Path:
    """Log to `folder`/fhdesk.log (the folder created for the owner alone); calling it again moves the log."""
    global _handler, _log_file
    handler = _file_handler(folder)
    path = folder / LOG_FILENAME
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    _handler, _log_file = handler, path
    return path


def log_file() -> Path | None:
    return _log_file


def log_exception(folder: Path, message: str, error: BaseException) -> Path:
    """Append one error (`message` and `error`, rendered as above) to `folder`/fhdesk.log and close the file:
    for the command line, which does not keep a log open."""
    handler = _file_handler(folder)
    record = logging.getLogger("app").makeRecord(
        "app", logging.ERROR, __file__, 0, message, (), (type(error), error, error.__traceback__)
    )
    try:
        handler.handle(record)
    finally:
        handler.close()
    return folder / LOG_FILENAME
