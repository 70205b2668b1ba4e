"""Marks the tracking API reads on a model class (kept apart from app.models.tracking to avoid an import cycle)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    import sqlalchemy as sa


class Audited:
    """A table that does not travel in packages but whose changes are audited all the same (user accounts,
    the village profile). Its audit lines carry rev 0."""

    if TYPE_CHECKING:
        __tablename__: str
        __table__: ClassVar[sa.FromClause]
