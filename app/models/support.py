"""奖励扶助 / 特别扶助: families entitled to support, with a contact person for care visits."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncMixin, one_of
from app.vocab import SupportKind


class SupportEntitlement(SyncMixin, Base):
    __tablename__ = "support_entitlement"
    __table_args__ = (
        one_of("kind", SupportKind),
        sa.CheckConstraint("visit_interval_months BETWEEN 1 AND 12", name="interval_valid"),
    )

    household_id: Mapped[str] = mapped_column(sa.ForeignKey("household.id"), nullable=False, index=True)
    person_id: Mapped[str] = mapped_column(sa.ForeignKey("person.id"), nullable=False)  # the entitled person
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    year_confirmed: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    assigned_on: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)  # care visits are counted from here
    ended_on: Mapped[dt.date | None] = mapped_column(sa.Date)  # entitlement ended (e.g. not re-confirmed)
    contact_name: Mapped[str] = mapped_column(sa.String(40), nullable=False, default="")
    contact_phone: Mapped[str | None] = mapped_column(sa.String(20))
    visit_interval_months: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    notes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
