"""药具: the supply catalogue and the immutable stock ledger.

The ledger's rules are also kept by the database itself (LEDGER_RULES below), so that no code path, a second
window or a raw SQL statement can break them: an outgoing movement never takes its lot below zero on any day
from its date on, an issue never draws on an expired lot, a lot keeps one expiry date, and a movement is never
edited or deleted (a correction is a new reversing movement). The same statements are made by `create_all`
(the DDL events at the end) and by migration 0003, and a test compares the two.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncMixin, one_of
from app.vocab import MovementType, SupplyCategory


class SupplyItem(SyncMixin, Base):
    __tablename__ = "supply_item"
    __table_args__ = (
        one_of("category", SupplyCategory),
        sa.CheckConstraint("days_per_unit >= 0", name="days_not_negative"),
        sa.CheckConstraint("reorder_level >= 0", name="reorder_not_negative"),
        sa.UniqueConstraint("owner", "code", name="uq_supply_item_owner_code"),
    )

    # The township's catalogue: the id is app.models.ids.catalogue_item_id(code), the owner the township.
    code: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    form: Mapped[str] = mapped_column(sa.String(40), nullable=False, default="")
    unit: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    category: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    days_per_unit: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    reorder_level: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)


class StockMovement(SyncMixin, Base):
    """One line of the ledger. Never edited: a correction is a new reversing movement.

    `quantity` is always positive; `direction` (+1 in, -1 out) says which way it moved.
    """

    __tablename__ = "stock_movement"
    __table_args__ = (
        one_of("movement_type", MovementType),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("direction IN (1, -1)", name="direction_valid"),
        # The ledger's rules read a lot's balance and its expiry on every insert: both from an index alone.
        sa.Index(
            "ix_stock_movement_lot_balance",
            "item_id",
            "lot",
            "movement_date",
            "direction",
            "quantity",
            "deleted_at",
        ),
        sa.Index("ix_stock_movement_lot_expiry", "item_id", "lot", "expiry_date"),
        sa.Index("ix_stock_movement_date", "movement_date"),
        sa.Index("ix_stock_movement_person_date", "person_id", "movement_date"),
        # A movement is reversed at most once.
        sa.Index("uq_stock_movement_reverses_id", "reverses_id", unique=True),
    )

    item_id: Mapped[str] = mapped_column(sa.ForeignKey("supply_item.id"), nullable=False)
    lot: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    expiry_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    movement_type: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    direction: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    movement_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    person_id: Mapped[str | None] = mapped_column(sa.ForeignKey("person.id"))
    contraceptive_episode_id: Mapped[str | None] = mapped_column(sa.ForeignKey("contraceptive_method.id"))
    folic_acid_course_id: Mapped[str | None] = mapped_column(sa.ForeignKey("folic_acid_course.id"))
    document_no: Mapped[str] = mapped_column(sa.String(40), nullable=False, default="")
    reason: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    reverses_id: Mapped[str | None] = mapped_column(sa.ForeignKey("stock_movement.id"))


# ---------------------------------------------------------------- rules kept by the database

# The message each refusal carries (SQLite: RAISE(ABORT, ...); PostgreSQL: RAISE EXCEPTION ... USING ERRCODE
# check_violation); app.services.supplies turns them back into the same DomainError the service gives.
STOCK_BELOW_ZERO = "stock_below_zero"
LOT_EXPIRED = "lot_expired"
LOT_EXPIRY_MISMATCH = "lot_expiry_mismatch"
LEDGER_IMMUTABLE = "ledger_immutable"
RULE_MESSAGES = (STOCK_BELOW_ZERO, LOT_EXPIRED, LOT_EXPIRY_MISMATCH, LEDGER_IMMUTABLE)

# Sync bookkeeping that app.models.tracking (or a sync package) may still set on a ledger row; every other
# column is fixed once the row is written (a test checks this list against the model), except that an issue's
# person may be moved to the record a duplicate was merged into (LEDGER_MERGE_COLUMN).
LEDGER_BOOKKEEPING = ("rev", "owner", "updated_at", "updated_by")
LEDGER_MERGE_COLUMN = "person_id"
LEDGER_FIXED = (
    "id",
    "created_at",
    "created_by",
    "deleted_at",
    "deleted_reason",
    "item_id",
    "lot",
    "expiry_date",
    "movement_type",
    "direction",
    "quantity",
    "movement_date",
    "contraceptive_episode_id",
    "folic_acid_course_id",
    "document_no",
    "reason",
    "reverses_id",
)
_ISSUES = "('issue_person', 'issue_self_service')"

# The balance of the new row's lot (a lot is a village's: the owner is part of it, in a township's database too)
# at the end of each day from the row's date on (the days of later movements
# of the lot): none may fall below the quantity taken out. Rows marked deleted never count.
_SQLITE_SHORT = """EXISTS (
        SELECT 1 FROM (
            SELECT NEW.movement_date AS on_day
            UNION
            SELECT later.movement_date FROM stock_movement AS later
            WHERE later.item_id = NEW.item_id AND later.lot = NEW.lot AND later.owner = NEW.owner
              AND later.movement_date > NEW.movement_date AND later.deleted_at IS NULL
        ) AS days
        WHERE (
            SELECT COALESCE(SUM(m.direction * m.quantity), 0) FROM stock_movement AS m
            WHERE m.item_id = NEW.item_id AND m.lot = NEW.lot AND m.owner = NEW.owner
              AND m.movement_date <= days.on_day AND m.deleted_at IS NULL
        ) < NEW.quantity
    )"""

_CHANGED = "\n   OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in LEDGER_FIXED)
# The person of an issue changes only to the survivor of a merge (the old person's merged_into).
_REPOINTED = """(NEW.person_id IS NOT OLD.person_id AND NEW.person_id IS NOT (
        SELECT merged.merged_into FROM person AS merged WHERE merged.id = OLD.person_id
    ))"""

SQLITE_LEDGER_RULES = (
    f"""CREATE TRIGGER stock_movement_not_below_zero
