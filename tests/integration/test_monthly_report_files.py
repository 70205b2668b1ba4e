"""The monthly report's Excel and PDF files, read back: the Excel file holds the document's figures as numbers
(rates as fractions shown as percentages, "—" where a rate has no denominator) under a frozen title; the PDF
has every table, every figure as format_cell writes it, the follow-up completion chart, an embedded font and
page numbers. A cancelled export leaves no file. The documents are built by hand, as the indicators would."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from app.i18n import tr
from app.progress import Cancelled
from app.reports.excel import text_width
from app.reports.monthly_pdf import write_report_pdf
from app.reports.monthly_xlsx import write_report_xlsx
from app.services.report_tables import (
    NO_VALUE,
    CellKind,
    Column,
    ReportDocument,
    ReportTable,
    Row,
    format_cell,
)

PRINTED = dt.date(2026, 11, 3)
C, R = CellKind.COUNT, CellKind.RATE
RATE_COLUMNS = (
    Column("report.col.numerator", C),
    Column("report.col.denominator", C),
    Column("report.col.rate", R),
)
SUPPLY_FIGURES = (
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


def report_document() -> ReportDocument:
    """October 2026 in 红星村, shaped like the indicators' document: counts, rates (one over zero), the sex
    ratio, a text column, total lines, literal supply names, a count in the thousands."""
    births = ReportTable(
        "report.section.births",
        tuple(Column(f"report.col.order_{o}", C) for o in ("1", "2", "3plus", "unknown"))
        + (Column("report.col.total", C),),
        (
            Row("report.row.boys", (3, 2, 0, 0, 5)),
            Row("report.row.girls", (2, 1, 1, 0, 4)),
            Row("report.row.all_births", (5, 3, 1, 0, 9), total=True),
        ),
        note="report.note.births",
        label_heading="report.col.sex",
    )
    ratio = ReportTable(
        "report.section.sex_ratio",
        (
            Column("report.col.boys", C),
            Column("report.col.girls", C),
            Column("report.col.sex_ratio", CellKind.RATIO),
        ),
        (Row("report.row.sex_ratio", (5, 4, 125.0)),),
        note="report.note.sex_ratio",
    )
    events = ReportTable(
        "report.section.events",
        (Column("report.col.count", C),),
        tuple(
            Row(f"vocab.event.{kind}", (n,))
            for kind, n in (("birth", 9), ("death", 2), ("marriage", 3), ("divorce", 0), ("move_in", 4))
        ),
    )
    population = ReportTable(
        "report.section.population",
        (Column("report.col.count", C),),
        (
            Row("report.row.population", (1234,), total=True),
            Row("report.row.status_resident", (1100,)),
            Row("report.row.status_out_migrant", (120,)),
            Row("report.row.status_in_migrant", (14,)),
            Row("report.row.women_15_49", (312,)),
        ),
        note="report.note.population",
    )
    maternal = ReportTable(
        "report.section.maternal",
        RATE_COLUMNS,
        (
            Row("report.row.registered", (6, None, None)),
            Row("report.row.early_registration", (5, 6, 5 / 6)),
            Row("report.row.deliveries", (7, None, None)),
            Row("report.row.facility_delivery", (7, 7, 1.0)),
            Row("report.row.antenatal_5", (0, 0, None)),  # nothing to count: "—", not an error
            Row("report.row.postpartum_visit", (6, 7, 6 / 7)),
        ),
        note="report.note.maternal",
    )
    followups = ReportTable(
        "report.section.followups",
        tuple(Column(f"report.col.{k}", C) for k in ("due", "done", "missed", "open"))
        + (Column("report.col.completion", R),),
        (
            Row("vocab.followup_type.anc2", (7, 6, 1, 0, 6 / 7)),
            Row("vocab.followup_type.postpartum_visit", (3, 2, 0, 1, 2 / 3)),
            Row("vocab.followup_type.folic_adherence", (16, 15, 1, 0, 15 / 16)),
            Row("vocab.followup_type.contraceptive_check", (4, 0, 1, 3, 0.0)),
            Row("report.row.all_followups", (30, 23, 3, 4, 23 / 30), total=True),
        ),
        note="report.note.followups",
        label_heading="report.col.type",
    )
    supplies = ReportTable(
        "report.section.supplies",
        (Column("report.col.unit", CellKind.TEXT),)
        + tuple(Column(f"report.col.supply_{name}", C) for name in SUPPLY_FIGURES),
        (
            Row("复方左炔诺孕酮片", ("板", 40, 20, 12, 0, 1, -2, 0, 45, 0, 10), literal=True),
            Row("男用避孕套（中号）", ("只", 1440, 0, 300, 96, 0, 0, 144, 900, 3, 0), literal=True),
            Row("叶酸片 0.4mg", ("瓶", 30, 10, 18, 0, 0, 0, 0, 22, 0, 6), literal=True),
        ),
        note="report.note.supplies",
        label_heading="report.col.supply_item",
    )
    quality = ReportTable(
        "report.section.quality",
        RATE_COLUMNS,
        (
            Row("report.row.quality_rate", (1180, 1234, 1180 / 1234)),
            Row("quality.rule.id_missing", (31, None, None)),
            Row("quality.rule.household_unreachable", (23, None, None)),
        ),
        note="report.note.quality",
    )
    return ReportDocument(
        village_name="红星村",
        village_code="620422103201",
        township_name="白银镇",
        period_first=dt.date(2026, 10, 1),
        period_last=dt.date(2026, 10, 31),
        year_to_date=False,
        tables=(births, ratio, events, population, maternal, followups, supplies, quality),
        completion=(
            ("vocab.followup_type.anc2", 6, 7),
            ("vocab.followup_type.postpartum_visit", 2, 3),
            ("vocab.followup_type.folic_adherence", 15, 16),
            ("vocab.followup_type.contraceptive_check", 0, 4),
            ("vocab.followup_type.referral", 0, 0),  # nothing due: no rate, no bar
        ),
    )


DOC = report_document()


# ---------------------------------------------------------------- Excel


def excel_shows(value: object, number_format: str) -> str:
    """The text Excel shows for a stored value in the formats the report uses (Excel rounds halves up)."""
    if isinstance(value, str):
        return value
    d = Decimal(repr(value))
    if number_format == "#,##0":
        return f"{int(d.quantize(Decimal(1), ROUND_HALF_UP)):,}"
    if number_format == "0.0%":
        return f"{(d * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
    if number_format == "0.0":
        return f"{d.quantize(Decimal('0.1'), ROUND_HALF_UP)}"
    raise AssertionError(f"unexpected number format {number_format!r}")


def table_rows(ws: Worksheet, table: ReportTable) -> tuple[int, int]:
    """The rows of `table`'s title and header: the title is in column A, the header right under it."""
    titles = [c.row for c in ws["A"] if c.value == tr(table.key)]
    assert len(titles) == 1, tr(table.key)
    return titles[0], titles[0] + 1


