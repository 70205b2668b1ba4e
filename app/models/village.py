"""The village this laptop serves, its villager groups, and the township it reports to."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.models.base import Base, SyncMixin, UTCDateTime
from app.models.tracking_marks import Audited


class VillageProfile(Audited, Base):
    """A village this database knows, by its 12-digit division code. The row marked `home` is the village this
    laptop serves (at most one); a township database holds one row per village it consolidates. Not a
    travelling record; its changes are audited."""

    __tablename__ = "village_profile"
    __table_args__ = (
        sa.CheckConstraint("length(code) = 12", name="code_12_digits"),
        sa.Index(
            "uq_village_profile_home",
            "home",
            unique=True,
            sqlite_where=sa.text("home"),
            postgresql_where=sa.text("home"),
        ),
    )

    code: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    home: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    township_code: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    township_name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    officer_phone: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class VillagerGroup(SyncMixin, Base):
    """村民小组: the village's groups, numbered 1..n within their village (the owner)."""

    __tablename__ = "villager_group"
    __table_args__ = (
        sa.CheckConstraint("number > 0", name="number_positive"),
        sa.UniqueConstraint("owner", "number", name="uq_villager_group_owner_number"),
    )

    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(40), nullable=False)


def home_profile(session: Session) -> VillageProfile | None:
    """The village this database serves (None before set-up, and in a township's database)."""
    return session.execute(sa.select(VillageProfile).where(VillageProfile.home)).scalar()
