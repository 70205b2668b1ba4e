"""The rows an import refused, as an Excel file to correct and import again: one sheet per sheet of the
original, its header row, then each refused row with its cells as they were, plus the row number it had and the
reason it was refused (two columns the importer passes over when the file comes back)."""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app.files import atomic_output
from app.i18n import tr
from app.services.registers_import import REFUSED, ImportPlan


def _safe(text: str) -> str:
    return str(ILLEGAL_CHARACTERS_RE.sub("", text))


def write_refused_rows(path: str | os.PathLike[str], plan: ImportPlan) -> int:
    """Write the refused rows of `plan` to `path` (atomically); returns how many rows were written."""
    book = Workbook(write_only=True)
    written = 0
    used: set[str] = set()
    for sheet_plan in plan.sheets:
        refused = [r for r in sheet_plan.rows if r.status == REFUSED]
        if not refused:
            continue
        title = _safe(sheet_plan.layout.sheet)[:31] or tr("import.refused.sheet_title")
        while title in used:
            title = title[:28] + f"~{len(used)}"
        used.add(title)
        ws = book.create_sheet(title)
        titles = [_safe(t.split("/")[-1] if "/" in t else t) for t in sheet_plan.layout.titles]
        ws.append([*titles, tr("import.refused.row_column"), tr("import.refused.reason_column")])
        for row in refused:
            cells = [_safe(c) for c in row.cells[: len(titles)]]
            cells += [""] * (len(titles) - len(cells))
            ws.append([*cells, row.excel_row, _safe(row.reason)])
            written += 1
    if not used:
        ws = book.create_sheet(tr("import.refused.sheet_title"))
        ws.append([tr("import.nothing_to_do")])
    with atomic_output(Path(path), suffix=".xlsx") as tmp:
        book.save(tmp)
    return written
