"""The village this laptop serves, its villager groups, and the township it reports to."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncMixin, UTCDateTime


class VillageProfile(Base):
    """One row: who this database belongs to. Local to the laptop, not a travelling record."""

    __tablename__ = "village_profile"
    __table_args__ = (
        sa.CheckConstraint("length(code) = 12", name="code_12_digits"),
        sa.CheckConstraint("id = 1", name="single_row"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, default=1)
    code: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    township_code: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    township_name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    officer_phone: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class VillagerGroup(SyncMixin, Base):
    """村民小组: the village's groups, numbered 1..n."""

    __tablename__ = "villager_group"
    __table_args__ = (sa.CheckConstraint("number > 0", name="number_positive"),)

    number: Mapped[int] = mapped_column(sa.Integer, nullable=False, unique=True)
    name: Mapped[str] = mapped_column(sa.String(40), nullable=False)
