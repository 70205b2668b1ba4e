"""A register file as read, with the layout found on each of its sheets (or chosen by the officer)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from app.errors import DomainError
from app.services.registers_import.headers import Layout, find_layout
from app.services.registers_import.reader import Sheet, read_file


@dataclass(frozen=True)
class Source:
    path: Path
    sheets: tuple[Sheet, ...]  # the sheets to import, each with a register found on it
    layouts: tuple[Layout, ...]  # one per sheet, in the same order

    @property
    def name(self) -> str:
        return self.path.name

    def pairs(self) -> list[tuple[Sheet, Layout]]:
        return list(zip(self.sheets, self.layouts, strict=True))

    def with_fields(self, sheet: str, fields: dict[int, str | None]) -> Source:
        """The same file with the officer's choice of field for some columns of one sheet."""
        layouts = tuple(lay.with_fields(fields) if lay.sheet == sheet else lay for lay in self.layouts)
        return replace(self, layouts=layouts)

    @property
    def rows(self) -> int:
        return sum(max(len(s.rows) - lay.data_start, 0) for s, lay in self.pairs())


def open_source(path: str | Path, sheet: str | None = None) -> Source:
    """Read the file and find the register on each sheet (or on the one named). A file with no sheet that
    looks like a register, or without the named sheet, is refused in one sentence."""
    source = Path(path)
    sheets = read_file(source)
    if sheet is not None:
        chosen = [s for s in sheets if s.name == sheet]
        if not chosen:
            raise DomainError(
                "import.sheet_missing", None, sheet=sheet, sheets="、".join(s.name for s in sheets)
            )
        sheets = chosen
    found = [(s, lay) for s in sheets if (lay := find_layout(s)) is not None]
    if not found:
        raise DomainError("import.no_register", None, path=source.name)
    return Source(source, tuple(s for s, _ in found), tuple(lay for _, lay in found))
