"""The consolidated monthly report of a township as an Excel workbook.

Sheet 1 (汇总): one row per figure of the monthly report, one column per village and the township total, the
row labels and the village names frozen in view. Figures are numbers (counts, rates as fractions with a percent
format), formatted as every other renderer shows them. A village's figure that differs from what the village
submitted is filled amber, with the submitted value in the cell's comment. Sheet 2 (上报核对): what each village
submitted, and every difference as a line (village, figure, submitted, recount) to follow up.

Printed on A4 landscape: the labels and headings repeat on every page, and the villages run on to further
pages rather than shrinking to an unreadable size.
"""

from __future__ import annotations

import datetime as dt
import os

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.files import atomic_output
from app.i18n import tr
from app.progress import ProgressFn
from app.progress import report as check_progress
from app.reports.excel import text_width
from app.reports.monthly_xlsx import _set_figure, _set_text
from app.services.consolidated import ConsolidatedReport, Submitted
from app.services.report_tables import format_cell

THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")
SECTION_FILL = PatternFill("solid", fgColor="DFE9F5")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
DIFFERS_FILL = PatternFill("solid", fgColor="FFD966")  # amber: the recount is not what the village submitted
HEAD_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT_WRAP = Alignment(horizontal="left", vertical="center", wrap_text=True)
TITLE_ROWS = 2
HEAD_ROW = TITLE_ROWS + 2  # the village names
LABEL_WIDTH = (24, 60)
VALUE_WIDTH = (9, 16)


def differs_comment(submitted: str) -> Comment:
    return Comment(tr("consolidated.submitted_was", value=submitted), tr("consolidated.app_name"))


def _summary(
    ws: Worksheet, doc: ConsolidatedReport, printed_on: dt.date, progress: ProgressFn | None
) -> None:
    message = tr("consolidated.progress_xlsx")
    title = ws.cell(1, 1)
    _set_text(title, doc.title())
    title.font = Font(bold=True, size=14)
    facts = tr(
        "consolidated.facts",
        code=doc.township_code,
        period=doc.period_label(),
        villages=len(doc.villages),
        date=printed_on.isoformat(),
    )
    _set_text(ws.cell(2, 1), facts)

    names = doc.column_names()
    last_col = 1 + len(names)
    head = ws.cell(HEAD_ROW, 1)
    _set_text(head, tr("report.col.item"))
    head.font, head.fill, head.border, head.alignment = Font(bold=True), HEAD_FILL, BOX, HEAD_ALIGN
    label_width = text_width(tr("report.col.item"))
    widths = [text_width(n) // 2 + 1 for n in names]  # a heading wraps onto two lines
    for col, name in enumerate(names, start=2):
        cell = ws.cell(HEAD_ROW, col)
        _set_text(cell, name)
        cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), HEAD_FILL, BOX, HEAD_ALIGN

    row = HEAD_ROW + 1
    for i, section in enumerate(doc.sections):
        cell = ws.cell(row, 1)
        _set_text(cell, tr(section.key))
        cell.font = Font(bold=True)
        for col in range(1, last_col + 1):
            ws.cell(row, col).fill = SECTION_FILL
        row += 1
        for line in section.lines:
            text = line.label_text()
            label = ws.cell(row, 1)
            _set_text(label, text)
            label.alignment, label.border = LEFT_WRAP, BOX
            label_width = max(label_width, text_width(text))
            if line.total:
                label.font = Font(bold=True)
            for col, c in enumerate(line.cells, start=2):
                cell = ws.cell(row, col)
                _set_figure(cell, c.value, line.kind)
                cell.border = BOX
                widths[col - 2] = max(widths[col - 2], text_width(format_cell(c.value, line.kind)))
                if col == last_col or line.total:
                    cell.font = Font(bold=True)
                if col == last_col:
                    cell.fill = TOTAL_FILL
                if c.differs:
                    cell.fill = DIFFERS_FILL
                    cell.comment = differs_comment(format_cell(c.submitted, line.kind))
            row += 1
        if section.note:
            note = ws.cell(row, 1)
            _set_text(note, tr(section.note))
            note.font = Font(italic=True, size=9, color="595959")
            row += 1
        row += 1
        check_progress(progress, 0.1 + 0.6 * (i + 1) / len(doc.sections), message)
    legend = ws.cell(row, 1)
    _set_text(legend, tr("consolidated.legend"))
    legend.fill, legend.font = DIFFERS_FILL, Font(size=9)

    ws.column_dimensions["A"].width = min(max(label_width + 2, LABEL_WIDTH[0]), LABEL_WIDTH[1])
    for col, width in enumerate(widths, start=2):
        ws.column_dimensions[get_column_letter(col)].width = min(
            max(width + 2, VALUE_WIDTH[0]), VALUE_WIDTH[1]
        )
    ws.row_dimensions[HEAD_ROW].height = 32
    ws.freeze_panes = ws.cell(HEAD_ROW + 1, 2)  # the row labels and the village names stay in view
    ws.print_title_rows = f"{HEAD_ROW}:{HEAD_ROW}"
    ws.print_title_cols = "A:A"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.pageOrder = "overThenDown"  # all the figures of the first villages, then the next villages
    ws.oddFooter.right.text = tr("report.page_of", page="&P", pages="&N")
    ws.oddFooter.left.text = tr("report.printed_on", date=printed_on.isoformat())


