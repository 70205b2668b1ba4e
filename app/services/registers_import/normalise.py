"""Cells as the registers hold them, made into the values the forms take: full-width characters, spaces and a
lower-case x, dates in every form villages type (or Excel date cells and serial numbers), group names, the words
for sex, relation, marital and residence status and methods, and phone numbers without the `.0` a number cell
brings. A value that cannot be read raises a DomainError naming its field, in words an officer can act on.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from app.assets import resource
from app.errors import DomainError
from app.services.registers_import.reader import Cell
from app.services.validation import echo, parse_date

SYNONYMS_FILE = resource("import", "synonyms.json")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug included)
SERIAL_RANGE = (1, 73050)  # 1900-01-01 .. 2099-12-31
_SPACES = re.compile(r"\s+")
_MONTH_ONLY = (
    re.compile(r"^(\d{4})[-./](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)
_TIME_TAIL = re.compile(r"[T\s]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_GROUP_WORDS = re.compile(r"^第?(.+?)(?:村民小组|小组|组|社|队|生产队|村民组)?$")


@dataclass(frozen=True)
class Vocabulary:
    """The synonym table (resources/import/synonyms.json): column titles by field, and words by code."""

    titles: dict[str, str]  # normalised title -> field
    words: dict[str, dict[str, str]]  # kind -> normalised word -> code


@cache
def vocabulary() -> Vocabulary:
    with open(SYNONYMS_FILE, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    titles: dict[str, str] = {}
    for field, names in data["fields"].items():
        for name in names:
            titles.setdefault(title_key(name), field)
    words: dict[str, dict[str, str]] = {}
    for kind, codes in data["words"].items():
        table = words.setdefault(kind, {})
        for code, spelled in codes.items():
            table[word_key(code)] = code
            for word in spelled:
                table.setdefault(word_key(word), code)
    return Vocabulary(titles, words)


def title_key(text: str) -> str:
    """A column title as compared with the table: ASCII for full-width, no spaces, asterisks or colons, and
    without a trailing explanation in brackets (出生日期（年月日） -> 出生日期)."""
    t = unicodedata.normalize("NFKC", text)
    t = _SPACES.sub("", t).replace("*", "").replace(":", "").replace("※", "")
    t = re.sub(r"\([^()]*\)$", "", t)
    return t.lower()


def word_key(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).lower()


def text(cell: Cell) -> str:
    """A cell as text: full-width characters made ASCII, surrounding spaces dropped, a whole number without
    its `.0`, a date as YYYY-MM-DD."""
    if isinstance(cell, str):
        return unicodedata.normalize("NFKC", cell).strip()
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def name(cell: Cell) -> str:
    """A person's name: no spaces inside (张 三 is 张三), full-width letters made ASCII."""
    return _SPACES.sub("", text(cell))


def shown(cell: Cell) -> str:
    """A cell as the officer sees it in Excel, for the file of refused rows and the preview."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ") if cell.time() != dt.time() else cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def id_number(cell: Cell, field: str) -> str:
    """The ID number's text; a number cell is refused: Excel keeps 15 digits of a number, the rest are lost."""
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        raise DomainError("import.id_stored_as_number", field)
    return text(cell)


def phone(cell: Cell) -> str:
    """A phone as typed: a number cell (13392655486.0) without its `.0`, full-width digits made ASCII."""
    value = text(cell)
    if re.fullmatch(r"\d+\.0+", value):
        value = value.split(".")[0]
    return value


@dataclass(frozen=True)
class ReadDate:
    value: dt.date
    month_only: bool = False  # 2024.05, 2024年5月: the day is not known


def date(cell: Cell, field: str) -> ReadDate | None:
    """A date in any form the registers hold: a date cell, an Excel serial number, 20240503, 2024-5-3, 2024.5.3,
    2024/5/3, 2024年5月3日, or a month alone (2024.05, 2024-05, 2024年5月, 202405). Empty is None."""
    if isinstance(cell, dt.datetime):
        return ReadDate(cell.date())
    if isinstance(cell, dt.date):
        return ReadDate(cell)
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        return _number_date(float(cell), field)
    raw = text(cell)
    if not raw:
        return None
    compact = (_TIME_TAIL.sub("", raw) if ":" in raw else raw).replace(" ", "")
    for pattern in _MONTH_ONLY:
        m = pattern.match(compact)
        if m:
            return _month(int(m[1]), int(m[2]), raw, field)
    if re.fullmatch(r"\d{1,5}(\.0+)?", compact):  # a serial number kept as text (a CSV saved from Excel)
        return _number_date(float(compact), field)
    return ReadDate(parse_date(compact, field))


def _month(year: int, month: int, raw: str, field: str) -> ReadDate:
    if not 1 <= month <= 12:
        raise DomainError("date.invalid", field, value=echo(raw))
    return ReadDate(dt.date(year, month, 1), month_only=True)


def _number_date(value: float, field: str) -> ReadDate:
    """A number in a date column: 20240503 typed as a number, 2024.05 (a month), or Excel's serial day."""
    if value.is_integer() and 19000101 <= value <= 29991231:
        return ReadDate(parse_date(str(int(value)), field))
    if 1900 <= value < 3000 and not value.is_integer():
        year, decimals = repr(value).split(".")
        return _month(int(year), int(decimals), repr(value), field)
    if value.is_integer() and SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
        return ReadDate(EXCEL_EPOCH + dt.timedelta(days=int(value)))
    raise DomainError("date.invalid", field, value=echo(text(value)))


def code(kind: str, cell: Cell, field: str) -> str | None:
    """The code of a word of the catalogue (初婚 -> first_marriage, 妻 -> spouse, 上环 -> iud); empty is None; a
    word the table does not know is refused, quoting it."""
    raw = text(cell)
    if not raw:
        return None
    found = vocabulary().words[kind].get(word_key(raw))
    if found is None:
        raise DomainError("import.unknown_word", field, value=echo(raw))
    return found


def chinese_number(raw: str) -> int | None:
    """一 .. 九十九 (十一, 二十, 二十三; 〇/零 as a digit): the number, or None for anything else."""
    if not raw or any(c not in _NUMERALS and c != "十" for c in raw):
        return None
    if "十" not in raw:
        value = 0
        for c in raw:
            value = value * 10 + _NUMERALS[c]
        return value
    tens, _, units = raw.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return None
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[units] if units else 0)


def group(cell: Cell, names: dict[str, int], field: str = "group_no") -> int | None:
    """The villager group's number: 1, 01, 1.0, 1组, 一组, 第一组, 第1组, 一社, or the group's name as the village
    set it up. Empty is None."""
    raw = text(cell)
    if not raw:
        return None
    key = word_key(raw)
    for group_name, group_no in names.items():
        if word_key(group_name) == key:
            return group_no
    m = _GROUP_WORDS.match(key)
    core = m[1] if m else key
    if core.isdigit():
        return int(core)
    number = chinese_number(core)
    if number is None or number < 1:
        raise DomainError("import.group_unreadable", field, value=echo(raw))
    return number
