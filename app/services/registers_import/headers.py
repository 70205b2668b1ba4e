"""Finding a register's header in a sheet and mapping its columns to fields by name.

The header is wherever the most column titles are known (title rows, blank rows and notes above it are passed
over), one row or two: a two-row header under merged cells (丈夫信息 over 姓名 and 身份证号) is read as the upper
title followed by the lower one. Columns are matched by the synonym table, in any order. When a column's title
is unknown, a field is claimed twice, or the name is missing, the mapping is marked unsure: the officer
confirms or fixes it in the preview.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from app.services.registers_import.normalise import text, title_key, vocabulary
from app.services.registers_import.reader import Sheet

SCAN_ROWS = 30  # a header is within the first rows of a sheet
MIN_FIELDS = 2  # fewer known titles than this is not a register's header
IGNORED = "ignored"  # a known title of a column the app does not keep (序号, 民族, 年龄 ...)
TWICE = "import.unsure_twice"  # one field chosen for two columns: the officer must choose again
# Every field a column can fill, in the order the preview offers them.
FIELDS = (
    "household_no",
    "group",
    "name",
    "id_number",
    "sex",
    "birth_date",
    "relation",
    "head_name",
    "marital_status",
    "marriage_date",
    "phone",
    "residence_status",
    "residence_place",
    "address",
    "spouse_name",
    "spouse_id_number",
    "method",
    "method_start",
    "lmp",
    "edd",
    "notes",
)
WOMEN_ONLY_FIELDS = frozenset({"spouse_name", "spouse_id_number", "lmp", "edd"})
WOMEN_REGISTER_WORDS = ("妇女", "育龄")
_GROUPING_WORDS = ("信息", "情况", "基本", "资料")


@dataclass(frozen=True)
class Layout:
    """Where a sheet's register is: its header rows (zero-based, inclusive), each column's title as shown and
    the field it fills (None: not imported), and why the mapping may need the officer's eye."""

    sheet: str
    first_header_row: int
    last_header_row: int
    titles: tuple[str, ...]
    fields: tuple[str | None, ...]  # a field, IGNORED (known, not kept), or None (a title nobody knows)
    unsure: tuple[str, ...] = field(default=())  # message ids
    women_register: bool = False

    @property
    def data_start(self) -> int:
        return self.last_header_row + 1

    def column_of(self, name: str) -> int | None:
        try:
            return self.fields.index(name)
        except ValueError:
            return None

    def with_fields(self, fields: dict[int, str | None]) -> Layout:
        """The layout with the officer's choices for some columns (column index -> field, or None: not
        imported). A field chosen for two columns is marked unsure until one of them is changed."""
        chosen = list(self.fields)
        for col, name in fields.items():
            chosen[col] = name or IGNORED
        return replace(self, fields=tuple(chosen), unsure=_unsure(self.titles, tuple(chosen)))


def _filled(sheet: Sheet, limit: int) -> list[list[str]]:
    """The first `limit` rows as text, each merged range's value written into every cell of the range."""
    grid = [[text(c) for c in row] for row in sheet.rows[:limit]]
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 >= len(grid):
            continue
        value = grid[r0][c0] if c0 < len(grid[r0]) else ""
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, min(c1, len(grid[r]) - 1) + 1):
                grid[r][c] = value
    return grid


def _candidates(top: str, bottom: str | None) -> tuple[str, list[str]]:
    """The title shown for a column and the spellings to look up, most specific first."""
    if bottom is None or not bottom or bottom == top:
        return top, [top]
    if not top:
        return bottom, [bottom]
    trimmed = top
    for word in _GROUPING_WORDS:
        trimmed = trimmed.replace(word, "")
    return f"{top}/{bottom}", [top + bottom, trimmed + bottom, bottom]


def _map(titles_and_spellings: list[tuple[str, list[str]]]) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    known = vocabulary().titles
    titles: list[str] = []
    fields: list[str | None] = []
    taken: set[str] = set()
    for shown, spellings in titles_and_spellings:
        found = None
        for spelling in spellings:
            candidate = known.get(title_key(spelling))
            if candidate is not None and (candidate == IGNORED or candidate not in taken):
                found = candidate
                break
        if found is not None and found != IGNORED:
            taken.add(found)
        titles.append(shown)
        fields.append(found)
    return tuple(titles), tuple(fields)


def _score(fields: tuple[str | None, ...]) -> int:
    return len({f for f in fields if f is not None and f != IGNORED})


def _unsure(titles: tuple[str, ...], fields: tuple[str | None, ...]) -> tuple[str, ...]:
    reasons = []
    if "name" not in fields and "id_number" not in fields:
        reasons.append("import.unsure_no_name")
    if any(t and f is None for t, f in zip(titles, fields, strict=True)):
        reasons.append("import.unsure_unknown_titles")
    named = [f for f in fields if f is not None and f != IGNORED]
    if len(named) != len(set(named)):
        reasons.append(TWICE)
    return tuple(reasons)


def find_layout(sheet: Sheet) -> Layout | None:
    """The sheet's register header and column mapping, or None when no row looks like one."""
    grid = _filled(sheet, SCAN_ROWS + 1)
    best: tuple[int, int, int, tuple[str, ...], tuple[str | None, ...]] | None = None
    for r in range(min(SCAN_ROWS, len(grid))):
        options = [(r, r, [_candidates(top, None) for top in grid[r]])]
        if r + 1 < len(grid):
            options.append((r, r + 1, [_candidates(t, b) for t, b in zip(grid[r], grid[r + 1], strict=True)]))
        for first, last, spelled in options:
            titles, fields = _map(spelled)
            score = _score(fields)
            if best is None or score > best[0]:
                best = (score, first, last, titles, fields)
    if best is None or best[0] < MIN_FIELDS:
        return None
    score, first, last, titles, fields = best
    if last > first:
        # a pair wins only when it knows more titles than either of its rows alone (a header with a data row
        # under it, or a blank row above it, stays one row)
        upper = _map([_candidates(t, None) for t in grid[first]])
        lower = _map([_candidates(t, None) for t in grid[last]])
        if score <= max(_score(upper[1]), _score(lower[1])):
            if _score(lower[1]) > _score(upper[1]):
                first = last
                titles, fields = lower
            else:
                last = first
                titles, fields = upper
    above = " ".join([sheet.name] + [" ".join(row) for row in grid[:first]])
    women = any(w in above for w in WOMEN_REGISTER_WORDS) or bool(WOMEN_ONLY_FIELDS.intersection(fields))
    return Layout(sheet.name, first, last, titles, fields, _unsure(titles, fields), women)
