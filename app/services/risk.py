"""高危妊娠: the rules that flag a pregnancy as high-risk (resources/followups/risk_rules.json, versioned data
beside the follow-up schedules) — the woman's age at the EDD, the gravidity, and the factors the officer ticks on
the pregnancy form (previous caesarean, hypertension, …; "other" with a note). Flags are computed when read, from
the current rules; only the ticked factors are stored (pregnancy.risk_factors). Never a fetus's sex."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.assets import resource
from app.errors import DomainError
from app.i18n import tr
from app.services.validation import full_years

RISK_RULES_FILE = resource("followups", "risk_rules.json")
KINDS = ("age_at_edd", "gravidity", "ticked")


@dataclass(frozen=True)
class RiskRule:
    code: str
    kind: str
    at_least: int | None = None
    below: int | None = None
    note_required: bool = False

    @property
    def label_id(self) -> str:
        return f"risk.flag.{self.code}"

    def holds(self, value: int | None) -> bool:
        if value is None:
            return False
        return (self.at_least is None or value >= self.at_least) and (
            self.below is None or value < self.below
        )


@dataclass(frozen=True)
class RiskRules:
    version: str
    rules: tuple[RiskRule, ...]

    @property
    def tickable(self) -> tuple[RiskRule, ...]:
        """The factors the pregnancy form offers as tick boxes, in the file's order."""
        return tuple(r for r in self.rules if r.kind == "ticked")

    def flags(
        self, birth_date: dt.date, edd: dt.date, gravidity: int | None, factors: Iterable[str]
    ) -> tuple[str, ...]:
        """The codes of the rules that hold for a pregnancy, in the file's order."""
        ticked = set(factors)
        age = full_years(birth_date, edd)
        out = []
        for r in self.rules:
            if (
                (r.kind == "age_at_edd" and r.holds(age))
                or (r.kind == "gravidity" and r.holds(gravidity))
                or (r.kind == "ticked" and r.code in ticked)
            ):
                out.append(r.code)
        return tuple(out)

    def check_factors(self, factors: Iterable[str], notes: str) -> tuple[str, ...]:
        """The ticked factors, each once, in the file's order; an unknown code is refused, and a factor that
        needs a note (other) without one is refused at the risk notes."""
        chosen = set(factors)
        known = {r.code: r for r in self.tickable}
        if chosen - set(known):
            raise DomainError("field.invalid_choice", "risk_factors")
        for code in chosen:
            if known[code].note_required and not notes.strip():
                raise DomainError("risk.note_required", "risk_notes", factor=tr(known[code].label_id))
        return tuple(r.code for r in self.tickable if r.code in chosen)


def parse_risk_rules(data: dict[str, Any]) -> RiskRules:
    if data.get("format") != "fhd-risk-rules":
        raise ValueError("not a risk rules file")
    rules = []
    for r in data["rules"]:
        rule = RiskRule(
            code=str(r["code"]),
            kind=str(r["kind"]),
            at_least=r.get("at_least"),
            below=r.get("below"),
            note_required=bool(r.get("note_required")),
        )
        if rule.kind not in KINDS:
            raise ValueError(f"risk rule {rule.code}: unknown kind {rule.kind}")
        if rule.kind != "ticked" and rule.at_least is None and rule.below is None:
            raise ValueError(f"risk rule {rule.code}: at_least or below is needed")
        rules.append(rule)
    codes = [r.code for r in rules]
    if len(set(codes)) != len(codes):
        raise ValueError("a risk rule code is used twice")
    return RiskRules(str(data["version"]), tuple(rules))


@cache
def _load(path: Path) -> RiskRules:
    with open(path, encoding="utf-8") as f:
        return parse_risk_rules(json.load(f))


def load_risk_rules(path: Path | None = None) -> RiskRules:
    return _load(path or RISK_RULES_FILE)


def stored(factors: Iterable[str]) -> str:
    """Ticked factors as the pregnancy row keeps them: codes separated by spaces."""
    return " ".join(factors)


def parsed(value: str | None) -> tuple[str, ...]:
    return tuple((value or "").split())
