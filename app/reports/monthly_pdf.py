"""The monthly report (月报) as an A4 PDF: the same tables as the screen and the Excel file, and a bar chart of
follow-up completion (done ÷ due) by type.

Every cell is formatted by report_tables.format_cell, so a figure reads the same everywhere. The CJK font is
embedded (app.reports.fonts); it has no bold face, so total lines are drawn with the glyphs filled and
stroked, which reads as bold and stays extractable text.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.files import atomic_output
from app.i18n import tr
from app.progress import ProgressFn
from app.progress import report as check_progress
from app.reports.fonts import register_cjk_font
from app.reports.pdf_common import (
    LINE,
    MARGIN,
    PAGE_SIZE,
    numbered_canvas,
)
from app.services.report_tables import CellKind, ReportDocument, ReportTable, format_cell
from app.version import pdf_creator

HEADER_GAP = 6 * mm  # room between the running header and the story
FOOTER_GAP = 4 * mm
CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN
GREY = colors.HexColor("#e3e3e3")
TOTAL_GREY = colors.HexColor("#f3f3f3")
BAR = colors.HexColor("#4a7fb5")
CELL_SIZE = 9
HEAD_SIZE = 8.5
PAD = 3  # left and right padding of a table cell, points
LABEL_MIN = 62 * mm  # most tables start their figures at the same place
LABEL_MAX = 80 * mm
VALUE_MIN = 17 * mm
VALUE_MAX = 30 * mm
NARROW_VALUE_MIN = 10 * mm  # a wide table (supplies) wraps its headings rather than overflowing the page
LABEL_FLOOR = 25 * mm  # and its label column gives way to its headings down to this
CHART_AFTER = "report.section.followups"  # the chart follows this table (or ends the report without it)


class BoldParagraph(Paragraph):  # type: ignore[misc]  # reportlab has no type information: Paragraph is Any
    """A paragraph drawn with its glyphs filled and stroked (text render mode 2): bold without a bold font."""

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setLineWidth(self.style.fontSize * 0.04)
        canv.setStrokeColor(self.style.textColor)
        canv.addLiteral("2 Tr")  # the text objects the paragraph draws inherit it; restoreState ends it
        super().draw()
        canv.restoreState()


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("cell", fontName=font, fontSize=CELL_SIZE, leading=11.5, wordWrap="CJK")
    return {
        "cell": base,
        "figure": ParagraphStyle("figure", parent=base, alignment=TA_RIGHT),
        "text": ParagraphStyle("text", parent=base, alignment=TA_LEFT),
        "head": ParagraphStyle("head", parent=base, fontSize=HEAD_SIZE, leading=10.5, alignment=TA_CENTER),
        "head_label": ParagraphStyle("head_label", parent=base, fontSize=HEAD_SIZE, leading=10.5),
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=20, spaceAfter=1.5 * mm),
        "facts": ParagraphStyle("facts", parent=base, fontSize=9.5, leading=12, textColor=LINE),
        "section": ParagraphStyle(
            "section", parent=base, fontSize=11.5, leading=14, spaceBefore=5 * mm, spaceAfter=1.5 * mm
        ),
        "note": ParagraphStyle(
            "note", parent=base, fontSize=8, leading=10.5, textColor=LINE, spaceBefore=1.2 * mm
        ),
    }


def _has_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in "WF" for ch in text)


def _p(text: str, style: ParagraphStyle, bold: bool = False) -> Paragraph:
    if not _has_cjk(text):
        # CJK wrapping breaks anywhere, Latin words too ("Openin g"): text without CJK wraps at spaces
        style = ParagraphStyle(f"{style.name}-latin", parent=style, wordWrap=None)
    return (BoldParagraph if bold else Paragraph)(escape(text), style)


def _unbreakable_width(text: str, font: str, size: float, cjk_whole: bool = True) -> float:
    """The narrowest `text` can be set without breaking a word. A CJK heading is kept whole (it is short);
    other CJK text may break between any two characters (`cjk_whole=False`)."""
    if _has_cjk(text):
        return stringWidth(text, font, size) if cjk_whole else 2 * size
    return max((stringWidth(word, font, size) for word in text.split()), default=0.0)


def _share_out(values: list[float], targets: list[float], spare: float) -> float:
    """Widen the columns narrower than their target, evenly, until `spare` runs out; return what is left."""
    while spare > 0.5:
        short = [i for i, v in enumerate(values) if v < targets[i] - 0.01]
        if not short:
            break
        share = spare / len(short)
        for i in short:
            grow = min(share, targets[i] - values[i])
            values[i] += grow
            spare -= grow
    return spare


def _column_widths(table: ReportTable, font: str) -> list[float]:
    """The label column and one per figure: wide enough for their text, within the page's width."""

    def width(text: str, size: float = CELL_SIZE) -> float:
        drawn: float = stringWidth(text, font, size)
        return drawn + 2 * PAD + 1

    figures = [
        [width(format_cell(r.cells[i] if i < len(r.cells) else None, c.kind)) for r in table.rows] or [0.0]
        for i, c in enumerate(table.columns)
    ]
    values = [
        min(max(width(tr(c.key), HEAD_SIZE), *cells, VALUE_MIN), VALUE_MAX)
        for c, cells in zip(table.columns, figures, strict=True)
    ]
    labels = [width(tr(table.label_heading), HEAD_SIZE)] + [width(r.label_text()) for r in table.rows]
    label = min(max(max(labels), LABEL_MIN), LABEL_MAX)
    if label + sum(values) > CONTENT_WIDTH:
        # Too many columns. Each figure column starts as wide as its figures; the room left goes first to
        # headings so they wrap only between words (the labels may wrap between words too for it), then back
        # to the labels, then to headings so they need not wrap at all, and what remains to the labels.
        values = [max(*cells, NARROW_VALUE_MIN) for cells in figures]
        label_natural = min(max(labels), LABEL_MIN)
        texts = [tr(table.label_heading)] + [r.label_text() for r in table.rows]
        piece = max(_unbreakable_width(t, font, CELL_SIZE, cjk_whole=False) for t in texts) + 2 * PAD + 1
        label = min(label_natural, max(piece, LABEL_FLOOR))
        words = [_unbreakable_width(tr(c.key), font, HEAD_SIZE) + 2 * PAD + 1 for c in table.columns]
        spare = _share_out(values, words, CONTENT_WIDTH - label - sum(values))
        back = max(min(spare, label_natural - label), 0.0)
        label, spare = label + back, spare - back
        spare = _share_out(values, [width(tr(c.key), HEAD_SIZE) for c in table.columns], spare)
        if spare > 0:
            label += spare
        elif spare < 0:
            scale = (CONTENT_WIDTH - label) / sum(values)
            values = [v * scale for v in values]
    return [label, *values]


