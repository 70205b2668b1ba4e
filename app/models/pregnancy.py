"""孕情: a pregnancy from LMP to outcome, with birth registration. No field for fetal sex, by design."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncMixin, one_of
from app.vocab import DeliveryPlace, PregnancyOutcome


class Pregnancy(SyncMixin, Base):
    __tablename__ = "pregnancy"
    __table_args__ = (
        one_of("outcome", PregnancyOutcome),
        one_of("delivery_place", DeliveryPlace),
        sa.CheckConstraint("edd > lmp", name="edd_after_lmp"),
        sa.CheckConstraint("outcome_date IS NULL OR outcome_date >= lmp", name="outcome_after_lmp"),
        sa.CheckConstraint("(outcome IS NULL) = (outcome_date IS NULL)", name="outcome_has_date"),
        sa.CheckConstraint(
            "discharge_date IS NULL OR discharge_date >= outcome_date", name="discharge_after_outcome"
        ),
        sa.CheckConstraint("gravidity IS NULL OR gravidity >= 1", name="gravidity_positive"),
        sa.CheckConstraint("parity IS NULL OR parity >= 0", name="parity_not_negative"),
        sa.CheckConstraint("live_births >= 0", name="live_births_not_negative"),
        # At most one open pregnancy per woman.
        sa.Index(
            "uq_pregnancy_open_per_woman",
            "woman_id",
            unique=True,
            sqlite_where=sa.text("outcome IS NULL AND deleted_at IS NULL"),
            postgresql_where=sa.text("outcome IS NULL AND deleted_at IS NULL"),
        ),
    )

    woman_id: Mapped[str] = mapped_column(sa.ForeignKey("person.id"), nullable=False, index=True)
    lmp: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    edd: Mapped[dt.date] = mapped_column(sa.Date, nullable=False, index=True)
    edd_by_ultrasound: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    registration_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False, index=True)
    gravidity: Mapped[int | None] = mapped_column(sa.Integer)
    parity: Mapped[int | None] = mapped_column(sa.Integer)
    risk_notes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # The risk factors the officer ticked (codes of resources/followups/risk_rules.json, space-separated);
    # the high-risk flags are computed from them, the woman's age at the EDD and the gravidity.
    risk_factors: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    planned_facility: Mapped[str] = mapped_column(sa.String(120), nullable=False, default="")
    birth_reg_no: Mapped[str | None] = mapped_column(sa.String(40))
    birth_reg_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    child_order: Mapped[int | None] = mapped_column(sa.Integer)
    outcome: Mapped[str | None] = mapped_column(sa.String(20))
    outcome_date: Mapped[dt.date | None] = mapped_column(sa.Date, index=True)
    delivery_place: Mapped[str | None] = mapped_column(sa.String(20))
    delivery_facility: Mapped[str | None] = mapped_column(sa.String(120))
    discharge_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    live_births: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    @classmethod
    def open(cls) -> sa.ColumnElement[bool]:
        """Pregnancies still going on: no outcome yet, not voided."""
        return sa.and_(cls.outcome.is_(None), cls.deleted_at.is_(None))
