"""Sync state of a node (a village): its place in the package chain and what the township has acknowledged."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class SyncState(Base):
    __tablename__ = "sync_state"

    node: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    epoch: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    last_seq: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    last_package_id: Mapped[str | None] = mapped_column(sa.String(64))
    acked_seq: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    acked_package_id: Mapped[str | None] = mapped_column(sa.String(64))
    acked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acked_audit_seq: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