def _table(table: ReportTable, styles: dict[str, ParagraphStyle], font: str) -> Table:
    head: list[Any] = [_p(tr(table.label_heading), styles["head_label"])]
    head += [_p(tr(c.key), styles["head"]) for c in table.columns]
    data: list[list[Any]] = [head]
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),  # the empty cells too: no Helvetica
        ("GRID", (0, 0), (-1, -1), 0.5, LINE),
        ("BACKGROUND", (0, 0), (-1, 0), GREY),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if not table.rows:
        data.append([_p(tr("monthly_files.empty_table"), styles["cell"])] + [""] * len(table.columns))
    for r in table.rows:
        line: list[Any] = [_p(r.label_text(), styles["cell"], r.total)]
        for i, column in enumerate(table.columns):
            value = r.cells[i] if i < len(r.cells) else None
            style = styles["text"] if column.kind is CellKind.TEXT and value is not None else styles["figure"]
            line.append(_p(format_cell(value, column.kind), style, r.total))
        if r.total:
            commands.append(("BACKGROUND", (0, len(data)), (-1, len(data)), TOTAL_GREY))
        data.append(line)
    return Table(
        data,
        colWidths=_column_widths(table, font),
        repeatRows=1,
        style=TableStyle(commands),
        hAlign="LEFT",
    )


