"""人口变动: births, deaths, marriages, divorces and moves, each with a date (never a delete)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncMixin, one_of
from app.vocab import VitalEventType


class VitalEvent(SyncMixin, Base):
    __tablename__ = "vital_event"
    __table_args__ = (
        one_of("event_type", VitalEventType),
        sa.Index("ix_vital_event_date_type", "event_date", "event_type"),
    )

    person_id: Mapped[str] = mapped_column(sa.ForeignKey("person.id"), nullable=False, index=True)
    household_id: Mapped[str] = mapped_column(sa.ForeignKey("household.id"), nullable=False)
    event_type: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    event_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    place: Mapped[str | None] = mapped_column(sa.String(120))  # where from / to, for moves
    # For moves: the residence status the move gave the person (a move in: resident or in-migrant), so their
    # status on a past day is known after a later death or move; NULL where it was not recorded (before 0005).
    residence_status: Mapped[str | None] = mapped_column(sa.String(20))
    notes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
