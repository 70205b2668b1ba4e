"""The one tracking API: every row written — by a form, in bulk, or replicated from a package — is stamped and
audited here, in the same transaction as the change.

- **Local writes** (this node changing its own records) get `rev` + 1, `owner` = the acting node on insert,
  `created_*`/`updated_*` from the `Actor` and the clock. A change to a record another node owns is refused
  with a sentence naming the owner: only the owner changes a record (shared/design/sync-bundle.md).
- **Replicate mode** (a package being applied, the demo writing a made-up history) keeps the incoming `id`,
  `rev`, `owner`, `created_*` and `updated_*` exactly as given.

Both paths write the same audit line per row: who, when, the record and its real `rev`, the changed fields
with their old and new values, and the digest of the row as it now stands (its *after-image*). The lines form
a hash chain: each line's hash covers the previous line's hash and its own content, so a line edited, removed
or forged breaks every hash after it. Rows go in either through the ORM (forms: the `before_flush` hook below)
or through `insert_rows` / `update_rows` / `replicate_rows` (Core statements for thousands of rows).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, attributes
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from app.actor import Actor
from app.clock import now_utc
from app.errors import DomainError
from app.models.audit import AuditEvent
from app.models.base import SyncMixin, UTCDateTime, new_id, table_of
from app.models.tracking_marks import Audited

GENESIS_HASH = "0" * 64
META_COLUMNS = ("id", "rev", "owner", "created_at", "created_by", "updated_at", "updated_by")
_STAMPS = frozenset({"rev", "created_at", "created_by", "updated_at", "updated_by"})
REDACTED = "[redacted]"
SECRET_COLUMNS = frozenset(
    {"password_hash", "wrapped_key", "private_key", "secret"}
)  # never in an audit line
CHUNK = 500  # ids per IN (...) list: well under SQLite's limit of bound parameters
_PG_AUDIT_LOCK = 7_242_001  # one advisory lock number: appends to the chain are one at a time on PostgreSQL


class HardDeleteRefused(RuntimeError):
    """People and events are never deleted, only marked deleted (voided) with a reason."""


class NoActor(RuntimeError):
    """A write session without an acting person: open it with Database.write(actor)."""


class NotOwner(DomainError):
    """The record belongs to another node; only its owner may change it."""

    def __init__(self, table: str, owner: str) -> None:
        super().__init__("record.not_owner", None, owner=owner, table=table)
        self.owner = owner


# ---------------------------------------------------------------- binding a session to an actor


def bind(session: Session, actor: Actor, *, replicate: bool = False) -> None:
    """Say who acts in `session` (and whether it replicates rows as they came)."""
    session.info["actor"] = actor
    session.info["replicate"] = replicate


def actor_of(session: Session) -> Actor:
    actor = session.info.get("actor")
    if not isinstance(actor, Actor):
        raise NoActor("a change needs an acting person: open the session with Database.write(actor)")
    return actor


def replicating(session: Session) -> bool:
    return bool(session.info.get("replicate"))


class replicate_mode:  # noqa: N801 - used as a context manager, reads as a sentence
    """`with replicate_mode(s):` — rows written inside keep the metadata they came with."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.before = False

    def __enter__(self) -> Session:
        self.before = replicating(self.session)
        self.session.flush()  # what was changed before is stamped as a local change
        self.session.info["replicate"] = True
        return self.session

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.session.flush()
        self.session.info["replicate"] = self.before


# ---------------------------------------------------------------- canonical values, images and digests


def jsonable(value: Any) -> Any:
    """A column value as it appears in audit lines, digests and packages: dates as ISO text, timestamps as
    ISO text in UTC (a naive one is UTC already: that is how SQLite hands them back without our type)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)  # a StrEnum member as its plain code
    return value


_JSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NAIVE_UTC


def canonical_json(obj: Any) -> bytes:
    """Keys sorted, no spaces, UTF-8 (not escaped), dates and timestamps in ISO form (a timestamp without a
    zone is UTC): the same bytes for the same content, everywhere."""
    return orjson.dumps(obj, option=_JSON_OPTIONS)


@cache
def _shape(table: sa.Table) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The table's column names, its timestamp columns and its floating-point columns."""
    names = tuple(str(c.name) for c in table.columns)
    stamps = tuple(str(c.name) for c in table.columns if isinstance(c.type, UTCDateTime | sa.DateTime))
    floats = tuple(str(c.name) for c in table.columns if isinstance(c.type, sa.Float))
    return names, stamps, floats