@pytest.fixture(scope="module")
def xlsx(tmp_path_factory) -> Worksheet:
    path = tmp_path_factory.mktemp("xlsx") / "月报_2026-10.xlsx"
    write_report_xlsx(path, DOC, printed_on=PRINTED)
    return load_workbook(path).active


def test_excel_holds_every_figure_as_a_number_that_shows_as_on_screen(xlsx):
    for table in DOC.tables:
        _, head = table_rows(xlsx, table)
        headings = [xlsx.cell(head, col).value for col in range(1, len(table.columns) + 2)]
        assert headings == [tr(table.label_heading)] + [tr(c.key) for c in table.columns]
        for n, row in enumerate(table.rows, start=head + 1):
            assert xlsx.cell(n, 1).value == row.label_text()
            for col, (column, value) in enumerate(zip(table.columns, row.cells, strict=True), start=2):
                cell = xlsx.cell(n, col)
                if value is None:
                    assert cell.value == NO_VALUE
                elif column.kind is CellKind.TEXT:
                    assert cell.value == value and cell.data_type == "s"
                else:
                    assert isinstance(cell.value, int | float) and cell.value == value, (row.label, col)
                    expected = {C: "#,##0", R: "0.0%", CellKind.RATIO: "0.0"}[column.kind]
                    assert cell.number_format == expected
                    if column.kind is C:
                        assert isinstance(cell.value, int)
                    if column.kind is R:
                        assert 0.0 <= cell.value <= 1.0  # a fraction, shown as a percentage
                # what the officer sees in Excel is what the screen and the PDF show
                assert excel_shows(cell.value, cell.number_format) == format_cell(value, column.kind)
                assert cell.font.b == row.total


