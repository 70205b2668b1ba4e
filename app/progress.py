"""The one progress protocol of long work: the UI, the command line and the tests all speak it.

A long job takes `progress: ProgressFn | None` and calls `report(progress, fraction, message)` now and then;
the caller's function shows the fraction (0..1) and the already translated message, and answers False when
the person pressed Cancel, which `report` turns into `Cancelled`. The job then rolls back or deletes what it
had begun, so a cancel leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[float, str], bool]


class Cancelled(Exception):
    """The person pressed Cancel; nothing of the cancelled work was kept."""


def report(progress: ProgressFn | None, fraction: float, message: str) -> None:
    """Tell `progress` how far the work is; raise Cancelled if it answers False."""
    if progress is not None and progress(min(max(fraction, 0.0), 1.0), message) is False:
        raise Cancelled


def scaled(progress: ProgressFn | None, start: float, end: float) -> ProgressFn | None:
    """The progress of a part of a job that runs from `start` to `end` of the whole."""
    if progress is None:
        return None
    span = end - start

    def part(fraction: float, message: str) -> bool:
        return progress(start + span * min(max(fraction, 0.0), 1.0), message)

    return part
