"""Resident ID numbers (GB 11643-1999): validation, 15→18 conversion, derived birth date and sex.

Uses python-stdnum's checksum and date helpers, but not `stdnum.cn.ric.validate`: that also insists the
area code existed on the birth date, which refuses about a third of real people (see pitfalls.md). Only the
first two digits, the province-level code, are checked: an unknown county code stays acceptable.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from stdnum.cn import ric

from app.errors import DomainError
from app.services.validation import EARLIEST_BIRTH
from app.vocab import Sex

_SHAPE_18 = re.compile(r"^[1-9]\d{5}(18|19|20)\d{2}\d{4}\d{3}[\dX]$")
_SHAPE_15 = re.compile(r"^[1-9]\d{14}$")
# Province-level codes (GB/T 2260): the first two digits of every resident ID number. 83 is not in GB/T 2260
# but is issued on the residence permits of Taiwan residents living on the mainland (2018), as 81 and 82 are
# for Hong Kong and Macao residents; a village may register such a person.
PROVINCES = frozenset(
    str(n)
    for n in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
        83,
    )
)


@dataclass(frozen=True)
class ResidentId:
    number: str  # always the 18-character form, upper-case X
    birth_date: dt.date
    sex: Sex
    area_code: str


def normalise(raw: str) -> str:
    """Strip spaces and separators and upper-case the check character (people type a lower-case x).
    Full-width characters from a Chinese input method (１２３…Ｘ) become ASCII."""
    raw = unicodedata.normalize("NFKC", raw)
    return ric.compact(raw.replace("-", "").replace(" ", "").replace("\u3000", ""))


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return ric.calc_check_digit(first17 + "0")


def upgrade_15(number15: str) -> str:
    """Convert an old 15-digit number (born 19xx) to its 18-character form."""
    body = number15[:6] + "19" + number15[6:]
    return body + check_character(body)


def parse(raw: str, field: str = "id_number", *, today: dt.date | None = None) -> ResidentId:
    """Validate a typed ID number; raise DomainError naming `field` with the reason a person can act on.

    A form or an import passes `today`: a number whose birth date is after it is refused here, at the ID
    number, before that birth date can be filled in anywhere. A birth date before 1900 is always refused."""
    number = normalise(raw)
    if not number:
        raise DomainError("id.empty", field)
    if len(number) == 15:
        if not _SHAPE_15.match(number):
            raise DomainError("id.bad_characters", field)
        number = upgrade_15(number)
    if len(number) != 18:
        raise DomainError("id.bad_length", field, length=len(number))
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise DomainError("id.bad_characters", field)
    if not _SHAPE_18.match(number):
        raise DomainError("id.bad_area_or_year", field)
    if number[:2] not in PROVINCES:
        raise DomainError("id.bad_province", field, prefix=number[:2])
    try:
        birth = ric.get_birth_date(number)
    except ric.ValidationError:
        raise DomainError("id.bad_birth_date", field, digits=number[6:14]) from None
    if check_character(number[:17]) != number[17]:
        raise DomainError("id.bad_check_character", field)
    if today is not None and birth > today:
        raise DomainError("id.birth_in_future", field, birth=birth.isoformat())
    if birth < EARLIEST_BIRTH:
        raise DomainError("id.birth_too_old", field, birth=birth.isoformat(), year=EARLIEST_BIRTH.year)
    sex = Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
    return ResidentId(number=number, birth_date=birth, sex=sex, area_code=number[:6])


def make(area_code: str, birth_date: dt.date, sequence: int, sex: Sex) -> str:
    """Build a valid 18-character number (for the demo village and tests). `sequence` is 0..499."""
    seq = sequence * 2 + (1 if sex == Sex.MALE else 0)
    if not 0 <= seq <= 999:
        raise ValueError("sequence out of range")
    first17 = f"{area_code}{birth_date:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


def mask(number: str | None, visible: int = 4) -> str:
    """Hide all but the last characters of an ID number (for printed cards and shared screens)."""
    if not number:
        return ""
    return "*" * (len(number) - visible) + number[-visible:]