def completion_chart(doc: ReportDocument, font: str, width: float = CONTENT_WIDTH) -> Drawing | None:
    """Horizontal bars of done ÷ due per follow-up type, in the order of doc.completion (first on top),
    each labelled with its rate and counts. Types with nothing due have no rate and are left out; None when
    no type had anything due."""
    shown = [(tr(label), done, due) for label, done, due in doc.completion if due > 0]
    if not shown:
        return None
    size = 8.5
    bar_pitch = (7.5 if len(shown) <= 6 else 5) * mm  # all the types of a busy month fit half a page
    axis_room = 7 * mm  # the percentages under the value axis
    label_room = max(stringWidth(name, font, size) for name, _, _ in shown) + 4 * mm
    value_labels = [
        tr("monthly_files.chart_label", rate=format_cell(done / due, CellKind.RATE), done=done, due=due)
        for _, done, due in shown
    ]
    value_room = max(stringWidth(text, font, size) for text in value_labels) + 4 * mm

    drawing = Drawing(width, len(shown) * bar_pitch + axis_room + 2 * mm)
    drawing.initialFontName = font  # the renderer would otherwise start with an unembedded Helvetica
    chart = HorizontalBarChart()
    chart.x, chart.y = min(label_room, 70 * mm), axis_room
    chart.width = width - chart.x - value_room
    chart.height = len(shown) * bar_pitch
    # the chart draws the first category at the bottom: reversed, the list reads top to bottom like the table
    chart.data = [[done / due for _, done, due in reversed(shown)]]
    chart.categoryAxis.categoryNames = [name for name, _, _ in reversed(shown)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = size
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -2 * mm
    chart.categoryAxis.strokeColor = LINE
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0.0, 1.0, 0.25
    chart.valueAxis.labelTextFormat = lambda v: f"{v:.0%}"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = size - 0.5
    chart.valueAxis.strokeColor = LINE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GREY
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.barWidth = bar_pitch * 2 / 3
    chart.groupSpacing = bar_pitch / 3
    chart.barLabelFormat = "values"
    chart.barLabelArray = [list(reversed(value_labels))]
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = size
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 1.5 * mm
    drawing.add(chart)
    return drawing


def _chart_block(doc: ReportDocument, styles: dict[str, ParagraphStyle], font: str) -> Flowable:
    chart = completion_chart(doc, font)
    heading = _p(tr("monthly_files.chart_title"), styles["section"])
    body: Flowable = chart if chart is not None else _p(tr("monthly_files.chart_empty"), styles["note"])
    return KeepTogether([heading, body])


def write_report_pdf(
    path: str | os.PathLike[str],
    doc: ReportDocument,
    *,
    printed_on: dt.date,
    progress: ProgressFn | None = None,
) -> int:
    """Write `doc` to `path` as an A4 portrait PDF and return its number of pages. The file appears whole or
    not at all (written beside the target and renamed). `progress(fraction, message)` returning False
    cancels: raises app.reports.Cancelled and leaves no file."""
    message = tr("monthly_files.progress_pdf")
    check_progress(progress, 0.0, message)
    font = register_cjk_font()
    styles = _styles(font)
    facts = tr(
        "monthly_files.facts",
        code=doc.village_code,
        township=doc.township_name,
        period=doc.period_label(),
        date=printed_on.isoformat(),
    )
    story: list[Flowable] = [_p(doc.title(), styles["title"]), _p(facts, styles["facts"])]
    charted = False
    for i, table in enumerate(doc.tables):
        block: list[Flowable] = [_p(tr(table.key), styles["section"]), _table(table, styles, font)]
        if table.note:
            block.append(_p(tr(table.note), styles["note"]))
        story.append(KeepTogether(block))
        if table.key == CHART_AFTER:
            story.append(_chart_block(doc, styles, font))
            charted = True
        check_progress(progress, 0.1 + 0.4 * (i + 1) / len(doc.tables), message)
    if not charted:
        story.append(_chart_block(doc, styles, font))
    story.append(Spacer(1, 2 * mm))

    with atomic_output(path) as tmp_path:
        tmp_name = str(tmp_path)
        template = SimpleDocTemplate(
            tmp_name,
            pagesize=PAGE_SIZE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + HEADER_GAP,
            bottomMargin=MARGIN + FOOTER_GAP,
            title=doc.title(),
            subject=doc.period_label(),
            author=doc.village_name,
            creator=pdf_creator(),
            initialFontName=font,  # or reportlab lists an unembedded Helvetica among the page fonts
        )
        canvas = numbered_canvas(
            font,
            tr(
                "monthly_files.header",
                village=doc.village_name,
                code=doc.village_code,
                township=doc.township_name,
            ),
            doc.period_label(),
            tr("report.printed_on", date=printed_on.isoformat()),
        )
        template.build(story, canvasmaker=canvas)
        check_progress(progress, 0.95, message)
    if progress is not None:
        progress(1.0, message)  # written: too late to cancel
    pages: int = template.page
    return pages
