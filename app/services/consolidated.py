"""The consolidated monthly report of a township (乡镇汇总月报): every figure of the monthly report, one column per
village and a township total, with the village's own submitted figures beside the township's recount.

The same indicator code counts every village (app.services.indicators.monthly_figures with `owner`): nothing
here defines a figure. The township total is the villages' figures put together — the people behind each count
joined — and laid out by the same report_tables.build_document, so a count is the villages' sum and a rate is
recomputed from the summed numerator and denominator, never averaged. Days out of stock are a village's own:
the total leaves them blank (a township has no single stock to run out of).

Each line of the consolidated report is one cell of the monthly report (a table's row and column, e.g. "early
registration · numerator"); its cells are the villages' in the order given, then the total. A cell keeps the
people it counts (drill-down). Where the village's own report/monthly.json (its package's, as it arrived) has
another value for the cell, the cell keeps both and is flagged: the submitted month is kept as submitted, the
recount is shown, the difference is marked. Figures made under other definitions (another
INDICATOR_DEFINITIONS_VERSION) or for another month are not compared.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from app.db import Database
from app.i18n import LANGUAGES, tr
from app.models import SupplyItem, VillageProfile
from app.progress import ProgressFn, report
from app.services.indicators import (
    INDICATOR_DEFINITIONS_VERSION,
    Births,
    FollowupTally,
    MonthlyFigures,
    People,
    Period,
    QualityFigures,
    Rate,
    monthly_figures,
)
from app.services.quality import RULES
from app.services.report_tables import (
    CellKind,
    ReportDocument,
    ReportTable,
    Row,
    build_document,
    supply_row_key,
)
from app.services.supplies import SupplyMonthRow

# A township has no single stock to run out of: the total of these columns is left blank ("—").
NOT_SUMMED = frozenset({"report.col.supply_days_out"})
SUPPLIES_TABLE = "report.section.supplies"
Value = int | float | str | None
Key = tuple[str, str, str]  # (table key, row ident, column key)


class Submitted(StrEnum):
    """What became of a village's own figures for the month."""

    NONE = "none"  # no report/monthly.json for the month: nothing to compare
    COMPARED = "compared"  # compared cell by cell with the recount
    OTHER_DEFINITIONS = "other_definitions"  # made under other indicator definitions: shown, not compared
    OTHER_PERIOD = "other_period"  # a report of another month: ignored


@dataclass(frozen=True)
class VillageColumn:
    code: str
    name: str
    submitted: Submitted = Submitted.NONE
    definitions_version: str | None = None  # the version the village's figures were made with
    differences: int = 0  # cells whose recount differs from what the village submitted


@dataclass(frozen=True)
class Cell:
    value: Value  # the township's recount (or the total)
    people: People | None = None  # who the value counts (drill-down); None when it is not a list of people
    submitted: Value = None  # the village's own figure (when `compared`)
    compared: bool = False  # the village's submitted figure was compared with this recount
    differs: bool = False  # ... and it is not the same


@dataclass(frozen=True)
class Line:
    """One figure of the monthly report across the township: a table's row and one of its columns."""

    table: str  # catalogue id of the monthly report's table
    row: str  # the row's label: a catalogue id, or literal text (a supply item's name)
    literal: bool
    column: str  # catalogue id of the monthly report's column
    kind: CellKind
    cells: tuple[Cell, ...]  # the villages' in order, then the township total
    show_column: bool = True  # the row shows several figures: the label names the column too
    unit: str = ""  # the row's unit (supplies), shown after its name
    total: bool = False  # a total line of the monthly report (drawn bold)
    ident: str = ""  # the row's identity whatever the language (report_tables.Row.ident)

    def label_text(self) -> str:
        text = self.row if self.literal else tr(self.row)
        if self.unit:
            text = tr("consolidated.with_unit", label=text, unit=self.unit)
        return tr("consolidated.line", row=text, column=tr(self.column)) if self.show_column else text

    @property
    def village_cells(self) -> tuple[Cell, ...]:
        return self.cells[:-1]

    @property
    def total_cell(self) -> Cell:
        return self.cells[-1]


@dataclass(frozen=True)
class Section:
    key: str  # catalogue id of the title (the monthly report table's)
    lines: tuple[Line, ...]
    note: str = ""  # catalogue id of the definition printed under it


@dataclass(frozen=True)
class Difference:
    village: VillageColumn
    line: Line
    cell: Cell


