"""The printed household service cards (app.reports.cards), read back with pypdf: names, services with their
windows, masked (or full) ID numbers and the officer's phone are in the text; the font is embedded; A4
two-up puts two A5 cards side by side on a landscape A4 page; a big household continues on a second page
numbered within its card; cancelling or a missing font leaves no file; the CLI writes a group's cards."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from reportlab.graphics.barcode import qrencoder
from reportlab.lib.pagesizes import A4, A5, landscape

from app.cli import CARD_LAYOUTS as CLI_LAYOUTS
from app.cli import main
from app.progress import Cancelled
from app.reports import cards as card_pdf
from app.reports import fonts
from app.reports.cards import CARD_LAYOUTS, write_cards
from app.reports.qr import qr_matrix
from app.services import households as hh
from app.services.cards import card_batch
from tests.card_village import ID_LINA, build_card_village
from tests.conftest import TODAY


def text_of(path: Path) -> list[str]:
    """Each page's text with the spacing taken out (extractors differ in the spaces between CJK glyphs)."""
    return [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(path).pages]


def fonts_used(path: Path) -> list[DictionaryObject]:
    """Every font the pages use, also inside their forms (XObjects)."""
    found: dict[int, DictionaryObject] = {}

    def walk(resources: DictionaryObject) -> None:
        for font in resources.get("/Font", DictionaryObject()).get_object().values():
            found[id(font.get_object())] = font.get_object()
        for xobject in resources.get("/XObject", DictionaryObject()).get_object().values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                walk(xobject["/Resources"].get_object())

    for page in PdfReader(path).pages:
        walk(page["/Resources"].get_object())
    return list(found.values())


@pytest.fixture
def village(db, officer):
    return build_card_village(db, officer)


@pytest.fixture
def batch(db, officer, village):
    return card_batch(db, officer.user_id, TODAY)


def test_the_cards_read_back_with_names_services_masked_ids_and_who_to_call(batch, tmp_path):
    path = tmp_path / "服务卡.pdf"
    pages = write_cards(path, batch, show_methods=True)  # the family agreed: methods printed too
    texts = text_of(path)
    assert pages == len(texts) == 3  # one A5 page per household here
    assert PdfReader(path).pages[0].mediabox.upper_right == pytest.approx(A5, abs=0.5)
    two, nine, ten = texts  # in household-number order: 2, 9, 10
    for text in texts:
        assert "家庭服务卡" in text and "白银镇红星村" in text
        assert "李秀英" in text and "13912345678" in text  # who to call, on every card
        assert "打印日期：2026-11-24" in text and "第1页/共1页" in text
        assert "上门服务记录" in text and "签名" in text  # the table for hand-written notes
    assert "户编号2" in two and "户编号9" in nine and "户编号10" in ten
    for name in ("张伟", "李娜", "张小宝", "王秀英", "张丽（外出）"):
        assert name in two
    assert "张强" not in two and "张芳" not in two  # died, moved away
    assert "**************038X" in two and ID_LINA not in two
    assert "8个月" in two and "34岁" in two
    assert "避孕方法：宫内节育器，2026-10-20起" in two
    lina = next(w for w in batch.cards[0].women if w.name == "李娜")
    check = lina.followups[0]
    assert f"避孕随访{check.earliest.isoformat()}至{check.latest.isoformat()}" in two
    # 陈静: pregnant 14+2, EDD, folic acid to 13 weeks, the antenatal checks with their windows
    jing = batch.cards[2].women[0]
    assert f"孕期：孕14+2周，预产期{jing.edd.isoformat()}" in ten
    assert (
        f"叶酸：每天0.4mg，{jing.folic.start_date.isoformat()}起服用，服到{jing.folic.until.isoformat()}"
        in ten
    )
    for f in jing.followups:
        assert f"{f.earliest.isoformat()}至{f.latest.isoformat()}" in ten
    assert "第2次产检" in ten and "第5次产检" in ten and "第1次产检" not in ten
    # 赵刚: the family support contact and his care visit
    assert "农村奖励扶助：赵刚" in nine and "联系人：刘晓明，电话17304537978" in nine
    assert "特殊家庭关怀走访" in nine


def test_full_ids_when_the_officer_asks(batch, tmp_path):
    path = tmp_path / "full.pdf"
    write_cards(path, batch, full_ids=True)
    text = text_of(path)[0]
    assert ID_LINA in text and "**************038X" not in text


