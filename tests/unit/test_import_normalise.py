"""The cells of a register made into the forms' values (issue 17): dates in every form, group names, words of the
code lists, phone numbers and ID numbers as Excel keeps them."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import DomainError
from app.services.registers_import import normalise as norm

MAY_3 = dt.date(2024, 5, 3)


@pytest.mark.parametrize(
    "cell",
    ["20240503", "2024-5-3", "2024.5.3", "2024/5/3", "2024年5月3日", "２０２４－０５－０３", " 2024-05-03 ",
     "2024/5/3 0:00:00", MAY_3, dt.datetime(2024, 5, 3), 20240503.0, 45415.0, "45415"],
)  # fmt: skip
def test_every_date_form(cell):
    assert norm.date(cell, "birth_date") == norm.ReadDate(MAY_3)


@pytest.mark.parametrize("cell", ["2024.05", "2024-5", "2024年5月", "202405", 2024.05])
def test_a_month_alone(cell):
    assert norm.date(cell, "birth_date") == norm.ReadDate(dt.date(2024, 5, 1), month_only=True)


@pytest.mark.parametrize("cell", ["2024-13-01", "2024.13", "昨天", "2024-02-30", 99999999.0])
def test_dates_that_are_not(cell):
    with pytest.raises(DomainError) as e:
        norm.date(cell, "birth_date")
    assert e.value.field == "birth_date"


def test_empty_date_is_none():
    assert norm.date("", "birth_date") is None and norm.date("  ", "birth_date") is None


@pytest.mark.parametrize(
    "cell,number",
    [("1组", 1), ("一组", 1), ("第一组", 1), ("01", 1), (1.0, 1), (3, 3), ("第3组", 3), ("十二组", 12),
     ("二十一组", 21), ("三社", 3), ("第五村民小组", 5), ("东山组", 7)],
)  # fmt: skip
def test_group_names(cell, number):
    assert norm.group(cell, {"东山组": 7}) == number


def test_group_unreadable():
    with pytest.raises(DomainError) as e:
        norm.group("后山", {})
    assert e.value.field == "group_no"


@pytest.mark.parametrize(
    "kind,word,code",
    [("marital_status", "已婚", "first_marriage"), ("marital_status", "离异", "divorced"), ("relation", "妻", "spouse"),
     ("relation", "长子", "son"), ("relation", "儿媳", "daughter_in_law"), ("method", "上环", "iud"),
     ("method", "女扎", "female_sterilisation"), ("method", "ＩＵＤ", "iud"), ("residence_status", "外出务工", "out_migrant"),
     ("sex", "女", "F")],
)  # fmt: skip
def test_words_to_codes(kind, word, code):
    assert norm.code(kind, word, kind) == code


def test_an_unknown_word_is_quoted():
    with pytest.raises(DomainError) as e:
        norm.code("relation", "表舅妈", "relation")
    assert "表舅妈" in e.value.message()


def test_phone_without_point_zero():
    assert norm.phone(13392655486.0) == "13392655486"
    assert norm.phone("13392655486.0") == "13392655486"
    assert norm.phone("１３３９２６５５４８６") == "13392655486"


def test_an_id_number_kept_as_a_number_is_refused():
    with pytest.raises(DomainError) as e:
        norm.id_number(6.20422199001011e17, "id_number")
    assert "文本" in e.value.message()


def test_titles_compared_loosely():
    assert norm.title_key("出生日期（年月日）") == "出生日期" and norm.title_key(" 姓 名* ") == "姓名"
