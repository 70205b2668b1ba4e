"""Progress reports of the demo generation, and cancelling it through them."""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[float, str], bool]


class Cancelled(Exception):
    """The person cancelled the demo generation; nothing of it was saved."""


class Progress:
    """Calls the caller's progress function; a False answer cancels."""

    def __init__(self, fn: ProgressFn | None) -> None:
        self.fn = fn

    def __call__(self, fraction: float, message: str) -> None:
        if self.fn is not None and self.fn(min(max(fraction, 0.0), 1.0), message) is False:
            raise Cancelled()
