"""What a benchmark returns, and the table the runner prints."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class BenchResult:
    """One measured figure, optionally against a baseline doing the same work the plainest way."""

    name: str
    value_seconds: float
    baseline_name: str | None = None
    baseline_seconds: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline_seconds is None or self.baseline_seconds <= 0:
            return None
        return self.value_seconds / self.baseline_seconds


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Seconds taken by fn() (wall clock, perf_counter), and its result."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def format_results(results: Iterable[BenchResult]) -> str:
    rows = [("benchmark", "seconds", "baseline", "baseline s", "ratio")]
    for r in results:
        rows.append(
            (
                r.name,
                f"{r.value_seconds:.3f}",
                r.baseline_name or "—",
                "—" if r.baseline_seconds is None else f"{r.baseline_seconds:.3f}",
                "—" if r.ratio is None else f"{r.ratio:.1f}×",
            )
        )
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [_pad(cell, widths[i], right=i in (1, 3, 4)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_results(results: Iterable[BenchResult]) -> None:
    print(format_results(results), flush=True)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space
