"""Register files the import tests make: the layouts villages really keep (title rows, merged two-row headers,
columns in any order, dates in every form, full-width ID numbers, totals and blank rows, several sheets, CSV in
GB18030) — built here, so every expectation is next to the file it is about."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from app.services import identity
from app.vocab import Sex

AREA = "620422"


def id_of(birth: dt.date, seq: int, sex: Sex) -> str:
    return identity.make(AREA, birth, seq, sex)


def id_ending_in_x(birth: dt.date, sex: Sex) -> str:
    """A valid number whose check character is X (typed in lower case by many)."""
    return next(n for seq in range(500) if (n := id_of(birth, seq, sex)).endswith("X"))


def wrong_check(number: str) -> str:
    """The number with another check character: one digit typed wrong."""
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def full_width(text: str) -> str:
    """１２３…Ｘ as a Chinese input method types them."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def household_register(path: Path) -> dict[str, object]:
    """A household register with a title row, a blank row, shuffled columns, every date form, full-width and
    spaced IDs, a blank separator row, a refused row or two and a totals row. Returns what the test expects."""
    wb = Workbook()
    ws = wb.active
    ws.title = "户籍"
    ws.append(["红星村户籍人口登记表（2026年）"])
    ws.append([])
    ws.append(
        [
            "序号",
            "姓名",
            "公民身份号码",
            "户号",
            "与户主关系",
            "出生年月",
            "性别",
            "组别",
            "婚姻状况",
            "手机",
            "居住状况",
            "外出地点",
            "备注",
        ]
    )
    rows = [
        # name, id, household, relation, birth cell, sex, group, marital, phone, residence, place
        (
            "张建国",
            id_of(dt.date(1970, 3, 5), 1, Sex.MALE),
            "1-01",
            "户主",
            "19700305",
            "男",
            "1组",
            "初婚",
            13912345678.0,
            "常住",
            "",
        ),
        (
            "李秀兰",
            full_width(id_of(dt.date(1972, 6, 9), 2, Sex.FEMALE)),
            "1-01",
            "妻",
            "1972-6-9",
            "女",
            "一组",
            "初婚",
            "",
            "外出",
            "广东东莞",
        ),
        (
            "张小明",
            " ".join(id_of(dt.date(1995, 1, 20), 3, Sex.MALE)[i : i + 6] for i in (0, 6, 12)),
            "1-01",
            "子",
            "1995.1.20",
            "男",
            "第一组",
            "未婚",
            "",
            "常住",
            "",
        ),
        (
            "张小红",
            id_of(dt.date(1998, 12, 1), 4, Sex.FEMALE),
            "1-01",
            "女",
            "1998/12/1",
            "女",
            "01",
            "未婚",
            "",
            "常住",
            "",
        ),
        None,  # a blank separator row
        (
            "王大山",
            id_of(dt.date(1960, 7, 15), 5, Sex.MALE),
            "2-01",
            "户主",
            "1960年7月15日",
            "男",
            2.0,
            "初婚",
            "",
            "常住",
            "",
        ),
        (
            "赵桂英",
            id_of(dt.date(1963, 2, 28), 6, Sex.FEMALE),
            "2-01",
            "妻",
            dt.date(1963, 2, 28),
            "女",
            "二组",
            "初婚",
            "",
            "常住",
            "",
        ),
        (
            "王小虎",
            id_of(dt.date(1988, 8, 8), 7, Sex.MALE),
            "2-01",
            "子",
            32363.0,
            "男",
            "2",
            "初婚",
            "",
            "常住",
            "",
        ),  # Excel serial
        (
            "王二妹",
            id_of(dt.date(1990, 10, 1), 8, Sex.FEMALE),
            "2-01",
            "女",
            "1990.10",
            "女",
            "2组",
            "未婚",
            "",
            "常住",
            "",
        ),  # month only
        (
            "钱多多",
            id_ending_in_x(dt.date(1985, 4, 4), Sex.MALE).lower(),
            "2-02",
            "户主",
            19850404.0,
            "男",
            "2",
            "未婚",
            "",
            "常住",
            "",
        ),
        (
            "孙悟空",
            wrong_check(id_of(dt.date(1990, 1, 1), 13, Sex.MALE)),
            "3-01",
            "户主",
            "1990-01-01",
            "男",
            "3",
            "未婚",
            "",
            "常住",
            "",
        ),  # bad check digit
        (
            "",
            id_of(dt.date(1980, 1, 1), 10, Sex.MALE),
            "3-01",
            "户主",
            "1980-01-01",
            "男",
            "3",
            "未婚",
            "",
            "常住",
            "",
        ),  # no name
        (
            "张建国",
            id_of(dt.date(1970, 3, 5), 1, Sex.MALE),
            "1-01",
            "户主",
            "19700305",
            "男",
            "1",
            "初婚",
            "",
            "常住",
            "",
        ),  # twice
        (
            "周某某",
            id_of(dt.date(1975, 5, 5), 11, Sex.FEMALE),
            "3-02",
            "户主",
            "1975-05-06",
            "女",
            "3",
            "离婚",
            "",
            "常住",
            "",
        ),  # birth vs ID
        (
            "吴外出",
            id_of(dt.date(1982, 2, 2), 12, Sex.MALE),
            "3-02",
            "子",
            "1982-02-02",
            "男",
            "3",
            "未婚",
            "",
            "外出",
            "",
        ),  # no place
    ]
    for i, r in enumerate(rows, start=1):
        if r is None:
            ws.append([])
            continue
        name, idn, number, relation, birth, sex, group, marital, phone, residence, place = r
        ws.append([i, name, idn, number, relation, birth, sex, group, marital, phone, residence, place, ""])
    ws.append(["合计", "", "", "", "", "", "", "", "", "", "", "", "共 15 人"])
    wb.save(path)
    # Excel rows: title 1, blank 2, header 3, data from 4; the blank separator is row 8
    return {
        "added": 9,
        "refused": {
            14: "校验位",  # bad check character
            15: "姓名",  # no name
            16: "第 4 行",  # same person as row 4
            17: "出生日期",  # birth date disagrees with the ID
            18: "外出地点",  # out-migrant without destination
        },
        "households": 3,  # 1-01, 2-01, 2-02 (3-01 and 3-02 have no accepted row... 3-02's head is refused)
    }


