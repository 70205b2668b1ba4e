"""成员: a person in a household, with identity, marital and residence status, and search keys."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, SyncMixin, one_of
from app.vocab import MaritalStatus, RecordStatus, Relation, ResidenceStatus, Sex

LIVING_ID_WHERE = (
    "id_number IS NOT NULL AND deleted_at IS NULL AND status = 'active' AND residence_status <> 'deceased'"
)


class Person(SyncMixin, Base):
    __tablename__ = "person"
    __table_args__ = (
        one_of("sex", Sex),
        one_of("relation", Relation),
        one_of("marital_status", MaritalStatus),
        one_of("residence_status", ResidenceStatus),
        sa.CheckConstraint("death_date IS NULL OR death_date >= birth_date", name="death_after_birth"),
        sa.CheckConstraint(
            "marriage_date IS NULL OR marriage_date >= birth_date", name="marriage_after_birth"
        ),
        sa.CheckConstraint(
            "(residence_status = 'deceased') = (death_date IS NOT NULL)", name="deceased_has_death_date"
        ),
        one_of("status", RecordStatus),
        sa.CheckConstraint("(status = 'merged') = (merged_into IS NOT NULL)", name="merged_has_survivor"),
        # Within one village the same resident ID cannot belong to two living persons (the database refuses it
        # too); in a township database the same number in two villages is a cross-village duplicate to list.
        sa.Index(
            "uq_person_living_id_number",
            "owner",
            "id_number",
            unique=True,
            sqlite_where=sa.text(LIVING_ID_WHERE),
            postgresql_where=sa.text(LIVING_ID_WHERE),
        ),
        sa.Index("ix_person_name_birth", "name", "birth_date"),
    )

    household_id: Mapped[str] = mapped_column(sa.ForeignKey("household.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    # Search keys kept in columns: full pinyin readings (space-separated variants) and initials.
    name_pinyin: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    name_initials: Mapped[str] = mapped_column(sa.String(60), nullable=False, default="")
    sex: Mapped[str] = mapped_column(sa.String(1), nullable=False)
    birth_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False, index=True)
    id_number: Mapped[str | None] = mapped_column(sa.String(18))
    relation: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=Relation.OTHER)
    marital_status: Mapped[str] = mapped_column(
        sa.String(20), nullable=False, default=MaritalStatus.UNMARRIED
    )
    marriage_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    residence_status: Mapped[str] = mapped_column(
        sa.String(20), nullable=False, default=ResidenceStatus.RESIDENT, index=True
    )
    residence_place: Mapped[str | None] = mapped_column(sa.String(120))  # destination or origin of a move
    death_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    born_of_pregnancy_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("pregnancy.id", use_alter=True, name="fk_person_born_of_pregnancy_id_pregnancy")
    )
    notes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # Two records of one person merged: this one points at the survivor and leaves every list.
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False, default=RecordStatus.ACTIVE)
    merged_into: Mapped[str | None] = mapped_column(
        sa.ForeignKey("person.id", use_alter=True, name="fk_person_merged_into_person")
    )

    household = relationship("Household", back_populates="members", foreign_keys=[household_id])

    @classmethod
    def live(cls) -> sa.ColumnElement[bool]:
        """People still on the register: neither voided nor merged into another record."""
        return sa.and_(cls.deleted_at.is_(None), cls.status == RecordStatus.ACTIVE)