@dataclass(frozen=True)
class ConsolidatedReport:
    township_name: str
    township_code: str
    period_first: dt.date
    period_last: dt.date
    year_to_date: bool
    villages: tuple[VillageColumn, ...]
    sections: tuple[Section, ...]

    def title(self) -> str:
        return tr("consolidated.title", township=self.township_name)

    def period_label(self) -> str:
        key = "report.period_ytd" if self.year_to_date else "report.period_month"
        return tr(key, year=self.period_last.year, month=self.period_last.month)

    def column_names(self) -> tuple[str, ...]:
        """The headings of the value columns: the villages, then the total."""
        return tuple(v.name for v in self.villages) + (tr("consolidated.total"),)

    def differences(self) -> list[Difference]:
        return [
            Difference(self.villages[i], line, cell)
            for section in self.sections
            for line in section.lines
            for i, cell in enumerate(line.village_cells)
            if cell.differs
        ]


# ---------------------------------------------------------------- the villages' figures put together


def _joined(parts: Sequence[People]) -> People:
    return tuple(p for part in parts for p in part)


def _rate(rates: Sequence[Rate]) -> Rate:
    return Rate(_joined([r.numerator for r in rates]), _joined([r.denominator for r in rates]))


def _by_key(dicts: Sequence[Mapping[Any, People]]) -> dict[Any, People]:
    out: dict[Any, list[str]] = defaultdict(list)
    for d in dicts:
        for key, people in d.items():
            out[key].extend(people)
    return {key: tuple(people) for key, people in out.items()}


def _supplies(rows: Sequence[Sequence[SupplyMonthRow]]) -> tuple[SupplyMonthRow, ...]:
    items: dict[str, list[SupplyMonthRow]] = {}
    for village in rows:
        for r in village:
            items.setdefault(r.code, []).append(r)
    summed = ("opening", "received", "issued_person", "issued_self_service", "losses", "adjustments")
    out = []
    for same in items.values():
        first = same[0]
        amounts = {name: sum(getattr(r, name) for r in same) for name in (*summed, "returned", "closing")}
        lots = tuple(sorted((lot for r in same for lot in r.lots_expiring_90), key=lambda x: (x[1], x[0])))
        # days out of stock: see NOT_SUMMED (the total's cell is blanked; 0 keeps the row's type)
        out.append(replace(first, days_out_of_stock=0, lots_expiring_90=lots, **amounts))
    return tuple(out)


def combine(parts: Sequence[MonthlyFigures]) -> MonthlyFigures:
    """The figures of several villages (of one period) as one: every list of people joined, so each count is
    the sum and each rate the summed numerator over the summed denominator."""
    if not parts:
        raise ValueError("nothing to combine")
    tallies: dict[str, list[FollowupTally]] = {}
    for f in parts:
        for t in f.followups:
            tallies.setdefault(t.followup_type, []).append(t)
    failing = _by_key([f.quality.failing for f in parts])
    return MonthlyFigures(
        period=parts[0].period,
        births=Births(_by_key([f.births.by_sex_order for f in parts])),
        events=_by_key([f.events for f in parts]),
        population=_by_key([f.population for f in parts]),
        women_15_49=_joined([f.women_15_49 for f in parts]),
        registered=_rate([f.registered for f in parts]),
        deliveries=_joined([f.deliveries for f in parts]),
        facility_delivery=_rate([f.facility_delivery for f in parts]),
        antenatal_5=_rate([f.antenatal_5 for f in parts]),
        postpartum_visit=_rate([f.postpartum_visit for f in parts]),
        prepregnancy_checks=_joined([f.prepregnancy_checks for f in parts]),
        prepregnancy_followups=_rate([f.prepregnancy_followups for f in parts]),
        folic_supplied=_joined([f.folic_supplied for f in parts]),
        folic_taking=_rate([f.folic_taking for f in parts]),
        folic_adherent=_rate([f.folic_adherent for f in parts]),
        followups=tuple(
            FollowupTally(
                kind,
                _joined([t.done for t in same]),
                _joined([t.missed for t in same]),
                _joined([t.open for t in same]),
            )
            for kind, same in tallies.items()
        ),
        supplies=_supplies([f.supplies for f in parts]),
        quality=QualityFigures(
            checked=_joined([f.quality.checked for f in parts]),
            failing={rule: failing[rule] for rule in RULES if rule in failing},
            passing=_joined([f.quality.passing for f in parts]),
        ),
    )


# ---------------------------------------------------------------- a village's submitted figures


def _number(value: object) -> Value:
    if isinstance(value, bool) or not isinstance(value, int | float | str) or value is None:
        return None
    return value


@dataclass(frozen=True)
class _SubmittedFigures:
    state: Submitted
    version: str | None
    cells: dict[Key, Value]
    rows: dict[tuple[str, str], tuple[str, bool, tuple[tuple[str, str], ...]]]  # (table, ident) -> label…


