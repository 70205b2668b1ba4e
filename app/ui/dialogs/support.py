"""计划生育家庭扶助: a household's entitlements (奖励扶助 / 特别扶助) with their contact person — add, correct, end —
and the care visits (关怀走访) they bring, recorded on their checklist. One panel, shown for the whole household
(from the Households page) or for one person (a tab of the care record)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.i18n import tr
from app.services import care, followups
from app.ui.context import AppContext
from app.ui.dialogs.care_forms import EndDateForm, SupportForm
from app.ui.errors import show_error
from app.ui.labels import fmt_date, label
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import RegisterView, action_button
from app.vocab import FollowupStatus, FollowupType


def support_columns(with_person: bool) -> list[Column[care.SupportRow]]:
    columns: list[Column[care.SupportRow]] = [
        Column("care_form.support_kind", lambda r: label("support", r.kind), width=170),
        Column("care_form.entitled_person", lambda r: r.person_name, width=80),
        Column(
            "care_form.year_confirmed",
            lambda r: str(r.year_confirmed),
            sort_key=lambda r: r.year_confirmed,
            width=70,
        ),
        Column("care_form.assigned_on", lambda r: fmt_date(r.assigned_on), width=100),
        Column(
            "screens.support_col_ended",
            lambda r: fmt_date(r.ended_on) if r.ended_on else tr("screens.support_current"),
            width=90,
        ),
        Column("care_form.contact_name", lambda r: r.contact_name, width=80),
        Column("care_form.contact_phone", lambda r: r.contact_phone, width=110),
        Column(
            "care_form.interval",
            lambda r: tr("care_form.every_months", n=r.visit_interval_months),
            sort_key=lambda r: r.visit_interval_months,
            width=90,
        ),
    ]
    return columns if with_person else [c for c in columns if c.title_id != "care_form.entitled_person"]


def visit_columns() -> list[Column[followups.FollowupRow]]:
    return [
        Column("followups.col.person", lambda r: r.name, width=80),
        Column(
            "care.col.window",
            lambda r: tr("followups.window_range", earliest=fmt_date(r.earliest), latest=fmt_date(r.latest)),
            sort_key=lambda r: r.earliest,
            width=190,
        ),
        Column("care.col.status", lambda r: label("followup_status", r.status), width=80),
        Column("care.col.done", lambda r: fmt_date(r.done_date), width=100),
        Column("care.col.reason", lambda r: r.result or _reason(r), width=160),
    ]


def _reason(r: followups.FollowupRow) -> str:
    return tr(r.status_reason) if r.status_reason.startswith("followup.") else r.status_reason


class SupportPanel(QWidget):
    """`changed` says an entitlement or a visit was saved (follow-ups and cards changed)."""

    changed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        household_id: str,
        person_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.household_id, self.person_id = ctx, household_id, person_id
        self.setObjectName("supportPanel")
        key = "person" if person_id else "household"
        self.model: RowTableModel[care.SupportRow] = RowTableModel(support_columns(person_id is None), self)
        self.view = RegisterView(self.model, ctx.settings, f"support_{key}", sort_column=-1)
        self.view.setObjectName("supportTable")
        self.view.setSortingEnabled(False)
        self.visit_model: RowTableModel[followups.FollowupRow] = RowTableModel(visit_columns(), self)
        self.visit_view = RegisterView(
            self.visit_model, ctx.settings, f"support_visits_{key}", sort_column=-1
        )
        self.visit_view.setObjectName("supportVisits")
        self.visit_view.setSortingEnabled(False)
        self.visits_title = QLabel()
        self.visits_title.setObjectName("supportVisitsTitle")

        buttons = QHBoxLayout()
        self.add_button = action_button(buttons, "screens.support_add", "addSupport", self.add)
        self.edit_button = action_button(buttons, "screens.support_edit", "editSupport", self.edit)
        self.end_button = action_button(buttons, "screens.support_end", "endSupport", self.end)
        buttons.addStretch(1)
        visit_bar = QHBoxLayout()
        visit_bar.addWidget(self.visits_title, 1)
        self.visit_button = action_button(
            visit_bar, "screens.support_record_visit", "recordSupportVisit", self.record_visit
        )

        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 3)
        layout.addLayout(buttons)
        layout.addLayout(visit_bar)
        layout.addWidget(self.visit_view, 2)

        self.view.doubleClicked.connect(lambda _: self.edit())
        self.view.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.visit_view.doubleClicked.connect(lambda _: self.record_visit())
        self.visit_view.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.refresh()

    # -- what is shown
    def refresh(self, *_: object) -> None:
        keep = self.selected()
        rows = care.supports_of_household(self.ctx.db, self.household_id)
        if self.person_id:
            rows = [r for r in rows if r.person_id == self.person_id]
        self.model.set_rows(rows)
        row = self.model.find_row(lambda r: r.id == keep.id) if keep is not None else -1
        self.view.select_row(row if row >= 0 else (0 if rows else -1))
        sources = {r.id for r in rows}
        visits = [
            v
            for person in dict.fromkeys(r.person_id for r in rows)
            for v in followups.person_followups(self.ctx.db, person)
            if v.followup_type == FollowupType.SUPPORT_VISIT and v.source_id in sources
        ]
        visits.sort(key=lambda v: (v.due, v.name))
        self.visit_model.set_rows(visits)
        done = sum(1 for v in visits if v.status == FollowupStatus.DONE)
        self.visits_title.setText(tr("screens.support_visits", count=len(visits), done=done))
        due = next((i for i, v in enumerate(visits) if v.status == FollowupStatus.DUE), -1)
        self.visit_view.select_row(due)  # the next visit to make
        self._update_buttons()

    def selected(self) -> care.SupportRow | None:
        row = self.view.current_row()
        return row if isinstance(row, care.SupportRow) else None

    def selected_visit(self) -> followups.FollowupRow | None:
        row = self.visit_view.current_row()
        return row if isinstance(row, followups.FollowupRow) else None

    def _update_buttons(self, *_: object) -> None:
        support = self.selected()
        self.edit_button.setEnabled(support is not None)
        self.end_button.setEnabled(support is not None and support.ended_on is None)
        visit = self.selected_visit()
        self.visit_button.setEnabled(visit is not None and visit.status != FollowupStatus.CANCELLED)

    # -- actions
    def _run(self, dialog: QDialog) -> None:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.changed.emit()

    def add(self) -> None:
        form = SupportForm(self.ctx, self.household_id, person_id=self.person_id, parent=self)
        self._run(form)
        if form.saved_id:
            self.view.select_row(self.model.find_row(lambda r: r.id == form.saved_id))

    def edit(self) -> None:
        support = self.selected()
        if support is not None:
            self._run(SupportForm(self.ctx, self.household_id, support, parent=self))

    def end(self) -> None:
        support = self.selected()
        if support is None or support.ended_on is not None:
            return
        self._run(
            EndDateForm(
                self.ctx,
                tr(
                    "screens.support_end_title", kind=label("support", support.kind), name=support.person_name
                ),
                lambda day: care.end_support(
                    self.ctx.db, self.ctx.actor, support.id, day, self.ctx.today(), expected_rev=support.rev
                ),
                self,
                field="ended_on",
            )
        )

    def record_visit(self) -> None:
        visit = self.selected_visit()
        if visit is None or visit.status == FollowupStatus.CANCELLED:
            return
        from app.ui.dialogs.checklist_dialog import ChecklistDialog

        try:
            dialog = ChecklistDialog(self.ctx, visit.id, self)
        except DomainError as e:  # gone meanwhile
            show_error(self, e)
            self.refresh()
            return
        self._run(dialog)


class SupportDialog(QDialog):
    """The household's entitlements and care visits, from the Households page."""

    def __init__(
        self, ctx: AppContext, household_id: str, household_no: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("supportDialog")
        self.setWindowTitle(tr("screens.support_dialog_title", number=household_no))
        self.changed = False
        intro = QLabel(tr("screens.support_intro"))
        intro.setWordWrap(True)
        self.panel = SupportPanel(ctx, household_id, parent=self)
        self.panel.changed.connect(self._changed)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(tr("care.close"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.panel, 1)
        layout.addWidget(close)
        # wide enough for every column of the entitlements, as far as the screen allows
        table = self.panel.view
        need = table.horizontalHeader().length() + 2 * table.frameWidth() + 60
        screen = self.screen().availableGeometry().width() if self.screen() else need
        self.resize(max(720, min(need, screen - 40)), 500)

    def _changed(self) -> None:
        self.changed = True