def image(table: sa.Table, values: Mapping[str, Any] | sa.RowMapping) -> dict[str, Any]:
    """The whole row, every column of the table (missing ones as null), normalised so that the row as written
    and the row read back give the same canonical JSON: timestamps in UTC, floating-point columns as floats.
    (Dates, codes and numbers are left to canonical_json: one Python call per row, not per value.)"""
    names, stamps, floats = _shape(table)
    out = {n: values.get(n) for n in names}
    for n in stamps:
        v = out[n]
        if v is not None and v.tzinfo is not None and v.utcoffset():
            out[n] = v.astimezone(dt.UTC)
    for n in floats:
        v = out[n]
        if v is not None:
            out[n] = float(v)
    return out


def digest(row_image: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(row_image)).hexdigest()


def row_digest(table: sa.Table, values: Mapping[str, Any] | sa.RowMapping) -> str:
    """The digest of a row's after-image; `audit verify` compares it with the row as stored."""
    return digest(image(table, values))


def _shown(column: str, value: Any) -> Any:
    return REDACTED if column in SECRET_COLUMNS and value is not None else jsonable(value)


# ---------------------------------------------------------------- the audit chain


@dataclass(frozen=True)
class AuditLine:
    """One line of the audit trail. `changes` maps each changed field to [old, new]; for a row that is new
    (insert, a replicated row seen for the first time) it is the row's whole image, field -> value, so the
    line alone shows what was created. `changes_json` is that text when the caller has it already."""

    action: str  # insert / update / void / merge / replicate / baseline / login / export / ...
    table: str
    record_id: str
    rev: int
    changes: Mapping[str, Any]
    after: str | None = None  # digest of the row's after-image (None for events that are not rows)
    changes_json: str | None = None


def new_row_line(action: str, table: sa.Table, row: Mapping[str, Any]) -> AuditLine:
    """The line of a new row: its image is both the change and (hashed) the after-digest. Secret columns are
    shown redacted, but the digest covers the row as stored."""
    full = image(table, row)
    text = canonical_json(full)
    after = hashlib.sha256(text).hexdigest()
    secret = SECRET_COLUMNS.intersection(full)
    if secret:
        text = canonical_json(
            {k: (REDACTED if k in secret and v is not None else v) for k, v in full.items()}
        )
    return AuditLine(
        action,
        table.name,
        str(row.get("id") or row.get("code")),
        int(row.get("rev") or 0),
        {},
        after,
        text.decode(),
    )


def line_payload(
    at: dt.datetime,
    user_id: str,
    action: str,
    table: str,
    record_id: str,
    rev: int,
    changes_json: str,
    after: str | None,
) -> bytes:
    """The bytes a line's hash covers (besides the previous hash): every stored column, the changes as the
    exact text stored."""
    return canonical_json(
        {
            "action": action,
            "after": after,
            "at": at if at.tzinfo is None or not at.utcoffset() else at.astimezone(dt.UTC),
            "changes": changes_json,
            "id": record_id,
            "rev": rev,
            "table": table,
            "user": user_id,
        }
    )


def chain_hash(prev_hash: str, payload: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + payload).hexdigest()


def audit_head(session: Session) -> tuple[int, str]:
    """The newest line of the chain: (seq, hash), or (0, GENESIS_HASH) for an empty chain. On PostgreSQL the
    chain is locked for the rest of the transaction, so two workstations never append to the same head."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_AUDIT_LOCK)))
    with session.no_autoflush:
        row = session.execute(
            sa.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).first()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def append_lines(session: Session, lines: Sequence[AuditLine], *, user_id: str | None = None) -> str:
    """Append `lines` to the chain, in order, written at once (Core), so that `seq` order is chain order;
    returns the new head hash. The acting person is the session's actor unless `user_id` is given."""
    if not lines:
        return audit_head(session)[1]
    who = user_id or actor_of(session).user_id
    at = now_utc()
    _, prev = audit_head(session)
    rows = []
    for line in lines:
        changes = (
            line.changes_json if line.changes_json is not None else canonical_json(line.changes).decode()
        )
        h = chain_hash(
            prev,
            line_payload(at, who, line.action, line.table, line.record_id, line.rev, changes, line.after),
        )
        rows.append(
            {
                "at": at,
                "user_id": who,
                "action": line.action,
                "record_table": line.table,
                "record_id": line.record_id,
                "record_rev": line.rev,
                "changes": changes,
                "after_digest": line.after,
                "prev_hash": prev,
                "hash": h,
            }
        )
        prev = h
    _insert_lines(session, rows)
    return prev