def supply_idents(db: Database) -> dict[str, str]:
    """A supply item's name in any language (and as stored) -> its row's ident: a village's report names its
    items in the language it was made in."""
    with db.read() as s:
        items = s.execute(sa.select(SupplyItem.code, SupplyItem.name)).all()
    out: dict[str, str] = {}
    for code, stored in items:
        for name in (stored, *(_item_name(code, stored, lang) for lang in LANGUAGES)):
            out.setdefault(name, supply_row_key(code))
    return out


def _item_name(code: str, stored: str, lang: str) -> str:
    text = tr(f"supply.item.{code}", lang=lang)
    return stored if text == f"supply.item.{code}" else text


def read_submitted(
    data: Mapping[str, Any] | None, period: Period, supply_names: Mapping[str, str]
) -> _SubmittedFigures:
    """A village's report/monthly.json (app.sync.package.report_members' format) as cells keyed like ours."""
    if not data:
        return _SubmittedFigures(Submitted.NONE, None, {}, {})
    version = data.get("definitions_version")
    version = str(version) if version is not None else None
    month = f"{period.last.year:04d}-{period.last.month:02d}"
    if period.year_to_date or data.get("period") != month:
        return _SubmittedFigures(Submitted.OTHER_PERIOD, version, {}, {})
    state = Submitted.COMPARED if version == INDICATOR_DEFINITIONS_VERSION else Submitted.OTHER_DEFINITIONS
    cells: dict[Key, Value] = {}
    rows: dict[tuple[str, str], tuple[str, bool, tuple[tuple[str, str], ...]]] = {}
    for table in data.get("tables") or ():
        if not isinstance(table, Mapping):
            continue
        table_key = str(table.get("key", ""))
        columns = [
            (str(c.get("key", "")), str(c.get("kind", "")))
            for c in table.get("columns") or ()
            if isinstance(c, Mapping)
        ]
        for row in table.get("rows") or ():
            if not isinstance(row, Mapping):
                continue
            label, literal = str(row.get("label", "")), bool(row.get("literal"))
            ident = supply_names.get(label, label) if literal and table_key == SUPPLIES_TABLE else label
            values = row.get("cells") or ()
            rows[(table_key, ident)] = (label, literal, tuple(columns))
            for (column, _kind), value in zip(columns, values, strict=False):
                cells[(table_key, ident, column)] = _number(value)
    return _SubmittedFigures(state, version, cells, rows)


def _same(a: Value, b: Value) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


# ---------------------------------------------------------------- the report


def _absent(kind: CellKind, like: Value) -> Value:
    """A cell of a row a village's report does not have (nobody due for that follow-up type, nobody failing that
    rule): zero where the row counts, nothing where it has no figure."""
    return 0 if kind is CellKind.COUNT and isinstance(like, int) else None


def _cells_of(doc: ReportDocument) -> dict[Key, tuple[Value, People | None]]:
    return {
        (t.key, r.ident, c.key): (r.cells[i] if i < len(r.cells) else None, r.people_of(i))
        for t in doc.tables
        for r in t.rows
        for i, c in enumerate(t.columns)
    }


_RowPlan = tuple[str, str, bool, tuple[tuple[str, CellKind], ...], Row | None, bool]


def _kind(text: str) -> CellKind:
    try:
        return CellKind(text)
    except ValueError:
        return CellKind.TEXT  # a kind this version does not know: shown as it came, never summed


def _rows_in_order(total: ReportTable, submitted: Sequence[_SubmittedFigures]) -> list[_RowPlan]:
    """The table's rows: the total's (the union of the villages'), then rows only a village's submitted report
    has (a rule somebody failed then), as (ident, label, literal, columns, row, total line)."""
    columns = tuple((c.key, c.kind) for c in total.columns)
    out: list[_RowPlan] = [(r.ident, r.label, r.literal, columns, r, r.total) for r in total.rows]
    known = {r.ident for r in total.rows}
    for figures in submitted:
        if figures.state is not Submitted.COMPARED:
            continue
        for (table, ident), (label, literal, cols) in figures.rows.items():
            if table != total.key or ident in known:
                continue
            known.add(ident)
            kinds = dict(columns)
            shape = tuple((k, kinds.get(k) or _kind(kind)) for k, kind in cols)
            out.append((ident, label, literal, shape, None, False))
    return out


