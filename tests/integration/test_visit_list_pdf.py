"""The printed week's visit list: read back with pypdf, its Chinese text, household numbers, window dates and
page numbers are there, and its font is embedded (a TrueType FontFile2, never the bare STSong-Light)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from app.i18n import tr
from app.progress import Cancelled
from app.reports import fonts
from app.reports.visit_list import write_visit_list
from app.services import followups
from tests.conftest import TODAY
from tests.followup_village import WEEK, build_village

MONDAY, SUNDAY = followups.week_bounds(TODAY)
WEEK_LABEL = f"{MONDAY} 至 {SUNDAY}"


def write(rows, path, **extra):
    write_visit_list(
        rows,
        path,
        village_name="红星村",
        officer_name="李秀英",
        printed_on=TODAY,
        week_label=WEEK_LABEL,
        **extra,
    )


def text_of(path: Path) -> list[str]:
    """Each page's text with the spacing taken out (extractors differ in the spaces they put between
    CJK glyphs)."""
    return [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(path).pages]


def page_fonts(path: Path) -> list[DictionaryObject]:
    found = []
    for page in PdfReader(path).pages:
        resources = page["/Resources"].get_object()
        for font in resources["/Font"].get_object().values():
            found.append(font.get_object())
    return found


@pytest.fixture
def week_rows(db, officer):
    build_village(db, officer)
    rows = followups.work_list(db, TODAY, "week")
    assert {(r.name, r.followup_type) for r in rows} == set(WEEK.items())
    return rows


def test_the_visit_list_reads_back_with_names_numbers_and_windows(week_rows, tmp_path):
    path = tmp_path / "随访单_2026-11-23.pdf"
    write(week_rows, path)
    pages = text_of(path)
    assert len(pages) == 1
    text = pages[0]
    assert "红星村随访单" in text and "随访人：李秀英" in text
    assert WEEK_LABEL.replace(" ", "") in text
    for r in week_rows:
        assert r.name in text
        assert r.household_no in text
        assert f"{r.earliest.isoformat()}至{r.latest.isoformat()}" in text
        assert tr(f"vocab.followup_type.{r.followup_type}") in text
    for heading in ("第1村民小组", "第2村民小组", "第3村民小组", "结果/签名", "红星村三组12号"):
        assert heading in text
    assert "第1页/共1页" in text
    assert "打印日期：2026-11-24" in text
    # 赵红 and 欧阳晓燕 share household 0302: it is listed once, with both of them under it
    assert text.count("户0302") == 1


def test_the_font_is_embedded_truetype_not_the_bare_cid_font(week_rows, tmp_path):
    path = tmp_path / "week.pdf"
    write(week_rows, path)
    used = page_fonts(path)
    assert used
    for font in used:
        assert "STSong" not in str(font["/BaseFont"])
        assert font["/Subtype"] == "/TrueType"
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font["/BaseFont"]  # the glyphs are in the file
        assert "WenQuanYiMicroHei" in str(font["/BaseFont"])
        assert "/ToUnicode" in font  # and the text can be searched and copied


def test_a_long_list_has_its_header_and_page_numbers_on_every_page(week_rows, tmp_path):
    template = week_rows[0]
    rows = [
        dataclasses.replace(
            template,
            id=f"f{i}",
            household_id=f"h{i // 3}",
            household_no=f"{1 + i % 3:02d}{i // 3:02d}",
            group_no=1 + i % 3,
            name=f"测试{i}",
            earliest=TODAY - dt.timedelta(days=i % 7),
            latest=TODAY + dt.timedelta(days=i % 20),
        )
        for i in range(90)
    ]
    path = tmp_path / "long.pdf"
    write(rows, path)
    pages = text_of(path)
    total = len(pages)
    assert total >= 3
    for n, text in enumerate(pages, start=1):
        assert f"第{n}页/共{total}页" in text
        assert "红星村·随访单" in text and WEEK_LABEL.replace(" ", "") in text
        assert "打印日期：2026-11-24" in text
        assert "姓名" in text and "结果/签名" in text  # the table's header repeats
    everything = "".join(pages)
    assert all(f"测试{i}" in everything for i in range(90))


def test_an_empty_week_says_so(tmp_path):
    path = tmp_path / "empty.pdf"
    write([], path)
    assert "本周没有待随访的项目。" in text_of(path)[0]


def test_cancelling_leaves_no_file(week_rows, tmp_path):
    folder = tmp_path / "prints"
    folder.mkdir()
    path = folder / "cancelled.pdf"
    calls = []

    def progress(fraction, message):
        calls.append(fraction)
        return fraction < 0.5  # Cancel pressed half-way

    with pytest.raises(Cancelled):
        write(week_rows, path, progress=progress)
    assert not path.exists()
    assert list(folder.iterdir()) == []  # nor its temporary file
    assert calls[0] == 0.0


def test_a_missing_font_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "no-such-font.ttc"
    with pytest.raises(fonts.FontMissing) as caught:
        fonts.register_cjk_font(missing, name="NeverRegistered")
    assert str(missing) in caught.value.message()
    assert "方框" in caught.value.message()


def test_the_font_ships_with_its_licence():
    assert fonts.CJK_FONT_FILE.is_file()
    folder = fonts.FONT_DIR
    assert (folder / "LICENSE-Apache-2.0.txt").is_file()
    assert "Apache-2.0" in (folder / "COPYRIGHT-wqy-microhei.txt").read_text(encoding="utf-8")
    assert "WenQuanYi Micro Hei" in (folder / "README.md").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_page_one_renders_with_poppler(week_rows, tmp_path):
    """poppler draws the embedded font without any font pack (scripts/screenshots.py keeps a picture of it
    in docs/screenshots/visit-list.png)."""
    path = tmp_path / "week.pdf"
    write(week_rows, path)
    out = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(path), str(out)],
        check=True,
        capture_output=True,
    )
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "欧阳晓燕" in text and "第 1 页 / 共 1 页" in text.replace("第1页/共1页", "第 1 页 / 共 1 页")
    assert out.with_suffix(".png").stat().st_size > 10_000