_LINE_COLUMNS = (
    "at",
    "user_id",
    "action",
    "record_table",
    "record_id",
    "record_rev",
    "changes",
    "after_digest",
    "prev_hash",
    "hash",
)


def _insert_lines(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert audit lines straight through the driver: they are plain values but for the one timestamp, which
    is bound once (SQLAlchemy's per-row processing of 100,000s of lines cost seconds)."""
    conn = session.connection()
    dialect = conn.dialect
    bind = AuditEvent.__table__.c.at.type.bind_processor(dialect)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO audit_event ({', '.join(_LINE_COLUMNS)}) "
        f"VALUES ({', '.join([mark] * len(_LINE_COLUMNS))})"
    )
    at_cache: dict[Any, Any] = {}
    params = []
    for r in rows:
        at = r["at"]
        if at not in at_cache:
            at_cache[at] = bind(at) if bind else at
        params.append((at_cache[at], *(r[c] for c in _LINE_COLUMNS[1:])))
    for i in range(0, len(params), 5000):
        conn.exec_driver_sql(sql, params[i : i + 5000])


def append_event(
    session: Session, action: str, subject: str, details: Mapping[str, Any] | None = None
) -> str:
    """An audited event that is not a row change (a login, an export, a print, a backup): `subject` names what
    it concerns (a user id, a file kind). Never put personal data in `details`."""
    return append_lines(session, [AuditLine(action, "event", subject, 0, dict(details or {}))])


# ---------------------------------------------------------------- the ORM path (forms, one row at a time)


def _field_changes(obj: SyncMixin | Audited, new: bool) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for col in sa.inspect(obj).mapper.column_attrs:
        key = col.key
        if key in _STAMPS:
            continue
        if new:
            value = getattr(obj, key)
            if value is not None:
                changes[key] = [None, _shown(key, value)]
            continue
        hist = attributes.get_history(obj, key)
        if hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            value = hist.added[0] if hist.added else None
            if old != value:
                changes[key] = [_shown(key, old), _shown(key, value)]
    return changes


def _object_values(obj: SyncMixin | Audited) -> dict[str, Any]:
    mapper = sa.inspect(obj).mapper
    return {prop.columns[0].name: getattr(obj, prop.key) for prop in mapper.column_attrs}


def owner_name(session: Session, owner: str) -> str:
    """How a person knows a node: "红星村（620422103201）", or the bare code when this database does not know it."""
    from app.models.village import VillageProfile

    with session.no_autoflush:
        name = session.execute(sa.select(VillageProfile.name).where(VillageProfile.code == owner)).scalar()
    return f"{name}（{owner}）" if name else owner


def refuse_unless_owner(session: Session, table: str, owner: str, actor: Actor) -> None:
    if owner != actor.node:
        raise NotOwner(table, owner_name(session, owner))


def _action(obj: SyncMixin, changes: Mapping[str, Any]) -> str:
    if "deleted_at" in changes and obj.deleted_at is not None:
        return "void"
    if "merged_into" in changes and getattr(obj, "merged_into", None) is not None:
        return "merge"
    return "update"


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, SyncMixin | Audited):
            raise HardDeleteRefused(f"{type(obj).__tablename__} rows are never deleted; void them")
    touched: list[tuple[SyncMixin | Audited, bool]] = [
        (o, True) for o in session.new if isinstance(o, SyncMixin | Audited)
    ]
    touched += [
        (o, False)
        for o in session.dirty
        if isinstance(o, SyncMixin | Audited) and session.is_modified(o, include_collections=False)
    ]
    if not touched:
        return
    actor = actor_of(session)
    replicate = replicating(session)
    now = now_utc()
    lines: list[AuditLine] = []
    for obj, new in touched:
        if new:
            _apply_defaults(obj)  # so the line's image is the row as it will be stored
        changes = {} if new else _field_changes(obj, new)
        if not new and not changes:
            continue
        table = type(obj).__tablename__
        if isinstance(obj, SyncMixin):
            if replicate:
                missing = [c for c in META_COLUMNS if getattr(obj, c) is None]
                if missing:
                    raise ValueError(f"a replicated {table} row needs {', '.join(missing)}")
                action = "replicate"
            elif new:
                if obj.owner is not None:
                    refuse_unless_owner(session, table, obj.owner, actor)
                obj.owner = actor.node
                obj.id = obj.id or new_id()
                obj.rev = 1
                obj.created_at, obj.created_by = now, actor.user_id
                obj.updated_at, obj.updated_by = now, actor.user_id
                action = "insert"
            else:
                refuse_unless_owner(session, table, _committed(obj, "owner"), actor)
                obj.rev = (_committed(obj, "rev") or 0) + 1
                obj.updated_at, obj.updated_by = now, actor.user_id
                action = _action(obj, changes)
            rev, record_id = obj.rev, obj.id
        else:
            action = "insert" if new else "update"
            rev, record_id = 0, str(_object_values(obj).get("id") or _object_values(obj).get("code"))
        obj_table = table_of(type(obj))
        if new:
            lines.append(new_row_line(action, obj_table, _object_values(obj)))
        else:
            lines.append(
                AuditLine(action, table, record_id, rev, changes, row_digest(obj_table, _object_values(obj)))
            )
    append_lines(session, lines, user_id=actor.user_id)


