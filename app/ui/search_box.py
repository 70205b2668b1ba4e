"""The global search box (Ctrl+F): type a name, pinyin, initials, ID fragment or household number; the
matches drop down; Enter or a click jumps to the person's household."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.i18n import tr
from app.services.search import SearchHit, search
from app.ui.context import AppContext
from app.ui.labels import fmt_date, label


def describe(hit: SearchHit) -> str:
    if hit.kind == "household":
        return tr("search.household_hit", number=hit.household_no, group=hit.group_no)
    status = (
        "" if hit.residence_status in ("resident", "") else f" · {label('residence', hit.residence_status)}"
    )
    idn = f" · {hit.id_number}" if hit.id_number else ""
    return (
        tr(
            "search.person_hit",
            name=hit.title,
            birth=fmt_date(hit.birth_date),
            number=hit.household_no,
            group=hit.group_no,
        )
        + idn
        + status
    )


class SearchBox(QLineEdit):
    chosen = Signal(str, str)  # household id, person id ("" for a household)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("globalSearch")
        self.setPlaceholderText(tr("search.placeholder"))
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(320)
        self.popup = QFrame(self, Qt.WindowType.Popup)
        self.popup.setFrameShape(QFrame.Shape.Box)
        self.results = QListWidget(self.popup)
        self.results.setObjectName("searchResults")
        layout = QVBoxLayout(self.popup)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.results)
        self.results.itemActivated.connect(self._activate)
        self.results.itemClicked.connect(self._activate)
        self.results.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)  # wait for the pinyin input method to settle
        self._timer.timeout.connect(self.run_search)
        self.textEdited.connect(lambda _: self._timer.start())
        self.returnPressed.connect(self._enter)

    def run_search(self) -> None:
        hits = search(self.ctx.db, self.text())
        self.results.clear()
        if not self.text().strip():
            self.popup.hide()
            return
        if not hits:
            item = QListWidgetItem(tr("search.nothing_found"))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(item)
        for hit in hits:
            item = QListWidgetItem(describe(hit))
            item.setData(Qt.ItemDataRole.UserRole, hit)
            self.results.addItem(item)
        self.results.setCurrentRow(0 if hits else -1)
        width = max(self.width(), 460)
        rows = min(max(self.results.count(), 1), 12)
        self.popup.resize(width, rows * (self.results.sizeHintForRow(0) + 2) + 6)
        self.popup.move(self.mapToGlobal(self.rect().bottomLeft()))
        self.popup.show()
        self.results.setFocus()

    def _enter(self) -> None:
        self._timer.stop()
        self.run_search()

    def _activate(self, item: QListWidgetItem) -> None:
        hit = item.data(Qt.ItemDataRole.UserRole)
        if not isinstance(hit, SearchHit):
            return
        self.popup.hide()
        self.chosen.emit(hit.household_id, hit.id if hit.kind == "person" else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Typing while the list has focus goes on editing the search text.
        if watched is self.results and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.results.currentItem()
                if item is not None:
                    self._activate(item)
                return True
            if key == Qt.Key.Key_Escape:
                self.popup.hide()
                self.setFocus()
                return True
            if key not in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
                self.popup.hide()
                self.setFocus()
                self.event(event)
                return True
        return super().eventFilter(watched, event)
