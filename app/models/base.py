"""Declarative base, the sync metadata every travelling record carries, and shared column types."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar, cast

import sqlalchemy as sa
import uuid6
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.tracking_marks import Audited

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A time-ordered UUIDv7 made on this laptop: unique across villages without asking anyone."""
    return str(uuid6.uuid7())


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """Timezone-aware timestamps stored as UTC (SQLite has no time zones; PostgreSQL gets timestamptz)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (app.clock.now_utc())")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def one_of(column: str, values: Iterable[str], name: str | None = None) -> sa.CheckConstraint:
    """A CHECK that keeps a code column inside its vocabulary, in the database itself."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_valid")


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class SyncMixin:
    """Metadata of a record that travels in sync packages (see shared/design/sync-bundle.md).

    Set by the tracking API (app.models.tracking), never by hand: rev grows by one per edit, owner is the node
    that may change the record, created/updated at/by name the person, and a mistaken record is voided
    (soft-deleted) with a reason, never deleted.
    """

    if TYPE_CHECKING:  # what declarative gives every model class (for the type checker only)
        __tablename__: str
        __table__: ClassVar[sa.FromClause]

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    rev: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)
    # indexed: a township's database holds 20-60 villages, and every figure and state digest is per village
    owner: Mapped[str] = mapped_column(sa.String(12), nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_by: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    deleted_reason: Mapped[str | None] = mapped_column(sa.String(200))

    @classmethod
    def live(cls) -> sa.ColumnElement[bool]:
        """The records still in use (not voided): the filter every list and count of the table starts from."""
        return cls.deleted_at.is_(None)

    @classmethod
    def owned_by(cls, owner: str | None) -> sa.ColumnElement[bool]:
        """The records of one village (`owner`, its 12-digit code) in a database holding many, or every record
        when `owner` is None: the filter that scopes a report to one village of a township's database."""
        return cls.owner == owner if owner is not None else sa.true()


def table_of(model: type[Base] | type[SyncMixin] | type[Audited]) -> sa.Table:
    """The Table a model class is mapped to: every model here is declared with a __tablename__, so declarative
    maps it to a Table (SQLAlchemy types `__table__` as any FromClause)."""
    return cast(sa.Table, model.__table__)