def _apply_defaults(obj: SyncMixin | Audited) -> None:
    """Give a new object its columns' Python-side defaults now (SQLAlchemy would only at INSERT)."""
    for column in table_of(type(obj)).columns:
        default = column.default
        if default is None:
            continue
        key = sa.inspect(obj).mapper.get_property_by_column(column).key
        if getattr(obj, key) is not None:
            continue
        if isinstance(default, ScalarElementColumnDefault):  # default.is_scalar
            value = default.arg
        elif isinstance(default, CallableColumnDefault) and column.primary_key:  # default.is_callable
            # a new id: SQLAlchemy wraps new_id() to take an execution context, which it ignores
            value = default.arg({})  # type: ignore[arg-type]
        else:
            continue
        setattr(obj, key, value)


def _committed(obj: SyncMixin | Audited, key: str) -> Any:
    """The value of `key` as loaded from the database (before this unit of work changed it)."""
    hist = attributes.get_history(obj, key)
    if hist.deleted:
        return hist.deleted[0]
    return getattr(obj, key)


_installed: weakref.WeakSet[Any] = weakref.WeakSet()


def install(session_factory: Any) -> None:
    # Not event.contains(): SQLAlchemy keys it by id(), and a sessionmaker made after an earlier one was freed
    # can get the same id while the old entry lingers, so the hook was silently left out (about 1 open in 60).
    if session_factory not in _installed:
        event.listen(session_factory, "before_flush", _before_flush)
        _installed.add(session_factory)


# ---------------------------------------------------------------- the bulk path (Core statements)


def column_defaults(table: sa.Table) -> dict[str, Any]:
    """Every column of `table` with its scalar default (or None), so that all rows of a batch share one key set."""
    out: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        value: Any = getattr(default, "arg", None) if default is not None and default.is_scalar else None
        out[column.key] = value.value if hasattr(value, "value") else value
    return out