def test_excel_zero_denominator_is_a_dash_and_big_counts_keep_their_value(xlsx):
    _, head = table_rows(xlsx, DOC.tables[4])
    antenatal = head + 5
    assert xlsx.cell(antenatal, 1).value == tr("report.row.antenatal_5")
    assert [xlsx.cell(antenatal, c).value for c in (2, 3, 4)] == [0, 0, "—"]
    _, head = table_rows(xlsx, DOC.tables[3])
    assert xlsx.cell(head + 1, 2).value == 1234
    assert xlsx.cell(head + 1, 2).number_format == "#,##0"


def test_excel_title_frozen_widths_notes_and_print_setup(xlsx):
    assert "红星村" in xlsx["A1"].value and xlsx["A1"].value == DOC.title()
    facts = xlsx["A2"].value
    for part in ("620422103201", "白银镇", DOC.period_label(), "2026-11-03"):
        assert part in facts
    assert xlsx.freeze_panes == "A3"  # title and facts stay in view
    assert xlsx.print_title_rows == "$1:$2"  # and printed on every page
    assert int(xlsx.page_setup.paperSize) == int(xlsx.PAPERSIZE_A4)
    assert xlsx.page_setup.orientation == "portrait"
    assert xlsx.sheet_properties.pageSetUpPr.fitToPage and xlsx.page_setup.fitToWidth == 1
    # the label column is wide enough for the longest label, a Chinese character counting twice
    longest = max((r.label_text() for t in DOC.tables for r in t.rows), key=text_width)
    assert xlsx.column_dimensions["A"].width >= text_width(longest) > len(longest)
    # "90天内到期" is wider than its figures: its column fits the heading
    assert xlsx.column_dimensions["L"].width >= text_width(tr("report.col.supply_expiring"))
    # each note is under its table, small and italic, across the sheet
    for table in DOC.tables:
        if not table.note:
            continue
        _, head = table_rows(xlsx, table)
        note = xlsx.cell(head + len(table.rows) + 1, 1)
        assert note.value == tr(table.note)
        assert note.font.i and note.font.sz < 11
        assert any(note.coordinate in r for r in xlsx.merged_cells.ranges)


# ---------------------------------------------------------------- PDF