def test_methods_are_left_off_a_card_that_hangs_on_the_wall_unless_asked_for(batch, tmp_path):
    """By default the method and the visits that would name it go; her other services and the household
    stay."""
    path = tmp_path / "private.pdf"
    write_cards(path, batch)
    two, _, ten = text_of(path)
    assert "李娜" in two and "宫内节育器" not in two and "避孕方法" not in two and "避孕随访" not in two
    assert "第2次产检" in ten  # not a contraceptive visit: still listed


def test_the_font_is_embedded_truetype_everywhere(batch, tmp_path):
    path = tmp_path / "fonts.pdf"
    write_cards(path, batch, layout="a4_two_up")
    used = fonts_used(path)
    assert used
    for font in used:
        assert font["/Subtype"] == "/TrueType", font["/BaseFont"]  # no bare Type1 (Helvetica) or CID font
        assert "WenQuanYiMicroHei" in str(font["/BaseFont"])
        assert "/FontFile2" in font["/FontDescriptor"].get_object()  # the glyphs are in the file
        assert "/ToUnicode" in font  # and the text extracts


def test_a4_two_up_puts_two_cards_on_a_landscape_a4_page(batch, tmp_path):
    path = tmp_path / "two-up.pdf"
    sheets = write_cards(path, batch, layout="a4_two_up")
    reader = PdfReader(path)
    assert sheets == len(reader.pages) == 2  # three cards: two on the first sheet, one on the second
    assert reader.pages[0].mediabox.upper_right == pytest.approx(landscape(A4), abs=0.5)
    first, second = text_of(path)
    assert "户编号2·" in first and "户编号9·" in first and first.count("家庭服务卡") == 2
    assert "户编号10·" in second and second.count("家庭服务卡") == 1
    assert set(CARD_LAYOUTS) == {"a5", "a4_two_up"} == set(CLI_LAYOUTS)


def test_a_big_household_continues_on_a_second_page_numbered_within_its_card(db, officer, village, tmp_path):
    big = village["2"]
    for i in range(22):
        data = hh.PersonInput(
            name=f"张孙{i:02d}", sex="M", birth_date=TODAY.replace(year=2010), relation="grandson"
        )
        hh.add_person(db, officer, big, data, TODAY)
    batch = card_batch(db, officer.user_id, TODAY)
    path = tmp_path / "big.pdf"
    assert write_cards(path, batch) == 4
    first, second, nine, _ = text_of(path)
    assert "第1页/共2页" in first and "第2页/共2页" in second
    assert "家庭服务卡（续）" in second and "户编号2·户主张伟" in second
    assert "姓名" in second and "身份证号" in second  # the table's heads come again
    everything = first + second
    assert all(f"张孙{i:02d}" in everything for i in range(22))
    assert "第1页/共1页" in nine  # the next family's card is numbered by itself


def test_progress_runs_to_the_end_and_cancel_leaves_no_file(batch, tmp_path):
    seen: list[float] = []
    write_cards(tmp_path / "ok.pdf", batch, progress=lambda f, m: seen.append(f) or True)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)

    folder = tmp_path / "prints"
    folder.mkdir()
    with pytest.raises(Cancelled):
        write_cards(folder / "cancelled.pdf", batch, progress=lambda fraction, message: fraction < 0.5)
    assert list(folder.iterdir()) == []  # neither the file nor its temporary twin


def test_an_existing_file_is_kept_when_writing_fails(batch, tmp_path):
    path = tmp_path / "cards.pdf"
    path.write_bytes(b"the old cards")
    with pytest.raises(Cancelled):
        write_cards(path, batch, progress=lambda fraction, message: fraction < 0.9)
    assert path.read_bytes() == b"the old cards"


def test_a_missing_font_is_a_loud_error_and_no_file(batch, tmp_path, monkeypatch):
    missing = tmp_path / "no-such-font.ttc"
    monkeypatch.setattr(
        card_pdf,
        "register_cjk_font",
        functools.partial(fonts.register_cjk_font, missing, "NeverRegisteredCards"),
    )
    path = tmp_path / "out" / "cards.pdf"
    path.parent.mkdir()
    with pytest.raises(fonts.FontMissing) as caught:
        write_cards(path, batch)
    assert str(missing) in caught.value.message() and "方框" in caught.value.message()
    assert list(path.parent.iterdir()) == []


def test_an_unknown_layout_is_refused(batch, tmp_path):
    with pytest.raises(ValueError, match="a4_two_up"):
        write_cards(tmp_path / "x.pdf", batch, layout="letter")


