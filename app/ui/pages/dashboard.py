"""工作台: what needs doing, as numbers that open the list behind them — follow-ups due this week and
overdue, expected deliveries in the next 30 days, high-risk pregnancies, folic acid ending, record-quality
problems, supply users to resupply and the stock warnings — and under them this week's first follow-ups and
the expected deliveries."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.services import care, followups, pregnancies, quality, supplies
from app.services.village import household_count
from app.ui.backup_status import BackupStatus, backup_status
from app.ui.context import AppContext
from app.ui.dialogs.checklist_dialog import ChecklistDialog
from app.ui.labels import fmt_date, label
from app.ui.pages.followups import TYPE_COLUMN_MAX, column_samples, fit_columns, window_text
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import RegisterView

WEEK_SHOWN = 10
DELIVERY_DAYS = 30
NUMBER_SCALE = 2.6  # the big numbers, relative to the application's text size
LINK = "#1a5fb4"
ALERT = "#b00020"
CALM = "#2e7d32"
MUTED = "#555555"


class Card(QFrame):
    """A caption, a big number that is a link, and one line saying what the number means."""

    def __init__(self, caption: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.caption = caption
        self.title = QLabel(caption)
        self.title.setObjectName(f"{name}Caption")
        self.number = QPushButton("–")
        self.number.setObjectName(name)
        self.number.setFlat(True)
        self.number.setCursor(Qt.CursorShape.PointingHandCursor)
        self.number.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.hint = QLabel()
        self.hint.setObjectName(f"{name}Hint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {MUTED};")
        self.title.setBuddy(self.number)
        layout = QVBoxLayout(self)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.number, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.hint)
        layout.addStretch(1)

    def set_value(self, count: int, hint: str, colour: str = LINK) -> None:
        self.number.setText(str(count))
        self.number.setToolTip(tr("dashboard.open_list", caption=self.caption, count=count))
        self.number.setAccessibleName(tr("dashboard.open_list", caption=self.caption, count=count))
        self.number.setStyleSheet(
            f"QPushButton {{ color: {colour}; border: none; padding: 0 4px; text-align: left; }}"
            f"QPushButton:hover {{ text-decoration: underline; }}"
            f"QPushButton:focus {{ border: 1px dotted {colour}; }}"
        )
        self.hint.setText(hint)

    def fit_to_font(self, base: QFont) -> None:
        big = QFont(base)
        big.setPointSizeF(base.pointSizeF() * NUMBER_SCALE)
        self.number.setFont(big)
        caption = QFont(base)
        caption.setPointSizeF(base.pointSizeF() * 1.15)
        self.title.setFont(caption)


WEEK_COLUMNS: list[Column[followups.FollowupRow]] = [
    Column("followups.col.person", lambda r: r.name, width=80),
    Column("households.col.number", lambda r: r.household_no, width=70),
    Column("followups.col.type", lambda r: label("followup_type", r.followup_type), width=150),
    Column("followups.col.window", window_text, width=180),
]


# The first steps in an empty village: the key of the page that takes the step, (its link, its hint).
FIRST_STEPS = (
    ("households", ("first_use.households", "first_use.households_hint")),
    ("sync", ("first_use.township_key", "first_use.township_key_hint")),
    ("settings", ("first_use.backups", "first_use.backups_hint")),
)


class FirstUsePanel(QFrame):
    """An empty village's first three steps, each a link that asks for its page (`openPage(key)`)."""

    openPage = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstUsePanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("QFrame#firstUsePanel { background: #f3f7fc; border: 1px solid #b6cbe6; }")
        title = QLabel(tr("first_use.title"))
        title.setObjectName("firstUseTitle")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        title.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(QLabel(tr("first_use.intro")))
        self.steps: list[QPushButton] = []
        for n, (key, (link_id, hint_id)) in enumerate(FIRST_STEPS, start=1):
            step = QPushButton(f"{n}. {tr(link_id)} ›")
            step.setObjectName(f"firstUse_{key}")
            step.setFlat(True)
            step.setCursor(Qt.CursorShape.PointingHandCursor)
            step.setStyleSheet(
                f"QPushButton {{ color: {LINK}; border: none; padding: 2px 4px; text-align: left; }}"
            )
            step.clicked.connect(lambda _=False, key=key: self.openPage.emit(key))
            hint = QLabel(tr(hint_id))
            hint.setWordWrap(True)
            hint.setStyleSheet(f"color: {MUTED}; padding-left: 22px;")
            layout.addWidget(step, 0, Qt.AlignmentFlag.AlignLeft)
            layout.addWidget(hint)
            self.steps.append(step)
        layout.addWidget(QLabel(tr("first_use.help")))


