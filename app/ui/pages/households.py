"""家庭户: the household register filtered as you type, and the selected household's members below."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.services import households as hh
from app.ui.context import AppContext
from app.ui.labels import fmt_date, label
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import RegisterView

HOUSEHOLD_COLUMNS: list[Column[hh.HouseholdRow]] = [
    Column("households.col.number", lambda r: r.household_no, width=90),
    Column("households.col.group", lambda r: str(r.group_no), sort_key=lambda r: r.group_no, align_right=True,
           width=60),
    Column("households.col.head", lambda r: r.head_name, width=100),
    Column("households.col.address", lambda r: r.address, width=220),
    Column("households.col.members", lambda r: str(r.members), sort_key=lambda r: r.members, align_right=True,
           width=60),
    Column("households.col.phone", lambda r: r.phone, width=120),
    Column("households.col.residence_type", lambda r: label("residence_type", r.residence_type), width=100),
]


def member_columns(ctx: AppContext) -> list[Column[hh.PersonRow]]:
    return [
        Column("members.col.name", lambda r: r.name, width=90),
        Column("members.col.relation", lambda r: label("relation", r.relation), width=80),
        Column("members.col.sex", lambda r: label("sex", r.sex), width=50),
        Column("members.col.birth_date", lambda r: fmt_date(r.birth_date), width=100),
        Column("members.col.age", lambda r: str(r.age_on(r.death_date or ctx.today())),
               sort_key=lambda r: r.age_on(ctx.today()), align_right=True, width=50),
        Column("members.col.id_number", lambda r: r.id_number, width=170),
        Column("members.col.marital", lambda r: label("marital", r.marital_status), width=70),
        Column("members.col.residence", lambda r: label("residence", r.residence_status), width=80),
        Column("members.col.phone", lambda r: r.phone, width=110),
    ]


class HouseholdsPage(QWidget):
    householdSelected = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("householdsPage")
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("householdFilter")
        self.filter_edit.setPlaceholderText(tr("households.filter_placeholder"))
        self.filter_edit.setClearButtonEnabled(True)
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("groupFilter")
        self.count_label = QLabel()
        self.household_model: RowTableModel[hh.HouseholdRow] = RowTableModel(HOUSEHOLD_COLUMNS, self)
        self.household_view = RegisterView(self.household_model, ctx.settings, "households")
        self.household_view.setObjectName("householdTable")
        self.member_model: RowTableModel[hh.PersonRow] = RowTableModel(member_columns(ctx), self)
        self.member_view = RegisterView(self.member_model, ctx.settings, "members", sort_column=-1)
        self.member_view.setObjectName("memberTable")
        self.members_title = QLabel()
        self.members_title.setObjectName("membersTitle")

        top = QHBoxLayout()
        top.addWidget(QLabel(tr("households.filter")))
        top.addWidget(self.filter_edit, 1)
        top.addWidget(QLabel(tr("households.group")))
        top.addWidget(self.group_combo)
        top.addWidget(self.count_label)
        self.top_bar = top
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.members_bar = QHBoxLayout()
        self.members_bar.addWidget(self.members_title, 1)
        lower_layout.addLayout(self.members_bar)
        lower_layout.addWidget(self.member_view)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("householdsSplitter")
        self.splitter.addWidget(self.household_view)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        saved = ctx.settings.value("households/splitter")
        if saved is not None:
            self.splitter.restoreState(saved)
        self.splitter.splitterMoved.connect(
            lambda *_: ctx.settings.setValue("households/splitter", self.splitter.saveState()))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        self.filter_edit.textChanged.connect(self.refresh)
        self.group_combo.currentIndexChanged.connect(self.refresh)
        self.household_view.selectionModel().currentRowChanged.connect(self._household_changed)
        self.reload_groups()
        self.refresh()

    def reload_groups(self) -> None:
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        self.group_combo.addItem(tr("households.all_groups"), None)
        for number, name in hh.list_groups(self.ctx.db):
            self.group_combo.addItem(f"{number} {name}", number)
        self.group_combo.blockSignals(False)

    def selected_household(self) -> hh.HouseholdRow | None:
        row = self.household_view.current_row()
        return row if isinstance(row, hh.HouseholdRow) else None

    def selected_member(self) -> hh.PersonRow | None:
        row = self.member_view.current_row()
        return row if isinstance(row, hh.PersonRow) else None

    def refresh(self, *_: object) -> None:
        """Re-read the register with the current filter, keeping the selected household if it still shows."""
        keep = self.selected_household()
        rows = hh.list_households(self.ctx.db, self.filter_edit.text(), self.group_combo.currentData())
        self.household_model.set_rows(rows)
        self.count_label.setText(tr("households.count", count=len(rows)))
        if keep is not None:
            self.household_view.select_row(self.household_model.find_row(lambda r: r.id == keep.id))
        self._show_members()

    def show_household(self, household_id: str, person_id: str | None = None) -> None:
        """Jump to a household (from the global search), clearing filters that would hide it."""
        row = self.household_model.find_row(lambda r: r.id == household_id)
        if row < 0:
            self.filter_edit.blockSignals(True)
            self.filter_edit.clear()
            self.filter_edit.blockSignals(False)
            self.group_combo.setCurrentIndex(0)
            self.refresh()
            row = self.household_model.find_row(lambda r: r.id == household_id)
        self.household_view.select_row(row)
        if person_id:
            self.member_view.select_row(self.member_model.find_row(lambda r: r.id == person_id))
            self.member_view.setFocus()

    def _household_changed(self, *_: object) -> None:
        self._show_members()

    def _show_members(self) -> None:
        h = self.selected_household()
        keep = self.selected_member()
        if h is None:
            self.member_model.set_rows([])
            self.members_title.setText(tr("households.no_selection"))
            return
        self.member_model.set_rows(hh.household_members(self.ctx.db, h.id))
        self.members_title.setText(tr("households.members_of", number=h.household_no, head=h.head_name or "—"))
        if keep is not None:
            self.member_view.select_row(self.member_model.find_row(lambda r: r.id == keep.id))
