"""Field rules shared by the forms: phone numbers, dates, free text, birth and marriage dates. Each failure
names its field and never repeats a long input back (a refusal shows at most a short, cleaned excerpt)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from app.errors import DomainError

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
# The earliest birth date a record may hold: nobody born before 1900 lives in the village.
EARLIEST_BIRTH = dt.date(1900, 1, 1)
# Marriage: refused before this age, saved with a warning before the legal age (Civil Code art. 1047).
YOUNGEST_MARRIAGE = 15
LEGAL_MARRIAGE_AGE = {"M": 22, "F": 20}
# Shown back in a refusal: at most this many characters of what was typed.
ECHO_MAX = 20
# Bidirectional embeddings, overrides and isolates: they reorder how the text around them is displayed.
_BIDI = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C))
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)


def clean_phone(raw: str | None, field: str = "phone") -> str | None:
    """A mainland mobile (11 digits from 1) or a landline with its area code; empty is allowed."""
    if raw is None:
        return None
    phone = re.sub(r"[\s\u3000]", "", unicodedata.normalize("NFKC", raw))  # full-width digits become ASCII
    if not phone:
        return None
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return phone
    raise DomainError("phone.invalid", field, value=echo(phone))


def parse_date(raw: str, field: str) -> dt.date:
    """Read a date typed as 20240503, 2024-5-3, 2024.5.3, 2024/5/3 or 2024年5月3日."""
    text = raw.strip().replace(" ", "")
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                break
    raise DomainError("date.invalid", field, value=echo(raw.strip()))


def not_in_future(value: dt.date | None, today: dt.date, field: str) -> None:
    if value is not None and value > today:
        raise DomainError("date.in_future", field, value=value.isoformat())


def character_problem(char: str, multiline: bool = False) -> str | None:
    """Why `char` may not be stored in a text field, as a message id, or None when it may.

    Refused: control characters (NUL, BEL, ESC, …; a multi-line note keeps tab and line breaks), line and
    paragraph separators, bidirectional overrides and isolates (they make text display in another order than
    it is stored), zero-width and other invisible format characters (U+200B–U+200D, U+2060, U+FEFF, …), and
    lone surrogates (half of a character, which cannot be saved at all). Private-use characters stay
    allowed: some rare characters in names are only typed that way."""
    category = unicodedata.category(char)
    if category == "Cs":
        return "text.broken_character"
    if char in _BIDI:
        return "text.direction_character"
    if category == "Cf":
        return "text.invisible_character"
    if category in ("Cc", "Zl", "Zp"):
        if multiline and char in "\t\n\r":
            return None
        return "text.control_character"
    return None


def check_characters(text: str, field: str, multiline: bool = False) -> str:
    """`text` unchanged when every character may be stored; DomainError naming `field` otherwise (the message
    says what kind of character is there, never the text)."""
    if text.isprintable():  # the common case, in C: no control, format, separator or surrogate character
        return text
    for char in text:
        problem = character_problem(char, multiline)
        if problem is not None:
            raise DomainError(problem, field)
    return text


def printable(text: str) -> str:
    """`text` without the characters check_characters refuses (for a search box: harmless, never refused)."""
    if text.isprintable():
        return text
    return "".join(c for c in text if character_problem(c) is None)


def echo(value: str) -> str:
    """What a refusal may show of the typed value: cleaned, and at most ECHO_MAX characters."""
    shown = printable(value)
    return shown if len(shown) <= ECHO_MAX else shown[: ECHO_MAX - 1] + "…"


def required_text(value: str | None, field: str, max_len: int, *, multiline: bool = False) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError("field.required", field)
    if len(text) > max_len:
        raise DomainError("field.too_long", field, max=max_len)
    return check_characters(text, field, multiline)


def optional_text(value: str | None, field: str, max_len: int, *, multiline: bool = False) -> str:
    text = (value or "").strip()
    if len(text) > max_len:
        raise DomainError("field.too_long", field, max=max_len)
    return check_characters(text, field, multiline)


def check_birth_date(value: dt.date, today: dt.date, field: str = "birth_date") -> dt.date:
    """A birth date on or before today, and not before 1900."""
    not_in_future(value, today, field)
    if value < EARLIEST_BIRTH:
        raise DomainError("date.birth_too_old", field, year=EARLIEST_BIRTH.year)
    return value


def check_marriage_age(
    birth: dt.date, marriage: dt.date, sex: str | None, field: str = "marriage_date"
) -> str | None:
    """Refuse a marriage before 15 full years; return the warning's message id when it is before the legal
    age for the person's sex (men 22, women 20), else None."""
    age = full_years(birth, marriage)
    if age < YOUNGEST_MARRIAGE:
        raise DomainError("person.marriage_too_young", field, age=age, youngest=YOUNGEST_MARRIAGE)
    legal = LEGAL_MARRIAGE_AGE.get(sex or "")
    if legal is not None and age < legal:
        return "person.marriage_under_legal_age"
    return None


def full_years(birth: dt.date, on: dt.date) -> int:
    """周岁: completed years on the day (a 29 February birthday counts on 1 March in common years)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