def insert_rows(
    session: Session,
    model: type[SyncMixin],
    rows: Sequence[Mapping[str, Any]],
    *,
    deferred: Iterable[str] = (),
    batch: int = 5000,
) -> list[dict[str, Any]]:
    """Insert many new rows with Core statements, stamped and audited like single ones; returns them as
    written. In replicate mode their metadata is kept. Columns named in `deferred` (references to rows
    inserted later) are written NULL now and set by `fill_deferred` afterwards; the audit line already holds
    their final value, so at commit the rows equal their after-images."""
    session.flush()
    if not rows:
        return []
    table = table_of(model)
    actor = actor_of(session)
    replicate = replicating(session)
    base = column_defaults(table)
    now = now_utc()
    done: list[dict[str, Any]] = []
    lines: list[AuditLine] = []
    for given in rows:
        row = {**base, **given}
        if replicate:
            missing = [c for c in META_COLUMNS if row.get(c) is None]
            if missing:
                raise ValueError(f"a replicated {table.name} row needs {', '.join(missing)}")
            action = "replicate"
        else:
            if row.get("owner") not in (None, actor.node):
                refuse_unless_owner(session, table.name, row["owner"], actor)
            row.update(
                id=row.get("id") or new_id(),
                rev=1,
                owner=actor.node,
                created_at=now,
                created_by=actor.user_id,
                updated_at=now,
                updated_by=actor.user_id,
            )
            action = "insert"
        lines.append(new_row_line(action, table, row))
        done.append(row)
    deferred = tuple(deferred)
    for i in range(0, len(done), batch):
        part = done[i : i + batch]
        if deferred:
            part = [{**r, **dict.fromkeys(deferred)} for r in part]
        session.execute(sa.insert(table), part)
    append_lines(session, lines, user_id=actor.user_id)
    return done


def fill_deferred(
    session: Session, model: type[SyncMixin], rows: Sequence[Mapping[str, Any]], column: str
) -> None:
    """Set `column` of rows written by `insert_rows(..., deferred=[column])` to their final values."""
    table = table_of(model)
    pairs = [{"b_id": r["id"], "b_value": r[column]} for r in rows if r.get(column) is not None]
    if pairs:
        session.execute(
            table.update()
            .where(table.c.id == sa.bindparam("b_id"))
            .values({column: sa.bindparam("b_value")}),
            pairs,
        )


def _stored(session: Session, table: sa.Table, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), CHUNK):
        for row in session.execute(sa.select(table).where(table.c.id.in_(ids[i : i + CHUNK]))).mappings():
            found[row["id"]] = dict(row)
    return found


def update_rows(
    session: Session,
    model: type[SyncMixin],
    changes: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    action: str = "update",
) -> int:
    """Change many rows with Core statements: `changes` is (id, {column: new value}) per row. Each changed row
    gets its real rev + 1, `updated_*` and an audit line with old and new values; rows whose values do not
    change are left alone. A row another node owns is refused. Returns the number of rows changed."""
    session.flush()
    if not changes:
        return 0
    table = table_of(model)
    actor = actor_of(session)
    stored = _stored(session, table, [rid for rid, _ in changes])
    now = now_utc()
    lines: list[AuditLine] = []
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for rid, new in changes:
        old = stored.get(rid)
        if old is None:
            raise LookupError(f"{table.name} {rid} does not exist")
        refuse_unless_owner(session, table.name, old["owner"], actor)
        diff = {k: [jsonable(old[k]), jsonable(v)] for k, v in new.items() if jsonable(old[k]) != jsonable(v)}
        if not diff:
            continue
        after = {**old, **new, "rev": old["rev"] + 1, "updated_at": now, "updated_by": actor.user_id}
        old.update(after)  # a second change of the same row in this call starts from this one
        lines.append(AuditLine(action, table.name, rid, after["rev"], diff, row_digest(table, after)))
        cols = tuple(sorted(new))
        by_columns.setdefault(cols, []).append(
            {"b_id": rid, "b_rev": after["rev"], **{f"b_{c}": new[c] for c in cols}}
        )
    for cols, params in by_columns.items():
        values: dict[str, Any] = {c: sa.bindparam(f"b_{c}") for c in cols}
        values.update(rev=sa.bindparam("b_rev"), updated_at=now, updated_by=actor.user_id)
        session.execute(table.update().where(table.c.id == sa.bindparam("b_id")).values(values), params)
    append_lines(session, lines, user_id=actor.user_id)
    session.expire_all()  # Core statements bypassed the identity map
    return len(lines)


@dataclass(frozen=True)
class Replicated:
    """What `replicate_rows` did with a batch of incoming rows."""

    inserted: int
    updated: int
    skipped: int  # not newer than what is stored
    conflicts: tuple[tuple[str, str], ...]  # (id, stored owner) of rows whose sender does not own them
    written: tuple[dict[str, Any], ...] = ()  # the rows inserted or updated, as written (for fill_deferred)


