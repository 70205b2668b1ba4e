"""户: a household with its number, villager group, address and head."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.models.base import Base, SyncMixin, one_of
from app.models.village import VillagerGroup
from app.vocab import ResidenceType


class Household(SyncMixin, Base):
    __tablename__ = "household"
    __table_args__ = (
        one_of("residence_type", ResidenceType),
        # A household number is unique among its village's households still in use.
        sa.Index(
            "uq_household_living_no",
            "owner",
            "household_no",
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        ),
    )

    household_no: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    group_id: Mapped[str] = mapped_column(sa.ForeignKey("villager_group.id"), nullable=False, index=True)
    # The group's number as the officer knows it (read-only: a household moves by changing group_id).
    group_no: Mapped[int] = column_property(
        sa.select(VillagerGroup.number)
        .where(VillagerGroup.id == group_id)
        .correlate_except(VillagerGroup)
        .scalar_subquery()
    )
    address: Mapped[str] = mapped_column(sa.String(120), nullable=False, default="")
    head_person_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("person.id", use_alter=True, name="fk_household_head_person_id_person")
    )
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    residence_type: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=ResidenceType.LOCAL)
    notes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")

    members = relationship("Person", back_populates="household", foreign_keys="Person.household_id")
