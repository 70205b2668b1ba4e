"""The CJK font of every PDF: WenQuanYi Micro Hei, shipped in resources/fonts/ and embedded in the PDF.

reportlab's built-in `STSong-Light` is not embedded: viewers without Asian font packs show blank pages or
boxes and text cannot be extracted (shared/design/pitfalls.md). A TrueType font is embedded (as subsets of
the glyphs used, each a FontFile2 stream with a ToUnicode map), so the PDF reads the same everywhere.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.assets import resource
from app.errors import DomainError

FONT_DIR = resource("fonts")
CJK_FONT_FILE = FONT_DIR / "wqy-microhei.ttc"
CJK_FONT = "WenQuanYiMicroHei"  # face 0 of the collection; face 1 is the monospaced variant

_lock = threading.Lock()


class FontMissing(DomainError):
    """The font file is not where it should be: refuse to print rather than print boxes."""

    def __init__(self, path: Path) -> None:
        super().__init__("reports.font_missing", None, path=str(path))


def register_cjk_font(path: Path | None = None, name: str = CJK_FONT) -> str:
    """Register the embedded CJK font with reportlab (once per name) and return its name for styles.

    The regular face also stands in for bold and italic (the font has no other weights), so `<b>` in a
    Paragraph never falls back to a Latin-only font."""
    path = Path(path) if path is not None else CJK_FONT_FILE
    with _lock:
        if name in pdfmetrics.getRegisteredFontNames():
            return name
        if not path.is_file():
            raise FontMissing(path)
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(name, bold, italic, name)
    return name
