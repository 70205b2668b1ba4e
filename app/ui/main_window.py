"""The main window: navigation on the left, the pages, the global search, and the status bar."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QStyle,
    QToolBar,
    QWidget,
)

from app.i18n import tr
from app.services.village import village_info
from app.ui.backup_status import backup_status
from app.ui.context import AppContext
from app.ui.search_box import SearchBox

if TYPE_CHECKING:
    from app.ui.help_window import HelpWindow
    from app.ui.pages.dashboard import DashboardPage
    from app.ui.pages.followups import FollowupsPage
    from app.ui.pages.households import HouseholdsPage
    from app.ui.pages.pregnancies import PregnanciesPage
    from app.ui.pages.reports import ReportsPage
    from app.ui.pages.settings import SettingsPage
    from app.ui.pages.supplies import SuppliesPage
    from app.ui.pages.women import WomenPage

# (key, navigation label, "module:class"): a page's module is imported when the page is first shown, so
# start-up pays only for the dashboard (the reports page alone brings openpyxl and reportlab).
PAGES: tuple[tuple[str, str, str], ...] = (
    ("dashboard", "nav.dashboard", "app.ui.pages.dashboard:DashboardPage"),
    ("households", "nav.households", "app.ui.pages.households:HouseholdsPage"),
    ("women", "nav.women", "app.ui.pages.women:WomenPage"),
    ("pregnancies", "nav.pregnancies", "app.ui.pages.pregnancies:PregnanciesPage"),
    ("followups", "nav.followups", "app.ui.pages.followups:FollowupsPage"),
    ("supplies", "nav.supplies", "app.ui.pages.supplies:SuppliesPage"),
    ("reports", "nav.reports", "app.ui.pages.reports:ReportsPage"),
    ("sync", "nav.sync", "app.ui.pages.sync:SyncPage"),
    ("settings", "nav.settings", "app.ui.pages.settings:SettingsPage"),
)


def page_class(key: str) -> Callable[[AppContext], QWidget]:
    module_name, class_name = next(f for k, _, f in PAGES if k == key).split(":")
    return getattr(importlib.import_module(module_name), class_name)


class _DataPage(Protocol):
    """What each of DATA_PAGES has: it re-reads what it shows."""

    def refresh(self, *_: object) -> None: ...


NAV_SCALE = 1.1  # the navigation's text, relative to the pages' text size

DATA_PAGES = ("dashboard", "households", "women", "pregnancies", "followups", "supplies", "reports")


class MainWindow(QMainWindow):
    idleMinutesChanged = Signal(int)  # the idle lock's time, chosen on the settings page
    restoreRequested = Signal(str)  # a backup to put in place of the database (the app reopens it)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        info = village_info(ctx.db)
        village = info.name if info else ""
        title = f"{tr('app.name')} — {village}"
        if ctx.demo:
            title += f" {tr('main.demo_suffix')}"
        self.setWindowTitle(title)
        self.setObjectName("mainWindow")

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setStyleSheet("QListWidget#navigation::item { padding: 8px 12px; }")
        self.stack = QStackedWidget()
        # Pages are built when first shown (or first asked for): start-up pays only for the dashboard.
        self.pages: dict[str, QWidget] = {}
        self._placeholders: dict[str, QWidget] = {}
        for key, title_id, _ in PAGES:
            placeholder = QWidget()
            self._placeholders[key] = placeholder
            self.stack.addWidget(placeholder)
            item = QListWidgetItem(tr(title_id))
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._show_row)
        self.nav.setCurrentRow(0)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)
        self.splitter.setSizes([150, 1100])
        self.setCentralWidget(self.splitter)
        self._fit_navigation()

        toolbar = QToolBar(tr("main.toolbar"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        self.search_box = SearchBox(ctx)
        toolbar.addWidget(QLabel(tr("search.label") + " "))
        toolbar.addWidget(self.search_box)
        self.addToolBar(toolbar)
        self.search_box.chosen.connect(self.open_household)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.focus_search)
        self.addAction(find)
        # F1: the user guide at the section of the page shown (app/ui/help_window.py)
        self.help_window: HelpWindow | None = None
        help_action = QAction(tr("help.button"), self)
        help_action.setObjectName("helpAction")
        help_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        help_action.setToolTip(tr("help.tooltip"))
        help_action.triggered.connect(self.show_help)
        toolbar.addSeparator()
        toolbar.addAction(help_action)
        self.addAction(help_action)

        status = self.statusBar()
        self.user_label = QLabel(tr("status.user", name=ctx.user.display_name))
        self.folder_label = QLabel(tr("status.data_folder", path=str(ctx.data_dir)))
        self.backup_label = QLabel()
        self.backup_label.setObjectName("statusBackup")
        for w in (self.user_label, self.folder_label, self.backup_label):
            status.addPermanentWidget(w)
        self.refresh_backup_status()
        self._backup_timer = QTimer(self)  # the colour follows the days without a backup, also left open
        self._backup_timer.timeout.connect(self.refresh_backup_status)
        self._backup_timer.start(3_600_000)

        screen = self.screen().availableGeometry()
        self.resize(min(1280, screen.width()), min(760, screen.height()))
        geometry = ctx.settings.value("main/geometry")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geometry))
        splitter_state = ctx.settings.value("main/splitter")
        if splitter_state is not None:
            self.splitter.restoreState(splitter_state)

    def _fit_navigation(self) -> None:
        """The navigation's text a little larger than the pages', following the text size, and the list at
        least as wide as its longest entry."""
        font = QFont(self.font())
        font.setPointSizeF(self.font().pointSizeF() * NAV_SCALE)
        self.nav.setFont(font)
        metrics = QFontMetrics(font)
        widest = max(metrics.horizontalAdvance(self.nav.item(i).text()) for i in range(self.nav.count()))
        # the item's padding (12 px each side), the frame, and room for a scroll bar on a short screen
        scroll_bar = self.nav.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.nav.setMinimumWidth(widest + 24 + 2 * self.nav.frameWidth() + scroll_bar + 8)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_navigation()

    def page(self, key: str) -> QWidget:
        """The page for `key`, built (and wired to the others) on first use."""
        existing = self.pages.get(key)
        if existing is not None:
            return existing
        factory = page_class(key)
        page = factory(self.ctx)
        placeholder = self._placeholders.pop(key)
        index = self.stack.indexOf(placeholder)
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self._wire(key, page)
        self.pages[key] = page
        return page

    def _wire(self, key: str, page: QWidget) -> None:
        # A change on one page is re-read by the pages that show the same people.
        if key in DATA_PAGES:
            for other_key, other in self.pages.items():
                if other_key in DATA_PAGES:
                    if hasattr(page, "dataChanged"):
                        page.dataChanged.connect(cast(_DataPage, other).refresh)
                    if hasattr(other, "dataChanged"):
                        other.dataChanged.connect(cast(_DataPage, page).refresh)
        if hasattr(page, "personChosen"):
            page.personChosen.connect(self.open_household)
        if hasattr(page, "careRequested"):
            page.careRequested.connect(self.open_care)
        if hasattr(page, "cardRequested"):
            page.cardRequested.connect(self.print_card)
        if key == "settings":
            settings_page = cast("SettingsPage", page)
            settings_page.idleMinutesChanged.connect(self.idleMinutesChanged)
            settings_page.backupMade.connect(self.refresh_backup_status)
            settings_page.restoreRequested.connect(self.restoreRequested)
        if key == "dashboard":
            dashboard = cast("DashboardPage", page)
            dashboard.openFollowups.connect(self.open_followups)
            dashboard.openPregnancies.connect(self.open_pregnancies)
            dashboard.openDeliveries.connect(self.open_deliveries)
            dashboard.openHouseholds.connect(self.open_households)
            dashboard.openSupplies.connect(lambda: self.show_page("supplies"))
            dashboard.openPage.connect(self.show_page)

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(PAGES):
            page = self.page(PAGES[row][0])
            self.stack.setCurrentWidget(page)

    @property
    def dashboard(self) -> DashboardPage:
        return cast("DashboardPage", self.page("dashboard"))

    @property
    def households(self) -> HouseholdsPage:
        return cast("HouseholdsPage", self.page("households"))

    @property
    def women(self) -> WomenPage:
        return cast("WomenPage", self.page("women"))

    @property
    def pregnancies(self) -> PregnanciesPage:
        return cast("PregnanciesPage", self.page("pregnancies"))

    @property
    def followups(self) -> FollowupsPage:
        return cast("FollowupsPage", self.page("followups"))

    @property
    def supplies(self) -> SuppliesPage:
        return cast("SuppliesPage", self.page("supplies"))

    @property
    def reports(self) -> ReportsPage:
        return cast("ReportsPage", self.page("reports"))

    @property
    def settings_page(self) -> SettingsPage:
        return cast("SettingsPage", self.page("settings"))

    def show_page(self, key: str) -> None:
        for i in range(self.nav.count()):
            if self.nav.item(i).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(i)
                return

    def current_page_key(self) -> str:
        row = self.nav.currentRow()
        return PAGES[row][0] if 0 <= row < len(PAGES) else "dashboard"

    def show_help(self) -> None:
        """The guide, opened at the section of the page shown."""
        if self.help_window is None:
            from app.ui.help_window import HelpWindow

            self.help_window = HelpWindow(self)
        self.help_window.show_topic(self.current_page_key())

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def open_household(self, household_id: str, person_id: str) -> None:
        self.show_page("households")
        self.households.show_household(household_id, person_id or None)

    def open_followups(self, window: str) -> None:
        self.show_page("followups")
        self.followups.show_window(window)

    def open_pregnancies(self) -> None:
        self.show_page("pregnancies")
        self.pregnancies.show_all()

    def open_deliveries(self, days: int) -> None:
        self.show_page("pregnancies")
        self.pregnancies.show_all(edd_within=days)

    def open_households(self) -> None:
        self.show_page("households")
        self.households.show_all()

    def print_card(self, household_id: str) -> None:
        self.show_page("reports")
        self.reports.print_card(household_id)

    def open_care(self, person_id: str) -> None:
        from app.ui.dialogs.person_care import PersonCareDialog

        dialog = PersonCareDialog(self.ctx, person_id, self)
        dialog.exec()
        if dialog.changed:
            self.refresh_pages()

    def refresh_backup_status(self) -> None:
        """The status bar's last backup, amber after 7 days without one, red after 30."""
        state = backup_status(self.ctx)
        self.backup_label.setText(state.text)
        self.backup_label.setStyleSheet(f"color: {state.colour}; font-weight: bold;" if state.colour else "")
        self.backup_label.setToolTip(state.warning)
        if "dashboard" in self.pages:
            self.dashboard.show_backup_warning(state)

    def refresh_pages(self) -> None:
        """Every page built so far re-reads after a change made in a dialog that several pages show."""
        for page in self.pages.values():
            refresh = getattr(page, "refresh", None)
            if callable(refresh):
                refresh()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.ctx.settings.setValue("main/geometry", self.saveGeometry())
        self.ctx.settings.setValue("main/splitter", self.splitter.saveState())
        self.ctx.settings.sync()
        super().closeEvent(event)
