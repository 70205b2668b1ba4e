"""The list behind the dashboard's "resupply reminders" number: people whose last pills, condoms or
injectable run out within a week — a reminder to bring them more, not a follow-up obligation."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.i18n import tr
from app.services import supplies
from app.ui.context import AppContext
from app.ui.dialogs.people_list import PeopleListDialog
from app.ui.labels import fmt_date
from app.ui.tablemodels.rows import Column

COLUMNS: list[Column[supplies.ResupplyRow]] = [
    Column("followups.col.person", lambda r: r.name, width=80),
    Column("households.col.number", lambda r: r.household_no, width=70),
    Column("resupply.col.item", lambda r: r.item_name, width=190),
    Column(
        "resupply.col.last_issue",
        lambda r: fmt_date(r.last_issue),
        sort_key=lambda r: r.last_issue,
        width=100,
    ),
    Column(
        "resupply.col.quantity", lambda r: str(r.quantity), sort_key=lambda r: r.quantity, align_right=True
    ),
    Column(
        "resupply.col.runs_out",
        lambda r: fmt_date(r.runs_out_on),
        sort_key=lambda r: r.runs_out_on,
        width=100,
    ),
    Column("households.col.phone", lambda r: r.phone, width=110),
]


def resupply_dialog(ctx: AppContext, parent: QWidget | None = None) -> PeopleListDialog:
    return PeopleListDialog(
        ctx,
        "resupplyReminders",
        tr("resupply.title"),
        tr("resupply.intro"),
        COLUMNS,
        supplies.resupply_reminders(ctx.db, ctx.today()),
        sort_column=5,
        width=820,
        parent=parent,
    )
