"""家庭户: the household register filtered as you type, and the selected household's members below."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.services import households as hh
from app.services import voiding
from app.ui.context import AppContext
from app.ui.dialogs.events import DeathDialog, MoveAwayDialog, MoveToHouseholdDialog
from app.ui.dialogs.household_form import HouseholdForm
from app.ui.dialogs.member_form import MERGE_WITH, OPEN_EXISTING, MemberForm
from app.ui.dialogs.merge_dialog import DuplicatesDialog, MergeDialog
from app.ui.dialogs.supply_forms import IssueForm
from app.ui.dialogs.void_dialog import VoidDialog
from app.ui.labels import fmt_date, label
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import RegisterView, action_button, fill_group_combo
from app.vocab import PRESENT

HOUSEHOLD_COLUMNS: list[Column[hh.HouseholdRow]] = [
    Column("households.col.number", lambda r: r.household_no, width=90),
    Column(
        "households.col.group",
        lambda r: str(r.group_no),
        sort_key=lambda r: r.group_no,
        align_right=True,
        width=60,
    ),
    Column("households.col.head", lambda r: r.head_name, width=100),
    Column("households.col.address", lambda r: r.address, width=220),
    Column(
        "households.col.members",
        lambda r: str(r.members),
        sort_key=lambda r: r.members,
        align_right=True,
        width=60,
    ),
    Column("households.col.phone", lambda r: r.phone, width=120),
    Column("households.col.residence_type", lambda r: label("residence_type", r.residence_type), width=100),
]


def member_columns(ctx: AppContext) -> list[Column[hh.PersonRow]]:
    return [
        Column("members.col.name", lambda r: r.name, width=90),
        Column("members.col.relation", lambda r: label("relation", r.relation), width=110),
        Column("members.col.sex", lambda r: label("sex", r.sex), width=60),
        Column("members.col.birth_date", lambda r: fmt_date(r.birth_date), width=100),
        Column(
            "members.col.age",
            lambda r: str(r.age_on(r.death_date or ctx.today())),
            sort_key=lambda r: r.age_on(ctx.today()),
            align_right=True,
            width=50,
        ),
        Column("members.col.id_number", lambda r: r.id_number, width=170),
        Column("members.col.marital", lambda r: label("marital", r.marital_status), width=110),
        Column("members.col.residence", lambda r: label("residence", r.residence_status), width=100),
        Column("members.col.phone", lambda r: r.phone, width=110),
    ]


class HouseholdsPage(QWidget):
    dataChanged = Signal()  # something in the register was saved: other pages re-read
    careRequested = Signal(str)  # person id: open the member's care record
    cardRequested = Signal(str)  # household id: print the household's service card

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
        self.add_household_button = action_button(top, "households.add", "addHousehold", self.add_household)
        self.edit_household_button = action_button(
            top, "households.edit", "editHousehold", self.edit_household
        )
        self.card_button = action_button(top, "households.print_card", "printCard", self.print_card)
        self.support_button = action_button(
            top, "screens.household_support", "householdSupport", self.show_support
        )
        self.import_button = action_button(top, "import.button", "importRegisters", self.import_registers)
        # Rarely needed, so out of the way: a mistaken household, and records of one person typed twice.
        self.more_button = QToolButton()
        self.more_button.setObjectName("householdMore")
        self.more_button.setText(tr("households.more"))
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more = QMenu(self.more_button)
        self.void_household_action = more.addAction(tr("households.void"), self.void_household)
        self.void_household_action.setObjectName("voidHousehold")
        self.duplicates_action = more.addAction(tr("households.duplicates"), self.find_duplicates)
        self.duplicates_action.setObjectName("findDuplicates")
        self.more_button.setMenu(more)
        top.addWidget(self.more_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.members_bar = QHBoxLayout()
        self.members_bar.addWidget(self.members_title, 1)
        self.add_member_button = action_button(self.members_bar, "members.add", "addMember", self.add_member)
        self.add_newborn_button = action_button(
            self.members_bar, "members.add_newborn", "addNewborn", lambda: self.add_member(newborn=True)
        )
        self.edit_member_button = action_button(
            self.members_bar, "members.edit", "editMember", self.edit_member
        )
        self.care_button = action_button(self.members_bar, "care.open", "memberCare", self._care)
        self.death_button = action_button(self.members_bar, "members.death", "recordDeath", self.record_death)
        self.move_away_button = action_button(
            self.members_bar, "members.move_away", "moveAway", self.move_away
        )
        self.move_household_button = action_button(
            self.members_bar, "members.move_household", "moveHousehold", self.move_household
        )
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
            lambda *_: ctx.settings.setValue("households/splitter", self.splitter.saveState())
        )
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        self.filter_edit.textChanged.connect(self.apply_filter)
        self.group_combo.currentIndexChanged.connect(self.apply_filter)
        self.household_view.selectionModel().currentRowChanged.connect(self._household_changed)
        self.member_view.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.household_view.doubleClicked.connect(lambda _: self.edit_household())
        self.member_view.doubleClicked.connect(lambda _: self.edit_member())
        self.member_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.member_view.customContextMenuRequested.connect(self._member_menu)
        new = QAction(self)
        new.setShortcut(QKeySequence.StandardKey.New)  # Ctrl+N adds in the list that has focus
        new.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        new.triggered.connect(
            lambda: self.add_member() if self.member_view.hasFocus() else self.add_household()
        )
        self.addAction(new)
        self.reload_groups()
        self.refresh()

    def _update_buttons(self, *_: object) -> None:
        has_household = self.selected_household() is not None
        member = self.selected_member()
        present = member is not None and member.residence_status in PRESENT
        self.edit_household_button.setEnabled(has_household)
        self.void_household_action.setEnabled(has_household)
        self.card_button.setEnabled(has_household)
        self.support_button.setEnabled(has_household)
        self.add_member_button.setEnabled(has_household)
        self.add_newborn_button.setEnabled(has_household)
        for button in (
            self.edit_member_button,
            self.care_button,
            self.death_button,
            self.move_away_button,
            self.move_household_button,
        ):
            button.setEnabled(present)

    def _member_menu(self, pos: QPoint) -> None:
        member = self.selected_member()
        if member is None:
            return
        menu = QMenu(self)
        for button in (
            self.edit_member_button,
            self.care_button,
            self.death_button,
            self.move_away_button,
            self.move_household_button,
        ):
            action = menu.addAction(button.text())
            action.setEnabled(button.isEnabled())
            action.triggered.connect(button.click)
        menu.addSeparator()
        give = menu.addAction(tr("care.give_supplies"))
        give.setObjectName("giveSupplies")
        give.setEnabled(member.residence_status in PRESENT)
        give.triggered.connect(self.give_supplies)
        menu.addSeparator()
        void = menu.addAction(tr("members.void"))
        void.setObjectName("voidMember")
        void.triggered.connect(self.void_member)
        menu.exec(self.member_view.viewport().mapToGlobal(pos))

    # -- actions
    def _saved(self, household_id: str | None = None, person_id: str | None = None) -> None:
        self.refresh()
        if household_id:
            self.show_household(household_id, person_id)
        self.dataChanged.emit()

    def add_household(self) -> None:
        form = HouseholdForm(self.ctx, parent=self, default_group=self.group_combo.currentData())
        if form.exec() == QDialog.DialogCode.Accepted:
            self._saved(form.saved_id)
            self.add_member()  # a new household needs its members: start with the head

    def edit_household(self) -> None:
        h = self.selected_household()
        if h is None:
            return
        form = HouseholdForm(self.ctx, h.id, parent=self)
        if form.exec() == QDialog.DialogCode.Accepted:
            self._saved(h.id)

    def add_member(self, newborn: bool = False) -> None:
        h = self.selected_household()
        if h is None:
            return
        form = MemberForm(self.ctx, h.id, parent=self, newborn=newborn)
        result = form.exec()
        if result == QDialog.DialogCode.Accepted:
            self._saved(h.id, form.saved_id)
        elif result == OPEN_EXISTING and form.existing is not None:
            self.show_household(form.existing.person.household_id, form.existing.person.id)

    def edit_member(self) -> None:
        h, p = self.selected_household(), self.selected_member()
        if h is None or p is None or p.residence_status not in PRESENT:
            return
        form = MemberForm(self.ctx, h.id, p.id, parent=self)
        result = form.exec()
        if result == QDialog.DialogCode.Accepted:
            self._saved(h.id, p.id)
        elif result == MERGE_WITH and form.existing is not None:
            merged = MergeDialog(self.ctx, p.id, form.existing.person.id, self).exec()
            if merged == QDialog.DialogCode.Accepted:
                self._saved(h.id, p.id)

    def give_supplies(self) -> None:
        """发放药具 to the selected member (their care record lists what they received)."""
        p = self.selected_member()
        if p is None or p.residence_status not in PRESENT:
            return
        if IssueForm(self.ctx, p, fixed_person=True, parent=self).exec() == QDialog.DialogCode.Accepted:
            self.dataChanged.emit()  # stock and the dashboard's reminders changed

    def _care(self) -> None:
        p = self.selected_member()
        if p is not None:
            self.careRequested.emit(p.id)

    def _event(self, dialog_class: type) -> None:
        h, p = self.selected_household(), self.selected_member()
        if h is None or p is None:
            return
        dialog = dialog_class(self.ctx, p, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(h.id, p.id)

    def record_death(self) -> None:
        self._event(DeathDialog)

    def move_away(self) -> None:
        self._event(MoveAwayDialog)

    def move_household(self) -> None:
        p = self.selected_member()
        if p is None:
            return
        dialog = MoveToHouseholdDialog(self.ctx, p, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(dialog.target.currentData() or p.household_id, p.id)

    def void_member(self) -> None:
        """作废: a member typed by mistake leaves the register (history kept)."""
        h, p = self.selected_household(), self.selected_member()
        if h is None or p is None:
            return
        dialog = VoidDialog(
            tr("void.what_member", name=p.name, number=h.household_no),
            lambda reason: voiding.void_person(
                self.ctx.db, self.ctx.actor, p.id, reason, self.ctx.today(), expected_rev=p.rev
            ),
            self,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(h.id)

    def void_household(self) -> None:
        h = self.selected_household()
        if h is None:
            return
        dialog = VoidDialog(
            tr("void.what_household", number=h.household_no),
            lambda reason: voiding.void_household(self.ctx.db, self.ctx.actor, h.id, reason),
            self,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved()

    def find_duplicates(self) -> None:
        """可能重复的记录, each pair offered for merging."""
        dialog = DuplicatesDialog(self.ctx, self)
        dialog.exec()
        if dialog.merged:
            self._saved()

    def reload_groups(self) -> None:
        fill_group_combo(self.group_combo, self.ctx.db)

    def show_support(self) -> None:
        """计划生育家庭扶助 of the selected household: its entitlements and their care visits."""
        h = self.selected_household()
        if h is None:
            return
        from app.ui.dialogs.support import SupportDialog

        dialog = SupportDialog(self.ctx, h.id, h.household_no, self)
        dialog.exec()
        if dialog.changed:
            self.dataChanged.emit()  # follow-ups and the cards changed

    def import_registers(self) -> None:
        """导入表格: the village's existing Excel registers, through the preview."""
        from app.ui.dialogs import import_dialog

        path = import_dialog.choose_register_file(self, self.ctx.settings)
        if path is None:
            return
        dialog = import_dialog.ImportDialog(self.ctx, path, self)
        dialog.exec()
        if dialog.result_ is not None:
            self.reload_groups()
            self._saved()

    def print_card(self) -> None:
        household = self.selected_household()
        if household is not None:
            self.cardRequested.emit(household.id)

    def selected_household(self) -> hh.HouseholdRow | None:
        row = self.household_view.current_row()
        return row if isinstance(row, hh.HouseholdRow) else None

    def selected_member(self) -> hh.PersonRow | None:
        row = self.member_view.current_row()
        return row if isinstance(row, hh.PersonRow) else None

    def refresh(self, *_: object) -> None:
        """Re-read the register from the database (after a change), then filter it."""
        self.register = hh.load_register(self.ctx.db)
        self.apply_filter()

    def apply_filter(self, *_: object) -> None:
        """Show the households matching the filter, keeping the selected one if it still shows."""
        keep = self.selected_household()
        rows = self.register.filter(self.filter_edit.text(), self.group_combo.currentData())
        self.household_model.set_rows(rows)
        self.count_label.setText(tr("households.count", count=len(rows)))
        row = self.household_model.find_row(lambda r: r.id == keep.id) if keep is not None else -1
        if row < 0 and rows:
            row = 0  # the first match's members show at once
        self.household_view.select_row(row)
        if row < 0:
            self.household_view.clearSelection()
            self.household_view.setCurrentIndex(self.household_model.index(-1, -1))
        self._show_members()

    def show_all(self) -> None:
        """Every household (a link from the dashboard): the filter text and group chosen earlier are let go."""
        self.filter_edit.blockSignals(True)
        self.filter_edit.clear()
        self.filter_edit.blockSignals(False)
        self.group_combo.blockSignals(True)
        self.group_combo.setCurrentIndex(0)
        self.group_combo.blockSignals(False)
        self.apply_filter()

    def show_household(self, household_id: str, person_id: str | None = None) -> None:
        """Jump to a household (from the global search), clearing filters that would hide it."""
        row = self.household_model.find_row(lambda r: r.id == household_id)
        if row < 0:
            self.filter_edit.blockSignals(True)
            self.filter_edit.clear()
            self.filter_edit.blockSignals(False)
            self.group_combo.setCurrentIndex(0)
            self.apply_filter()
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
            self._update_buttons()
            return
        self.member_model.set_rows(hh.household_members(self.ctx.db, h.id))
        self.members_title.setText(
            tr("households.members_of", number=h.household_no, head=h.head_name or "—")
        )
        if keep is not None:
            self.member_view.select_row(self.member_model.find_row(lambda r: r.id == keep.id))
        self._update_buttons()
