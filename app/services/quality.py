"""个案信息合格率: the share of person records that pass every validation rule, with failing rules counted.

Each rule is one SQL condition naming the records that FAIL it, so the check runs in the database and
the same definition serves the CLI `check`, the dashboard and the monthly report.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.db import Database
from app.models import Household, Person
from app.vocab import MARRIED, PRESENT, Relation

QUALITY_TARGET = 0.95


def _rules() -> dict[str, sa.ColumnElement[bool]]:
    # A household whose head died or moved away has no head until the officer names a new one.
    head = sa.orm.aliased(Person)
    head_present = (
        sa.select(head.id)
        .where(head.id == Household.head_person_id, head.residence_status.in_(PRESENT), head.live())
        .exists()
    )
    head_missing = sa.select(Household.id).where(~head_present).scalar_subquery()
    return {
        "quality.rule.id_missing": Person.id_number.is_(None),
        "quality.rule.phone_missing_adult": Person.phone.is_(None) & (Person.relation == Relation.HEAD),
        "quality.rule.marriage_date_missing": Person.marital_status.in_(MARRIED)
        & Person.marriage_date.is_(None),
        "quality.rule.household_without_head": Person.household_id.in_(head_missing),
        "quality.rule.migrant_place_missing": Person.residence_status.in_(["out_migrant", "in_migrant"])
        & ((Person.residence_place.is_(None)) | (Person.residence_place == "")),
    }


@dataclass(frozen=True)
class QualityReport:
    total: int
    passing: int
    failures: tuple[tuple[str, int], ...]  # (rule message id, failing records)

    @property
    def rate(self) -> float | None:
        return self.passing / self.total if self.total else None


def record_quality(db: Database) -> QualityReport:
    """Quality of the records of people present in the village (the deceased and moved-away are history)."""
    rules = _rules()
    scope = Person.live() & Person.residence_status.in_(PRESENT)
    any_fail = sa.or_(*rules.values())
    with db.read() as s:
        total = s.execute(sa.select(sa.func.count()).select_from(Person).where(scope)).scalar_one()
        failing = s.execute(
            sa.select(sa.func.count()).select_from(Person).where(scope, any_fail)
        ).scalar_one()
        counts = tuple(
            (
                rule_id,
                s.execute(sa.select(sa.func.count()).select_from(Person).where(scope, cond)).scalar_one(),
            )
            for rule_id, cond in rules.items()
        )
    return QualityReport(total, total - failing, tuple((r, n) for r, n in counts if n))


def failing_people(db: Database) -> dict[str, frozenset[str]]:
    """For each rule, the ids of the (not deleted) person records that fail it, whatever their residence.
    The monthly report intersects these with the people present at the month's end."""
    rules = _rules()
    with db.read() as s:
        return {
            rule_id: frozenset(s.execute(sa.select(Person.id).where(Person.live(), cond)).scalars())
            for rule_id, cond in rules.items()
        }