def pdf_pages(path: Path) -> list[str]:
    """Each page's text with the spacing taken out (extractors differ in the spaces between CJK glyphs)."""
    return [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(path).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("pdf") / "月报_2026-10.pdf"
    pages = write_report_pdf(path, DOC, printed_on=PRINTED)
    return path, pages


def test_pdf_has_every_table_and_every_figure_as_formatted_on_screen(pdf):
    path, _ = pdf
    text = "".join(pdf_pages(path))
    assert squeeze(DOC.title()) in text
    for table in DOC.tables:
        assert squeeze(tr(table.key)) in text
        if table.note:
            assert squeeze(tr(table.note)) in text
        heading = tr(table.label_heading) + "".join(tr(c.key) for c in table.columns)
        assert squeeze(heading) in text, table.key
        for row in table.rows:
            # a row reads label, then each figure exactly as format_cell gives it, in order
            line = row.label_text() + "".join(
                format_cell(v, c.kind) for v, c in zip(row.cells, table.columns, strict=True)
            )
            assert squeeze(line) in text, line
    assert "—" in text and "1,234" in text and "125.0" in text and "85.7%" in text


def test_pdf_chart_shows_completion_by_type_and_leaves_out_types_with_nothing_due(pdf):
    path, _ = pdf
    text = "".join(pdf_pages(path))
    chart = text[text.index(squeeze(tr("monthly_files.chart_title"))) :]
    for label, done, due in DOC.completion:
        name = squeeze(tr(label))
        if due == 0:
            assert name not in text
            continue
        assert name in chart
        rate = format_cell(done / due, CellKind.RATE)
        assert squeeze(tr("monthly_files.chart_label", rate=rate, done=done, due=due)) in chart
    for tick in ("0%", "50%", "100%"):
        assert tick in chart


def test_pdf_font_is_embedded_and_no_helvetica(pdf):
    path, _ = pdf
    reader = PdfReader(path)
    for page in reader.pages:
        fonts = page["/Resources"].get_object()["/Font"].get_object()
        assert fonts
        for font in (f.get_object() for f in fonts.values()):
            assert "WenQuanYiMicroHei" in str(font["/BaseFont"])
            assert font["/Subtype"] == "/TrueType"
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
            assert "/ToUnicode" in font
    assert b"Helvetica" not in path.read_bytes()


def test_pdf_pages_are_numbered_with_village_period_and_printed_date(pdf):
    path, pages = pdf
    texts = pdf_pages(path)
    assert pages == len(texts) >= 2  # the report does not fit one A4 page
    for n, text in enumerate(texts, start=1):
        assert squeeze(tr("report.page_of", page=n, pages=pages)) in text
        assert "红星村" in text and "620422103201" in text
        assert squeeze(DOC.period_label()) in text
        assert squeeze(tr("report.printed_on", date="2026-11-03")) in text


def test_pdf_without_anything_due_says_so_instead_of_a_chart(tmp_path):
    doc = ReportDocument(
        "红星村", "620422103201", "白银镇", dt.date(2026, 1, 1), dt.date(2026, 10, 31), True, DOC.tables[:2]
    )
    path = tmp_path / "ytd.pdf"
    assert write_report_pdf(path, doc, printed_on=PRINTED) == 1
    text = "".join(pdf_pages(path))
    assert squeeze(doc.period_label()) in text
    assert squeeze(tr("monthly_files.chart_empty")) in text


# ---------------------------------------------------------------- cancelling


@pytest.mark.parametrize("writer", [write_report_xlsx, write_report_pdf], ids=["xlsx", "pdf"])
@pytest.mark.parametrize("cancel_at", ["start", "end"])
def test_cancelling_leaves_no_file_and_keeps_the_old_one(tmp_path, writer, cancel_at):
    seen: list[float] = []

    def progress(fraction: float, message: str) -> bool:
        seen.append(fraction)
        assert message  # the dialog has something to say
        # "end": cancel at the last moment cancelling is allowed, after the file was written aside
        return not (cancel_at == "start" or fraction >= 0.95)

    fresh = tmp_path / "new.out"
    with pytest.raises(Cancelled):
        writer(fresh, DOC, printed_on=PRINTED, progress=progress)
    assert list(tmp_path.iterdir()) == []  # nothing, not even a temporary file

    old = tmp_path / "last-time.out"
    old.write_bytes(b"last month's report")
    seen.clear()
    with pytest.raises(Cancelled):
        writer(old, DOC, printed_on=PRINTED, progress=progress)
    assert old.read_bytes() == b"last month's report"
    assert list(tmp_path.iterdir()) == [old]


@pytest.mark.parametrize("writer", [write_report_xlsx, write_report_pdf], ids=["xlsx", "pdf"])
def test_progress_runs_to_the_end_when_not_cancelled(tmp_path, writer):
    seen: list[float] = []
    writer(tmp_path / "report.out", DOC, printed_on=PRINTED, progress=lambda f, m: seen.append(f) or True)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    assert (tmp_path / "report.out").stat().st_size > 0