def women_register(path: Path) -> dict[str, object]:
    """A register of women of reproductive age with a merged two-row header: 丈夫信息 over 姓名 / 身份证号,
    a method column, and a man by mistake. Two sheets: the second is a short household register."""
    wb = Workbook()
    ws = wb.active
    ws.title = "育龄妇女花名册"
    ws.append(["育龄妇女花名册"])
    ws.append(["户编号", "组", "基本情况", "", "", "丈夫信息", "", "避孕措施", "联系电话"])
    ws.append(["", "", "姓名", "身份证号", "婚姻状况", "姓名", "身份证号", "", ""])
    for col in ("A", "B", "H", "I"):
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("C2:E2")
    ws.merge_cells("F2:G2")
    ws.append(
        [
            "5-01",
            "一组",
            "陈美丽",
            id_of(dt.date(1990, 5, 1), 20, Sex.FEMALE),
            "初婚",
            "刘强",
            id_of(dt.date(1988, 3, 3), 21, Sex.MALE),
            "上环",
            "13800001111",
        ]
    )
    ws.append(
        ["5-02", "一组", "何丽", id_of(dt.date(1992, 9, 9), 22, Sex.FEMALE), "初婚", "马力", "", "避孕套", ""]
    )
    ws.append(["5-03", "二组", "错男人", id_of(dt.date(1991, 1, 1), 23, Sex.MALE), "初婚", "", "", "", ""])
    ws.append(["5-04", "二组", "林妹", id_of(dt.date(2000, 2, 2), 24, Sex.FEMALE), "未婚", "", "", "", ""])
    second = wb.create_sheet("补充户")
    second.append(["户号", "姓名", "身份证号", "与户主关系", "组"])
    second.append(["6-01", "黄老汉", id_of(dt.date(1950, 6, 6), 30, Sex.MALE), "户主", "3"])
    second.append(["6-01", "黄老太", id_of(dt.date(1952, 7, 7), 31, Sex.FEMALE), "妻", "3"])
    wb.save(path)
    return {"women_added": 3, "refused_row": 6, "spouse": "刘强", "second_added": 2}


def gb18030_csv(path: Path) -> None:
    """The household register saved as CSV by Excel on a Chinese Windows: GB18030, phone numbers as text."""
    rows = [
        ["户编号", "组", "姓名", "身份证号", "与户主关系", "联系电话"],
        ["7-01", "1", "欧阳娜娜", id_of(dt.date(1993, 3, 3), 40, Sex.FEMALE), "户主", "13392655486.0"],
        ["7-01", "1", "欧阳锋", id_of(dt.date(1990, 4, 4), 41, Sex.MALE), "夫", ""],
    ]
    with open(path, "w", encoding="gb18030", newline="") as f:
        csv.writer(f).writerows(rows)
