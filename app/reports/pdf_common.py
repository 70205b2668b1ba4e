"""What every printed report shares: the numbered page canvas (header, footer, 第 N 页 / 共 M 页), the
progress callback's type, and writing a file beside its target so it appears whole or not at all."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.i18n import tr

# progress(fraction 0..1, message) -> False to cancel

PAGE_SIZE = A4
MARGIN = 15 * mm
LINE = colors.HexColor("#555555")


def numbered_canvas(
    font: str,
    header_left: str,
    header_right: str,
    footer_left: str,
    *,
    page_size: tuple[float, float] = PAGE_SIZE,
    margin: float = MARGIN,
) -> type[Canvas]:
    """A canvas that holds the pages back until the end, so each can say how many pages there are.

    Every page gets `header_left` / `header_right` above a rule at the top, `footer_left` and
    第 N 页 / 共 M 页 at the bottom, in the embedded CJK `font`."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type information: Canvas is Any
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = page_size
            self.saveState()
            self.setFont(font, 9)
            self.setFillColor(LINE)
            top = height - margin + 2 * mm
            self.drawString(margin, top, header_left)
            self.drawRightString(width - margin, top, header_right)
            self.setStrokeColor(LINE)
            self.setLineWidth(0.4)
            self.line(margin, top - 2 * mm, width - margin, top - 2 * mm)
            bottom = margin - 6 * mm
            self.drawString(margin, bottom, footer_left)
            self.drawRightString(
                width - margin, bottom, tr("report.page_of", page=self._pageNumber, pages=total)
            )
            self.restoreState()

    return NumberedCanvas
