"""Pages of a PDF as pixels, for the in-app preview of what is about to be printed.

PDFium (through pypdfium2) renders the same file the officer will print, so the preview cannot differ from
the paper. No Qt here: the preview dialog turns the RGB bytes into a QImage. PDFium is not thread-safe, so a
document is opened and rendered on one thread (the UI thread: a page takes a few tens of milliseconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import pypdfium2 as pdfium

POINTS_PER_INCH = 72


@dataclass(frozen=True)
class PageImage:
    width: int
    height: int
    stride: int  # bytes per row (rows may be padded)
    rgb: bytes  # 3 bytes per pixel, red first


class PdfPages:
    """An open PDF whose pages can be rendered one at a time; use as a context manager."""

    def __init__(self, source: str | Path | bytes) -> None:
        """`source`: a PDF file, or the PDF's bytes (a preview kept in memory)."""
        self._doc = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))

    def __len__(self) -> int:
        return len(self._doc)

    def page_size(self, index: int) -> tuple[float, float]:
        """Width and height of the page in points (1/72 inch)."""
        size: tuple[float, float] = self._doc[index].get_size()
        return size

    def render(self, index: int, width_px: int) -> PageImage:
        """Page `index` (from 0) scaled to `width_px` pixels wide."""
        page = self._doc[index]
        width_pt, _ = page.get_size()
        bitmap = page.render(scale=max(width_px, 1) / width_pt, rev_byteorder=True)
        return PageImage(bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer))

    def close(self) -> None:
        self._doc.close()

    def __enter__(self) -> PdfPages:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
