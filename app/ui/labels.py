"""Display labels for stored codes (sex, relation, status…) and for dates, all through the catalogue."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from app import vocab
from app.i18n import tr

VOCABS: dict[str, type[StrEnum]] = {
    "sex": vocab.Sex,
    "relation": vocab.Relation,
    "marital": vocab.MaritalStatus,
    "residence": vocab.ResidenceStatus,
    "residence_type": vocab.ResidenceType,
    "event": vocab.VitalEventType,
    "outcome": vocab.PregnancyOutcome,
    "delivery_place": vocab.DeliveryPlace,
    "risk": vocab.RiskGrade,
    "method": vocab.ContraceptiveMethod,
    "followup_status": vocab.FollowupStatus,
    "followup_type": vocab.FollowupType,
    "supply_category": vocab.SupplyCategory,
    "movement": vocab.MovementType,
    "support": vocab.SupportKind,
    "role": vocab.UserRole,
}


def label(kind: str, code: str | None) -> str:
    if not code:
        return ""
    return tr(f"vocab.{kind}.{code}")


def choices(kind: str) -> list[tuple[str, str]]:
    """(code, label) pairs in the vocabulary's order, for combo boxes."""
    return [(member.value, label(kind, member.value)) for member in VOCABS[kind]]


def fmt_date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def fmt_datetime(value: dt.datetime | None) -> str:
    """A moment as the officer reads it: China time, to the minute."""
    if value is None:
        return ""
    from app.clock import CHINA_TZ

    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
