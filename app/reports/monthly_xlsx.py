"""The monthly report (月报) as an Excel workbook: one sheet, the same tables as the screen and the PDF.

Figures are stored as numbers (counts as whole numbers, rates as fractions shown with a percent format, the
sex ratio with one decimal) so the officer can add them up or chart them; a figure with no value (a rate
over zero) is the text "—", as on screen. The title rows stay frozen at the top; the page is set up to print
on A4 portrait, one page wide.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import defaultdict

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.files import atomic_output
from app.i18n import tr
from app.progress import ProgressFn
from app.progress import report as check_progress
from app.reports.excel import text_width
from app.services.report_tables import CellKind, ReportDocument, ReportTable, format_cell

COUNT_FORMAT = "#,##0"
RATE_FORMAT = "0.0%"
RATIO_FORMAT = "0.0"
TITLE_ROWS = 2  # report title, then code / township / period / printed date: frozen and printed on every page
MIN_WIDTH = 8
MAX_WIDTH = 48  # a longer label wraps rather than pushing the figures off the printed page
NOTE_LINE_HEIGHT = 12.5  # points per line of a 9 pt note

THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
RIGHT = Alignment(horizontal="right", vertical="center")
LEFT_WRAP = Alignment(horizontal="left", vertical="center", wrap_text=True)
HEAD_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
NOTE_ALIGN = Alignment(horizontal="left", vertical="top", wrap_text=True)


def _set_text(cell: Cell, text: str) -> None:
    cell.value = text
    cell.data_type = "s"  # a label such as "=..." typed by a user is text, never a formula


def _set_figure(cell: Cell, value: int | float | str | None, kind: CellKind) -> None:
    """A number with the format that shows it as format_cell does, or the text format_cell gives."""
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if isinstance(number, int) and kind is CellKind.COUNT:
        cell.value, cell.number_format = number, COUNT_FORMAT
    elif number is not None and kind is CellKind.RATE:
        cell.value, cell.number_format = float(number), RATE_FORMAT
    elif number is not None and kind is CellKind.RATIO:
        cell.value, cell.number_format = float(number), RATIO_FORMAT
    else:
        _set_text(cell, format_cell(value, kind))
    cell.alignment = LEFT_WRAP if kind is CellKind.TEXT and value is not None else RIGHT


def _write_table(ws: Worksheet, top: int, table: ReportTable, widths: dict[int, int]) -> tuple[int, int]:
    """Write `table` from row `top`: title, header, rows. Return (the note's row, the next free row)."""
    title = ws.cell(top, 1)
    _set_text(title, tr(table.key))
    title.font = Font(bold=True, size=12)

    head = top + 1
    headings = [tr(table.label_heading)] + [tr(c.key) for c in table.columns]
    for col, text in enumerate(headings, start=1):
        cell = ws.cell(head, col)
        _set_text(cell, text)
        cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), HEAD_FILL, BOX, HEAD_ALIGN
        widths[col] = max(widths[col], text_width(text))

    row = head + 1
    if not table.rows:
        cell = ws.cell(row, 1)
        _set_text(cell, tr("monthly_files.empty_table"))
        cell.border = BOX
        row += 1
    for r in table.rows:
        label = ws.cell(row, 1)
        _set_text(label, r.label_text())
        label.alignment = LEFT_WRAP
        widths[1] = max(widths[1], text_width(r.label_text()))
        cells = [label]
        for col, column in enumerate(table.columns, start=2):
            value = r.cells[col - 2] if col - 2 < len(r.cells) else None
            cell = ws.cell(row, col)
            _set_figure(cell, value, column.kind)
            widths[col] = max(widths[col], text_width(format_cell(value, column.kind)))
            cells.append(cell)
        for cell in cells:
            cell.border = BOX
            if r.total:
                cell.font, cell.fill = Font(bold=True), TOTAL_FILL
        row += 1
    return row, row + (2 if table.note else 1)


def write_report_xlsx(
    path: str | os.PathLike[str],
    doc: ReportDocument,
    *,
    printed_on: dt.date,
    progress: ProgressFn | None = None,
) -> None:
    """Write `doc` to the Excel file `path`. The file appears whole or not at all (written beside the target
    and renamed). `progress(fraction, message)` returning False cancels: raises app.reports.Cancelled and
    leaves no file."""
    message = tr("monthly_files.progress_xlsx")
    check_progress(progress, 0.0, message)
    book = Workbook()
    ws = book.active
    assert ws is not None  # a new workbook has its one sheet
    ws.title = tr("monthly_files.sheet")[:31]  # Excel's limit on a sheet name
    book.properties.title = doc.title()
    book.properties.subject = doc.period_label()

    title = ws.cell(1, 1)
    _set_text(title, doc.title())
    title.font = Font(bold=True, size=14)
    facts = tr(
        "monthly_files.facts",
        code=doc.village_code,
        township=doc.township_name,
        period=doc.period_label(),
        date=printed_on.isoformat(),
    )
    _set_text(ws.cell(2, 1), facts)
    ws.row_dimensions[1].height = 22

    widths: dict[int, int] = defaultdict(int)
    notes: list[tuple[int, str]] = []
    row = TITLE_ROWS + 2
    for i, table in enumerate(doc.tables):
        note_row, row = _write_table(ws, row, table, widths)
        if table.note:
            notes.append((note_row, tr(table.note)))
        check_progress(progress, 0.1 + 0.7 * (i + 1) / len(doc.tables), message)

    last_col = max([len(t.columns) + 1 for t in doc.tables] + [2])
    fitted = {col: min(max(units + 2, MIN_WIDTH), MAX_WIDTH) for col, units in widths.items()}
    for col in range(1, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = fitted.get(col, MIN_WIDTH)
    # a note spans the sheet's width and wraps; Excel does not grow a merged row, so the height is set here
    span = sum(fitted.get(col, MIN_WIDTH) for col in range(1, last_col + 1))
    for note_row, text in notes:
        ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=last_col)
        cell = ws.cell(note_row, 1)
        _set_text(cell, text)
        cell.font = Font(italic=True, size=9, color="595959")
        cell.alignment = NOTE_ALIGN
        ws.row_dimensions[note_row].height = NOTE_LINE_HEIGHT * math.ceil(text_width(text) * 1.1 / span) + 3

    ws.freeze_panes = ws.cell(TITLE_ROWS + 1, 1)  # the title stays in view while scrolling the tables
    ws.print_title_rows = f"1:{TITLE_ROWS}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages long as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.right.text = tr("report.page_of", page="&P", pages="&N")
    ws.oddFooter.left.text = tr("report.printed_on", date=printed_on.isoformat())

    with atomic_output(path) as tmp_path:
        tmp_name = str(tmp_path)
        book.save(tmp_name)
        check_progress(progress, 0.95, message)
    if progress is not None:
        progress(1.0, message)  # written: too late to cancel
