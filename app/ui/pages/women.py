"""育龄妇女: women of reproductive age on a reference date, filtered by group, marital status, age and text."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.i18n import tr
from app.services import women
from app.ui.context import AppContext
from app.ui.forms import DateEdit
from app.ui.labels import choices, fmt_date, label
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import FieldError, RegisterView, fill_group_combo


def _pregnancy(row: women.WomanRow) -> str:
    if not row.pregnant:
        return ""
    return tr("women.pregnant_edd", edd=fmt_date(row.edd)) if row.edd else tr("women.pregnant")


WOMEN_COLUMNS: list[Column[women.WomanRow]] = [
    Column("members.col.name", lambda r: r.name, width=80),
    Column("members.col.age", lambda r: str(r.age), sort_key=lambda r: r.age, align_right=True, width=50),
    Column("members.col.birth_date", lambda r: fmt_date(r.birth_date), width=95),
    Column("members.col.marital", lambda r: label("marital", r.marital_status), width=70),
    Column(
        "households.col.group",
        lambda r: str(r.group_no),
        sort_key=lambda r: r.group_no,
        align_right=True,
        width=40,
    ),
    Column("households.col.number", lambda r: r.household_no, width=70),
    Column("members.col.phone", lambda r: r.phone, width=105),
    Column("women.col.method", lambda r: label("method", r.method), width=100),
    Column("women.col.pregnancy", _pregnancy, sort_key=lambda r: r.edd if r.pregnant else None, width=150),
    Column(
        "women.col.folic_acid",
        lambda r: tr("women.folic_on") if r.folic_acid else "",
        sort_key=lambda r: not r.folic_acid,
        width=70,
    ),
    Column("members.col.residence", lambda r: label("residence", r.residence_status), width=80),
]


def column_samples() -> list[str]:
    """Typical content of each column (in WOMEN_COLUMNS order), to size it for the text size in use."""

    def longest(kind: str) -> str:
        return max((text for _, text in choices(kind)), key=len)

    return [
        "欧阳晓燕", "49", "2024-12-31", longest("marital"), "12", "0101-01", "13900001111", longest("method"),
        tr("women.pregnant_edd", edd="2024-12-31"), tr("women.folic_on"), longest("residence"),
    ]  # fmt: skip


class WomenPage(QWidget):
    """The 育龄妇女花名册 on screen. Double-click or Enter on a row emits personChosen(household, person)."""

    personChosen = Signal(str, str)
    careRequested = Signal(str)  # person id: open her care record

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("womenPage")
        self._on = ctx.today()  # the reference date of the list on screen

        self.date_edit = DateEdit("reference_date")
        self.date_edit.setObjectName("womenReferenceDate")
        self.date_edit.setToolTip(tr("women.reference_date_tip"))
        self.date_edit.set_date(self._on)
        self.today_button = QPushButton(tr("women.today"))
        self.today_button.setObjectName("womenToday")
        self.date_error = FieldError()
        self.date_error.setObjectName("womenReferenceDateError")
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("womenGroupFilter")
        self.marital_combo = QComboBox()
        self.marital_combo.setObjectName("womenMaritalFilter")
        self.marital_combo.addItem(tr("women.all_marital"), None)
        for code, text in choices("marital"):
            self.marital_combo.addItem(text, code)
        self.age_combo = QComboBox()
        self.age_combo.setObjectName("womenAgeFilter")
        self.age_combo.addItem(tr("women.all_ages"), None)
        for i, (low, high) in enumerate(women.AGE_BANDS):
            self.age_combo.addItem(tr("women.age_band", low=low, high=high), i)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("womenFilter")
        self.filter_edit.setPlaceholderText(tr("women.filter_placeholder"))
        self.filter_edit.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.count_label.setObjectName("womenCount")
        self.model: RowTableModel[women.WomanRow] = RowTableModel(WOMEN_COLUMNS, self)
        self.view = RegisterView(self.model, ctx.settings, "women")
        self.view.setObjectName("womenTable")

        # Two rows that fit 1366×768 at the largest text size: what to look for, then which women.
        first = QHBoxLayout()
        filter_label = QLabel(tr("households.filter"))
        filter_label.setBuddy(self.filter_edit)
        first.addWidget(filter_label)
        first.addWidget(self.filter_edit, 1)
        first.addSpacing(12)
        date_label = QLabel(tr("women.reference_date"))
        date_label.setBuddy(self.date_edit)
        first.addWidget(date_label)
        first.addWidget(self.date_edit)
        first.addWidget(self.today_button)
        first.addSpacing(12)
        first.addWidget(self.count_label)
        second = QHBoxLayout()
        for text, combo in (
            (tr("households.group"), self.group_combo),
            (tr("members.col.marital"), self.marital_combo),
            (tr("women.age"), self.age_combo),
        ):
            caption = QLabel(text)
            caption.setBuddy(combo)
            second.addWidget(caption)
            second.addWidget(combo)
            second.addSpacing(8)
        second.addStretch(1)
        self.care_button = QPushButton(tr("care.open"))
        self.care_button.setObjectName("womenCare")
        self.care_button.clicked.connect(self._care)
        second.addWidget(self.care_button)
        layout = QVBoxLayout(self)
        layout.addLayout(first)
        layout.addWidget(self.date_error)
        layout.addLayout(second)
        layout.addWidget(self.view, 1)
        self._fit_to_font(initial=ctx.settings.value("tables/women/header") is None)

        self.date_edit.textChanged.connect(self._date_typed)
        self.date_edit.editingFinished.connect(self._date_finished)
        self.today_button.clicked.connect(self._to_today)
        self.filter_edit.textChanged.connect(self._reload)
        for combo in (self.group_combo, self.marital_combo, self.age_combo):
            combo.currentIndexChanged.connect(self._reload)
        self.view.doubleClicked.connect(self._choose)
        self.view.installEventFilter(self)
        self.refresh()

    def _care(self) -> None:
        row = self.view.current_row()
        if isinstance(row, women.WomanRow):
            self.careRequested.emit(row.id)

    # -- sizes that follow the text size
    def _fit_to_font(self, initial: bool = False) -> None:
        """Size the date field and the columns for the current font: on first use every column shows its
        title and typical content; after a text-size change, columns only grow (a width the person chose
        is kept when it is still wide enough)."""
        metrics = self.fontMetrics()
        self.date_edit.setFixedWidth(metrics.horizontalAdvance("2024年12月31日") + 16)
        header = self.view.horizontalHeader()
        for i, sample in enumerate(column_samples()):
            need = max(header.sectionSizeHint(i), metrics.horizontalAdvance(sample) + 16)
            if initial or self.view.columnWidth(i) < need:
                self.view.setColumnWidth(i, need)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FontChange:
            self._fit_to_font()
        super().changeEvent(event)

    # -- the reference date
    def reference_date(self) -> dt.date:
        """The date the list on screen is for (the last date typed that could be read)."""
        return self._on

    def _date_typed(self, text: str) -> None:
        """Follow the typing once the text is a whole date; complain only when the person is done."""
        try:
            day = self.date_edit.date()
        except DomainError:
            return
        if day is not None:
            self._set_reference(day)

    def _date_finished(self) -> None:
        try:
            day = self.date_edit.date()
        except DomainError as e:
            self.date_error.show_message(e.message())
            return
        if day is None:
            self.date_error.show_message(tr("women.reference_date_required"))
            return
        self._set_reference(day)

    def _to_today(self) -> None:
        self.date_edit.set_date(self.ctx.today())
        self._date_finished()

    def _set_reference(self, day: dt.date) -> None:
        self.date_error.show_message("")
        if day != self._on:
            self._on = day
            self._reload()

    # -- the list
    def reload_groups(self) -> None:
        fill_group_combo(self.group_combo, self.ctx.db)

    def age_band(self) -> tuple[int, int] | None:
        index = self.age_combo.currentData()
        return women.AGE_BANDS[index] if isinstance(index, int) else None

    def selected_woman(self) -> women.WomanRow | None:
        row = self.view.current_row()
        return row if isinstance(row, women.WomanRow) else None

    def refresh(self, *_: object) -> None:
        """Re-read groups and women after a change elsewhere (the main window calls this)."""
        self.reload_groups()
        self._reload()

    def _reload(self, *_: object) -> None:
        """Re-read the list with the current filters, keeping the selected woman if she still shows."""
        keep = self.selected_woman()
        rows = women.list_women(
            self.ctx.db,
            self._on,
            group_no=self.group_combo.currentData(),
            marital=self.marital_combo.currentData(),
            age_band=self.age_band(),
            text=self.filter_edit.text(),
        )
        self.model.set_rows(rows)
        self.count_label.setText(tr("women.count", count=len(rows), date=fmt_date(self._on)))
        if keep is not None:
            self.view.select_row(self.model.find_row(lambda r: r.id == keep.id))

    # -- opening a woman
    def _choose(self, *_: object) -> None:
        row = self.selected_woman()
        if row is not None:
            self.personChosen.emit(row.household_id, row.id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._choose()
            return True
        return super().eventFilter(watched, event)
