"""Care records chosen by the person: pre-pregnancy checks, folic-acid courses, contraceptive episodes."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncMixin, one_of
from app.vocab import ContraceptiveMethod, RiskGrade


class PrepregnancyCheck(SyncMixin, Base):
    """免费孕前优生健康检查 for a couple planning a pregnancy."""

    __tablename__ = "prepregnancy_check"
    __table_args__ = (one_of("risk_grade", RiskGrade),)

    woman_id: Mapped[str] = mapped_column(sa.ForeignKey("person.id"), nullable=False, index=True)
    partner_id: Mapped[str | None] = mapped_column(sa.ForeignKey("person.id"))
    check_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    risk_grade: Mapped[str] = mapped_column(sa.String(10), nullable=False, default=RiskGrade.GENERAL)
    counselling: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    pregnancy_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("pregnancy.id")
    )  # the pregnancy that followed


class FolicAcidCourse(SyncMixin, Base):
    """增补叶酸: a course from planning to the end of the 3rd month of pregnancy."""

    __tablename__ = "folic_acid_course"
    __table_args__ = (
        sa.CheckConstraint("dose_mg IN (0.4, 4)", name="dose_valid"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        sa.CheckConstraint("bottles_issued >= 0", name="bottles_not_negative"),
    )

    woman_id: Mapped[str] = mapped_column(sa.ForeignKey("person.id"), nullable=False, index=True)
    start_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    dose_mg: Mapped[float] = mapped_column(sa.Float, nullable=False, default=0.4)
    bottles_issued: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    high_risk_reason: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")


class ContraceptiveEpisode(SyncMixin, Base):
    """避孕方法: a method the person chose (知情选择), from start to stop."""

    __tablename__ = "contraceptive_method"
    __table_args__ = (
        one_of("method", ContraceptiveMethod),
        sa.CheckConstraint("stop_date IS NULL OR stop_date >= start_date", name="stop_after_start"),
        # One current method per person.
        sa.Index(
            "uq_contraceptive_current_per_person",
            "person_id",
            unique=True,
            sqlite_where=sa.text("stop_date IS NULL AND deleted_at IS NULL"),
            postgresql_where=sa.text("stop_date IS NULL AND deleted_at IS NULL"),
        ),
    )

    person_id: Mapped[str] = mapped_column(sa.ForeignKey("person.id"), nullable=False, index=True)
    method: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    start_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    stop_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    stop_reason: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    counselled_on: Mapped[dt.date | None] = mapped_column(sa.Date)  # informed-choice counselling
    counselling_notes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")

    @classmethod
    def current(cls) -> sa.ColumnElement[bool]:
        """The method a person uses now: not stopped, not voided."""
        return sa.and_(cls.stop_date.is_(None), cls.deleted_at.is_(None))