BEFORE INSERT ON stock_movement
WHEN NEW.direction = -1 AND NEW.deleted_at IS NULL AND {_SQLITE_SHORT}
BEGIN
    SELECT RAISE(ABORT, '{STOCK_BELOW_ZERO}');
END""",
    f"""CREATE TRIGGER stock_movement_no_expired_issue
BEFORE INSERT ON stock_movement
WHEN NEW.direction = -1 AND NEW.movement_type IN {_ISSUES} AND NEW.expiry_date < NEW.movement_date
BEGIN
    SELECT RAISE(ABORT, '{LOT_EXPIRED}');
END""",
    f"""CREATE TRIGGER stock_movement_one_expiry_per_lot
BEFORE INSERT ON stock_movement
WHEN EXISTS (
    SELECT 1 FROM stock_movement AS m
    WHERE m.item_id = NEW.item_id AND m.lot = NEW.lot AND m.owner = NEW.owner AND m.expiry_date <> NEW.expiry_date
)
BEGIN
    SELECT RAISE(ABORT, '{LOT_EXPIRY_MISMATCH}');
END""",
    f"""CREATE TRIGGER stock_movement_immutable
BEFORE UPDATE ON stock_movement
WHEN {_CHANGED}
   OR {_REPOINTED}
BEGIN
    SELECT RAISE(ABORT, '{LEDGER_IMMUTABLE}');
END""",
    f"""CREATE TRIGGER stock_movement_no_delete
BEFORE DELETE ON stock_movement
BEGIN
    SELECT RAISE(ABORT, '{LEDGER_IMMUTABLE}');
END""",
)
SQLITE_LEDGER_TRIGGERS = (
    "stock_movement_not_below_zero",
    "stock_movement_no_expired_issue",
    "stock_movement_one_expiry_per_lot",
    "stock_movement_immutable",
    "stock_movement_no_delete",
)
SQLITE_DROP_LEDGER_RULES = tuple(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_LEDGER_TRIGGERS)

# PostgreSQL: one trigger function. Two sessions taking from one lot at once are put one after the other by a
# transaction-level advisory lock on the lot, taken before the balance is read (under READ COMMITTED each
# statement of a plpgsql function sees what committed before it began, so the second sees the first's row).
_PG_FIXED_NEW = ", ".join(f"NEW.{c}" for c in LEDGER_FIXED)
_PG_FIXED_OLD = ", ".join(f"OLD.{c}" for c in LEDGER_FIXED)
POSTGRESQL_LEDGER_RULES = (
    f"""CREATE OR REPLACE FUNCTION stock_movement_rules() RETURNS trigger LANGUAGE plpgsql AS $fhd$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '{LEDGER_IMMUTABLE}' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF ROW({_PG_FIXED_NEW}) IS DISTINCT FROM ROW({_PG_FIXED_OLD})
           OR {_REPOINTED.replace(" IS NOT ", " IS DISTINCT FROM ")} THEN
            RAISE EXCEPTION '{LEDGER_IMMUTABLE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.direction = -1 AND NEW.movement_type IN {_ISSUES} AND NEW.expiry_date < NEW.movement_date THEN
        RAISE EXCEPTION '{LOT_EXPIRED}' USING ERRCODE = 'check_violation';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('stock_movement/' || NEW.owner || '/' || NEW.item_id || '/' || NEW.lot));
    IF EXISTS (
        SELECT 1 FROM stock_movement AS m
        WHERE m.item_id = NEW.item_id AND m.lot = NEW.lot AND m.owner = NEW.owner AND m.expiry_date <> NEW.expiry_date
    ) THEN
        RAISE EXCEPTION '{LOT_EXPIRY_MISMATCH}' USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.direction = -1 AND NEW.deleted_at IS NULL AND {_SQLITE_SHORT} THEN
        RAISE EXCEPTION '{STOCK_BELOW_ZERO}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$fhd$""",
    """CREATE TRIGGER stock_movement_rules
BEFORE INSERT OR UPDATE OR DELETE ON stock_movement
FOR EACH ROW EXECUTE FUNCTION stock_movement_rules()""",
)
POSTGRESQL_DROP_LEDGER_RULES = (
    "DROP TRIGGER IF EXISTS stock_movement_rules ON stock_movement",
    "DROP FUNCTION IF EXISTS stock_movement_rules()",
)


def ledger_rules(dialect: str) -> tuple[str, ...]:
    """The statements that make the database keep the ledger's rules (none for another dialect)."""
    return {"sqlite": SQLITE_LEDGER_RULES, "postgresql": POSTGRESQL_LEDGER_RULES}.get(dialect, ())


def drop_ledger_rules(dialect: str) -> tuple[str, ...]:
    return {"sqlite": SQLITE_DROP_LEDGER_RULES, "postgresql": POSTGRESQL_DROP_LEDGER_RULES}.get(dialect, ())


for _dialect in ("sqlite", "postgresql"):
    for _sql in ledger_rules(_dialect):
        sa.event.listen(StockMovement.__table__, "after_create", sa.DDL(_sql).execute_if(dialect=_dialect))
sa.event.listen(
    StockMovement.__table__,
    "after_drop",
    sa.DDL("DROP FUNCTION IF EXISTS stock_movement_rules()").execute_if(dialect="postgresql"),
)
