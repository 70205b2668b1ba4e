"""The list behind the dashboard's "folic acid ending" number: whose course ends within 30 days."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.i18n import tr
from app.services import care
from app.ui.context import AppContext
from app.ui.dialogs.people_list import PeopleListDialog
from app.ui.labels import fmt_date
from app.ui.tablemodels.rows import Column

COLUMNS: list[Column[care.FolicEndingRow]] = [
    Column("followups.col.person", lambda r: r.name, width=90),
    Column("households.col.number", lambda r: r.household_no, width=80),
    Column("care.col.start", lambda r: fmt_date(r.start_date), width=100),
    Column("folic_ending.col.ends", lambda r: fmt_date(r.ends_on), width=110),
    Column("households.col.phone", lambda r: r.phone, width=120),
]


def folic_ending_dialog(ctx: AppContext, parent: QWidget | None = None) -> PeopleListDialog:
    return PeopleListDialog(
        ctx,
        "folicEnding",
        tr("folic_ending.title"),
        tr("folic_ending.intro"),
        COLUMNS,
        care.folic_courses_ending(ctx.db, ctx.today()),
        width=620,
        parent=parent,
    )
