"""risk factors ticked on a pregnancy; the residence status a move gave the person

- pregnancy.risk_factors: the codes of the risk factors the officer ticks (resources/followups/risk_rules.json),
  space-separated, empty for the pregnancies recorded before (their free-text risk notes stay as they were);
- vital_event.residence_status: for a move, the status it gave the person, so their status on a past day is
  known after a later death or move. A move in recorded before is filled in from the person when they are
  still resident or in-migrant (what they came as); it stays NULL when they have died or left since (not known).

Both tables' rows change their image (a new column), so each gets a `baseline` audit line with its new
after-digest, as 0004 did for every row: the last line of every row still describes it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from alembic import op

from app.clock import now_utc
from app.models.tracking import GENESIS_HASH, chain_hash, digest, image, line_payload

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SYSTEM_USER_ID = "00000000-0000-0000-0000-000000000000"
OPEN_WHERE = "outcome IS NULL AND deleted_at IS NULL"
CHANGED = ("vital_event", "pregnancy")


def _rebuild() -> Literal["always", "auto"]:
    """SQLite rebuilds the table to drop the column's temporary default; PostgreSQL alters it in place."""
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def _baseline(conn: sa.Connection, tables: tuple[str, ...]) -> None:
    """One `baseline` line per row of `tables`, chained after the last line, carrying the row's digest now."""
    meta = sa.MetaData()
    audit = sa.Table("audit_event", meta, autoload_with=conn)
    last = conn.execute(sa.select(audit.c.hash).order_by(audit.c.seq.desc()).limit(1)).scalar()
    prev = last or GENESIS_HASH
    at = now_utc()
    lines: list[dict[str, Any]] = []
    for name in tables:
        table = sa.Table(name, meta, autoload_with=conn)
        for row in conn.execute(sa.select(table).order_by(table.c.id)).mappings():
            after = digest(image(table, row))
            line = dict(
                at=at,
                user_id=SYSTEM_USER_ID,
                action="baseline",
                record_table=name,
                record_id=row["id"],
                record_rev=row["rev"],
                changes="{}",
                after_digest=after,
                prev_hash=prev,
            )
            prev = line["hash"] = chain_hash(
                prev, line_payload(at, SYSTEM_USER_ID, "baseline", name, row["id"], row["rev"], "{}", after)
            )
            lines.append(line)
    for i in range(0, len(lines), 5000):
        conn.execute(audit.insert(), lines[i : i + 5000])


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("vital_event", recreate=_rebuild()) as b:  # SQLite: keeps CREATE TABLE tidy
        b.add_column(sa.Column("residence_status", sa.String(20), nullable=True))
    conn.execute(
        sa.text(
            "UPDATE vital_event SET residence_status = (SELECT p.residence_status FROM person AS p "
            "WHERE p.id = vital_event.person_id) WHERE event_type = 'move_in' AND (SELECT p.residence_status "
            "FROM person AS p WHERE p.id = vital_event.person_id) IN ('resident', 'in_migrant')"
        )
    )
    op.drop_index("uq_pregnancy_open_per_woman", table_name="pregnancy")
    with op.batch_alter_table("pregnancy", recreate=_rebuild()) as b:
        b.add_column(sa.Column("risk_factors", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("pregnancy", recreate=_rebuild()) as b:
        b.alter_column("risk_factors", server_default=None, existing_type=sa.Text(), existing_nullable=False)
    op.create_index(
        "uq_pregnancy_open_per_woman",
        "pregnancy",
        ["woman_id"],
        unique=True,
        sqlite_where=sa.text(OPEN_WHERE),
        postgresql_where=sa.text(OPEN_WHERE),
    )
    _baseline(conn, CHANGED)


def downgrade() -> None:
    op.drop_index("uq_pregnancy_open_per_woman", table_name="pregnancy")
    with op.batch_alter_table("pregnancy", recreate=_rebuild()) as b:
        b.drop_column("risk_factors")
    op.create_index(
        "uq_pregnancy_open_per_woman",
        "pregnancy",
        ["woman_id"],
        unique=True,
        sqlite_where=sa.text(OPEN_WHERE),
        postgresql_where=sa.text(OPEN_WHERE),
    )
    with op.batch_alter_table("vital_event", recreate=_rebuild()) as b:
        b.drop_column("residence_status")
    # the baseline lines stay: the audit chain only grows (they describe the rows as they were)
