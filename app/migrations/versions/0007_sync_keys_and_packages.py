"""the keys that sign and encrypt sync packages, and the packages a node has written

- sync_key: a node's public keys (Ed25519 "sign", age X25519 "age"); for this laptop's own node the private
  parts too (they live only inside the encrypted database);
- sync_package: every package written (number, month, file, size, what it carried, acknowledged or not).

Both tables start empty: a village makes its keys at set-up or on first use of the Sync page.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_key",
        sa.Column("id", sa.String(20), nullable=False),
        sa.Column("node", sa.String(12), nullable=False),
        sa.Column("purpose", sa.String(10), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("public", sa.Text(), nullable=False),
        sa.Column("private_key", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("purpose IN ('sign', 'age')", name=op.f("ck_sync_key_purpose_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_key")),
        sa.UniqueConstraint("node", "purpose", name="uq_sync_key_node_purpose"),
    )
    op.create_table(
        "sync_package",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("node", sa.String(12), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("file_name", sa.String(120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("full_snapshot", sa.Boolean(), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("audit_seq", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_package")),
        sa.UniqueConstraint("node", "epoch", "seq", name="uq_sync_package_node_epoch_seq"),
    )


def downgrade() -> None:
    op.drop_table("sync_package")
    op.drop_table("sync_key")
