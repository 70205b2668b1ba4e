"""Small reusable widgets: a register table view that remembers its columns, and a field-error label."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QTableView,
    QWidget,
)

from app.db import Database
from app.i18n import tr
from app.services.households import list_groups
from app.ui.tablemodels.rows import RowTableModel


def fill_group_combo(combo: QComboBox, db: Database) -> None:
    """ "All groups" then each villager group, keeping the current choice; no change signal is sent."""
    keep = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(tr("households.all_groups"), None)
    for number, name in list_groups(db):
        combo.addItem(f"{number} {name}", number)
    found = combo.findData(keep) if keep is not None else 0
    combo.setCurrentIndex(max(found, 0))
    combo.blockSignals(False)


def action_button(layout: QBoxLayout, text_id: str, name: str, slot: Callable[[], object]) -> QPushButton:
    """A page's action button: translated text, an object name tests can find, added to the layout."""
    button = QPushButton(tr(text_id))
    button.setObjectName(name)
    button.setAutoDefault(False)
    button.clicked.connect(slot)
    layout.addWidget(button)
    return button


FIT_CHARS = 30  # a column grown to fit its content is at most this many characters wide (it can be widened)
SORT_ARROW_ROOM = 28  # a title's padding and the sort indicator beside it


class RegisterView(QTableView):
    """A sortable, resizable table whose column widths and order are remembered between runs.

    Nothing on screen is cut: whenever the rows change, the view is scrolled or resized, or the text size
    changes, a column narrower than its title or than a row it shows grows to fit (up to FIT_CHARS characters;
    a column is never narrowed, so a width the person chose is kept while it is wide enough)."""

    def __init__(
        self,
        model: RowTableModel,
        settings: QSettings,
        key: str,
        parent: QWidget | None = None,
        sort_column: int = 0,
    ) -> None:
        """`sort_column` -1 keeps the service's own order (e.g. household members: head first)."""
        super().__init__(parent)
        self._settings, self._key = settings, f"tables/{key}/header"
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSortIndicator(sort_column, Qt.SortOrder.AscendingOrder)
        self._fitting = False
        self.fit_columns_to_titles()
        saved = settings.value(self._key)
        if isinstance(saved, QByteArray | bytes):
            header.restoreState(QByteArray(saved))
        self.setSortingEnabled(True)  # after the indicator is set, or Qt sorts descending first
        header.sectionResized.connect(self._save)
        header.sectionMoved.connect(self._save)
        header.sortIndicatorChanged.connect(self._save)
        model.modelReset.connect(self.fit_to_contents)
        model.layoutChanged.connect(self.fit_to_contents)
        self.verticalScrollBar().valueChanged.connect(self.fit_to_contents)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Rows and columns follow the text size when it is changed in Settings (the app font changes under
        us)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
            self.fit_to_contents()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.fit_to_contents()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.size().height() > event.oldSize().height():
            self.fit_to_contents()  # more rows on screen

    def fit_to_contents(self, *_: object) -> None:
        """Grow each column that would cut its title or a row on screen (see the class)."""
        model = self.model()
        if self._fitting or model is None or not self.isVisible():
            return  # a hidden view has no rows on screen; it is fitted when shown
        self._fitting = True
        try:
            header = self.horizontalHeader()
            title_metrics, metrics = header.fontMetrics(), self.fontMetrics()
            cap = metrics.horizontalAdvance("中") * FIT_CHARS
            # the item's text margins (Qt's delegate: the focus frame margin + 1 on each side) and the grid line
            pad = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1) + 4
            first = max(self.rowAt(0), 0)
            last = self.rowAt(self.viewport().height() - 1)
            last = model.rowCount() - 1 if last < 0 else last
            for i in range(model.columnCount()):
                if header.isSectionHidden(i):
                    continue
                title = str(model.headerData(i, Qt.Orientation.Horizontal) or "")
                need = title_metrics.horizontalAdvance(title) + SORT_ARROW_ROOM
                widest = max(
                    (
                        metrics.horizontalAdvance(str(model.index(r, i).data() or ""))
                        for r in range(first, last + 1)
                    ),
                    default=0,
                )
                need = max(need, min(widest + pad, cap))
                if need > self.columnWidth(i):
                    self.setColumnWidth(i, need)
        finally:
            self._fitting = False

    def fit_columns_to_titles(self) -> None:
        """Each column at least as wide as its title in the current language and text size."""
        metrics = self.horizontalHeader().fontMetrics()
        model = self.model()
        assert isinstance(model, RowTableModel)
        for i, col in enumerate(model.columns):
            title = str(model.headerData(i, Qt.Orientation.Horizontal))
            self.setColumnWidth(i, max(col.width, metrics.horizontalAdvance(title) + SORT_ARROW_ROOM))

    def _save(self, *_: object) -> None:
        self._settings.setValue(self._key, self.horizontalHeader().saveState())

    def current_row(self) -> object | None:
        index = self.currentIndex()
        if not index.isValid():
            return None
        model = self.model()
        assert isinstance(model, RowTableModel)
        return model.row_at(index.row())

    def select_row(self, row: int) -> None:
        if row < 0:
            return
        self.selectRow(row)
        self.scrollTo(self.model().index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)


class FieldError(QLabel):
    """The red sentence under a form field that says what is wrong and how to fix it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet("color: #b00020;")
        self.setObjectName("fieldError")
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


def offer_to_open(parent: QWidget, path: Path, name: str, message: str | None = None) -> None:
    """Say where a file was written and offer to open it in the system's viewer (PDF reader, spreadsheet)."""
    box = QMessageBox(QMessageBox.Icon.Question, tr("report_ui.written_title"), "", parent=parent)
    box.setObjectName(name)
    box.setText(message or tr("report_ui.written", path=str(path)))
    open_button = box.addButton(tr("report_ui.open_file"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(tr("followups.not_now"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(open_button)
    box.exec()
    if box.clickedButton() is open_button:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
