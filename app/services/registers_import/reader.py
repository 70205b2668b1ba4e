"""Reading a register file as it is: every sheet of an .xlsx, .xls (WPS) or .ods workbook, or a CSV file in
UTF-8 or GB18030, as rows of cells addressed the way Excel shows them (row 1 is the sheet's first row).

python-calamine reads the workbooks (pitfalls.md: numbers come back as floats, empty cells as '', midnight
date-times as dates; a sheet's rows start at its first used cell unless asked otherwise, so rows are read from
A1 to keep the Excel row numbers). Merged cells are kept as ranges: the header finder fills them in.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from app.errors import DomainError

Cell = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
CSV_SUFFIXES = (".csv", ".txt")
SUFFIXES = WORKBOOK_SUFFIXES + CSV_SUFFIXES
# A merged range, zero-based and inclusive: ((first row, first column), (last row, last column)).
Merged = tuple[tuple[int, int], tuple[int, int]]


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[Cell]]  # rows[0] is Excel's row 1, every row as wide as the widest
    merged: tuple[Merged, ...] = ()


def read_file(path: str | Path) -> list[Sheet]:
    """Every sheet of the file (a CSV file is one sheet named after the file). A file that cannot be read as a
    register is refused with one sentence naming it."""
    source = Path(path)
    suffix = source.suffix.lower()
    if not source.is_file():
        raise DomainError("import.file_missing", None, path=source.name)
    if suffix in CSV_SUFFIXES:
        return [_read_csv(source)]
    if suffix not in WORKBOOK_SUFFIXES:
        raise DomainError("import.file_kind", None, path=source.name)
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(source))
        sheets = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            rows: list[list[Cell]] = sheet.to_python(skip_empty_area=False)
            sheets.append(Sheet(name, _square(rows), tuple(sheet.merged_cell_ranges or ())))
    except (CalamineError, ValueError, OSError) as e:
        raise DomainError("import.file_unreadable", None, path=source.name, kind=type(e).__name__) from None
    return sheets


def _square(rows: list[list[Cell]]) -> list[list[Cell]]:
    width = max((len(r) for r in rows), default=0)
    return [list(r) + [""] * (width - len(r)) if len(r) < width else list(r) for r in rows]


def _read_csv(source: Path) -> Sheet:
    data = source.read_bytes()
    text = None
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 decodes nearly anything: UTF-8 is tried first
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise DomainError("import.file_unreadable", None, path=source.name, kind="encoding")
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Cell]] = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    return Sheet(source.stem, _square(rows))
