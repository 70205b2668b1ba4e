"""How a figure of the monthly report is written, the same on screen, in the PDF and as Excel shows it."""

from __future__ import annotations

import pytest

from app.services.report_tables import CellKind, format_cell


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (5 / 16, CellKind.RATE, "31.3%"),  # a half is rounded up, as Excel shows 0.3125 with 0.0%
        (2 / 3, CellKind.RATE, "66.7%"),
        (3 / 40, CellKind.RATE, "7.5%"),
        (1.0, CellKind.RATE, "100.0%"),
        (0.0, CellKind.RATE, "0.0%"),
        (None, CellKind.RATE, "—"),  # nobody in the denominator
        (17 / 16 * 100, CellKind.RATIO, "106.3"),
        (None, CellKind.RATIO, "—"),
        (1234, CellKind.COUNT, "1,234"),
        (0, CellKind.COUNT, "0"),
        ("盒", CellKind.TEXT, "盒"),
    ],
)
def test_format_cell(value, kind, shown):
    assert format_cell(value, kind) == shown
