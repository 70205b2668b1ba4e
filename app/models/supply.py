"""药具: the supply catalogue and the immutable stock ledger."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncMixin, one_of
from app.models.vocab import MovementType, SupplyCategory


class SupplyItem(SyncMixin, Base):
    __tablename__ = "supply_item"
    __table_args__ = (
        one_of("category", SupplyCategory),
        sa.CheckConstraint("days_per_unit >= 0", name="days_not_negative"),
        sa.CheckConstraint("reorder_level >= 0", name="reorder_not_negative"),
    )

    code: Mapped[str] = mapped_column(sa.String(20), nullable=False, unique=True)
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
        sa.Index("ix_stock_movement_item_lot", "item_id", "lot"),
        sa.Index("ix_stock_movement_date", "movement_date"),
    )

    item_id: Mapped[str] = mapped_column(sa.ForeignKey("supply_item.id"), nullable=False)
    lot: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    expiry_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    movement_type: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    direction: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    movement_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    person_id: Mapped[str | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    contraceptive_episode_id: Mapped[str | None] = mapped_column(sa.ForeignKey("contraceptive_method.id"))
    folic_acid_course_id: Mapped[str | None] = mapped_column(sa.ForeignKey("folic_acid_course.id"))
    document_no: Mapped[str] = mapped_column(sa.String(40), nullable=False, default="")
    reason: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    reverses_id: Mapped[str | None] = mapped_column(sa.ForeignKey("stock_movement.id"))
