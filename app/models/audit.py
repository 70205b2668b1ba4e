"""审计: an append-only, hash-chained log of every change and who made it.

The database itself refuses to change or remove a line (AUDIT_RULES below, made by create_all through DDL events
and by migration 0006): only an INSERT goes through. A person with the key and a SQLite tool could still drop
those triggers — `fhdesk audit verify` finds that, like a line edited or a chain re-hashed (app.services.audit).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_record", "record_table", "record_id"),)

    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    user_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    action: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # insert / update / void / merge / ...
    record_table: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    record_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    record_rev: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    changes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="{}")  # JSON: field -> [old, new]
    after_digest: Mapped[str | None] = mapped_column(sa.String(64))  # sha256 of the row as this line left it
    prev_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)


AUDIT_IMMUTABLE = "audit_immutable"  # the message of the refusal

SQLITE_AUDIT_RULES = (
    f"""CREATE TRIGGER audit_event_no_update
BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, '{AUDIT_IMMUTABLE}');
END""",
    f"""CREATE TRIGGER audit_event_no_delete
BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, '{AUDIT_IMMUTABLE}');
END""",
)
SQLITE_AUDIT_TRIGGERS = ("audit_event_no_update", "audit_event_no_delete")
POSTGRESQL_AUDIT_RULES = (
    f"""CREATE OR REPLACE FUNCTION audit_event_immutable() RETURNS trigger LANGUAGE plpgsql AS $fhd$
BEGIN
    RAISE EXCEPTION '{AUDIT_IMMUTABLE}' USING ERRCODE = 'check_violation';
END
$fhd$""",
    """CREATE TRIGGER audit_event_no_change
BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION audit_event_immutable()""",
    """CREATE TRIGGER audit_event_no_truncate
BEFORE TRUNCATE ON audit_event
FOR EACH STATEMENT EXECUTE FUNCTION audit_event_immutable()""",
)
POSTGRESQL_AUDIT_TRIGGERS = ("audit_event_no_change", "audit_event_no_truncate")


def audit_rules(dialect: str) -> tuple[str, ...]:
    """The statements that make the database refuse any change to the audit trail but an insert."""
    return {"sqlite": SQLITE_AUDIT_RULES, "postgresql": POSTGRESQL_AUDIT_RULES}.get(dialect, ())


def audit_triggers(dialect: str) -> tuple[str, ...]:
    return {"sqlite": SQLITE_AUDIT_TRIGGERS, "postgresql": POSTGRESQL_AUDIT_TRIGGERS}.get(dialect, ())


for _dialect in ("sqlite", "postgresql"):
    for _sql in audit_rules(_dialect):
        sa.event.listen(AuditEvent.__table__, "after_create", sa.DDL(_sql).execute_if(dialect=_dialect))
sa.event.listen(
    AuditEvent.__table__,
    "after_drop",
    sa.DDL("DROP FUNCTION IF EXISTS audit_event_immutable()").execute_if(dialect="postgresql"),
)
