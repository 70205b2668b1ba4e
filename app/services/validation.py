"""Field rules shared by the forms: phone numbers, dates, free-text lengths. Each failure names its field."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from app.errors import DomainError

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
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
    raise DomainError("phone.invalid", field, value=phone)


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
    raise DomainError("date.invalid", field, value=raw.strip())


def not_in_future(value: dt.date | None, today: dt.date, field: str) -> None:
    if value is not None and value > today:
        raise DomainError("date.in_future", field, value=value.isoformat())


def required_text(value: str | None, field: str, max_len: int) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError("field.required", field)
    if len(text) > max_len:
        raise DomainError("field.too_long", field, max=max_len)
    return text


def optional_text(value: str | None, field: str, max_len: int) -> str:
    text = (value or "").strip()
    if len(text) > max_len:
        raise DomainError("field.too_long", field, max=max_len)
    return text


def full_years(birth: dt.date, on: dt.date) -> int:
    """周岁: completed years on the day (a 29 February birthday counts on 1 March in common years)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
