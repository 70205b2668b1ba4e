"""随访: a due visit with a window, a status and, once done, the checklist answers."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncMixin, one_of
from app.vocab import FollowupStatus, FollowupType


class Followup(SyncMixin, Base):
    __tablename__ = "followup"
    __table_args__ = (
        one_of("followup_type", FollowupType),
        one_of("status", FollowupStatus),
        sa.CheckConstraint("earliest_date <= due_date AND due_date <= latest_date", name="window_ordered"),
        sa.CheckConstraint("status <> 'done' OR done_date IS NOT NULL", name="done_has_date"),
        # Due lists read (status, due_date) without recomputing any rule.
        sa.Index("ix_followup_status_due", "status", "due_date"),
        # The same rule occurrence for the same record is made once (idempotent regeneration).
        sa.Index(
            "uq_followup_occurrence",
            "source_id",
            "followup_type",
            "occurrence",
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        ),
    )

    person_id: Mapped[str] = mapped_column(sa.ForeignKey("person.id"), nullable=False, index=True)
    followup_type: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    source_table: Mapped[str] = mapped_column(sa.String(40), nullable=False)  # the care record it comes from
    source_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    occurrence: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    earliest_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    due_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    latest_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(12), nullable=False, default=FollowupStatus.DUE)
    done_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    result: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    notes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    status_reason: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    checklist_version: Mapped[str | None] = mapped_column(sa.String(20))


class FollowupAnswer(SyncMixin, Base):
    """One answered checklist item of a done follow-up (the template version is on the follow-up)."""

    __tablename__ = "followup_answer"
    __table_args__ = (sa.UniqueConstraint("followup_id", "item_key", name="uq_followup_answer_item"),)

    followup_id: Mapped[str] = mapped_column(sa.ForeignKey("followup.id"), nullable=False, index=True)
    item_key: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    value: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
