"""Domain errors: what went wrong, in which field, as a translatable message."""

from __future__ import annotations

from app.i18n import tr


class DomainError(Exception):
    """A rule was broken by the input. `field` names the form field at fault (or None)."""

    def __init__(self, msg_id: str, field: str | None = None, **params: object) -> None:
        self.msg_id = msg_id
        self.field = field
        self.params = params
        super().__init__(self.message())

    def message(self, lang: str | None = None) -> str:
        return tr(self.msg_id, lang=lang, **self.params)


class NotFound(DomainError):
    """The record asked for does not exist (or was deleted)."""
