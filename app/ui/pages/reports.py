"""报表: the monthly report, household service cards, and registers to Excel, one tab each."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.i18n import tr
from app.ui.context import AppContext
from app.ui.pages.report_cards import CardsTab
from app.ui.pages.report_monthly import MonthlyReportTab
from app.ui.pages.report_registers import RegistersTab


class ReportsPage(QWidget):
    careRequested = Signal(str)  # a person in a list behind a number: open their care record

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsPage")
        self.ctx = ctx
        self.monthly = MonthlyReportTab(ctx)
        self.cards = CardsTab(ctx)
        self.registers = RegistersTab(ctx)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("reportTabs")
        self.tabs.addTab(self.monthly, tr("report_ui.tab_monthly"))
        self.tabs.addTab(self.cards, tr("report_ui.tab_cards"))
        self.tabs.addTab(self.registers, tr("report_ui.tab_registers"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.monthly.careRequested.connect(self.careRequested)

    def refresh(self, *_: object) -> None:
        """Something was saved on another page: each tab re-reads (the hidden ones when next shown)."""
        self.monthly.refresh()
        self.cards.refresh()
        self.registers.refresh()

    def print_card(self, household_id: str) -> None:
        """One household's card, straight to the preview (from the Households page)."""
        self.tabs.setCurrentWidget(self.cards)
        self.cards.show_household(household_id)
        self.cards.preview()
