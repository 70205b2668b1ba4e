"""The monthly report on screen: pick a month (or year to date), read every indicator, double-click a number
to see the people behind it, and export the same tables to Excel or PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.i18n import tr
from app.progress import Cancelled
from app.services import households as hh
from app.services.indicators import monthly_report_document
from app.services.report_tables import CellKind, ReportDocument, ReportTable, format_cell
from app.ui.audit_log import record_output
from app.ui.context import AppContext
from app.ui.dialogs.people_list import PeopleListDialog
from app.ui.errors import show_error
from app.ui.file_dialogs import ask_save_path
from app.ui.labels import label
from app.ui.pages.supplies import months_back
from app.ui.tablemodels.rows import Column
from app.ui.widgets import action_button, offer_to_open
from app.ui.workers import run_op

MONTHS_SHOWN = 36
LABEL_MIN_CHARS = 8  # the row labels are never narrower (they wrap onto more lines instead)
TITLE_BACKGROUND = QColor("#dfe9f5")
HEADER_BACKGROUND = QColor("#eeeeee")
TOTAL_BACKGROUND = QColor("#f7f7f7")
LINK_COLOUR = QColor("#0b57d0")  # a number with a list of people behind it
NOTE_COLOUR = QColor("#555555")


def wrapped_width(text: str, metrics: QFontMetrics) -> int:
    """How wide `text` must be to fit on two lines: its longest word (English), or half of it (Chinese, which
    may break between any two characters)."""
    widest = 0
    for word in text.split():
        if any(ord(ch) > 0x2E80 for ch in word):
            word = word[: (len(word) + 1) // 2]
        widest = max(widest, metrics.horizontalAdvance(word))
    return widest


@dataclass(frozen=True)
class DrillRow:
    """One person behind a number, as the list shows them."""

    person_id: str
    name: str
    household_no: str
    group_no: int
    sex: str
    age: int
    phone: str
    status: str


def drill_rows(db: Database, people: Sequence[str], on: dt.date) -> list[DrillRow]:
    """The people behind a number as the list shows them, with their age on `on` (the period's last day)."""
    return [
        DrillRow(
            p.id, p.name, p.household_no, p.group_no, p.sex, p.age_on(min(on, p.death_date or on)), p.phone,
            p.residence_status,
        )
        for p in hh.people_by_ids(db, people)
    ]  # fmt: skip


def drill_columns() -> list[Column[DrillRow]]:
    return [
        Column("followups.col.person", lambda r: r.name, width=90),
        Column("households.col.number", lambda r: r.household_no, width=80),
        Column("households.col.group", lambda r: str(r.group_no), sort_key=lambda r: r.group_no, width=60),
        Column("members.col.sex", lambda r: label("sex", r.sex), width=50),
        Column(
            "report_ui.col.age", lambda r: str(r.age), sort_key=lambda r: r.age, align_right=True, width=60
        ),
        Column("households.col.phone", lambda r: r.phone, width=120),
        Column("report_ui.col.status", lambda r: label("residence", r.status), width=90),
    ]


class MonthlyReportTab(QWidget):
    careRequested = Signal(str)  # double-click in a list of people: open the person's care record
    reportShown = Signal()  # the tables are on screen (tests wait for it)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.document: ReportDocument | None = None
        self._stale = True
        self._loading = False
        self._people: dict[tuple[int, int], tuple[str, tuple[str, ...]]] = {}
        self._heading_rows: set[int] = set()
        self._fitting = False

        self.month_combo = QComboBox()
        self.month_combo.setObjectName("reportMonth")
        for year, month in months_back(ctx.today(), MONTHS_SHOWN):
            self.month_combo.addItem(tr("report.period_month", year=year, month=month), (year, month))
        # Reports are made early in the month for the month before (due by the 5th).
        self.month_combo.setCurrentIndex(1)
        self.ytd_check = QCheckBox(tr("report_ui.year_to_date"))
        self.ytd_check.setObjectName("reportYearToDate")
        self.period_label = QLabel()
        self.period_label.setObjectName("reportPeriod")

        bar = QHBoxLayout()
        month_caption = QLabel(tr("report_ui.month"))
        month_caption.setBuddy(self.month_combo)
        bar.addWidget(month_caption)
        bar.addWidget(self.month_combo)
        bar.addWidget(self.ytd_check)
        bar.addWidget(self.period_label, 1)
        self.xlsx_button = action_button(bar, "report_ui.export_xlsx", "exportReportXlsx", self.export_xlsx)
        self.pdf_button = action_button(bar, "report_ui.export_pdf", "exportReportPdf", self.export_pdf)

        self.table = QTableWidget()
        self.table.setObjectName("reportTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.setShowGrid(False)  # the tables are set apart by their shaded title and header rows
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setVisible(False)
        # Double-click or Enter opens the list of people. Not `cellActivated`: a double-click activates too, so
        # both together opened every list twice.
        self.table.cellDoubleClicked.connect(self.open_people)
        self.table.installEventFilter(self)
        self.table.viewport().installEventFilter(self)
        hint = QLabel(tr("report_ui.hint"))
        hint.setObjectName("reportHint")
        hint.setStyleSheet("color: #555555;")

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)

        self.month_combo.currentIndexChanged.connect(self.reload)
        self.ytd_check.toggled.connect(self.reload)

    # -- loading
    def period(self) -> tuple[int, int]:
        return self.month_combo.currentData()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.reload()

    def refresh(self, *_: object) -> None:
        """Data changed elsewhere: re-read now if on screen, else when next shown."""
        self._stale = True
        if self.isVisible():
            self.reload()

    def reload(self, *_: object) -> None:
        if self._loading:
            self._stale = True  # the running computation is for an old choice: read again when it ends
            return
        self._stale, self._loading = False, True
        year, month = self.period()
        ytd, today, db = self.ytd_check.isChecked(), self.ctx.today(), self.ctx.db

        def compute(progress: Callable[[float, str], bool]) -> ReportDocument:
            progress(0.1, tr("report_ui.computing"))
            return monthly_report_document(db, year, month, year_to_date=ytd, today=today)

        run_op(
            self,
            compute,
            title=tr("report_ui.computing"),
            on_success=self._loaded,
            on_error=self._failed,
            cancellable=False,
            show_after_ms=600,
        )

    def _loaded(self, document: ReportDocument) -> None:
        self._loading = False
        if self._stale:  # the month was changed while it was computing
            self.reload()
            return
        self.show_document(document)

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        show_error(self, error)

    # -- the tables
    def show_document(self, doc: ReportDocument) -> None:
        self.document = doc
        self._people.clear()
        self._heading_rows.clear()
        self.period_label.setText(
            tr("report_ui.period", period=doc.period_label(), first=doc.period_first, last=doc.period_last)
        )
        width = 1 + max(len(t.columns) for t in doc.tables)
        self.table.clear()
        self.table.setColumnCount(width)
        self.table.setRowCount(sum(len(t.rows) + 3 + bool(t.note) for t in doc.tables))
        row = 0
        for index, t in enumerate(doc.tables):
            row = self._add_table(row, t, width, spacer=index > 0)
        self.table.setRowCount(row)
        self.fit_columns()
        self.reportShown.emit()

    def fit_columns(self) -> None:
        """Share the table's width out so that no section needs scrolling sideways at any text size: each
        figure column as wide as its widest figure and at least half its heading (headings wrap onto two
        lines first), the row labels the rest (they wrap next). Only a window too narrow even for that
        scrolls."""
        table = self.table
        columns = table.columnCount()
        if columns == 0:
            return
        if self._fitting:  # a scroll bar came or went while fitting: once more, when this one is done
            QTimer.singleShot(0, self.fit_columns)
            return
        self._fitting = True
        try:
            self._fit_columns(table, columns)
        finally:
            self._fitting = False

    def _fit_columns(self, table: QTableWidget, columns: int) -> None:
        bold = QFont(table.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        pad = 2 * table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 14
        least = [0] * columns  # what a column needs with its heading wrapped
        wish = [0] * columns  # what it needs with every text on one line
        for r in range(table.rowCount()):
            for c in range(columns):
                item = table.item(r, c)
                if item is None or table.columnSpan(r, c) != 1:
                    continue
                text = item.text()
                full = metrics.horizontalAdvance(text) + pad
                wish[c] = max(wish[c], full)
                if r in self._heading_rows or c == 0:
                    least[c] = max(least[c], wrapped_width(text, metrics) + pad)
                else:
                    least[c] = max(least[c], full)
        least[0] = max(least[0], metrics.horizontalAdvance("中") * LABEL_MIN_CHARS + pad)
        room = table.viewport().width()
        widths = list(wish)
        over = sum(widths) - room
        if over > 0:  # the figure headings wrap first, each giving up a share of what it can spare
            spare = [wish[c] - least[c] for c in range(1, columns)]
            total = sum(spare)
            if total:
                cut = min(over, total)
                widths[1:] = [wish[c] - -(-cut * spare[c - 1] // total) for c in range(1, columns)]
            over = sum(widths) - room
        if over > 0:  # then the row labels
            widths[0] = max(least[0], wish[0] - over)
        for c, w in enumerate(widths):
            table.setColumnWidth(c, w)
        table.resizeRowsToContents()

    def _item(self, text: str, *, bold: bool = False, background: QColor | None = None) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        if bold:
            font = QFont(self.table.font())
            font.setBold(True)
            item.setFont(font)
        if background is not None:
            item.setBackground(QBrush(background))
        return item

    def _add_table(self, row: int, t: ReportTable, width: int, spacer: bool) -> int:
        if spacer:
            self.table.setRowHeight(row, 10)
            row += 1
        self.table.setItem(row, 0, self._item(tr(t.key), bold=True, background=TITLE_BACKGROUND))
        self.table.setSpan(row, 0, 1, width)
        row += 1
        self._heading_rows.add(row)
        self.table.setItem(row, 0, self._item(tr(t.label_heading), bold=True, background=HEADER_BACKGROUND))
        for c, column in enumerate(t.columns, start=1):
            head = self._item(tr(column.key), bold=True, background=HEADER_BACKGROUND)
            head.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(row, c, head)
        row += 1
        for r in t.rows:
            background = TOTAL_BACKGROUND if r.total else None
            self.table.setItem(row, 0, self._item(r.label_text(), bold=r.total, background=background))
            for c, (value, column) in enumerate(zip(r.cells, t.columns, strict=True), start=1):
                cell = self._item(format_cell(value, column.kind), bold=r.total, background=background)
                if column.kind is not CellKind.TEXT:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                people = r.people_of(c - 1)
                if people:
                    cell.setForeground(QBrush(LINK_COLOUR))
                    cell.setToolTip(tr("report_ui.people_tip", count=len(set(people))))
                    title = f"{r.label_text()} · {tr(column.key)}"
                    self._people[(row, c)] = (title, people)
                self.table.setItem(row, c, cell)
            row += 1
        if t.note:
            note = self._item(tr(t.note))
            note.setForeground(QBrush(NOTE_COLOUR))
            self.table.setItem(row, 0, note)
            self.table.setSpan(row, 0, 1, width)
            row += 1
        return row

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (watched is self.table.viewport() and event.type() == QEvent.Type.Resize) or (
            watched is self.table and event.type() == QEvent.Type.FontChange
        ):
            self.fit_columns()  # the window was resized (or a scroll bar came), or the text size changed
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.table.currentRow() >= 0
        ):
            self.open_people(self.table.currentRow(), self.table.currentColumn())
            return True
        return super().eventFilter(watched, event)

    def people_at(self, row: int, column: int) -> tuple[str, tuple[str, ...]] | None:
        return self._people.get((row, column))

    def open_people(self, row: int, column: int) -> PeopleListDialog | None:
        found = self.people_at(row, column)
        if found is None or self.document is None:
            return None
        title, people = found
        rows = drill_rows(self.ctx.db, people, self.document.period_last)
        dialog = PeopleListDialog(
            self.ctx,
            "reportPeople",
            title,
            tr("report_ui.people_intro", period=self.document.period_label(), count=len(rows)),
            drill_columns(),
            rows,
            width=680,
            parent=self,
        )
        dialog.careRequested.connect(self.careRequested)
        dialog.open()
        return dialog

    # -- export
    def _default_name(self, suffix: str) -> str:
        doc = self.document
        period = doc.period_label() if doc else ""
        return f"{tr('report_ui.file_name', period=period)}{suffix}"

    def export_xlsx(self) -> None:
        self._export(".xlsx", tr("report_ui.xlsx_filter"))

    def export_pdf(self) -> None:
        self._export(".pdf", tr("followups.pdf_filter"))

    def _export(self, suffix: str, file_filter: str) -> None:
        doc = self.document
        if doc is None or self._loading:
            return
        path = ask_save_path(
            self, self.ctx.settings, tr("report_ui.export_title"), self._default_name(suffix), file_filter
        )
        if path is None:
            return
        printed_on = self.ctx.today()

        def write(progress: Callable[[float, str], bool]) -> Path:
            # imported here: reportlab and openpyxl add to start-up, and exports are occasional
            if suffix == ".xlsx":
                from app.reports.monthly_xlsx import write_report_xlsx

                write_report_xlsx(path, doc, printed_on=printed_on, progress=progress)
            else:
                from app.reports.monthly_pdf import write_report_pdf

                write_report_pdf(path, doc, printed_on=printed_on, progress=progress)
            return path

        run_op(
            self,
            write,
            title=tr("report_ui.exporting"),
            on_success=self._exported,
            on_error=self._export_failed,
        )

    def _exported(self, path: Path) -> None:
        record_output(self.ctx, "monthly_report", format=path.suffix.lstrip("."))
        offer_to_open(self, path, "reportExported")

    def _export_failed(self, error: BaseException) -> None:
        if not isinstance(error, Cancelled):
            show_error(self, error)