class DashboardPage(QWidget):
    """Every number opens its list: `openFollowups(window)` ("week" / "overdue"), `openDeliveries(days)`
    (pregnancies expected within 30 days), `openPregnancies()` (all of them), `openHouseholds()` (where
    incomplete records are corrected), `openSupplies()` (the stock warnings); an empty village shows its first
    steps, each asking for a page by key (`openPage(key)`).
    Double-click on one of this week's follow-ups records it; `dataChanged` then says something was saved."""

    openFollowups = Signal(str)
    openPregnancies = Signal()
    openDeliveries = Signal(int)  # the pregnancies expected within that many days
    openHouseholds = Signal()
    openSupplies = Signal()
    openPage = Signal(str)  # a page's key: the first-use panel's steps
    dataChanged = Signal()
    careRequested = Signal(str)  # a person id, from the folic-acid list

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("dashboardPage")
        self.today_label = QLabel()
        self.today_label.setObjectName("dashboardToday")
        self.backup_warning = QLabel()
        self.backup_warning.setObjectName("dashboardBackupWarning")
        self.backup_warning.setWordWrap(True)
        self.backup_warning.hide()
        self.first_use = FirstUsePanel()
        self.first_use.openPage.connect(self.openPage)
        self.first_use.hide()
        self.due_card = Card(tr("dashboard.due_week"), "dueThisWeek")
        self.overdue_card = Card(tr("dashboard.overdue"), "overdue")
        self.deliveries_card = Card(tr("dashboard.deliveries"), "deliveries30")
        self.high_risk_card = Card(tr("dashboard.high_risk"), "highRisk")
        self.high_risk_card.number.clicked.connect(self.show_high_risk)
        self.quality_card = Card(tr("dashboard.quality"), "qualityProblems")
        self.folic_card = Card(tr("dashboard.folic"), "folicEnding")
        self.folic_card.number.clicked.connect(self.show_folic_ending)
        self.resupply_card = Card(tr("dashboard.resupply"), "resupplyReminders")
        self.resupply_card.number.clicked.connect(self.show_resupply)
        self.stock_card = Card(tr("dashboard.stock"), "stockWarnings")
        self.stock_card.number.clicked.connect(self.openSupplies.emit)
        self.due_card.number.clicked.connect(lambda: self.openFollowups.emit("week"))
        self.overdue_card.number.clicked.connect(lambda: self.openFollowups.emit("overdue"))
        self.deliveries_card.number.clicked.connect(lambda: self.openDeliveries.emit(DELIVERY_DAYS))
        self.quality_card.number.clicked.connect(self.openHouseholds.emit)
        cards = QHBoxLayout()
        cards.setSpacing(12)
        for card in self.cards():
            cards.addWidget(card, 1)

        self.week_model: RowTableModel[followups.FollowupRow] = RowTableModel(WEEK_COLUMNS, self)
        self.week_view = RegisterView(self.week_model, ctx.settings, "dashboard_week", sort_column=-1)
        self.week_view.setObjectName("dashboardWeek")
        self.week_view.setSortingEnabled(False)
        self._week_fresh = ctx.settings.value("tables/dashboard_week/header") is None
        self.week_title = QLabel()
        self.week_title.setObjectName("dashboardWeekTitle")
        self.week_all = self._link(tr("dashboard.week_all"), "dashboardWeekAll")
        self.week_all.clicked.connect(lambda: self.openFollowups.emit("week"))
        self.week_view.doubleClicked.connect(self._record)

        self.delivery_model: RowTableModel[pregnancies.PregnancyRow] = RowTableModel(
            self._delivery_columns(), self
        )
        self.delivery_view = RegisterView(
            self.delivery_model, ctx.settings, "dashboard_deliveries", sort_column=-1
        )
        self.delivery_view.setObjectName("dashboardDeliveries")
        self.delivery_view.setSortingEnabled(False)
        self._deliveries_fresh = ctx.settings.value("tables/dashboard_deliveries/header") is None
        self.delivery_title = QLabel()
        self.delivery_title.setObjectName("dashboardDeliveriesTitle")
        self.deliveries_all = self._link(tr("dashboard.deliveries_all"), "dashboardDeliveriesAll")
        self.deliveries_all.clicked.connect(self.openPregnancies.emit)
        self.delivery_view.doubleClicked.connect(lambda _: self.openPregnancies.emit())

        lists = QGridLayout()
        lists.setHorizontalSpacing(16)
        for column, (title, link, view) in enumerate(
            (
                (self.week_title, self.week_all, self.week_view),
                (self.delivery_title, self.deliveries_all, self.delivery_view),
            )
        ):
            bar = QHBoxLayout()
            bar.addWidget(title, 1)
            bar.addWidget(link)
            lists.addLayout(bar, 0, column)
            lists.addWidget(view, 1, column)
        lists.setColumnStretch(0, 3)
        lists.setColumnStretch(1, 2)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.today_label)
        layout.addWidget(self.backup_warning)
        layout.addWidget(self.first_use)
        layout.addLayout(cards)
        layout.addLayout(lists, 1)
        self._fit_to_font()
        self.refresh()
        self._just_counted = True  # the first show needs no second count (start-up pays for one)

    def show_backup_warning(self, state: BackupStatus) -> None:
        """ "No backup for 12 days" in the status's colour; nothing while backups are recent."""
        self.backup_warning.setText(state.warning)
        self.backup_warning.setStyleSheet(f"color: {state.colour}; font-weight: bold;")
        self.backup_warning.setVisible(bool(state.warning))

    def cards(self) -> tuple[Card, ...]:
        return (
            self.due_card,
            self.overdue_card,
            self.deliveries_card,
            self.high_risk_card,
            self.folic_card,
            self.quality_card,
            self.resupply_card,
            self.stock_card,
        )

    def show_resupply(self) -> None:
        from app.ui.dialogs.resupply import resupply_dialog

        dialog = resupply_dialog(self.ctx, self)
        dialog.careRequested.connect(self.careRequested)
        dialog.exec()

    def show_high_risk(self) -> None:
        from app.ui.dialogs.high_risk import high_risk_dialog

        dialog = high_risk_dialog(self.ctx, self)
        dialog.careRequested.connect(self.careRequested)
        dialog.exec()

    def show_folic_ending(self) -> None:
        from app.ui.dialogs.folic_ending import folic_ending_dialog

        dialog = folic_ending_dialog(self.ctx, self)
        dialog.careRequested.connect(self.careRequested)
        dialog.exec()

    def _delivery_columns(self) -> list[Column[pregnancies.PregnancyRow]]:
        def weeks(r: pregnancies.PregnancyRow) -> str:
            age = r.weeks_on(self.ctx.today())
            return tr("dashboard.weeks", age=str(age)) if age is not None else ""

        return [
            Column("followups.col.person", lambda r: r.name, width=80),
            Column("households.col.number", lambda r: r.household_no, width=70),
            Column("dashboard.col.edd", lambda r: fmt_date(r.edd), width=95),
            Column("dashboard.col.weeks", weeks, width=80),
            Column("households.col.phone", lambda r: r.phone, width=110),
        ]

    def _link(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text + " ›")
        button.setObjectName(name)
        button.setFlat(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setStyleSheet(f"QPushButton {{ color: {LINK}; border: none; padding: 0 4px; }}")
        return button

    # -- text size
    def _fit_to_font(self) -> None:
        base = self.font()
        for card in self.cards():
            card.fit_to_font(base)
        heading = QFont(base)
        heading.setPointSizeF(base.pointSizeF() * 1.1)
        for title in (self.week_title, self.delivery_title):
            title.setFont(heading)
        samples = column_samples()  # name, group, number, type, window, ...: the week list's four of them
        fit_columns(
            self.week_view,
            [samples[0], samples[2], samples[3], samples[4]],
            self._week_fresh,
            {2: TYPE_COLUMN_MAX},
        )
        fit_columns(
            self.delivery_view,
            [samples[0], samples[2], "2026-12-31", tr("dashboard.weeks", age="40+6"), "13900001111"],
            self._deliveries_fresh,
            {},
        )
        self._week_fresh = self._deliveries_fresh = False

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FontChange:
            self._fit_to_font()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        if not event.spontaneous() and not self._just_counted:
            self.refresh()  # the numbers are cheap to count: always current when the page is opened
        self._just_counted = False
        super().showEvent(event)

    # -- the numbers
    def refresh(self, *_: object) -> None:
        db, today = self.ctx.db, self.ctx.today()
        monday, sunday = followups.week_bounds(today)
        self.today_label.setText(
            tr("dashboard.today", date=fmt_date(today), start=fmt_date(monday), end=fmt_date(sunday))
        )
        self.first_use.setVisible(household_count(db) == 0)
        week = followups.work_list(db, today, "week")
        overdue = followups.count(db, today, "overdue")
        deliveries = pregnancies.expected_deliveries(db, today, DELIVERY_DAYS)
        report = quality.record_quality(db, today)
        failing = report.total - report.passing

        self.due_card.set_value(len(week), tr("dashboard.due_week_hint"))
        self.overdue_card.set_value(overdue, tr("dashboard.overdue_hint"), ALERT if overdue else CALM)
        end = today.fromordinal(today.toordinal() + DELIVERY_DAYS)
        self.deliveries_card.set_value(len(deliveries), tr("dashboard.deliveries_hint", end=fmt_date(end)))
        high_risk = pregnancies.high_risk_pregnancies(db)
        self.high_risk_card.set_value(
            len(high_risk), tr("dashboard.high_risk_hint"), ALERT if high_risk else CALM
        )
        if report.rate is None:
            quality_hint, colour = tr("dashboard.quality_none"), MUTED
        else:
            quality_hint = tr(
                "dashboard.quality_hint", rate=f"{report.rate:.1%}", target=f"{quality.QUALITY_TARGET:.0%}"
            )
            colour = CALM if report.rate >= quality.QUALITY_TARGET else ALERT
        self.quality_card.set_value(failing, quality_hint, colour)
        folic = care.folic_courses_ending(db, today)
        self.folic_card.set_value(len(folic), tr("dashboard.folic_hint"))
        resupply = supplies.resupply_reminders(db, today)
        self.resupply_card.set_value(len(resupply), tr("dashboard.resupply_hint"))
        low = sum(1 for item in supplies.items(db, today) if item.below_reorder)
        expiring = sum(1 for lot in supplies.lots(db, today) if lot.expires_within_90 or lot.expired)
        self.show_backup_warning(backup_status(self.ctx))
        self.stock_card.set_value(
            low + expiring,
            tr("dashboard.stock_hint", low=low, expiring=expiring),
            ALERT if low + expiring else CALM,
        )

        shown = week[:WEEK_SHOWN]
        self.week_model.set_rows(shown)
        self.week_title.setText(tr("dashboard.week_list", count=len(week), shown=len(shown)))
        self.delivery_model.set_rows(deliveries)
        self.delivery_title.setText(tr("dashboard.deliveries_list", count=len(deliveries)))

    def _record(self, *_: object) -> None:
        row = self.week_view.current_row()
        if not isinstance(row, followups.FollowupRow):
            return
        dialog = ChecklistDialog(self.ctx, row.id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.dataChanged.emit()
