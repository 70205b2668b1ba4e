"""The list behind the dashboard's "high-risk pregnancies" number: open pregnancies that a high-risk rule flags
(resources/followups/risk_rules.json), with the flags; double-click opens the woman's care record."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.i18n import tr
from app.services import pregnancies as pg
from app.ui.context import AppContext
from app.ui.dialogs.people_list import PeopleListDialog
from app.ui.labels import fmt_date
from app.ui.pages.pregnancies import risk_text
from app.ui.tablemodels.rows import Column


def columns(ctx: AppContext) -> list[Column[pg.PregnancyRow]]:
    def weeks(r: pg.PregnancyRow) -> str:
        age = r.weeks_on(ctx.today())
        return str(age) if age is not None else ""

    return [
        Column("followups.col.person", lambda r: r.name, width=80),
        Column("households.col.number", lambda r: r.household_no, width=70),
        Column("pregnancies.col.weeks", weeks, sort_key=lambda r: r.lmp, width=70),
        Column("pregnancies.col.edd", lambda r: fmt_date(r.edd), sort_key=lambda r: r.edd, width=100),
        Column("pregnancies.col.risk", risk_text, width=260),
        Column("households.col.phone", lambda r: r.phone, width=110),
    ]


def high_risk_dialog(ctx: AppContext, parent: QWidget | None = None) -> PeopleListDialog:
    return PeopleListDialog(
        ctx,
        "highRiskPregnancies",
        tr("high_risk.title"),
        tr("high_risk.intro"),
        columns(ctx),
        pg.high_risk_pregnancies(ctx.db),
        sort_column=3,
        width=820,
        parent=parent,
    )
