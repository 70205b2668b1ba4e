"""Register exports read back with openpyxl, as an officer opening them in Excel would see them.

The village is the demo generator's (about 200 people) plus one household built by hand: an ID number
ending in X, a landline with a leading 0, notes that look like a formula, women either side of the 15–49
boundaries on TODAY, and households with nobody in them. A supply issue of this month is reversed, so the
ledger has a reversal. Every register is checked against the services' own figures: row counts, the women
on the reference date, the month's follow-ups, the month's supply totals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from app import cli, clock, i18n
from app.actor import Actor
from app.db import Database, open_database
from app.i18n import tr
from app.models import Followup, Pregnancy
from app.progress import Cancelled
from app.reports import registers_xlsx
from app.reports.registers_xlsx import REGISTERS, export_register, register_title
from app.services import households as hh
from app.services import supplies
from app.services.demo import generate_demo
from app.services.village import set_up_village
from app.services.women import list_women
from tests.conftest import SETUP, TODAY

YEAR, MONTH = TODAY.year, TODAY.month
ZHANG_SAN_ID = "110101199003071233"  # male, born 1990-03-07
WANG_FANG_ID = "11010519491231002X"  # female, born 1949-12-31: ends in X, too old for the women register
LIU_LI_ID = "62042219960305008X"  # female, born 1996-03-05: ends in X, a woman of reproductive age
LANDLINE = "09436688123"  # a leading 0 that a number would lose
FORMULA_NOTE = "=B2 户主口述"
# women either side of the boundaries on TODAY (2026-11-24): 15 today and 49 until tomorrow are in;
# 50 today and 15 tomorrow are out
BOUNDARY_WOMEN = {
    "周十五": (dt.date(2011, 11, 24), True),
    "周未满": (dt.date(2011, 11, 25), False),
    "吴四九": (dt.date(1976, 11, 25), True),
    "吴五十": (dt.date(1976, 11, 24), False),
}
RAW_CODES = {"M", "F", "head", "spouse", "resident", "out_migrant", "first_marriage", "unmarried", "local"}


@pytest.fixture(scope="module")
def village(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_database(tmp_path_factory.mktemp("registers") / "fhdesk.sqlite")
    officer = Actor(set_up_village(db, SETUP), "admin", SETUP.village_code)
    generate_demo(db, people=200, seed=3, today=TODAY, user_id=officer.user_id)

    home = hh.create_household(db, officer, hh.HouseholdInput("9901", 1, "红星村一组 99 号", LANDLINE))
    married = {"marital_status": "first_marriage"}
    hh.add_person(
        db,
        officer,
        home,
        hh.PersonInput("张三", id_number=ZHANG_SAN_ID, relation="head", notes=FORMULA_NOTE, **married),
        TODAY,
    )
    hh.add_person(db, officer, home, hh.PersonInput("王芳", id_number=WANG_FANG_ID, relation="mother"), TODAY)
    hh.add_person(
        db, officer, home, hh.PersonInput("刘丽", id_number=LIU_LI_ID, relation="spouse", **married), TODAY
    )
    for name, (birth, _) in BOUNDARY_WOMEN.items():
        hh.add_person(
            db, officer, home, hh.PersonInput(name, sex="F", birth_date=birth, relation="other"), TODAY
        )
    # nobody in them yet: one sorted before every other household, one after
    hh.create_household(db, officer, hh.HouseholdInput("0100", 1, "红星村一组 100 号"))
    hh.create_household(db, officer, hh.HouseholdInput("9902", 2, "红星村二组 99 号"))

    issue = next(m for m in supplies.ledger(db, YEAR, MONTH) if m.movement_type == "issue_person")
    supplies.reverse(db, officer, issue.id, "发错了人", TODAY)
    yield db
    db.dispose()


@pytest.fixture
def english() -> Iterator[None]:
    i18n.set_language("en")
    try:
        yield
    finally:
        i18n.set_language("zh_CN")


def export(db: Database, register: str, folder: Path, **kw: Any) -> tuple[int, Worksheet]:
    path = folder / f"{register}.xlsx"
    kw.setdefault("on", TODAY)
    if register in ("followups", "supply_ledger"):
        kw.setdefault("year", YEAR)
        kw.setdefault("month", MONTH)
    rows = export_register(db, register, path, **kw)
    book = load_workbook(path)
    assert len(book.worksheets) == 1
    return rows, book.worksheets[0]


def table(ws: Worksheet) -> list[dict[str, Any]]:
    """The data rows as {heading: value}."""
    headings = [c.value for c in ws[2]]
    return [dict(zip(headings, row, strict=True)) for row in ws.iter_rows(min_row=3, values_only=True)]


def cell_of(ws: Worksheet, heading: str, value: str):
    column = [c.value for c in ws[2]].index(heading)
    return next(row[column] for row in ws.iter_rows(min_row=3) if row[column].value == value)


def col(key: str) -> str:
    return tr(f"registers.col.{key}")


# ---------------------------------------------------------------- every register


@pytest.mark.parametrize("register", REGISTERS)
def test_every_register_has_a_title_a_frozen_chinese_header_and_a_filter(village, tmp_path, register):
    rows, ws = export(village, register, tmp_path)
    assert rows > 0
    assert ws.title == register_title(register)
    title = ws["A1"].value
    assert "红星村" in title and register_title(register) in title
    assert ("2026年11月" if register in ("followups", "supply_ledger") else "2026-11-24") in title
    headings = [c.value for c in ws[2]]
    assert all(h and not h.startswith("registers.") for h in headings)
    assert all("\u4e00" <= h[0] <= "\u9fff" or h[0] == "B" for h in headings), headings  # Chinese (B超…)
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == f"A2:{ws.cell(2, len(headings)).column_letter}{rows + 2}"
    assert ws.max_row == rows + 2
    assert all(ws.column_dimensions[c.column_letter].width >= 5 for c in ws[2])


@pytest.mark.parametrize("register", REGISTERS)
def test_no_cell_shows_a_code_or_a_message_id(village, tmp_path, register):
    _, ws = export(village, register, tmp_path)
    for row in ws.iter_rows(min_row=3, values_only=True):
        for value in row:
            if isinstance(value, str):
                assert value not in RAW_CODES, row
                assert not value.startswith(("vocab.", "registers.")), row


# ---------------------------------------------------------------- the household register


def test_household_register_has_every_present_member_and_keeps_empty_households(village, tmp_path):
    rows, ws = export(village, "households", tmp_path)
    households = hh.list_households(village)
    members = {h.id: hh.household_members(village, h.id, include_gone=False) for h in households}
    assert rows == sum(max(len(people), 1) for people in members.values())

    data = table(ws)
    by_household: dict[str, list[str]] = defaultdict(list)
    for r in data:
        by_household[r[col("household_no")]].append(r[col("name")])
    for h in households:
        assert by_household[h.household_no] == ([p.name for p in members[h.id]] or [None])
    assert [r[col("household_no")] for r in data] == sorted(r[col("household_no")] for r in data)

    zhang = next(r for r in data if r[col("name")] == "张三")
    assert zhang[col("relation")] == "户主" and zhang[col("sex")] == "男"
    assert zhang[col("marital")] == "初婚" and zhang[col("residence_status")] == "常住"
    assert zhang[col("residence_type")] == "本村户籍"
    assert zhang[col("age")] == 36
    assert {r[col("sex")] for r in data if r[col("name")]} == {"男", "女"}


def test_id_numbers_and_phones_are_text_and_dates_are_dates(village, tmp_path):
    _, ws = export(village, "households", tmp_path)
    for number in (ZHANG_SAN_ID, WANG_FANG_ID):
        cell = cell_of(ws, col("id_number"), number)
        assert (cell.value, cell.data_type, cell.number_format) == (number, "s", "@")
    landline = cell_of(ws, col("household_phone"), LANDLINE)
    assert (landline.data_type, landline.number_format) == ("s", "@")
    number = cell_of(ws, col("household_no"), "9901")
    assert (number.data_type, number.number_format) == ("s", "@")

    headings = [c.value for c in ws[2]]
    zhang = next(row for row in ws.iter_rows(min_row=3) if row[headings.index(col("name"))].value == "张三")
    birth = zhang[headings.index(col("birth_date"))]
    assert isinstance(birth.value, dt.datetime) and birth.value.date() == dt.date(1990, 3, 7)
    assert birth.number_format == "yyyy-mm-dd"
    age = zhang[headings.index(col("age"))]
    assert isinstance(age.value, int)
    note = zhang[headings.index(col("notes"))]
    assert (note.value, note.data_type) == (FORMULA_NOTE, "s")  # typed text, not a formula


def test_household_register_of_one_group(village, tmp_path):
    rows, ws = export(village, "households", tmp_path, group_no=2)
    data = table(ws)
    assert {r[col("group")] for r in data} == {2}
    expected = sum(
        max(len(hh.household_members(village, h.id, include_gone=False)), 1)
        for h in hh.list_households(village, group_no=2)
    )
    assert rows == len(data) == expected
    assert "二组" in ws["A1"].value
    empty = next(r for r in data if r[col("household_no")] == "9902")
    assert empty[col("address")] == "红星村二组 99 号"
    assert all(value is None for value in list(empty.values())[5:])  # no member: nothing made up


# ---------------------------------------------------------------- women, pregnancies


def test_women_register_has_exactly_the_women_15_to_49_on_the_reference_date(village, tmp_path):
    rows, ws = export(village, "women", tmp_path)
    data = table(ws)
    assert rows == len(data) == len(list_women(village, TODAY))

    expected = set()
    for h in hh.list_households(village):
        for p in hh.household_members(village, h.id, include_gone=False):
            if p.sex == "F" and 15 <= p.age_on(TODAY) <= 49:
                expected.add((h.household_no, p.name, p.birth_date))
    exported = {(r[col("household_no")], r[col("name")], r[col("birth_date")].date()) for r in data}
    assert exported == expected
    names = {r[col("name")] for r in data}
    for name, (_, included) in BOUNDARY_WOMEN.items():
        assert (name in names) is included, name
    assert all(15 <= r[col("age")] <= 49 for r in data)

    liu = cell_of(ws, col("id_number"), LIU_LI_ID)
    assert (liu.value, liu.data_type, liu.number_format) == (LIU_LI_ID, "s", "@")
    assert {r[col("pregnant")] for r in data} <= {"是", "否"}


def test_women_register_on_another_date_uses_that_date(village, tmp_path):
    """A year later, 周未满 is 15 and 吴四九 is 50."""
    later = dt.date(2027, 11, 25)
    rows, ws = export(village, "women", tmp_path, on=later)
    names = {r[col("name")] for r in table(ws)}
    assert "周未满" in names and "吴四九" not in names
    assert rows == len(list_women(village, later))
    assert "2027-11-25" in ws["A1"].value


def test_pregnancy_register_lists_every_pregnancy_with_dates_and_weeks(village, tmp_path):
    rows, ws = export(village, "pregnancies", tmp_path)
    with village.read() as s:
        total = s.execute(
            sa.select(sa.func.count()).select_from(Pregnancy).where(Pregnancy.deleted_at.is_(None))
        ).scalar_one()
    data = table(ws)
    assert rows == len(data) == total
    for r in data:
        lmp, edd = r[col("lmp")], r[col("edd")]
        assert isinstance(lmp, dt.datetime) and isinstance(edd, dt.datetime)
        weeks = r[col("weeks")]
        if r[col("outcome")] is None:  # open: weeks+days on the reference date
            assert weeks == f"{(TODAY - lmp.date()).days // 7}+{(TODAY - lmp.date()).days % 7}"
        else:
            assert r[col("outcome")] in {
                tr(f"vocab.outcome.{o}")
                for o in ("live_birth", "stillbirth", "miscarriage", "induced", "ectopic")
            }


# ---------------------------------------------------------------- the month's follow-ups and supplies


def test_followups_register_has_only_the_months_followups(village, tmp_path):
    rows, ws = export(village, "followups", tmp_path)
    first, last = supplies.month_bounds(YEAR, MONTH)
    with village.read() as s:
        due_dates = (
            s.execute(sa.select(Followup.due_date).where(Followup.deleted_at.is_(None))).scalars().all()
        )
    in_month = [d for d in due_dates if first <= d <= last]
    assert len(in_month) < len(due_dates)  # other months exist, and are left out
    data = table(ws)
    assert rows == len(data) == len(in_month)
    assert all(first <= r[col("due_date")].date() <= last for r in data)
    statuses = {tr(f"vocab.followup_status.{s}") for s in ("due", "done", "missed", "cancelled")}
    assert {r[col("status")] for r in data} <= statuses
    for r in data:
        assert (r[col("done_date")] is not None) == (r[col("status")] == "已完成")


def test_supply_ledger_adds_up_to_the_monthly_report(village, tmp_path):
    rows, ws = export(village, "supply_ledger", tmp_path)
    data = table(ws)
    assert rows == len(data) == len(supplies.ledger(village, YEAR, MONTH))

    change: dict[str, int] = defaultdict(int)
    by_type: dict[tuple[str, str], int] = defaultdict(int)
    for r in data:
        net = (r[col("qty_in")] or 0) - (r[col("qty_out")] or 0)
        change[r[col("item")]] += net
        by_type[r[col("item")], r[col("movement_type")]] += net
        assert isinstance(r[col("movement_date")], dt.datetime)
        assert r[col("recorded_by")]
    report = supplies.monthly_report(village, YEAR, MONTH, TODAY)
    assert any(line.issued_person for line in report)
    for line in report:
        assert change[line.name] == line.closing - line.opening, line.name
        assert -by_type[line.name, "发放到人"] == line.issued_person
        assert by_type[line.name, "入库"] == line.received
        assert -by_type[line.name, "自助发放"] == line.issued_self_service

    marks = [r[col("reversal")] for r in data]
    assert marks.count("冲正记录") == 1 and marks.count("已冲正") == 1
    reversal = next(r for r in data if r[col("reversal")] == "冲正记录")
    assert reversal[col("qty_in")] and reversal[col("reason")] == "发错了人"
    lot = cell_of(ws, col("lot"), reversal[col("lot")])
    assert (lot.data_type, lot.number_format) == ("s", "@")


# ---------------------------------------------------------------- language, cancelling, the command line


def test_english_interface_gives_english_headings_and_words(village, tmp_path, english):
    _, ws = export(village, "households", tmp_path)
    headings = [c.value for c in ws[2]]
    assert headings[:3] == ["Household no.", "Group", "Address"]
    assert "ID number" in headings
    assert ws.title == "Household register"
    assert ws["A1"].value.startswith("Household register — 红星村 — as of 2026-11-24")
    zhang = next(r for r in table(ws) if r["Name"] == "张三")
    assert (zhang["Sex"], zhang["Relation to head"], zhang["Marital status"], zhang["Residence status"]) == (
        "Male",
        "Head",
        "First marriage",
        "Resident",
    )

    _, women = export(village, "women", tmp_path)
    assert women.title == "Women aged 15–49"
    assert {r["Pregnant"] for r in table(women)} <= {"Yes", "No"}


@pytest.mark.parametrize("cancel_at", ["start", "rows", "saving"])
def test_cancel_leaves_no_file_and_keeps_an_earlier_one(village, tmp_path, monkeypatch, cancel_at):
    monkeypatch.setattr(registers_xlsx, "PROGRESS_EVERY", 20)  # several calls while the rows are written
    path = tmp_path / "households.xlsx"
    seen: list[float] = []

    def progress(fraction: float, message: str) -> bool:
        seen.append(fraction)
        if cancel_at == "start":
            return False
        if cancel_at == "rows":
            return not 0 < fraction < 0.9
        return fraction < 0.95

    with pytest.raises(Cancelled):
        export_register(village, "households", path, on=TODAY, progress=progress)
    assert list(tmp_path.iterdir()) == []

    path.write_bytes(b"the export of last week")
    with pytest.raises(Cancelled):
        export_register(village, "households", path, on=TODAY, progress=progress)
    assert list(tmp_path.iterdir()) == [path]
    assert path.read_bytes() == b"the export of last week"


def test_progress_rises_to_the_end(village, tmp_path, monkeypatch):
    monkeypatch.setattr(registers_xlsx, "PROGRESS_EVERY", 20)
    seen: list[float] = []
    export_register(
        village, "households", tmp_path / "h.xlsx", on=TODAY, progress=lambda f, m: seen.append(f) or True
    )
    assert seen[0] == 0.0 and seen[-1] == 1.0 and len(seen) > 5
    assert seen == sorted(seen)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = str(tmp_path_factory.mktemp("cli-demo"))
    assert cli.main(["--data-dir", folder, "demo", "--people", "200", "--quiet"]) == 0
    return folder


@pytest.mark.parametrize("register", REGISTERS)
def test_the_command_line_writes_each_register(demo_folder, tmp_path, capsys, register):
    out = tmp_path / f"{register}.xlsx"
    assert cli.main(["--data-dir", demo_folder, "export", "--register", register, "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    ws = load_workbook(out).worksheets[0]
    rows = ws.max_row - 2
    assert line == tr("registers.cli_done", register=register_title(register), rows=rows, path=str(out))
    assert ws["A2"].value and ws.freeze_panes == "A3"


def test_the_command_line_exports_a_chosen_month_and_group(demo_folder, tmp_path, capsys):
    out = tmp_path / "f.xlsx"
    last_month = clock.today().replace(day=1) - dt.timedelta(days=1)  # the demo is made for the real today
    month = f"{last_month:%Y-%m}"
    argv = ["--data-dir", demo_folder, "export", "--register", "followups", "--month", month]
    assert cli.main([*argv, "--group", "1", "--out", str(out), "--quiet"]) == 0
    ws = load_workbook(out).worksheets[0]
    data = table(ws)
    assert data and {r[col("group")] for r in data} == {1}
    assert all(r[col("due_date")].strftime("%Y-%m") == month for r in data)
    assert f"{last_month.year}年{last_month.month}月" in ws["A1"].value
    assert capsys.readouterr().err == ""
