"""One version, from pyproject.toml: `fhdesk --version`, `app.__version__`, app.version.app_version() (the sync
manifest's app_version) and the Creator of every PDF the app writes (visit list, monthly report, cards)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pypdf import PdfReader

import app
from app import version
from app.cli import main
from app.reports.cards import write_cards
from app.reports.monthly_pdf import write_report_pdf
from app.reports.visit_list import write_visit_list
from app.services import followups
from app.services.cards import card_batch
from tests.card_village import build_card_village
from tests.conftest import TODAY
from tests.followup_village import build_village
from tests.integration.test_monthly_report_files import DOC, PRINTED

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT_VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]


def creator(path: Path) -> str:
    info = PdfReader(path).metadata
    assert info is not None
    return str(info.get("/Creator", ""))


def test_the_version_is_pyprojects_everywhere_it_is_asked(capsys):
    assert version.app_version() == PYPROJECT_VERSION
    assert app.__version__ == PYPROJECT_VERSION
    with pytest.raises(SystemExit) as ended:
        main(["--version"])
    assert ended.value.code == 0
    assert capsys.readouterr().out.strip() == f"fhdesk {PYPROJECT_VERSION}"


def test_a_checkout_without_metadata_reads_pyproject(tmp_path):
    assert version._from_pyproject(ROOT / "pyproject.toml") == PYPROJECT_VERSION
    assert version._from_pyproject(tmp_path / "missing.toml") == version.UNKNOWN


def test_every_pdf_names_the_program_and_its_version(db, officer, tmp_path):
    expected = f"Family Health Desk {PYPROJECT_VERSION}"
    report = tmp_path / "report.pdf"
    write_report_pdf(report, DOC, printed_on=PRINTED)
    assert creator(report) == expected

    build_village(db, officer)
    visits = tmp_path / "visits.pdf"
    write_visit_list(
        followups.work_list(db, TODAY, "week"),
        visits,
        village_name="红星村",
        officer_name="李秀英",
        printed_on=TODAY,
        week_label="w",
    )
    assert creator(visits) == expected


def test_the_cards_name_the_program_and_its_version(db, officer, tmp_path):
    build_card_village(db, officer)
    cards = tmp_path / "cards.pdf"
    write_cards(cards, card_batch(db, officer.user_id, TODAY))
    assert creator(cards) == f"Family Health Desk {PYPROJECT_VERSION}"
