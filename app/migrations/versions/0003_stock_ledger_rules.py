"""stock ledger rules kept by the database; index of a person's supplies by date

The triggers (SQLite) or the trigger function (PostgreSQL) refuse an outgoing movement that would take its lot
below zero, an issue from an expired lot, a second expiry date for a lot, and any edit or delete of a ledger
row. Their SQL is frozen at the end of this file as this revision made it; the newest rules live in
app.models.supply (create_all makes those through DDL events), and revision 0004 replaced these with them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from alembic import op


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_stock_movement_person_id", table_name="stock_movement")
    op.create_index("ix_stock_movement_person_date", "stock_movement", ["person_id", "movement_date"])
    op.create_index("uq_stock_movement_reverses_id", "stock_movement", ["reverses_id"], unique=True)
    rules = {"sqlite": SQLITE_RULES, "postgresql": POSTGRESQL_RULES}.get(op.get_bind().dialect.name, ())
    for statement in rules:
        op.execute(statement)


def downgrade() -> None:
    drops = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(op.get_bind().dialect.name, ())
    for statement in drops:
        op.execute(statement)
    op.drop_index("uq_stock_movement_reverses_id", table_name="stock_movement")
    op.drop_index("ix_stock_movement_person_date", table_name="stock_movement")
    op.create_index("ix_stock_movement_person_id", "stock_movement", ["person_id"])


# ---------------------------------------------------------------- the rules as this revision made them
# Frozen here (not read from app.models.supply, which holds the newest rules), so that upgrading a database
# through 0003 always makes these exact statements and 0004 replaces them.
SQLITE_RULES = (
    "CREATE TRIGGER stock_movement_not_below_zero\nBEFORE INSERT ON stock_movement\nWHEN NEW.direction = -1 AND NEW.deleted_at IS NULL AND EXISTS (\n        SELECT 1 FROM (\n            SELECT NEW.movement_date AS on_day\n            UNION\n            SELECT later.movement_date FROM stock_movement AS later\n            WHERE later.item_id = NEW.item_id AND later.lot = NEW.lot\n              AND later.movement_date > NEW.movement_date AND later.deleted_at IS NULL\n        ) AS days\n        WHERE (\n            SELECT COALESCE(SUM(m.direction * m.quantity), 0) FROM stock_movement AS m\n            WHERE m.item_id = NEW.item_id AND m.lot = NEW.lot\n              AND m.movement_date <= days.on_day AND m.deleted_at IS NULL\n        ) < NEW.quantity\n    )\nBEGIN\n    SELECT RAISE(ABORT, 'stock_below_zero');\nEND",
    "CREATE TRIGGER stock_movement_no_expired_issue\nBEFORE INSERT ON stock_movement\nWHEN NEW.direction = -1 AND NEW.movement_type IN ('issue_person', 'issue_self_service') AND NEW.expiry_date < NEW.movement_date\nBEGIN\n    SELECT RAISE(ABORT, 'lot_expired');\nEND",
    "CREATE TRIGGER stock_movement_one_expiry_per_lot\nBEFORE INSERT ON stock_movement\nWHEN EXISTS (\n    SELECT 1 FROM stock_movement AS m\n    WHERE m.item_id = NEW.item_id AND m.lot = NEW.lot AND m.expiry_date <> NEW.expiry_date\n)\nBEGIN\n    SELECT RAISE(ABORT, 'lot_expiry_mismatch');\nEND",
    "CREATE TRIGGER stock_movement_immutable\nBEFORE UPDATE ON stock_movement\nWHEN NEW.id IS NOT OLD.id\n   OR NEW.created_at IS NOT OLD.created_at\n   OR NEW.created_by IS NOT OLD.created_by\n   OR NEW.deleted_at IS NOT OLD.deleted_at\n   OR NEW.deleted_reason IS NOT OLD.deleted_reason\n   OR NEW.item_id IS NOT OLD.item_id\n   OR NEW.lot IS NOT OLD.lot\n   OR NEW.expiry_date IS NOT OLD.expiry_date\n   OR NEW.movement_type IS NOT OLD.movement_type\n   OR NEW.direction IS NOT OLD.direction\n   OR NEW.quantity IS NOT OLD.quantity\n   OR NEW.movement_date IS NOT OLD.movement_date\n   OR NEW.person_id IS NOT OLD.person_id\n   OR NEW.contraceptive_episode_id IS NOT OLD.contraceptive_episode_id\n   OR NEW.folic_acid_course_id IS NOT OLD.folic_acid_course_id\n   OR NEW.document_no IS NOT OLD.document_no\n   OR NEW.reason IS NOT OLD.reason\n   OR NEW.reverses_id IS NOT OLD.reverses_id\nBEGIN\n    SELECT RAISE(ABORT, 'ledger_immutable');\nEND",
    "CREATE TRIGGER stock_movement_no_delete\nBEFORE DELETE ON stock_movement\nBEGIN\n    SELECT RAISE(ABORT, 'ledger_immutable');\nEND",
)
POSTGRESQL_RULES = (
    "CREATE OR REPLACE FUNCTION stock_movement_rules() RETURNS trigger LANGUAGE plpgsql AS $fhd$\nBEGIN\n    IF TG_OP = 'DELETE' THEN\n        RAISE EXCEPTION 'ledger_immutable' USING ERRCODE = 'check_violation';\n    END IF;\n    IF TG_OP = 'UPDATE' THEN\n        IF ROW(NEW.id, NEW.created_at, NEW.created_by, NEW.deleted_at, NEW.deleted_reason, NEW.item_id, NEW.lot, NEW.expiry_date, NEW.movement_type, NEW.direction, NEW.quantity, NEW.movement_date, NEW.person_id, NEW.contraceptive_episode_id, NEW.folic_acid_course_id, NEW.document_no, NEW.reason, NEW.reverses_id) IS DISTINCT FROM ROW(OLD.id, OLD.created_at, OLD.created_by, OLD.deleted_at, OLD.deleted_reason, OLD.item_id, OLD.lot, OLD.expiry_date, OLD.movement_type, OLD.direction, OLD.quantity, OLD.movement_date, OLD.person_id, OLD.contraceptive_episode_id, OLD.folic_acid_course_id, OLD.document_no, OLD.reason, OLD.reverses_id) THEN\n            RAISE EXCEPTION 'ledger_immutable' USING ERRCODE = 'check_violation';\n        END IF;\n        RETURN NEW;\n    END IF;\n    IF NEW.direction = -1 AND NEW.movement_type IN ('issue_person', 'issue_self_service') AND NEW.expiry_date < NEW.movement_date THEN\n        RAISE EXCEPTION 'lot_expired' USING ERRCODE = 'check_violation';\n    END IF;\n    PERFORM pg_advisory_xact_lock(hashtext('stock_movement/' || NEW.item_id || '/' || NEW.lot));\n    IF EXISTS (\n        SELECT 1 FROM stock_movement AS m\n        WHERE m.item_id = NEW.item_id AND m.lot = NEW.lot AND m.expiry_date <> NEW.expiry_date\n    ) THEN\n        RAISE EXCEPTION 'lot_expiry_mismatch' USING ERRCODE = 'check_violation';\n    END IF;\n    IF NEW.direction = -1 AND NEW.deleted_at IS NULL AND EXISTS (\n        SELECT 1 FROM (\n            SELECT NEW.movement_date AS on_day\n            UNION\n            SELECT later.movement_date FROM stock_movement AS later\n            WHERE later.item_id = NEW.item_id AND later.lot = NEW.lot\n              AND later.movement_date > NEW.movement_date AND later.deleted_at IS NULL\n        ) AS days\n        WHERE (\n            SELECT COALESCE(SUM(m.direction * m.quantity), 0) FROM stock_movement AS m\n            WHERE m.item_id = NEW.item_id AND m.lot = NEW.lot\n              AND m.movement_date <= days.on_day AND m.deleted_at IS NULL\n        ) < NEW.quantity\n    ) THEN\n        RAISE EXCEPTION 'stock_below_zero' USING ERRCODE = 'check_violation';\n    END IF;\n    RETURN NEW;\nEND\n$fhd$",
    "CREATE TRIGGER stock_movement_rules\nBEFORE INSERT OR UPDATE OR DELETE ON stock_movement\nFOR EACH ROW EXECUTE FUNCTION stock_movement_rules()",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS stock_movement_not_below_zero",
    "DROP TRIGGER IF EXISTS stock_movement_no_expired_issue",
    "DROP TRIGGER IF EXISTS stock_movement_one_expiry_per_lot",
    "DROP TRIGGER IF EXISTS stock_movement_immutable",
    "DROP TRIGGER IF EXISTS stock_movement_no_delete",
)
POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS stock_movement_rules ON stock_movement",
    "DROP FUNCTION IF EXISTS stock_movement_rules()",
)
