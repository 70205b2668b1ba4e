"""The consolidated monthly report of a township as an A4 landscape PDF.

Each section of the monthly report is a table: a row per figure, a column per village and the township total.
A township has 20 to 60 villages: when they do not fit across the page, the section is printed as several
tables, each with the row labels, an even share of the villages (1–12, 13–24, …) and the township total, so
every page can be read on its own. A village's figure that differs from what the village submitted is shaded
amber with the submitted value under it; the last pages list what each village submitted and every difference.

Figures are formatted by report_tables.format_cell, as on screen and in Excel. Plain figures are drawn as plain
strings (a 60-village report has some 15,000 of them; paragraphs only where text must wrap).
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.files import atomic_output
from app.i18n import tr
from app.progress import ProgressFn
from app.progress import report as check_progress
from app.reports.consolidated_xlsx import submitted_text
from app.reports.fonts import register_cjk_font
from app.reports.monthly_pdf import _p, _styles
from app.reports.pdf_common import LINE, MARGIN, numbered_canvas
from app.services.consolidated import ConsolidatedReport, Line, Section
from app.services.report_tables import format_cell

PAGE = landscape(A4)
CONTENT_WIDTH = PAGE[0] - 2 * MARGIN
HEADER_GAP = 6 * mm
FOOTER_GAP = 4 * mm
GREY = colors.HexColor("#e3e3e3")
TOTAL_GREY = colors.HexColor("#f0f0f0")
AMBER = colors.HexColor("#ffd966")
SIZE = 8  # the figures
HEAD_SIZE = 7.5  # the village names (wrapped onto two lines when long)
PAD = 2.5
LABEL_WIDTH = 62 * mm
VALUE_MIN = 13 * mm
SHORT_SECTION = 25  # lines: a shorter section is kept on one page


def village_groups(count: int, font: str, names: Sequence[str]) -> list[range]:
    """The villages (by index) of each table across the page: as many as fit beside the labels and the total,
    shared out evenly (20 villages on 12 places are two tables of 10, not 12 and 8)."""
    if count == 0:
        return [range(0)]
    widest = max([stringWidth(n, font, HEAD_SIZE) / 2 + 2 * PAD + 2 for n in names] + [VALUE_MIN])
    per_page = max(1, int((CONTENT_WIDTH - LABEL_WIDTH) // widest) - 1)  # one place for the total
    tables = math.ceil(count / per_page)
    size = math.ceil(count / tables)
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def _figure(line: Line, index: int) -> str:
    return format_cell(line.cells[index].value, line.kind)


def _section_table(
    section: Section,
    doc: ConsolidatedReport,
    group: range,
    styles: dict[str, ParagraphStyle],
    font: str,
) -> Table:
    names = doc.column_names()
    total = len(names) - 1
    columns = [*group, total]
    head: list[Any] = [_p(tr("report.col.item"), styles["head_label"])]
    head += [_p(names[i], styles["head"]) for i in columns]
    data: list[list[Any]] = [head]
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (1, 1), (-1, -1), SIZE),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.4, LINE),
        ("BACKGROUND", (0, 0), (-1, 0), GREY),
        ("BACKGROUND", (-1, 1), (-1, -1), TOTAL_GREY),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
    ]
    small = ParagraphStyle("differs", parent=styles["figure"], fontSize=SIZE, leading=SIZE + 1.5)
    for line in section.lines:
        row: list[Any] = [_p(line.label_text(), styles["cell"], line.total)]
        for place, i in enumerate(columns, start=1):
            cell = line.cells[i]
            if cell.differs:
                submitted = tr("consolidated.submitted_short", value=format_cell(cell.submitted, line.kind))
                row.append(
                    Paragraph(
                        f"{escape(_figure(line, i))}<br/><font size={SIZE - 1.5}>{escape(submitted)}</font>",
                        small,
                    )
                )
                commands.append(("BACKGROUND", (place, len(data)), (place, len(data)), AMBER))
            else:
                row.append(_figure(line, i))
        data.append(row)
    if not section.lines:
        data.append([_p(tr("monthly_files.empty_table"), styles["cell"])] + [""] * len(columns))
    value = (CONTENT_WIDTH - LABEL_WIDTH) / max(len(columns), 1)
    value = min(value, 24 * mm)
    return Table(
        data,
        colWidths=[LABEL_WIDTH] + [value] * len(columns),
        repeatRows=1,
        style=TableStyle(commands),
        hAlign="LEFT",
    )


def _checks(doc: ConsolidatedReport, styles: dict[str, ParagraphStyle], font: str) -> list[Flowable]:
    story: list[Flowable] = [
        _p(tr("consolidated.checks_title", period=doc.period_label()), styles["section"])
    ]
    rows: list[list[Any]] = [
        [_p(tr(k), styles["head_label"]) for k in ("consolidated.col.village", "consolidated.col.code",
                                                    "consolidated.col.submitted", "consolidated.col.differences")]
    ]  # fmt: skip
    for v in doc.villages:
        rows.append([v.name, v.code, _p(submitted_text(v.submitted, v.definitions_version), styles["cell"]),
                     str(v.differences)])  # fmt: skip
    story.append(_plain_table(rows, [40 * mm, 32 * mm, 120 * mm, 25 * mm], font))
    differences = doc.differences()
    story.append(_p(tr("consolidated.differences_title"), styles["section"]))
    if not differences:
        story.append(_p(tr("consolidated.no_differences"), styles["note"]))
        return story
    rows = [
        [_p(tr(k), styles["head_label"]) for k in ("consolidated.col.village", "consolidated.col.section",
                                                    "consolidated.col.figure", "consolidated.col.submitted_value",
                                                    "consolidated.col.recount")]
    ]  # fmt: skip
    for d in differences:
        rows.append(
            [d.village.name, _p(tr(d.line.table), styles["cell"]), _p(d.line.label_text(), styles["cell"]),
             format_cell(d.cell.submitted, d.line.kind), format_cell(d.cell.value, d.line.kind)]
        )  # fmt: skip
    story.append(_plain_table(rows, [40 * mm, 50 * mm, 110 * mm, 30 * mm, 30 * mm], font, figures=(3, 4)))
    return story


def _plain_table(
    rows: list[list[Any]], widths: list[float], font: str, figures: tuple[int, ...] = ()
) -> Table:
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), SIZE + 0.5),
        ("GRID", (0, 0), (-1, -1), 0.4, LINE),
        ("BACKGROUND", (0, 0), (-1, 0), GREY),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    commands += [("ALIGN", (c, 1), (c, -1), "RIGHT") for c in figures]
    return Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(commands), hAlign="LEFT")


def write_consolidated_pdf(
    path: str | os.PathLike[str],
    doc: ConsolidatedReport,
    *,
    printed_on: dt.date,
    progress: ProgressFn | None = None,
) -> int:
    """Write `doc` to `path` as an A4 landscape PDF and return its number of pages; whole or not at all.
    `progress(fraction, message)` returning False cancels (app.progress.Cancelled) and leaves no file."""
    message = tr("consolidated.progress_pdf")
    check_progress(progress, 0.0, message)
    font = register_cjk_font()
    styles = _styles(font)
    facts = tr(
        "consolidated.facts",
        code=doc.township_code,
        period=doc.period_label(),
        villages=len(doc.villages),
        date=printed_on.isoformat(),
    )
    story: list[Flowable] = [_p(doc.title(), styles["title"]), _p(facts, styles["facts"])]
    if any(v.differences for v in doc.villages):
        story.append(_p(tr("consolidated.legend"), styles["facts"]))
    groups = village_groups(len(doc.villages), font, [v.name for v in doc.villages])
    for i, section in enumerate(doc.sections):
        for n, group in enumerate(groups):
            title = tr(section.key)
            if len(groups) > 1:
                title = tr(
                    "consolidated.part",
                    section=title,
                    first=group.start + 1,
                    last=group.stop,
                    count=len(doc.villages),
                )
            heading = _p(title, styles["section"])
            heading.keepWithNext = True  # a long table (supplies) splits across pages, never from its title
            block: list[Flowable] = [heading, _section_table(section, doc, group, styles, font)]
            if section.note and n == len(groups) - 1:
                block.append(_p(tr(section.note), styles["note"]))
            if len(section.lines) < SHORT_SECTION:
                story.append(KeepTogether(block))
            else:
                story.extend(block)
        check_progress(progress, 0.05 + 0.35 * (i + 1) / len(doc.sections), message)
    story.extend(_checks(doc, styles, font))
    story.append(Spacer(1, 2 * mm))

    with atomic_output(path) as tmp_path:
        template = SimpleDocTemplate(
            str(tmp_path),
            pagesize=PAGE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + HEADER_GAP,
            bottomMargin=MARGIN + FOOTER_GAP,
            title=doc.title(),
            subject=doc.period_label(),
            author=doc.township_name,
            initialFontName=font,
        )
        canvas = numbered_canvas(
            font,
            tr("consolidated.header", township=doc.township_name, code=doc.township_code),
            doc.period_label(),
            tr("report.printed_on", date=printed_on.isoformat()),
            page_size=PAGE,
        )
        template.build(story, canvasmaker=canvas)
        check_progress(progress, 0.95, message)
    if progress is not None:
        progress(1.0, message)  # written: too late to cancel
    pages: int = template.page
    return pages
