"""The consolidated monthly report of a township on screen (for the Township page): pick a month, read every
figure of every village side by side with the township total, see where a village's submitted report differs
from the recount, double-click a number for the people behind it, and export the same report to Excel or PDF.

The row labels stay in view when scrolling across 60 villages (they are the table's row headings), and so do
the village names (its column headings). Counting 60 villages takes seconds: it runs off the UI thread with a
progress dialog, as the exports do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.actor import Actor
from app.db import Database
from app.i18n import tr
from app.progress import Cancelled
from app.services.consolidated import Cell, ConsolidatedReport, Line, consolidated_report
from app.services.report_tables import CellKind, format_cell
from app.ui.audit_log import record_output_as
from app.ui.dialogs.people_list import PeopleListDialog
from app.ui.errors import show_error
from app.ui.file_dialogs import ask_save_path
from app.ui.pages.report_monthly import drill_columns, drill_rows
from app.ui.pages.supplies import months_back
from app.ui.widgets import action_button, offer_to_open
from app.ui.workers import run_op

MONTHS_SHOWN = 36
SECTION_BACKGROUND = QColor("#dfe9f5")
TOTAL_BACKGROUND = QColor("#f2f2f2")
DIFFERS_BACKGROUND = QColor("#ffd966")  # amber, as in the Excel file and the PDF
LINK_COLOUR = QColor("#0b57d0")  # a number with a list of people behind it

VillagesFn = Callable[[], Sequence[tuple[str, str]]]  # (code, name) of the villages to show, in order
SubmittedFn = Callable[[int, int], Mapping[str, Mapping[str, Any]]]  # (year, month) -> code -> monthly.json


class _Settings:
    """What the list of people needs (where it keeps its column widths), without a whole AppContext."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings


class ConsolidatedReportView(QWidget):
    """The township's consolidated report. `villages()` gives the villages to show, `submitted(year, month)`
    each village's report/monthly.json as its package brought it (both called on the UI thread when the month
    changes: keep them quick), `today()` the date. `settings` keeps the people list's column widths; `actor`,
    when given, is who the exports are audited as."""

    careRequested = Signal(str)  # double-click in a list of people: that person's id
    reportShown = Signal()  # the figures are on screen (tests wait for it)
    exported = Signal(object)  # the Path of a file written

    def __init__(
        self,
        db: Database,
        villages: VillagesFn,
        submitted: SubmittedFn,
        today: Callable[[], dt.date],
        *,
        settings: QSettings | None = None,
        actor: Actor | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self._villages, self._submitted, self._today = db, villages, submitted, today
        self._settings = _Settings(settings if settings is not None else QSettings())
        self._actor = actor
        self.report: ConsolidatedReport | None = None
        self._stale = True
        self._loading = False
        self._lines: dict[int, Line] = {}  # table row -> the line it shows

        self.month_combo = QComboBox()
        self.month_combo.setObjectName("consolidatedMonth")
        for year, month in months_back(today(), MONTHS_SHOWN):
            self.month_combo.addItem(tr("report.period_month", year=year, month=month), (year, month))
        self.month_combo.setCurrentIndex(1)  # made early in the month for the month before
        self.ytd_check = QCheckBox(tr("report_ui.year_to_date"))
        self.ytd_check.setObjectName("consolidatedYearToDate")
        self.summary = QLabel()
        self.summary.setObjectName("consolidatedSummary")
        self.summary.setWordWrap(True)

        bar = QHBoxLayout()
        caption = QLabel(tr("report_ui.month"))
        caption.setBuddy(self.month_combo)
        bar.addWidget(caption)
        bar.addWidget(self.month_combo)
        bar.addWidget(self.ytd_check)
        bar.addStretch(1)
        self.xlsx_button = action_button(
            bar, "consolidated.export_xlsx", "exportConsolidatedXlsx", self.export_xlsx
        )
        self.pdf_button = action_button(
            bar, "consolidated.export_pdf", "exportConsolidatedPdf", self.export_pdf
        )

        self.table = QTableWidget()
        self.table.setObjectName("consolidatedTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        labels = self.table.verticalHeader()
        labels.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        labels.setSectionsClickable(False)
        labels.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionsClickable(False)
        self.table.cellDoubleClicked.connect(self.open_people)
        self.table.installEventFilter(self)
        hint = QLabel(tr("consolidated.hint"))
        hint.setObjectName("consolidatedHint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555555;")

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)

        self.month_combo.currentIndexChanged.connect(self.reload)
        self.ytd_check.toggled.connect(self.reload)

    # -- loading
    def period(self) -> tuple[int, int]:
        year, month = self.month_combo.currentData()
        return int(year), int(month)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.reload()

    def refresh(self, *_: object) -> None:
        """Packages were imported (or villages enrolled): count again now if on screen, else when next shown."""
        self._stale = True
        if self.isVisible():
            self.reload()

    def reload(self, *_: object) -> None:
        if self._loading:
            self._stale = True  # the running count is for an old choice: count again when it ends
            return
        self._stale, self._loading = False, True
        year, month = self.period()
        ytd, today, db = self.ytd_check.isChecked(), self._today(), self.db
        villages = list(self._villages())
        submitted = dict(self._submitted(year, month))

        def compute(progress: Callable[[float, str], bool]) -> ConsolidatedReport:
            return consolidated_report(
                db,
                year,
                month,
                villages=villages,
                submitted=submitted,
                year_to_date=ytd,
                today=today,
                progress=progress,
            )

        run_op(
            self,
            compute,
            title=tr("consolidated.progress"),
            on_success=self._loaded,
            on_error=self._failed,
            show_after_ms=600,
        )

    def _loaded(self, report: ConsolidatedReport) -> None:
        self._loading = False
        if self._stale:  # the month was changed while it was counting
            self.reload()
            return
        self.show_report(report)

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        if not isinstance(error, Cancelled):
            show_error(self, error)

    # -- the table
    def show_report(self, report: ConsolidatedReport) -> None:
        self.report = report
        self._lines.clear()
        names = report.column_names()
        table = self.table
        table.clear()
        table.setColumnCount(len(names))
        table.setHorizontalHeaderLabels(list(names))
        for c, v in enumerate(report.villages):
            heading = table.horizontalHeaderItem(c)
            if heading is not None:
                heading.setToolTip(f"{v.name}（{v.code}）")
        table.setRowCount(sum(1 + len(s.lines) for s in report.sections))
        bold = QFont(table.font())
        bold.setBold(True)
        row = 0
        for section in report.sections:
            title = QTableWidgetItem(tr(section.key))
            title.setFont(bold)
            title.setBackground(QBrush(SECTION_BACKGROUND))
            table.setVerticalHeaderItem(row, title)
            for c in range(len(names)):
                filler = QTableWidgetItem("")
                filler.setFlags(Qt.ItemFlag.NoItemFlags)
                filler.setBackground(QBrush(SECTION_BACKGROUND))
                table.setItem(row, c, filler)
            if section.note:
                title.setToolTip(tr(section.note))
            row += 1
            for line in section.lines:
                heading = QTableWidgetItem(line.label_text())
                if line.total:
                    heading.setFont(bold)
                table.setVerticalHeaderItem(row, heading)
                for c, cell in enumerate(line.cells):
                    table.setItem(row, c, self._cell(line, cell, total=c == len(line.cells) - 1, bold=bold))
                self._lines[row] = line
                row += 1
        self.summary.setText(self._summary(report))
        table.resizeColumnsToContents()
        self.reportShown.emit()

    def _cell(self, line: Line, cell: Cell, *, total: bool, bold: QFont) -> QTableWidgetItem:
        item = QTableWidgetItem(format_cell(cell.value, line.kind))
        if line.kind is not CellKind.TEXT:
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        tips = []
        if total or line.total:
            item.setFont(bold)
        if total:
            item.setBackground(QBrush(TOTAL_BACKGROUND))
        if cell.people:
            item.setForeground(QBrush(LINK_COLOUR))
            tips.append(tr("report_ui.people_tip", count=len(set(cell.people))))
        if cell.differs:
            item.setBackground(QBrush(DIFFERS_BACKGROUND))
            tips.insert(
                0,
                tr(
                    "consolidated.differs_tip",
                    submitted=format_cell(cell.submitted, line.kind),
                    recount=format_cell(cell.value, line.kind),
                ),
            )
        if tips:
            item.setToolTip("\n".join(tips))
        return item

    def _summary(self, report: ConsolidatedReport) -> str:
        compared = sum(1 for v in report.villages if v.submitted.value == "compared")
        differing = [v.name for v in report.villages if v.differences]
        text = tr(
            "consolidated.summary",
            period=report.period_label(),
            first=report.period_first,
            last=report.period_last,
            villages=len(report.villages),
            compared=compared,
        )
        if differing:
            text += " " + tr("consolidated.summary_differs", villages="、".join(differing))
        return text

    def line_at(self, row: int) -> Line | None:
        return self._lines.get(row)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
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

    def open_people(self, row: int, column: int) -> PeopleListDialog | None:
        line, report = self.line_at(row), self.report
        if line is None or report is None or not 0 <= column < len(line.cells):
            return None
        people = line.cells[column].people
        if not people:
            return None
        where = report.column_names()[column]
        rows = drill_rows(self.db, people, report.period_last)
        dialog = PeopleListDialog(
            self._settings,
            "consolidatedPeople",
            f"{where} · {line.label_text()}",
            tr("report_ui.people_intro", period=report.period_label(), count=len(rows)),
            drill_columns(),
            rows,
            width=680,
            parent=self,
        )
        dialog.careRequested.connect(self.careRequested)
        dialog.open()
        return dialog

    # -- export
    def export_xlsx(self) -> None:
        self._export(".xlsx", tr("report_ui.xlsx_filter"))

    def export_pdf(self) -> None:
        self._export(".pdf", tr("followups.pdf_filter"))

    def _export(self, suffix: str, file_filter: str) -> None:
        report = self.report
        if report is None or self._loading:
            return
        name = tr("consolidated.file_name", township=report.township_name, period=report.period_label())
        path = ask_save_path(
            self, self._settings.settings, tr("consolidated.export_title"), f"{name}{suffix}", file_filter
        )
        if path is None:
            return
        printed_on = self._today()

        def write(progress: Callable[[float, str], bool]) -> Path:
            # imported here: reportlab and openpyxl add to start-up, and exports are occasional
            if suffix == ".xlsx":
                from app.reports.consolidated_xlsx import write_consolidated_xlsx

                write_consolidated_xlsx(path, report, printed_on=printed_on, progress=progress)
            else:
                from app.reports.consolidated_pdf import write_consolidated_pdf

                write_consolidated_pdf(path, report, printed_on=printed_on, progress=progress)
            return path

        run_op(
            self,
            write,
            title=tr("report_ui.exporting"),
            on_success=self._exported,
            on_error=self._failed_export,
        )

    def _exported(self, path: Path) -> None:
        if self._actor is not None:
            record_output_as(self.db, self._actor, "consolidated_report", format=path.suffix.lstrip("."))
        self.exported.emit(path)
        offer_to_open(self, path, "consolidatedExported")

    def _failed_export(self, error: BaseException) -> None:
        if not isinstance(error, Cancelled):
            show_error(self, error)
