"""审计: an append-only, hash-chained log of every change and who made it."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_record", "record_table", "record_id"),)

    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    user_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    action: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # insert / update / void / merge / ...
    record_table: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    record_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    record_rev: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    changes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="{}")  # JSON: field -> [old, new]
    after_digest: Mapped[str | None] = mapped_column(sa.String(64))  # sha256 of the row as this line left it
    prev_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
