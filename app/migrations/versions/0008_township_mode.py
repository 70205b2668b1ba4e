"""township mode: the township's profile, the import log, conflicts, corrections and return packages

- township_profile: the township a township-mode database serves (one row; none in a village's database);
- sync_import: every package file an import met (applied or rejected, with the reason), the sender's audit head
  kept as an anchor, and the village's report/monthly.json exactly as submitted;
- sync_conflict: rows not applied because the sender does not own them;
- sync_correction: field changes a township proposes for a village's records (and their fate in the village);
- sync_return: the return packages a township wrote;
- sync_tombstone: records a township never held, voided in their village before any package carried them.

All start empty. Every travelling table gets an index on `owner` (a township's figures and digests are per
village). The ledger's rules are made anew, a lot now being a village's (owner, item, lot): in a
township's database two villages' lots of one item may share a number with different expiry dates.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from app.models.supply import drop_ledger_rules, ledger_rules

TRAVELLING = (
    "villager_group",
    "household",
    "person",
    "vital_event",
    "pregnancy",
    "prepregnancy_check",
    "contraceptive_method",
    "folic_acid_course",
    "followup",
    "followup_answer",
    "supply_item",
    "stock_movement",
    "support_entitlement",
)
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "township_profile",
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.CheckConstraint("length(code) = 12", name=op.f("ck_township_profile_code_12_digits")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_township_profile")),
    )
    op.create_table(
        "sync_import",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("package_id", sa.String(64), nullable=True),
        sa.Column("package_type", sa.String(20), nullable=True),
        sa.Column("node", sa.String(12), nullable=True),
        sa.Column("epoch", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(7), nullable=True),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("imported_at", stamp, nullable=False),
        sa.Column("imported_by", sa.String(36), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(60), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("state_ok", sa.Boolean(), nullable=True),
        sa.Column("audit_seq", sa.Integer(), nullable=True),
        sa.Column("audit_hash", sa.String(64), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_import")),
    )
    op.create_index("ix_sync_import_origin", "sync_import", ["node", "epoch", "seq"], unique=False)
    op.create_index(op.f("ix_sync_import_package_id"), "sync_import", ["package_id"], unique=False)
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("import_id", sa.String(36), nullable=False),
        sa.Column("record_table", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("owner", sa.String(12), nullable=False),
        sa.Column("sender", sa.String(12), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["sync_import.id"], name=op.f("fk_sync_conflict_import_id_sync_import")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    op.create_index(op.f("ix_sync_conflict_import_id"), "sync_conflict", ["import_id"], unique=False)
    op.create_table(
        "sync_correction",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("village", sa.String(12), nullable=False),
        sa.Column("record_table", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("proposed_at", stamp, nullable=False),
        sa.Column("proposed_by", sa.String(36), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("package_id", sa.String(64), nullable=True),
        sa.Column("decided_at", stamp, nullable=True),
        sa.Column("decided_by", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_correction")),
    )
    op.create_index(op.f("ix_sync_correction_village"), "sync_correction", ["village"], unique=False)
    op.create_table(
        "sync_return",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("village", sa.String(12), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("acked_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("file_name", sa.String(120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_return")),
        sa.UniqueConstraint("village", "seq", name="uq_sync_return_village_seq"),
    )
    op.create_table(
        "sync_tombstone",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("record_table", sa.String(40), nullable=False),
        sa.Column("owner", sa.String(12), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("deleted_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_tombstone")),
    )
    op.create_index(op.f("ix_sync_tombstone_owner"), "sync_tombstone", ["owner"], unique=False)
    for table in TRAVELLING:
        op.create_index(op.f(f"ix_{table}_owner"), table, ["owner"], unique=False)
    _remake_ledger_rules()


def _remake_ledger_rules() -> None:
    dialect = op.get_bind().dialect.name
    for statement in (*drop_ledger_rules(dialect), *ledger_rules(dialect)):
        op.execute(statement)


def downgrade() -> None:
    op.drop_index(op.f("ix_sync_tombstone_owner"), table_name="sync_tombstone")
    op.drop_table("sync_tombstone")
    for table in TRAVELLING:
        op.drop_index(op.f(f"ix_{table}_owner"), table_name=table)
    op.drop_table("sync_return")
    op.drop_index(op.f("ix_sync_correction_village"), table_name="sync_correction")
    op.drop_table("sync_correction")
    op.drop_index(op.f("ix_sync_conflict_import_id"), table_name="sync_conflict")
    op.drop_table("sync_conflict")
    op.drop_index(op.f("ix_sync_import_package_id"), table_name="sync_import")
    op.drop_index("ix_sync_import_origin", table_name="sync_import")
    op.drop_table("sync_import")
    op.drop_table("township_profile")
