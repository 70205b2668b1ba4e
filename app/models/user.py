"""Officer accounts on this laptop. Passwords are stored only as Argon2 hashes."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.actor import SYSTEM_USER_ID
from app.models.base import Base, UTCDateTime, new_id, one_of
from app.models.tracking_marks import Audited
from app.vocab import UserRole

__all__ = ["SYSTEM_USER_ID", "User"]


class User(Audited, Base):
    __tablename__ = "app_user"
    __table_args__ = (one_of("role", UserRole),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(sa.String(40), nullable=False, unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    password_hash: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    role: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=UserRole.OFFICER)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
