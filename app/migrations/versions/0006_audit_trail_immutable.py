"""the audit trail refuses every change but an insert, in the database itself

Triggers (SQLite) or a trigger function (PostgreSQL) abort any UPDATE or DELETE of an audit line (and a
TRUNCATE on PostgreSQL). The statements are frozen below as this revision makes them; app.models.audit holds the
current ones (create_all makes those) and a test compares the two.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQLITE_RULES = (
    """CREATE TRIGGER audit_event_no_update
BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_immutable');
END""",
    """CREATE TRIGGER audit_event_no_delete
BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_immutable');
END""",
)
POSTGRESQL_RULES = (
    """CREATE OR REPLACE FUNCTION audit_event_immutable() RETURNS trigger LANGUAGE plpgsql AS $fhd$
BEGIN
    RAISE EXCEPTION 'audit_immutable' USING ERRCODE = 'check_violation';
END
$fhd$""",
    """CREATE TRIGGER audit_event_no_change
BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION audit_event_immutable()""",
    """CREATE TRIGGER audit_event_no_truncate
BEFORE TRUNCATE ON audit_event
FOR EACH STATEMENT EXECUTE FUNCTION audit_event_immutable()""",
)
SQLITE_DROP = ("DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete")
POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_immutable()",
)


def upgrade() -> None:
    rules = {"sqlite": SQLITE_RULES, "postgresql": POSTGRESQL_RULES}.get(op.get_bind().dialect.name, ())
    for statement in rules:
        op.execute(statement)


def downgrade() -> None:
    drops = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(op.get_bind().dialect.name, ())
    for statement in drops:
        op.execute(statement)
