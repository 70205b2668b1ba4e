"""Importing the registers villages keep (issue 17): files in several layouts, what is added, updated and
refused (with Excel's row numbers and the reasons), the backup first, one transaction that a cancel undoes, a
second import that changes nothing, the refused rows as a file to correct, and `fhdesk import-excel`."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from app import cli
from app.backups import list_backups
from app.db import Database, open_database
from app.errors import DomainError
from app.i18n import set_language
from app.models import ContraceptiveEpisode, Household, Person, VitalEvent
from app.progress import Cancelled
from app.reports.import_refused_xlsx import write_refused_rows
from app.services import registers_import as ri
from app.services.village import set_up_village
from app.vocab import ContraceptiveMethod, MaritalStatus, Relation, ResidenceStatus
from tests import registers_files as rf
from tests.conftest import SETUP, TODAY

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "household-register-sample.xlsx"  # ../shared/samples


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh_CN")
    yield
    set_language("zh_CN")


def state(db: Database) -> dict[str, set[tuple[str, int]]]:
    """Every row of the tables an import writes, as (id, rev): equal states mean nothing changed."""
    with db.read() as s:
        return {
            m.__tablename__: set(s.execute(sa.select(m.id, m.rev)).all())
            for m in (Household, Person, ContraceptiveEpisode, VitalEvent)
        }


def people(db: Database) -> dict[str, Person]:
    with db.read() as s:
        return {p.name: p for p in s.execute(sa.select(Person)).scalars()}


def refused(plan: ri.ImportPlan) -> dict[int, str]:
    return {r.excel_row: r.reason for r in plan.rows() if r.status == ri.REFUSED}


def test_household_register_with_title_shuffled_columns_every_date_form(db, officer, tmp_path):
    path = tmp_path / "户籍.xlsx"
    expected = rf.household_register(path)
    source = ri.open_source(path)
    (layout,) = source.layouts
    assert (layout.first_header_row, layout.last_header_row) == (2, 2)  # Excel's row 3, under a title
    plan = ri.preview(db, officer, source, TODAY)
    assert plan.added == expected["added"] and plan.updated == 0
    reasons = refused(plan)
    assert set(reasons) == set(expected["refused"])  # the blank row 8 and the totals row are not rows at all
    for row, word in expected["refused"].items():
        assert word in reasons[row], (row, reasons[row])

    result = ri.import_register(db, officer, source, TODAY)
    assert result.plan.added == expected["added"]
    found = people(db)
    assert found["张建国"].phone == "13912345678"  # a number cell, without its .0
    assert found["李秀兰"].id_number == rf.id_of(dt.date(1972, 6, 9), 2, rf.Sex.FEMALE)  # full-width
    assert found["李秀兰"].residence_status == ResidenceStatus.OUT_MIGRANT
    assert found["张小明"].id_number == rf.id_of(dt.date(1995, 1, 20), 3, rf.Sex.MALE)  # spaces inside
    assert found["钱多多"].id_number.endswith("X")  # typed with a lower-case x
    assert found["王小虎"].birth_date == dt.date(1988, 8, 8)  # an Excel serial day
    assert found["王二妹"].birth_date == dt.date(1990, 10, 1)  # a month alone, agreeing with the ID
    assert found["张小红"].relation == Relation.DAUGHTER and found["李秀兰"].relation == Relation.SPOUSE
    with db.read() as s:
        homes = dict(s.execute(sa.select(Household.household_no, Household.head_person_id)).all())
        groups = dict(s.execute(sa.select(Household.household_no, Household.group_no)).all())
    assert set(homes) == {"1-01", "2-01", "2-02"}  # no household is made for refused rows
    assert homes["1-01"] == found["张建国"].id and groups == {"1-01": 1, "2-01": 2, "2-02": 2}


def test_second_import_of_the_same_file_changes_nothing(db, officer, tmp_path):
    path = tmp_path / "户籍.xlsx"
    rf.household_register(path)
    source = ri.open_source(path)
    ri.import_register(db, officer, source, TODAY)
    before = state(db)
    again = ri.import_register(db, officer, ri.open_source(path), TODAY)
    assert (again.plan.added, again.plan.updated) == (0, 0)
    assert (
        again.plan.unchanged == 9 and again.plan.refused == 5
    )  # the same rows refused, for the same reasons
    assert state(db) == before


def test_women_register_two_row_header_spouse_method_and_a_second_sheet(db, officer, tmp_path):
    path = tmp_path / "育龄妇女.xlsx"
    expected = rf.women_register(path)
    source = ri.open_source(path)
    women, extra = source.layouts
    assert women.women_register and (women.first_header_row, women.last_header_row) == (1, 2)
    assert women.fields[2:7] == ("name", "id_number", "marital_status", "spouse_name", "spouse_id_number")
    plan = ri.import_register(db, officer, source, TODAY).plan
    assert refused(plan) == {
        expected["refused_row"]: "育龄妇女花名册中出现了男性（按身份证号或性别），请核对。"
    }
    assert plan.added == expected["women_added"] + expected["second_added"]
    found = people(db)
    assert "错男人" not in found
    husband, wife = found["刘强"], found["陈美丽"]
    assert husband.household_id == wife.household_id and husband.sex == "M"
    assert husband.marital_status == MaritalStatus.FIRST_MARRIAGE
    assert "马力" not in found  # given without an ID number: his birth date is unknown
    warned = next(r for r in plan.rows() if r.name == "何丽")
    assert any("马力" in w for w in warned.warnings)
    with db.read() as s:
        episodes = {e.person_id: e for e in s.execute(sa.select(ContraceptiveEpisode)).scalars()}
        numbers = set(s.execute(sa.select(Household.household_no)).scalars())
    iud = episodes[wife.id]
    assert iud.method == ContraceptiveMethod.IUD and iud.counselled_on is None and iud.start_date == TODAY
    assert "导入" in iud.counselling_notes  # marked as imported
    assert episodes[found["何丽"].id].method == ContraceptiveMethod.CONDOM
    assert "5-03" not in numbers and {"5-01", "5-02", "5-04", "6-01"} <= numbers
    assert found["黄老汉"].relation == Relation.HEAD
    again = ri.preview(db, officer, ri.open_source(path), TODAY)
    assert (again.added, again.updated, again.refused) == (0, 0, 1)


def test_csv_in_gb18030(db, officer, tmp_path):
    path = tmp_path / "register.csv"
    rf.gb18030_csv(path)
    plan = ri.import_register(db, officer, ri.open_source(path), TODAY).plan
    assert (plan.added, plan.refused) == (2, 0)
    found = people(db)
    assert found["欧阳娜娜"].phone == "13392655486"
    assert found["欧阳锋"].relation == Relation.SPOUSE


def test_old_xls_saved_by_wps(db, officer):
    source = ri.open_source(DATA / "register_wps.xls")
    (layout,) = source.layouts
    assert layout.fields[:7] == (
        "household_no",
        "group",
        "name",
        "id_number",
        "birth_date",
        "relation",
        "phone",
    )
    plan = ri.import_register(db, officer, source, TODAY).plan
    assert (plan.added, plan.updated) == (5, 0)
    assert set(refused(plan)) == {9}
    assert "校验位" in refused(plan)[9]
    found = people(db)
    assert found["马春生"].phone == "13709876543" and found["杜秋菊"].birth_date == dt.date(1970, 11, 3)


def test_sample_register(db, officer):
    plan = ri.import_register(db, officer, ri.open_source(SAMPLE), TODAY).plan
    # ten wives are marked 外出 with no destination: the form's rule asks for one
    assert (plan.added, plan.updated, plan.refused) == (92, 0, 10)
    assert all("外出" in r.reason for r in plan.rows() if r.status == ri.REFUSED)


def test_rows_update_field_by_field(db, officer, tmp_path):
    path = tmp_path / "a.xlsx"
    rf.household_register(path)
    ri.import_register(db, officer, ri.open_source(path), TODAY)
    wb = Workbook()
    ws = wb.active
    ws.append(["身份证号", "姓名", "婚姻状况", "联系电话", "户编号"])
    ws.append([rf.id_of(dt.date(1998, 12, 1), 4, rf.Sex.FEMALE), "张小红", "初婚", "13700000001", "1-01"])
    ws.append([rf.id_of(dt.date(1995, 1, 20), 3, rf.Sex.MALE), "张小明", "未婚", "", "2-02"])  # moved
    ws.append([rf.id_of(dt.date(1960, 7, 15), 5, rf.Sex.MALE), "王大山", "", "", ""])  # nothing new
    update = tmp_path / "b.xlsx"
    wb.save(update)
    plan = ri.preview(db, officer, ri.open_source(update), TODAY)
    assert (plan.added, plan.updated, plan.unchanged) == (0, 2, 1)
    rows = {r.name: r for r in plan.rows()}
    assert {(c.field, c.old, c.new) for c in rows["张小红"].changes} == {
        ("marital_status", "未婚", "初婚"),
        ("phone", "", "13700000001"),
    }
    assert [(c.field, c.old, c.new) for c in rows["张小明"].changes] == [("household", "1-01", "2-02")]
    ri.import_register(db, officer, ri.open_source(update), TODAY)
    found = people(db)
    assert found["张小红"].marital_status == MaritalStatus.FIRST_MARRIAGE and found["张小红"].rev == 2
    with db.read() as s:
        marriages = s.execute(sa.select(VitalEvent).where(VitalEvent.person_id == found["张小红"].id)).all()
        home = s.execute(sa.select(Household.id).where(Household.household_no == "2-02")).scalar()
    assert len(marriages) == 1  # the same rule as the member form: becoming married is a vital event
    assert found["张小明"].household_id == home


def test_backup_first_and_a_cancel_leaves_nothing(db, officer, tmp_path):
    path = tmp_path / "a.xlsx"
    rf.household_register(path)
    before = state(db)
    seen: list[float] = []

    def cancel_while_saving(fraction: float, message: str) -> bool:
        seen.append(fraction)
        return "人员" not in message  # "正在保存人员…": Cancel pressed after the households were written

    with pytest.raises(Cancelled):
        ri.import_register(db, officer, ri.open_source(path), TODAY, progress=cancel_while_saving)
    assert state(db) == before
    assert [b.label for b in list_backups(db.path.parent / "backups")] == ["before-import"]
    result = ri.import_register(db, officer, ri.open_source(path), TODAY, progress=lambda f, m: True)
    assert result.backup is not None and result.backup.exists()
    assert result.plan.added == 9 and state(db) != before


def test_a_column_the_officer_maps(db, officer, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["户号", "组", "人名", "身份证号"])
    ws.append(["9-01", "1", "郑和", rf.id_of(dt.date(1971, 7, 11), 70, rf.Sex.MALE)])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    source = ri.open_source(path)
    assert "import.unsure_unknown_titles" in source.layouts[0].unsure
    assert ri.preview(db, officer, source, TODAY).refused == 1  # without a name
    fixed = source.with_fields(source.layouts[0].sheet, {2: "name"})
    assert fixed.layouts[0].unsure == ()
    plan = ri.import_register(db, officer, fixed, TODAY).plan
    assert plan.added == 1 and "郑和" in people(db)


def test_refused_rows_saved_to_correct_and_import_again(db, officer, tmp_path):
    path = tmp_path / "a.xlsx"
    rf.household_register(path)
    plan = ri.import_register(db, officer, ri.open_source(path), TODAY).plan
    out = tmp_path / "refused.xlsx"
    assert write_refused_rows(out, plan) == 5
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[0][-2:] == ["原表行号", "拒绝原因"] and rows[0][1] == "姓名"
    assert [int(r[-2]) for r in rows[1:]] == [14, 15, 16, 17, 18]
    assert "外出" in rows[-1][-1]
    again = ri.open_source(out)
    assert again.layouts[0].unsure == ()  # the two added columns are known and passed over
    plan = ri.preview(db, officer, again, TODAY)
    # the duplicate of 张建国 is now simply the person imported before: nothing to change
    assert (plan.refused, plan.unchanged) == (4, 1)


def test_files_that_are_not_registers(tmp_path):
    with pytest.raises(DomainError) as e:
        ri.open_source(tmp_path / "none.xlsx")
    assert "找不到" in e.value.message()
    text = tmp_path / "a.docx"
    text.write_text("x")
    with pytest.raises(DomainError):
        ri.open_source(text)
    wb = Workbook()
    wb.active.append(["日期", "金额"])
    wb.save(tmp_path / "b.xlsx")
    with pytest.raises(DomainError) as e:
        ri.open_source(tmp_path / "b.xlsx")
    assert "没有找到登记表" in e.value.message()
    with pytest.raises(DomainError):
        ri.open_source(SAMPLE, sheet="没有这个表")


@pytest.fixture
def village(tmp_path, monkeypatch):
    folder = tmp_path / "village"
    folder.mkdir()
    db = open_database(folder / "fhdesk.sqlite")
    set_up_village(db, SETUP)
    db.dispose()
    monkeypatch.setattr(cli, "today", lambda: TODAY)
    return folder


def test_cli_import_excel(village, tmp_path, capsys):
    path = tmp_path / "户籍.xlsx"
    rf.household_register(path)
    argv = ["--data-dir", str(village), "import-excel", str(path)]
    assert cli.main([*argv, "--dry-run", "--quiet"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == "rows: added 9, updated 0, refused 5"
    assert any("第 14 行" in line and "校验位" in line for line in out)
    refused_file = tmp_path / "refused.xlsx"
    assert cli.main([*argv, "--quiet", "--refused", str(refused_file)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "rows: added 9, updated 0, refused 5"
    assert refused_file.exists()
    assert cli.main([*argv, "--quiet"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "rows: added 0, updated 0, refused 5"
    assert cli.main([*argv, "--sheet", "没有", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "没有名为“没有”的工作表" in err[0]


def test_copy_of_sample_in_another_sheet_name(db, officer, tmp_path):
    copy = tmp_path / "sample.xlsx"
    shutil.copyfile(SAMPLE, copy)
    assert ri.preview(db, officer, ri.open_source(copy, sheet="户籍人口"), TODAY).added == 92
