"""stock ledger rules kept by the database; index of a person's supplies by date

The triggers (SQLite) or the trigger function (PostgreSQL) refuse an outgoing movement that would take its lot
below zero, an issue from an expired lot, a second expiry date for a lot, and any edit or delete of a ledger
row. Their SQL lives in app.models.supply (create_all makes the same through DDL events); a later change of the
rules needs a new revision that drops these and creates the new ones.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from alembic import op

from app.models.supply import drop_ledger_rules, ledger_rules

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_stock_movement_person_id", table_name="stock_movement")
    op.create_index("ix_stock_movement_person_date", "stock_movement", ["person_id", "movement_date"])
    op.create_index("uq_stock_movement_reverses_id", "stock_movement", ["reverses_id"], unique=True)
    for statement in ledger_rules(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_ledger_rules(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index("uq_stock_movement_reverses_id", table_name="stock_movement")
    op.drop_index("ix_stock_movement_person_date", table_name="stock_movement")
    op.create_index("ix_stock_movement_person_id", "stock_movement", ["person_id"])