def test_an_empty_batch_still_makes_a_valid_pdf(db, officer, village, tmp_path):
    path = tmp_path / "empty.pdf"
    assert write_cards(path, card_batch(db, officer.user_id, TODAY, household_ids=[])) == 1
    assert "没有要打印的家庭" in text_of(path)[0]


def test_the_qr_code_is_the_symbol_reportlab_makes_for_the_household_id(village):
    """The fast encoder writes the same modules as reportlab's own (QrCodeWidget's) for the same mask."""
    for payload in (village["2"], village["10"], "x" * 300, "红星村一组 2 号"):
        data = payload.encode()
        probe = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        probe.addData(qrencoder.QR8bitByte(data))
        reference = qrencoder.QRCode(probe.calculate_version(), qrencoder.QRErrorCorrectLevel.M)
        reference.addData(qrencoder.QR8bitByte(data))
        reference.makeImpl(False, 0)
        assert qr_matrix(payload) == reference.modules


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools not installed")
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_the_printed_qr_code_scans_to_the_household_id(batch, tmp_path):
    path = tmp_path / "qr.pdf"
    write_cards(path, batch)
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(path), str(tmp_path / "p")], check=True)
    found = subprocess.run(
        ["zbarimg", "-q", "--raw", *sorted(str(p) for p in tmp_path.glob("p-*.png"))],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert found == [c.household_id for c in batch.cards]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_poppler_draws_and_reads_the_card_without_any_font_pack(batch, tmp_path):
    path = tmp_path / "card.pdf"
    write_cards(path, batch)
    out = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(path), str(out)], check=True
    )
    assert out.with_suffix(".png").stat().st_size > 10_000
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "李娜" in text and "有事请找村计生专干" in text


def test_the_cli_writes_a_groups_cards(tmp_path, capsys):
    data = str(tmp_path / "data")
    assert main(["--data-dir", data, "demo", "--people", "200", "--quiet"]) == 0
    out = tmp_path / "cards.pdf"
    assert main(["--data-dir", data, "cards", "--group", "1", "--quiet", "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    pages = len(PdfReader(out).pages)
    texts = text_of(out)
    numbers = [re.search(r"户编号(\d+)·", t).group(1) for t in texts if "第1页" in t]
    assert numbers and numbers == sorted(numbers) and all(n.startswith("01") for n in numbers)
    assert line == f"已生成 {len(numbers)} 户的家庭服务卡，共 {pages} 页：{out}"
    # one household by its number, two-up, full IDs
    one = tmp_path / "one.pdf"
    assert main(["--data-dir", data, "cards", "--household", numbers[0], "--layout", "a4_two_up",
                 "--full-ids", "--quiet", "--out", str(one)]) == 0  # fmt: skip
    assert f"户编号{numbers[0]}·" in text_of(one)[0]
    # an unknown number is refused, and nothing is written
    refused = tmp_path / "refused.pdf"
    assert main(["--data-dir", data, "cards", "--household", "99999", "--quiet", "--out", str(refused)]) == 2
    assert "99999" in capsys.readouterr().err and not refused.exists()


@pytest.mark.parametrize(
    "text",
    [
        "目前没有需要安排的服务。需要孕前检查、叶酸或避孕药具时，请随时联系村计生专干。",
        "No services to arrange just now. For a pre-pregnancy check, call the village officer any time.",
        "x" * 200,
    ],
)
def test_text_wraps_within_its_width_and_loses_nothing(text):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font = fonts.register_cjk_font()
    lines = card_pdf.wrap(text, font, 9, 150)
    assert len(lines) > 1
    assert all(stringWidth(line, font, 9) <= 150 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line.startswith(("，", "。", "、")) for line in lines)  # no line starts with a comma


def test_the_cli_prints_methods_only_with_the_methods_flag(db, village, tmp_path):
    """`fhdesk cards` leaves methods off, as the cards tab does; `--methods` prints them."""
    data = str(db.path.parent)
    plain, with_methods = tmp_path / "plain.pdf", tmp_path / "methods.pdf"
    assert main(["--data-dir", data, "cards", "--household", "2", "--quiet", "--out", str(plain)]) == 0
    assert (
        main(
            [
                "--data-dir",
                data,
                "cards",
                "--household",
                "2",
                "--methods",
                "--quiet",
                "--out",
                str(with_methods),
            ]
        )
        == 0
    )
    assert "李娜" in text_of(plain)[0] and "宫内节育器" not in text_of(plain)[0]
    assert "避孕方法：宫内节育器，2026-10-20起" in text_of(with_methods)[0]