def _section(
    total_table: ReportTable,
    village_cells: Sequence[dict[Key, tuple[Value, People | None]]],
    total_cells: dict[Key, tuple[Value, People | None]],
    submitted: Sequence[_SubmittedFigures],
) -> Section:
    lines: list[Line] = []
    for ident, label, literal, columns, row, is_total in _rows_in_order(total_table, submitted):
        unit = ""
        figures: list[tuple[str, CellKind, tuple[Cell, ...]]] = []
        for column, kind in columns:
            key = (total_table.key, ident, column)
            if kind is CellKind.TEXT:
                text = total_cells.get(key, (None, None))[0]
                unit = str(text) if text is not None else unit
                continue
            total_value, total_people = total_cells.get(key, (None, None))
            like = (
                total_value
                if row is not None
                else next((s.cells.get(key) for s in submitted if s.cells.get(key) is not None), None)
            )
            row_cells: list[Cell] = []
            for mine, sent in zip(village_cells, submitted, strict=True):
                value, people = mine.get(key, (_absent(kind, like), None))
                if sent.state is Submitted.COMPARED:
                    theirs = sent.cells.get(key, _absent(kind, like))
                    row_cells.append(Cell(value, people, theirs, True, not _same(value, theirs)))
                else:
                    row_cells.append(Cell(value, people))
            if row is None:
                total_value = _absent(kind, like)
            if column in NOT_SUMMED:
                total_value, total_people = None, None
            row_cells.append(Cell(total_value, total_people))
            if all(c.value is None and c.submitted is None for c in row_cells):
                continue  # a figure no village has (a plain count's empty rate columns, a rate over nobody)
            figures.append((column, kind, tuple(row_cells)))
        for column, kind, cells in figures:
            lines.append(
                Line(
                    total_table.key,
                    label,
                    literal,
                    column,
                    kind,
                    cells,
                    show_column=len(figures) > 1,
                    unit=unit,
                    total=is_total,
                    ident=ident,
                )
            )
    return Section(total_table.key, tuple(lines), total_table.note)


def _township(db: Database, codes: Sequence[str]) -> tuple[str, str]:
    with db.read() as s:
        found = s.execute(
            sa.select(VillageProfile.township_name, VillageProfile.township_code)
            .where(VillageProfile.code.in_(list(codes)))
            .order_by(VillageProfile.code)
            .limit(1)
        ).first()
    return (found[0], found[1]) if found else ("", "")


def consolidated_report(
    db: Database,
    year: int,
    month: int,
    *,
    villages: Sequence[tuple[str, str]],
    submitted: Mapping[str, Mapping[str, Any]] | None = None,
    year_to_date: bool = False,
    today: dt.date | None = None,
    progress: ProgressFn | None = None,
) -> ConsolidatedReport:
    """The township's report for the month (or January to the month): one column per village of `villages`
    ((code, name), in the order given), then the township total. `submitted[code]` is that village's own
    report/monthly.json as it arrived; its figures are compared with the recount (a month's only).
    `progress(fraction, message)` returning False cancels (app.progress.Cancelled)."""
    message = tr("consolidated.progress")
    report(progress, 0.0, message)
    codes = [code for code, _ in villages]
    township_name, township_code = _township(db, codes)
    parts: list[MonthlyFigures] = []
    docs: list[ReportDocument] = []
    for i, (code, name) in enumerate(villages):
        figures = monthly_figures(db, year, month, owner=code, year_to_date=year_to_date, today=today)
        parts.append(figures)
        docs.append(build_document(figures, name, code, township_name))
        report(progress, 0.9 * (i + 1) / max(len(villages), 1), message)
    period = Period.month(year, month, year_to_date)
    # no village chosen: a total over nobody (no record is owned by "")
    total_figures = combine(parts) if parts else monthly_figures(db, year, month, owner="", today=today)
    total = build_document(total_figures, township_name, township_code, township_name)
    names = supply_idents(db)
    sent = [read_submitted((submitted or {}).get(code), period, names) for code in codes]
    village_cells = [_cells_of(d) for d in docs]
    total_cells = _cells_of(total)
    sections = tuple(_section(t, village_cells, total_cells, sent) for t in total.tables)
    differences = [0] * len(villages)
    for section in sections:
        for line in section.lines:
            for i, cell in enumerate(line.village_cells):
                differences[i] += cell.differs
    columns = tuple(
        VillageColumn(code, name, s.state, s.version, n)
        for (code, name), s, n in zip(villages, sent, differences, strict=True)
    )
    report(progress, 1.0, message)
    return ConsolidatedReport(
        township_name=township_name,
        township_code=township_code,
        period_first=period.first,
        period_last=period.last,
        year_to_date=year_to_date,
        villages=columns,
        sections=sections,
    )