def _checks(ws: Worksheet, doc: ConsolidatedReport) -> None:
    title = ws.cell(1, 1)
    _set_text(title, tr("consolidated.checks_title", period=doc.period_label()))
    title.font = Font(bold=True, size=13)
    status_heads = ("consolidated.col.village", "consolidated.col.code", "consolidated.col.submitted",
                    "consolidated.col.differences")  # fmt: skip
    for col, key in enumerate(status_heads, start=1):
        cell = ws.cell(3, col)
        _set_text(cell, tr(key))
        cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), HEAD_FILL, BOX, HEAD_ALIGN
    row = 4
    for v in doc.villages:
        texts = (v.name, v.code, submitted_text(v.submitted, v.definitions_version))
        for col, text in enumerate(texts, start=1):
            cell = ws.cell(row, col)
            _set_text(cell, text)
            cell.border = BOX
        count = ws.cell(row, 4)
        count.value, count.border = v.differences, BOX
        if v.differences:
            count.fill = DIFFERS_FILL
        row += 1

    row += 1
    heads = ("consolidated.col.village", "consolidated.col.section", "consolidated.col.figure",
             "consolidated.col.submitted_value", "consolidated.col.recount")  # fmt: skip
    for col, key in enumerate(heads, start=1):
        cell = ws.cell(row, col)
        _set_text(cell, tr(key))
        cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), HEAD_FILL, BOX, HEAD_ALIGN
    row += 1
    differences = doc.differences()
    if not differences:
        _set_text(ws.cell(row, 1), tr("consolidated.no_differences"))
    for d in differences:
        cells = (d.village.name, tr(d.line.table), d.line.label_text())
        for col, text in enumerate(cells, start=1):
            cell = ws.cell(row, col)
            _set_text(cell, text)
            cell.border, cell.alignment = BOX, LEFT_WRAP
        for col, figure in ((4, d.cell.submitted), (5, d.cell.value)):
            cell = ws.cell(row, col)
            _set_figure(cell, figure, d.line.kind)
            cell.border, cell.fill = BOX, DIFFERS_FILL
        row += 1
    for letter, width in zip("ABCDE", (16, 22, 44, 14, 14), strict=True):
        ws.column_dimensions[letter].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE


def submitted_text(state: Submitted, version: str | None) -> str:
    """What became of a village's submitted figures, in a few words."""
    return tr(f"consolidated.submitted.{state.value}", version=version or "")


def write_consolidated_xlsx(
    path: str | os.PathLike[str],
    doc: ConsolidatedReport,
    *,
    printed_on: dt.date,
    progress: ProgressFn | None = None,
) -> None:
    """Write `doc` to the Excel file `path`, whole or not at all; `progress(fraction, message)` returning False
    cancels (app.progress.Cancelled) and leaves no file."""
    message = tr("consolidated.progress_xlsx")
    check_progress(progress, 0.0, message)
    book = Workbook()
    summary = book.active
    assert summary is not None  # a new workbook has its one sheet
    summary.title = tr("consolidated.sheet")[:31]
    book.properties.title = doc.title()
    book.properties.subject = doc.period_label()
    _summary(summary, doc, printed_on, progress)
    _checks(book.create_sheet(tr("consolidated.sheet_checks")[:31]), doc)
    check_progress(progress, 0.8, message)
    with atomic_output(path) as tmp_path:
        book.save(str(tmp_path))
        check_progress(progress, 0.95, message)
    if progress is not None:
        progress(1.0, message)  # written: too late to cancel