def replicate_rows(
    session: Session,
    model: type[SyncMixin],
    rows: Sequence[Mapping[str, Any]],
    *,
    sender: str,
    deferred: Iterable[str] = (),
    authoritative: bool = False,
) -> Replicated:
    """Apply rows as another node wrote them (a package): the incoming `id`, `rev`, `owner`, `created_*` and
    `updated_*` are kept exactly. A row whose rev is not newer than the stored one is skipped; a row the
    sending node does not own (by the incoming owner, or by the stored row's owner) is a conflict, not applied.
    `authoritative` applies every row whose revision differs from the stored one, older ones too (a village's
    first package after restoring a backup describes what it holds now). Columns named in `deferred` (references
    to rows applied later) are written NULL now and set by
    `fill_deferred(…, result.written, column)` once every table is applied; the audit lines hold their final
    values."""
    session.flush()
    table = table_of(model)
    actor = actor_of(session)
    base = column_defaults(table)
    stored = _stored(session, table, [r["id"] for r in rows])
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    conflicts: list[tuple[str, str]] = []
    lines: list[AuditLine] = []
    skipped = 0
    for given in rows:
        old = stored.get(given["id"])
        owner = old["owner"] if old is not None else given.get("owner")
        if given.get("owner") != sender or owner != sender:
            conflicts.append((given["id"], str(owner)))
            continue
        if old is not None and (
            image(table, {**old, **given}) == image(table, old)
            if authoritative
            else given["rev"] <= old["rev"]
        ):  # authoritative (a village's first package after a restore): its state wins, revisions may go back
            skipped += 1
            continue
        row = {**(old or base), **given}
        missing = [c for c in META_COLUMNS if row.get(c) is None]
        if missing:
            raise ValueError(f"a replicated {table.name} row needs {', '.join(missing)}")
        if old is None:
            lines.append(new_row_line("replicate", table, row))
        else:
            full, before = image(table, row), image(table, old)
            # the sender's own stamps (rev, updated_at/by) are part of what arrived
            changes = {k: [jsonable(before[k]), jsonable(v)] for k, v in full.items() if before[k] != v}
            lines.append(AuditLine("replicate", table.name, row["id"], row["rev"], changes, digest(full)))
        (updates if old is not None else inserts).append(row)
    later = dict.fromkeys(deferred)
    if inserts:
        for i in range(0, len(inserts), 5000):
            part = inserts[i : i + 5000]
            session.execute(sa.insert(table), [{**r, **later} for r in part] if later else part)
    if updates:
        cols = [c.name for c in table.columns if c.name != "id"]
        session.execute(
            table.update()
            .where(table.c.id == sa.bindparam("b_id"))
            .values({c: sa.bindparam(f"b_{c}") for c in cols}),
            [
                {"b_id": r["id"], **{f"b_{c}": r[c] for c in cols}, **{f"b_{c}": None for c in later}}
                for r in updates
            ],
        )
    append_lines(session, lines, user_id=actor.user_id)
    session.expire_all()
    return Replicated(len(inserts), len(updates), skipped, tuple(conflicts), tuple(inserts + updates))


# ---------------------------------------------------------------- edit forms


def expect_rev(obj: SyncMixin, expected: int | None) -> None:
    """Refuse to save a form opened on an older revision of the record (someone saved it meanwhile)."""
    if expected is not None and obj.rev != expected:
        raise DomainError("record.changed_meanwhile", None)


# ---------------------------------------------------------------- checking the chain


def broken_links(session: Session) -> list[int]:
    """The seq of every audit line whose prev_hash is not the previous line's hash, or whose hash does not
    match its own content: an empty list for an intact chain."""
    broken: list[int] = []
    prev = GENESIS_HASH
    rows = session.execute(
        sa.select(
            AuditEvent.seq,
            AuditEvent.at,
            AuditEvent.user_id,
            AuditEvent.action,
            AuditEvent.record_table,
            AuditEvent.record_id,
            AuditEvent.record_rev,
            AuditEvent.changes,
            AuditEvent.after_digest,
            AuditEvent.prev_hash,
            AuditEvent.hash,
        ).order_by(AuditEvent.seq)
    )
    for seq, at, user, action, table, rid, rev, changes, after, prev_hash, h in rows:
        expected = chain_hash(prev, line_payload(at, user, action, table, rid, rev, changes, after))
        if prev_hash != prev or h != expected:
            broken.append(seq)
        prev = h
    return broken
