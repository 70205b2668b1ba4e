"""support entitlement: the day care visits are counted from, and the day it ended

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("support_entitlement") as batch_op:
        batch_op.add_column(sa.Column("assigned_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
    # Existing entitlements start their visit schedule on the day they were recorded.
    op.execute("UPDATE support_entitlement SET assigned_on = date(created_at) WHERE assigned_on IS NULL")
    with op.batch_alter_table("support_entitlement") as batch_op:
        batch_op.alter_column("assigned_on", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("support_entitlement") as batch_op:
        batch_op.drop_column("ended_on")
        batch_op.drop_column("assigned_on")
