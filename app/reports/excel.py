"""What the Excel writers share: how wide a text is in Excel's column units."""

from __future__ import annotations

import unicodedata


def text_width(text: str) -> int:
    """Width in Excel's character units: a CJK (wide or full-width) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
