"""The monthly report of a real village through `fhdesk report`: the Excel file and the PDF read back agree with
the service for every indicator (the screen's agreement is tested in tests/ui/test_reports_page.py)."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.actor import Actor
from app.cli import main
from app.db import open_database
from app.i18n import tr
from app.services import login
from app.services.indicators import monthly_report_document
from app.services.report_tables import CellKind, format_cell
from tests.conftest import SETUP, TODAY
from tests.indicator_village import build_village


@pytest.fixture
def village_dir(tmp_path, monkeypatch):
    """The hand-counted village in a data folder, as the CLI opens it; the CLI's clock reads TODAY."""
    from app.services.village import set_up_village

    folder = tmp_path / "data"
    folder.mkdir()
    db = open_database(folder / "fhdesk.sqlite")
    build_village(db, Actor(set_up_village(db, SETUP), "admin", SETUP.village_code))
    db.dispose()
    monkeypatch.setattr("app.cli.today", lambda: TODAY)
    return folder


def report_files(folder, tmp_path, *extra: str):
    xlsx, pdf = tmp_path / "report.xlsx", tmp_path / "report.pdf"
    args = ["--data-dir", str(folder), "report", "--month", "2026-10", "--xlsx", str(xlsx), "--pdf", str(pdf)]
    assert main([*args, *extra]) == 0
    session = login.open_village(folder, SETUP.username, SETUP.password)  # the CLI encrypted it on first use
    try:
        doc = monthly_report_document(session.db, 2026, 10, year_to_date="--ytd" in extra, today=TODAY)
    finally:
        session.close()
    return doc, xlsx, pdf


def pdf_lines(path) -> list[str]:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]


def test_excel_and_pdf_agree_with_the_service_for_every_indicator(village_dir, tmp_path, capsys):
    doc, xlsx, pdf = report_files(village_dir, tmp_path)
    assert "2026年10月" in capsys.readouterr().out

    sheet = load_workbook(xlsx).active
    by_label = {}
    for row in sheet.iter_rows(values_only=True):
        if row and isinstance(row[0], str):
            by_label.setdefault(row[0], row[1:])
    lines = pdf_lines(pdf)
    checked = 0
    for table in doc.tables:
        for r in table.rows:
            stored = by_label[r.label_text()]
            for value, column, cell in zip(r.cells, table.columns, stored, strict=False):
                if value is None:
                    assert cell == "—"
                elif column.kind is CellKind.RATE:
                    assert cell == pytest.approx(value)
                else:
                    assert cell == value
                checked += 1
            # the PDF row: its label, then each figure as the screen shows it, in order (a label can also be
            # a chart's axis label, so any place where the label is followed by its figures will do)
            expected = [format_cell(v, c.kind) for v, c in zip(r.cells, table.columns, strict=True)]
            starts = [i for i, x in enumerate(lines) if x == r.label_text()]
            assert any(lines[i + 1 : i + 1 + len(expected)] == expected for i in starts), (
                r.label_text(),
                expected,
            )
    assert checked > 100


def test_the_pdf_names_the_village_and_month_and_embeds_its_font(village_dir, tmp_path):
    _, _, pdf = report_files(village_dir, tmp_path)
    reader = PdfReader(pdf)
    text = reader.pages[0].extract_text()
    assert "红星村" in text and "2026年10月" in text
    assert tr("report.section.births") in text
    fonts = {
        f["/BaseFont"]
        for page in reader.pages
        for f in (page["/Resources"].get("/Font") or {}).values()
        if "/BaseFont" in f.get_object()
    }
    assert fonts and all("Helvetica" not in str(f) for f in fonts)


def test_year_to_date_report(village_dir, tmp_path):
    doc, xlsx, _ = report_files(village_dir, tmp_path, "--ytd")
    assert doc.year_to_date
    sheet = load_workbook(xlsx).active
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert any("1月至10月" in str(v) for v in values)
    early = next(
        row for row in sheet.iter_rows(values_only=True) if row[0] == tr("report.row.early_registration")
    )
    assert early[1:3] == (3, 5)


def test_a_bad_month_or_no_output_is_refused_in_one_line(village_dir, capsys):
    with pytest.raises(SystemExit):
        main(["--data-dir", str(village_dir), "report", "--month", "2026-13", "--pdf", "x.pdf"])
    assert "2026-13" in capsys.readouterr().err
    assert main(["--data-dir", str(village_dir), "report", "--month", "2026-10"]) == 2
    assert "--xlsx" in capsys.readouterr().err


def test_an_output_folder_that_does_not_exist_is_refused_before_any_work(village_dir, tmp_path, capsys):
    missing = tmp_path / "no such folder" / "report.pdf"
    with pytest.raises(SystemExit):
        main(["--data-dir", str(village_dir), "report", "--month", "2026-10", "--pdf", str(missing)])
    assert str(missing.parent) in capsys.readouterr().err
    assert not missing.parent.exists()
