"""随访: one list of everything due — this week, overdue, the next 30 days or all open — by type and group.
Recording a visit opens its checklist; a follow-up can be marked missed, or cancelled with a reason; the
week's visit list is printed to PDF in the background."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.i18n import tr
from app.progress import Cancelled
from app.services import followups
from app.services.village import village_info
from app.ui.audit_log import record_output
from app.ui.context import AppContext
from app.ui.dialogs.checklist_dialog import ChecklistDialog
from app.ui.dialogs.followup_status import FollowupStatusDialog
from app.ui.errors import show_error
from app.ui.file_dialogs import ask_save_path
from app.ui.labels import choices, fmt_date, label
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import RegisterView, action_button, fill_group_combo, offer_to_open
from app.ui.workers import Operation, run_op
from app.vocab import FollowupStatus

WINDOW_LABELS = {
    "week": "followups.window.week",
    "overdue": "followups.window.overdue",
    "next30": "followups.window.next30",
    "open": "followups.window.open",
}
OVERDUE_COLOUR = QColor("#fbe3e0")
OPEN = (FollowupStatus.DUE, FollowupStatus.MISSED)


def is_late(row: followups.FollowupRow, today: dt.date) -> bool:
    """Past its window and not done: shown as 已逾期 (or 已错过 when so marked), highlighted."""
    return row.overdue_on(today)


def status_text(row: followups.FollowupRow, today: dt.date) -> str:
    if row.status == FollowupStatus.DUE and row.latest < today:
        return tr("followups.status.overdue")
    return label("followup_status", row.status)


def window_text(row: followups.FollowupRow) -> str:
    return tr("followups.window_range", earliest=fmt_date(row.earliest), latest=fmt_date(row.latest))


def followup_columns(today: Callable[[], dt.date]) -> list[Column[followups.FollowupRow]]:
    return [
        Column("followups.col.person", lambda r: r.name, width=80),
        Column(
            "households.col.group",
            lambda r: str(r.group_no),
            sort_key=lambda r: r.group_no,
            align_right=True,
            width=40,
        ),
        Column("households.col.number", lambda r: r.household_no, width=70),
        Column("followups.col.type", lambda r: label("followup_type", r.followup_type), width=150),
        Column("followups.col.window", window_text, sort_key=lambda r: (r.earliest, r.latest), width=190),
        Column("followups.col.due", lambda r: fmt_date(r.due), sort_key=lambda r: r.due, width=95),
        Column(
            "followups.col.status",
            lambda r: status_text(r, today()),
            sort_key=lambda r: (not is_late(r, today()), r.status),
            width=70,
        ),
        Column("households.col.phone", lambda r: r.phone, width=110),
        Column("households.col.address", lambda r: r.address, width=200),
    ]


DUE_COLUMN = 5  # the list opens sorted by due date, as the service orders it
TYPE_COLUMN_MAX = 300  # a long English follow-up name is elided beyond this (the column can be widened)


def column_samples() -> list[str]:
    """Typical content of each column (in followup_columns order), to size it for the text size in use."""
    longest_type = max((text for _, text in choices("followup_type")), key=len)
    statuses = [text for _, text in choices("followup_status")] + [tr("followups.status.overdue")]
    return [
        "欧阳晓燕", "12", "01234", longest_type,
        tr("followups.window_range", earliest="2026-12-31", latest="2026-12-31"), "2026-12-31",
        max(statuses, key=len), "13900001111", "",
    ]  # fmt: skip


def fit_columns(view: RegisterView, samples: list[str], initial: bool, limits: dict[int, int]) -> None:
    """On first use every column shows its title and typical content; after a text-size change columns
    only grow (a width the person chose is kept when it is still wide enough)."""
    metrics = view.fontMetrics()
    header = view.horizontalHeader()
    for i, sample in enumerate(samples):
        if not sample:
            continue
        need = max(header.sectionSizeHint(i), metrics.horizontalAdvance(sample) + 16)
        need = min(need, limits.get(i, need))
        if initial or view.columnWidth(i) < need:
            view.setColumnWidth(i, need)


class FollowupsPage(QWidget):
    """Double-click or Enter on a row records the visit. `personChosen(household, person)` opens the
    person's household; `dataChanged` says a follow-up was recorded, missed or cancelled."""

    personChosen = Signal(str, str)
    dataChanged = Signal()
    visitListWritten = Signal(str)  # the path of the PDF just written

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("followupsPage")
        self._operation: Operation | None = None

        self.window_combo = QComboBox()
        self.window_combo.setObjectName("followupWindow")
        for window in followups.WINDOWS:
            self.window_combo.addItem(tr(WINDOW_LABELS[window]), window)
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("followupType")
        self.type_combo.addItem(tr("followups.all_types"), None)
        for code, text in choices("followup_type"):
            self.type_combo.addItem(text, code)
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("followupGroup")
        self.count_label = QLabel()
        self.count_label.setObjectName("followupCount")
        self.model: RowTableModel[followups.FollowupRow] = RowTableModel(followup_columns(ctx.today), self)
        self.model.highlight = lambda r: OVERDUE_COLOUR if is_late(r, ctx.today()) else None
        self.view = RegisterView(self.model, ctx.settings, "followups", sort_column=DUE_COLUMN)
        self.view.setObjectName("followupTable")
        self._fit_to_font(initial=ctx.settings.value("tables/followups/header") is None)

        filters = QHBoxLayout()
        for text_id, combo in (
            ("followups.window", self.window_combo),
            ("followups.type", self.type_combo),
            ("households.group", self.group_combo),
        ):
            caption = QLabel(tr(text_id))
            caption.setBuddy(combo)
            filters.addWidget(caption)
            filters.addWidget(combo)
            filters.addSpacing(8)
        filters.addWidget(self.count_label)
        filters.addStretch(1)
        self.print_button = action_button(filters, "followups.print", "printVisitList", self.print_visit_list)

        actions = QHBoxLayout()
        self.record_button = action_button(actions, "followups.record", "recordVisit", self.record_visit)
        self.missed_button = action_button(actions, "followups.mark_missed", "markMissed", self.mark_missed)
        self.cancel_button = action_button(
            actions, "followups.cancel", "cancelFollowup", self.cancel_followup
        )
        actions.addStretch(1)
        self.household_button = action_button(
            actions, "followups.open_household", "openHousehold", self.open_household
        )
        self.record_button.setDefault(False)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addLayout(actions)

        for combo in (self.window_combo, self.type_combo, self.group_combo):
            combo.currentIndexChanged.connect(self._reload)
        self.view.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.view.doubleClicked.connect(lambda _: self.record_visit())
        self.view.installEventFilter(self)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._menu)
        print_action = QAction(self)
        print_action.setShortcut(QKeySequence.StandardKey.Print)
        print_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        print_action.triggered.connect(self.print_visit_list)
        self.addAction(print_action)
        self.refresh()

    def _fit_to_font(self, initial: bool = False) -> None:
        fit_columns(self.view, column_samples(), initial, {3: TYPE_COLUMN_MAX})

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FontChange:
            self._fit_to_font()
        super().changeEvent(event)

    # -- the list
    def chosen_window(self) -> str:
        """The work list chosen ("week", "overdue", "next30" or "open"); not QWidget.window()."""
        return str(self.window_combo.currentData())

    def show_window(self, window: str) -> None:
        """Show one whole work list ("week", "overdue", "next30" or "open"), freshly read (the dashboard's
        links): a type or group chosen earlier is let go, so the list holds what the dashboard counted."""
        index = self.window_combo.findData(window)
        if index < 0:
            raise ValueError(f"unknown window {window!r}")
        for combo, i in ((self.window_combo, index), (self.type_combo, 0), (self.group_combo, 0)):
            combo.blockSignals(True)
            combo.setCurrentIndex(i)
            combo.blockSignals(False)
        self.refresh()

    def reload_groups(self) -> None:
        fill_group_combo(self.group_combo, self.ctx.db)

    def refresh(self, *_: object) -> None:
        """Re-read groups and the list (after a change elsewhere; the main window calls this)."""
        self.reload_groups()
        self._reload()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        if not event.spontaneous():
            self._reload()  # other pages may have added or closed follow-ups meanwhile
        super().showEvent(event)

    def _reload(self, *_: object, keep_place: bool = False) -> None:
        """Read the chosen work list; the selected follow-up stays selected. When it has just left the list
        (recorded, missed, cancelled: `keep_place`), the one now in its place is selected, so a list can be
        worked through from top to bottom; otherwise the first."""
        keep = self.selected()
        keep_row = self.view.currentIndex().row()
        rows = followups.work_list(
            self.ctx.db,
            self.ctx.today(),
            self.chosen_window(),
            followup_type=self.type_combo.currentData(),
            group_no=self.group_combo.currentData(),
        )
        self.model.set_rows(rows)
        self.count_label.setText(tr("followups.count", count=len(rows)))
        row = self.model.find_row(lambda r: r.id == keep.id) if keep is not None else -1
        if row < 0 and rows:
            row = min(max(keep_row, 0), len(rows) - 1) if keep_place else 0
        self.view.select_row(row)
        self._update_buttons()

    def selected(self) -> followups.FollowupRow | None:
        row = self.view.current_row()
        return row if isinstance(row, followups.FollowupRow) else None

    def _update_buttons(self, *_: object) -> None:
        row = self.selected()
        status = row.status if row is not None else None
        self.record_button.setEnabled(row is not None and status != FollowupStatus.CANCELLED)
        self.missed_button.setEnabled(status == FollowupStatus.DUE)
        self.cancel_button.setEnabled(status in OPEN)
        self.household_button.setEnabled(row is not None)

    def _menu(self, pos: QPoint) -> None:
        if self.selected() is None:
            return
        menu = QMenu(self)
        for button in (self.record_button, self.missed_button, self.cancel_button, self.household_button):
            action = menu.addAction(button.text())
            action.setEnabled(button.isEnabled())
            action.triggered.connect(button.click)
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.record_visit()
            return True
        return super().eventFilter(watched, event)

    # -- actions
    def _changed(self) -> None:
        self._reload(keep_place=True)
        self.dataChanged.emit()

    def record_visit(self) -> None:
        row = self.selected()
        if row is None or row.status == FollowupStatus.CANCELLED:
            return
        try:
            dialog = ChecklistDialog(self.ctx, row.id, parent=self)
        except DomainError as e:  # gone meanwhile (e.g. a package from the township removed it)
            show_error(self, e)
            self._changed()
            return
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._changed()
        self.view.setFocus()

    def _set_status(self, status: str) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = FollowupStatusDialog(self.ctx, row, status, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._changed()
        self.view.setFocus()

    def mark_missed(self) -> None:
        row = self.selected()
        if row is not None and row.status == FollowupStatus.DUE:
            self._set_status(FollowupStatus.MISSED)

    def cancel_followup(self) -> None:
        row = self.selected()
        if row is not None and row.status in OPEN:
            self._set_status(FollowupStatus.CANCELLED)

    def open_household(self) -> None:
        row = self.selected()
        if row is not None:
            self.personChosen.emit(row.household_id, row.person_id)

    # -- printing
    def default_print_name(self) -> str:
        monday, _ = followups.week_bounds(self.ctx.today())
        return tr("followups.file_name", date=monday.isoformat())

    def print_visit_list(self) -> None:
        """This week's visit list (of the chosen group, if one is chosen) to a PDF the officer names."""
        if self._operation is not None:
            return  # one at a time
        path = ask_save_path(
            self, self.ctx.settings, tr("followups.print_title"), self.default_print_name(),
            tr("followups.pdf_filter"),
        )  # fmt: skip
        if path is None:
            return
        today = self.ctx.today()
        monday, sunday = followups.week_bounds(today)
        rows = followups.work_list(self.ctx.db, today, "week", group_no=self.group_combo.currentData())
        info = village_info(self.ctx.db)
        village, officer = (info.name if info else ""), self.ctx.user.display_name
        week = tr("followups.week_label", start=fmt_date(monday), end=fmt_date(sunday))

        def write(progress: Callable[[float, str], bool]) -> Path:
            # imported here: reportlab adds 0.1 s to start-up, and printing is occasional
            from app.reports.visit_list import write_visit_list

            write_visit_list(
                rows,
                path,
                village_name=village,
                officer_name=officer,
                printed_on=today,
                week_label=week,
                progress=progress,
            )
            return path

        self._operation = run_op(
            self,
            write,
            title=tr("followups.printing"),
            on_success=self._printed,
            on_error=self._print_failed,
        )

    def _printed(self, path: Path) -> None:
        self._operation = None
        record_output(self.ctx, "visit_list", "print")
        self.visitListWritten.emit(str(path))
        offer_to_open(self, path, "visitListWritten", tr("followups.printed_question", path=str(path)))

    def _print_failed(self, error: BaseException) -> None:
        self._operation = None
        if not isinstance(error, Cancelled):  # cancelled: nothing was written, nothing to say
            show_error(self, error)
