"""The monthly report as tables: the one shape the screen, the Excel file and the PDF all draw from.

`app.services.indicators` computes the figures; `monthly_report_tables()` lays them out as titled tables of
typed cells (a count, a rate, a text). Each renderer only formats cells with `format_cell`, so a figure cannot
differ between screen, Excel and PDF. Labels are catalogue ids (translated when drawn); a cell may carry the
ids of the people it counts, which the screen opens as a list (drill-down).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from app.i18n import tr
from app.services.indicators import (
    BIRTH_ORDERS,
    POPULATION_STATUSES,
    VITAL_EVENTS,
    FollowupTally,
    MonthlyFigures,
    Rate,
)
from app.vocab import Sex

NO_VALUE = "—"  # a rate whose denominator is zero, or a figure that does not apply


class CellKind(StrEnum):
    COUNT = "count"  # a whole number (Excel: a number)
    RATE = "rate"  # a fraction 0..1 or None (Excel: a percentage, "—" when None)
    RATIO = "ratio"  # a plain decimal such as the sex ratio 105.3, or None
    TEXT = "text"  # already translated or literal text


@dataclass(frozen=True)
class Column:
    key: str  # catalogue id of the column heading
    kind: CellKind


@dataclass(frozen=True)
class Row:
    label: str  # catalogue id of the row label, or literal text when `literal`
    cells: tuple[int | float | str | None, ...]
    # Per cell: the ids of the people the cell counts (drill-down), or None when it is not a list of people.
    people: tuple[tuple[str, ...] | None, ...] = ()
    literal: bool = False  # label is already text (e.g. a supply item's name), not a catalogue id
    total: bool = False  # a total line: drawn bold / shaded
    key: str = ""  # what the row is whatever the language, when its label is literal (a supply item's code)

    def label_text(self) -> str:
        return self.label if self.literal else tr(self.label)

    @property
    def ident(self) -> str:
        """The row's identity within its table: the same row of two villages' reports has the same ident."""
        return self.key or self.label

    def people_of(self, column: int) -> tuple[str, ...] | None:
        return self.people[column] if column < len(self.people) else None


@dataclass(frozen=True)
class ReportTable:
    key: str  # catalogue id of the table's title, e.g. "report.section.births"
    columns: tuple[Column, ...]  # the value columns; the row label is column 0 and has no Column entry
    rows: tuple[Row, ...]
    note: str = ""  # catalogue id of a note printed under the table (a definition), or ""
    label_heading: str = "report.col.item"  # catalogue id of the heading over the row labels


@dataclass(frozen=True)
class ReportDocument:
    """Everything a renderer needs: the heading facts and the tables in order."""

    village_name: str
    village_code: str
    township_name: str
    period_first: dt.date
    period_last: dt.date
    year_to_date: bool
    tables: tuple[ReportTable, ...]
    # Follow-up completion by type for the PDF's bar chart: (type label id, done, due).
    completion: tuple[tuple[str, int, int], ...] = field(default=())

    def title(self) -> str:
        return tr("report.title", village=self.village_name)

    def period_label(self) -> str:
        if self.year_to_date:
            return tr(
                "report.period_ytd",
                year=self.period_last.year,
                month=self.period_last.month,
            )
        return tr("report.period_month", year=self.period_last.year, month=self.period_last.month)


def _half_up(value: float) -> Decimal:
    """One decimal, halves rounded up as Excel and a person do (5 of 16 is 31.3 %, not Python's 31.2 %), so
    the Excel file shows what the screen and the PDF show."""
    return Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def format_cell(value: int | float | str | None, kind: CellKind) -> str:
    """The text of a cell as every renderer shows it (Excel stores numbers, but shows the same)."""
    if value is None:
        return NO_VALUE
    if kind is CellKind.RATE:
        return f"{_half_up(float(value) * 100)}%"
    if kind is CellKind.RATIO:
        return str(_half_up(float(value)))
    if kind is CellKind.COUNT:
        return f"{int(value):,}" if isinstance(value, int) else str(value)
    return str(value)


# ---------------------------------------------------------------- laying out the indicators

COUNT_COLUMN = (Column("report.col.count", CellKind.COUNT),)
RATE_COLUMNS = (
    Column("report.col.numerator", CellKind.COUNT),
    Column("report.col.denominator", CellKind.COUNT),
    Column("report.col.rate", CellKind.RATE),
)


def _count_row(label: str, people: tuple[str, ...], total: bool = False) -> Row:
    return Row(label, (len(people),), (people,), total=total)


def _rate_row(label: str, rate: Rate) -> Row:
    return Row(
        label,
        (len(rate.numerator), len(rate.denominator), rate.value),
        (rate.numerator, rate.denominator, None),
    )


def _number_row(label: str, people: tuple[str, ...]) -> Row:
    """A plain count in a table of rates: the figure in the first column, nothing in the others."""
    return Row(label, (len(people), None, None), (people, None, None))


def _births_tables(f: MonthlyFigures) -> tuple[ReportTable, ReportTable]:
    columns = tuple(Column(f"report.col.order_{o}", CellKind.COUNT) for o in BIRTH_ORDERS) + (
        Column("report.col.total", CellKind.COUNT),
    )
    rows = []
    for sex, label, total in (
        (Sex.MALE, "report.row.boys", False),
        (Sex.FEMALE, "report.row.girls", False),
    ) + ((None, "report.row.all_births", True),):
        cells = [f.births.cell(sex, order) for order in BIRTH_ORDERS] + [f.births.cell(sex, None)]
        rows.append(Row(label, tuple(len(c) for c in cells), tuple(cells), total=total))
    boys, girls = f.births.cell(Sex.MALE, None), f.births.cell(Sex.FEMALE, None)
    ratio = ReportTable(
        "report.section.sex_ratio",
        (
            Column("report.col.boys", CellKind.COUNT),
            Column("report.col.girls", CellKind.COUNT),
            Column("report.col.sex_ratio", CellKind.RATIO),
        ),
        (Row("report.row.sex_ratio", (len(boys), len(girls), f.births.sex_ratio), (boys, girls, None)),),
        note="report.note.sex_ratio",
    )
    births = ReportTable(
        "report.section.births",
        columns,
        tuple(rows),
        label_heading="report.col.sex",
        note="report.note.births",
    )
    return births, ratio


def _followups_table(f: MonthlyFigures) -> ReportTable:
    columns = (
        Column("report.col.due", CellKind.COUNT),
        Column("report.col.done", CellKind.COUNT),
        Column("report.col.missed", CellKind.COUNT),
        Column("report.col.open", CellKind.COUNT),
        Column("report.col.completion", CellKind.RATE),
    )

    def row(label: str, t: FollowupTally, total: bool = False) -> Row:
        parts = (t.due, t.done, t.missed, t.open)
        return Row(
            label,
            tuple(len(p) for p in parts) + (t.completion.value,),
            parts + (None,),
            total=total,
        )

    shown = [t for t in f.followups if t.due]
    everything = FollowupTally(
        "all",
        tuple(p for t in f.followups for p in t.done),
        tuple(p for t in f.followups for p in t.missed),
        tuple(p for t in f.followups for p in t.open),
    )
    rows = [row(f"vocab.followup_type.{t.followup_type}", t) for t in shown]
    rows.append(row("report.row.all_followups", everything, total=True))
    return ReportTable(
        "report.section.followups",
        columns,
        tuple(rows),
        label_heading="report.col.type",
        note="report.note.followups",
    )


def supply_row_key(code: str) -> str:
    """The ident of a supply item's row (its label is the item's name in the language it was made in)."""
    return f"supply.item.{code}"


def _supplies_table(f: MonthlyFigures) -> ReportTable:
    columns = (Column("report.col.unit", CellKind.TEXT),) + tuple(
        Column(f"report.col.supply_{name}", CellKind.COUNT)
        for name in (
            "opening",
            "received",
            "issued_person",
            "issued_self_service",
            "losses",
            "adjustments",
            "returned",
            "closing",
            "days_out",
            "expiring",
        )
    )
    rows = tuple(
        Row(
            r.name,
            (
                r.unit,
                r.opening,
                r.received,
                r.issued_person,
                r.issued_self_service,
                r.losses,
                r.adjustments,
                r.returned,
                r.closing,
                r.days_out_of_stock,
                sum(left for _, _, left in r.lots_expiring_90),
            ),
            literal=True,
            key=supply_row_key(r.code),
        )
        for r in f.supplies
    )
    return ReportTable(
        "report.section.supplies",
        columns,
        rows,
        label_heading="report.col.supply_item",
        note="report.note.supplies",
    )


def build_document(
    f: MonthlyFigures, village_name: str, village_code: str, township_name: str
) -> ReportDocument:
    births, ratio = _births_tables(f)
    events = ReportTable(
        "report.section.events",
        COUNT_COLUMN,
        tuple(_count_row(f"vocab.event.{kind}", f.events[kind]) for kind in VITAL_EVENTS),
    )
    population = ReportTable(
        "report.section.population",
        COUNT_COLUMN,
        (
            _count_row("report.row.population", f.population_total, total=True),
            *(_count_row(f"report.row.status_{s}", f.population[s]) for s in POPULATION_STATUSES),
            _count_row("report.row.women_15_49", f.women_15_49),
        ),
        note="report.note.population",
    )
    maternal = ReportTable(
        "report.section.maternal",
        RATE_COLUMNS,
        (
            _number_row("report.row.registered", f.registered.denominator),
            _rate_row("report.row.early_registration", f.registered),
            _number_row("report.row.deliveries", f.deliveries),
            _rate_row("report.row.facility_delivery", f.facility_delivery),
            _rate_row("report.row.antenatal_5", f.antenatal_5),
            _rate_row("report.row.postpartum_visit", f.postpartum_visit),
        ),
        note="report.note.maternal",
    )
    prepregnancy = ReportTable(
        "report.section.prepregnancy_folic",
        RATE_COLUMNS,
        (
            _number_row("report.row.prepregnancy_checks", f.prepregnancy_checks),
            _rate_row("report.row.prepregnancy_followups", f.prepregnancy_followups),
            _number_row("report.row.folic_supplied", f.folic_supplied),
            _rate_row("report.row.folic_taking", f.folic_taking),
            _rate_row("report.row.folic_adherent", f.folic_adherent),
        ),
        note="report.note.folic",
    )
    quality = ReportTable(
        "report.section.quality",
        RATE_COLUMNS,
        (
            _rate_row("report.row.quality_rate", f.quality.rate),
            *(_number_row(rule, people) for rule, people in f.quality.failing.items()),
        ),
        note="report.note.quality",
    )
    return ReportDocument(
        village_name=village_name,
        village_code=village_code,
        township_name=township_name,
        period_first=f.period.first,
        period_last=f.period.last,
        year_to_date=f.period.year_to_date,
        tables=(
            births,
            ratio,
            events,
            population,
            maternal,
            prepregnancy,
            _followups_table(f),
            _supplies_table(f),
            quality,
        ),
        completion=tuple(
            (f"vocab.followup_type.{t.followup_type}", len(t.done), len(t.due)) for t in f.followups if t.due
        ),
    )
