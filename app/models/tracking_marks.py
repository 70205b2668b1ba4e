"""Marks the tracking API reads on a model class (kept apart from app.models.tracking to avoid an import cycle)."""


class Audited:
    """A table that does not travel in packages but whose changes are audited all the same (user accounts,
    the village profile). Its audit lines carry rev 0."""
