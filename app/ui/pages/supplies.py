"""药具: stock on hand per item and, for the chosen item, per lot with its expiry; receive from the township,
issue to a person or at the self-service point, record a loss, a stock count, a return; the month's ledger
(a wrong movement is reversed, never edited) and the monthly supply report."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.services import auth, supplies
from app.services import households as hh
from app.ui.context import AppContext
from app.ui.dialogs.person_picker import PersonPicker
from app.ui.dialogs.supply_forms import (
    CountForm,
    IssueForm,
    LossForm,
    ReceiveForm,
    ReturnForm,
    ReverseForm,
)
from app.ui.labels import fmt_date, label
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import RegisterView, action_button
from app.vocab import MovementType

MONTHS_SHOWN = 24
COLUMN_MAX = 260  # a column fitted to its content on first use is no wider than this (it can be widened)
TABLE_KEYS = ("supply_items", "supply_lots", "supply_ledger", "supply_report")
LOW_COLOUR = QColor("#fbe3e0")  # an item below its reorder level
EXPIRED_COLOUR = QColor("#f4c7c3")  # a lot past its expiry
EXPIRING_COLOUR = QColor("#fff3cd")  # amber: a lot expiring within 90 days
REVERSED_COLOUR = QColor("#eeeeee")  # a movement cancelled by a reversal, and the reversal


def months_back(today: dt.date, count: int = MONTHS_SHOWN) -> list[tuple[int, int]]:
    """(year, month) of this month and the `count - 1` before it, newest first."""
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def _num(value: int) -> str:
    return str(value)


def _signed(value: int) -> str:
    return f"{value:+d}" if value else "0"


def item_columns() -> list[Column[supplies.ItemRow]]:
    return [
        Column("supplies_ui.col.code", lambda r: r.code, width=50),
        Column("supplies_ui.col.name", lambda r: r.name, width=130),
        Column("supplies_ui.col.category", lambda r: label("supply_category", r.category), width=80),
        Column("supplies_ui.col.unit", lambda r: r.unit, width=40),
        Column(
            "supplies_ui.col.on_hand",
            lambda r: _num(r.on_hand),
            sort_key=lambda r: r.on_hand,
            align_right=True,
        ),
        Column(
            "supplies_ui.col.reorder",
            lambda r: _num(r.reorder_level),
            sort_key=lambda r: r.reorder_level,
            align_right=True,
        ),
        Column(
            "supplies_ui.col.stock_status",
            lambda r: tr("supplies_ui.below_reorder") if r.below_reorder else "",
            sort_key=lambda r: not r.below_reorder,
            width=90,
        ),
    ]


def lot_status(r: supplies.LotRow) -> str:
    if r.expired:
        return tr("supplies_ui.lot_expired")
    if r.expires_within_90:
        return tr("supplies_ui.lot_expiring")
    return ""


LOT_COLUMNS: list[Column[supplies.LotRow]] = [
    Column("supplies_ui.col.lot", lambda r: r.lot, width=110),
    Column(
        "supplies_ui.col.expiry",
        lambda r: fmt_date(r.expiry_date),
        sort_key=lambda r: r.expiry_date,
        width=95,
    ),
    Column(
        "supplies_ui.col.on_hand", lambda r: _num(r.on_hand), sort_key=lambda r: r.on_hand, align_right=True
    ),
    Column(
        "supplies_ui.col.lot_status", lot_status, sort_key=lambda r: (not r.expired, not r.expires_within_90)
    ),
]


def movement_type_text(r: supplies.MovementRow) -> str:
    text = label("movement", r.movement_type)
    if r.reverses_id:
        return tr("supplies_ui.reversal_of", type=text)
    if r.reversed:
        return tr("supplies_ui.reversed", type=text)
    return text


def person_text(r: supplies.MovementRow) -> str:
    if r.person_name:
        return tr("supplies_ui.person_cell", name=r.person_name, number=r.household_no)
    if r.movement_type == MovementType.ISSUE_SELF_SERVICE:
        return tr("supplies_ui.self_service_cell")
    return ""


def ledger_columns(users: dict[str, str]) -> list[Column[supplies.MovementRow]]:
    return [
        Column(
            "supplies_ui.col.date",
            lambda r: fmt_date(r.movement_date),
            sort_key=lambda r: r.movement_date,
            width=90,
        ),
        Column("supplies_ui.col.type", movement_type_text, width=110),
        Column("supplies_ui.col.item", lambda r: f"{r.code} {r.name}", width=140),
        Column("supplies_ui.col.lot", lambda r: r.lot, width=90),
        Column(
            "supplies_ui.col.quantity",
            lambda r: _signed(r.direction * r.quantity),
            sort_key=lambda r: r.direction * r.quantity,
            align_right=True,
            width=60,
        ),
        Column("supplies_ui.col.unit", lambda r: r.unit, width=40),
        Column("supplies_ui.col.person", person_text, width=130),
        Column("supplies_ui.col.document", lambda r: r.document_no, width=90),
        Column("supplies_ui.col.reason", lambda r: r.reason, width=120),
        Column("supplies_ui.col.who", lambda r: users.get(r.created_by, r.created_by), width=70),
    ]


def expiring_text(lots: tuple[tuple[str, dt.date, int], ...]) -> str:
    """The month's lots expiring within 90 days: lot, expiry and what is left of each."""
    return tr("supply_form.list_separator").join(
        tr("supplies_ui.expiring_lot", lot=lot, expiry=fmt_date(expiry), left=left)
        for lot, expiry, left in lots
    )


def _count(title_id: str, value: object, **kw: object) -> Column[supplies.SupplyMonthRow]:
    return Column(title_id, value, align_right=True, width=70, **kw)  # type: ignore[arg-type]


REPORT_COLUMNS: list[Column[supplies.SupplyMonthRow]] = [
    Column(
        "supplies_ui.col.item",
        lambda r: tr("supply_form.item_choice", code=r.code, name=r.name, unit=r.unit),
        sort_key=lambda r: r.code,
        width=150,
    ),
    _count("supplies_ui.report.opening", lambda r: _num(r.opening), sort_key=lambda r: r.opening),
    _count("supplies_ui.report.received", lambda r: _num(r.received), sort_key=lambda r: r.received),
    _count(
        "supplies_ui.report.issued_person",
        lambda r: _num(r.issued_person),
        sort_key=lambda r: r.issued_person,
    ),
    _count(
        "supplies_ui.report.issued_self_service",
        lambda r: _num(r.issued_self_service),
        sort_key=lambda r: r.issued_self_service,
    ),
    _count("supplies_ui.report.losses", lambda r: _num(r.losses), sort_key=lambda r: r.losses),
    _count(
        "supplies_ui.report.adjustments", lambda r: _signed(r.adjustments), sort_key=lambda r: r.adjustments
    ),
    _count("supplies_ui.report.returned", lambda r: _num(r.returned), sort_key=lambda r: r.returned),
    _count("supplies_ui.report.closing", lambda r: _num(r.closing), sort_key=lambda r: r.closing),
    _count(
        "supplies_ui.report.days_out",
        lambda r: _num(r.days_out_of_stock),
        sort_key=lambda r: r.days_out_of_stock,
    ),
    Column(
        "supplies_ui.report.lots_expiring",
        lambda r: expiring_text(r.lots_expiring_90),
        sort_key=lambda r: (-len(r.lots_expiring_90), [expiry for _, expiry, _ in r.lots_expiring_90]),
        width=100,
    ),
]


class SuppliesPage(QWidget):
    """`dataChanged` says a movement was saved (the dashboard's supply numbers change);
    `personChosen(household, person)` opens the household of the person a movement was issued to."""

    personChosen = Signal(str, str)
    dataChanged = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("suppliesPage")
        self.users = {u.id: u.display_name for u in auth.list_users(ctx.db)}
        # tables never arranged by the officer are fitted to their content once it is there
        self._unfitted = {key for key in TABLE_KEYS if ctx.settings.value(f"tables/{key}/header") is None}

        # -- actions and the month
        actions = QHBoxLayout()
        self.receive_button = action_button(actions, "supplies_ui.receive", "receiveSupply", self.receive)
        self.issue_button = action_button(actions, "supplies_ui.issue", "issueToPerson", self.issue_to_person)
        self.self_service_button = action_button(
            actions, "supplies_ui.self_service", "issueSelfService", self.issue_self_service
        )
        self.loss_button = action_button(actions, "supplies_ui.loss", "recordLoss", self.record_loss)
        self.count_button = action_button(actions, "supplies_ui.count", "countStock", self.count_stock)
        self.return_button = action_button(actions, "supplies_ui.return", "returnStock", self.return_stock)
        actions.addStretch(1)
        self.month_combo = QComboBox()
        self.month_combo.setObjectName("supplyMonth")
        for year, month in months_back(ctx.today()):
            self.month_combo.addItem(tr("supplies_ui.month", year=year, month=month), (year, month))
        month_caption = QLabel(tr("supplies_ui.month_label"))
        month_caption.setBuddy(self.month_combo)
        actions.addWidget(month_caption)
        actions.addWidget(self.month_combo)

        # -- stock on hand
        self.item_model: RowTableModel[supplies.ItemRow] = RowTableModel(item_columns(), self)
        self.item_model.highlight = lambda r: LOW_COLOUR if r.below_reorder else None
        self.item_view = RegisterView(self.item_model, ctx.settings, "supply_items")
        self.item_view.setObjectName("supplyItems")
        self.items_title = QLabel(tr("supplies_ui.stock_title"))
        self.items_title.setObjectName("supplyItemsTitle")
        self.lot_model: RowTableModel[supplies.LotRow] = RowTableModel(LOT_COLUMNS, self)
        self.lot_model.highlight = lambda r: (
            EXPIRED_COLOUR if r.expired else EXPIRING_COLOUR if r.expires_within_90 else None
        )
        self.lot_view = RegisterView(self.lot_model, ctx.settings, "supply_lots", sort_column=1)
        self.lot_view.setObjectName("supplyLots")
        self.lots_title = QLabel()
        self.lots_title.setObjectName("supplyLotsTitle")
        self.empty_lots = QCheckBox(tr("supplies_ui.show_empty_lots"))
        self.empty_lots.setObjectName("showEmptyLots")

        items_box = QWidget()
        items_layout = QVBoxLayout(items_box)
        items_layout.setContentsMargins(0, 0, 0, 0)
        items_layout.addWidget(self.items_title)
        items_layout.addWidget(self.item_view, 1)
        lots_box = QWidget()
        lots_layout = QVBoxLayout(lots_box)
        lots_layout.setContentsMargins(0, 0, 0, 0)
        lots_bar = QHBoxLayout()
        lots_bar.addWidget(self.lots_title, 1)
        lots_bar.addWidget(self.empty_lots)
        lots_layout.addLayout(lots_bar)
        lots_layout.addWidget(self.lot_view, 1)
        self.stock_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.stock_splitter.addWidget(items_box)
        self.stock_splitter.addWidget(lots_box)
        self.stock_splitter.setStretchFactor(0, 3)
        self.stock_splitter.setStretchFactor(1, 2)

        # -- the month's ledger
        self.ledger_model: RowTableModel[supplies.MovementRow] = RowTableModel(
            ledger_columns(self.users), self
        )
        self.ledger_model.highlight = lambda r: REVERSED_COLOUR if r.reversed or r.reverses_id else None
        self.ledger_view = RegisterView(self.ledger_model, ctx.settings, "supply_ledger")
        self.ledger_view.setObjectName("supplyLedger")
        self.ledger_title = QLabel()
        self.ledger_title.setObjectName("supplyLedgerTitle")
        self.ledger_item_only = QCheckBox(tr("supplies_ui.ledger_item_only"))
        self.ledger_item_only.setObjectName("ledgerItemOnly")
        ledger_box = QWidget()
        ledger_layout = QVBoxLayout(ledger_box)
        ledger_layout.setContentsMargins(0, 0, 0, 0)
        ledger_bar = QHBoxLayout()
        ledger_bar.addWidget(self.ledger_title, 1)
        ledger_bar.addWidget(self.ledger_item_only)
        self.reverse_button = action_button(
            ledger_bar, "supplies_ui.reverse", "reverseMovement", self.reverse
        )
        ledger_layout.addLayout(ledger_bar)
        ledger_layout.addWidget(self.ledger_view, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("suppliesSplitter")
        self.splitter.addWidget(self.stock_splitter)
        self.splitter.addWidget(ledger_box)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        for key, splitter in (
            ("supplies/splitter", self.splitter),
            ("supplies/stock_splitter", self.stock_splitter),
        ):
            saved = ctx.settings.value(key)
            if saved is not None:
                splitter.restoreState(saved)
            splitter.splitterMoved.connect(
                lambda *_, k=key, sp=splitter: ctx.settings.setValue(k, sp.saveState())
            )

        # -- the monthly report
        self.report_model: RowTableModel[supplies.SupplyMonthRow] = RowTableModel(REPORT_COLUMNS, self)
        self.report_model.highlight = lambda r: LOW_COLOUR if r.days_out_of_stock else None
        self.report_view = RegisterView(self.report_model, ctx.settings, "supply_report")
        self.report_view.setObjectName("supplyReport")
        self.report_title = QLabel()
        self.report_title.setObjectName("supplyReportTitle")
        self.report_title.setWordWrap(True)
        report_box = QWidget()
        report_layout = QVBoxLayout(report_box)
        report_layout.addWidget(self.report_title)
        report_layout.addWidget(self.report_view, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("suppliesTabs")
        stock_tab = QWidget()
        stock_layout = QVBoxLayout(stock_tab)
        stock_layout.addWidget(self.splitter, 1)
        self.tabs.addTab(stock_tab, tr("supplies_ui.tab.stock"))
        self.tabs.addTab(report_box, tr("supplies_ui.tab.report"))

        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(self.tabs, 1)

        self.item_view.selectionModel().currentRowChanged.connect(self._item_changed)
        self.lot_view.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.ledger_view.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.empty_lots.toggled.connect(self._load_lots)
        self.ledger_item_only.toggled.connect(self._load_ledger)
        self.month_combo.currentIndexChanged.connect(self._month_changed)
        self.ledger_view.doubleClicked.connect(lambda _: self.open_person())
        self.ledger_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.ledger_view.customContextMenuRequested.connect(self._ledger_menu)
        self.item_view.doubleClicked.connect(lambda _: self.issue_to_person())
        self.ledger_view.installEventFilter(self)
        self.refresh()

    def _fit_once(self, view: RegisterView, key: str, samples: dict[int, str] | None = None) -> None:
        """Columns as wide as their title and the rows shown (and `samples`: text a column will show)."""
        if key not in self._unfitted or view.model().rowCount() == 0:
            return
        self._unfitted.discard(key)
        header = view.horizontalHeader()
        metrics = header.fontMetrics()
        model = view.model()
        for i in range(model.columnCount() - 1):  # the last one stretches
            pad = 30 if i == header.sortIndicatorSection() else 16  # room for the sort arrow
            title = metrics.horizontalAdvance(str(model.headerData(i, Qt.Orientation.Horizontal))) + pad
            sample = view.fontMetrics().horizontalAdvance((samples or {}).get(i, "")) + 10
            view.setColumnWidth(i, min(max(title, sample, view.sizeHintForColumn(i)), COLUMN_MAX))

    # -- what is shown
    def month(self) -> tuple[int, int]:
        year, month = self.month_combo.currentData()
        return int(year), int(month)

    def selected_item(self) -> supplies.ItemRow | None:
        row = self.item_view.current_row()
        return row if isinstance(row, supplies.ItemRow) else None

    def selected_lot(self) -> supplies.LotRow | None:
        row = self.lot_view.current_row()
        return row if isinstance(row, supplies.LotRow) else None

    def selected_movement(self) -> supplies.MovementRow | None:
        row = self.ledger_view.current_row()
        return row if isinstance(row, supplies.MovementRow) else None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        if not event.spontaneous():
            self.refresh()  # a person's record may have issued supplies meanwhile
        super().showEvent(event)

    def refresh(self, *_: object) -> None:
        """Re-read stock, lots, the month's ledger and report; the chosen item stays chosen."""
        keep = self.selected_item()
        rows = supplies.items(self.ctx.db, self.ctx.today())
        self.item_view.selectionModel().blockSignals(True)
        self.item_model.set_rows(rows)
        self.item_view.selectionModel().blockSignals(False)
        row = self.item_model.find_row(lambda r: r.id == keep.id) if keep is not None else -1
        low = sum(1 for r in rows if r.below_reorder)
        self.items_title.setText(tr("supplies_ui.stock_title_count", count=len(rows), low=low))
        self.item_view.select_row(max(row, 0) if rows else -1)
        self._fit_once(self.item_view, "supply_items")
        self._load_lots()
        self._load_ledger()
        self._load_report()

    def show_item(self, item_id: str) -> None:
        self.refresh()
        self.item_view.select_row(self.item_model.find_row(lambda r: r.id == item_id))

    def _item_changed(self, *_: object) -> None:
        self._load_lots()
        if self.ledger_item_only.isChecked():
            self._load_ledger()

    def _month_changed(self, *_: object) -> None:
        self._load_ledger()
        self._load_report()

    def _load_lots(self, *_: object) -> None:
        item = self.selected_item()
        keep = self.selected_lot()
        rows = (
            supplies.lots(
                self.ctx.db, self.ctx.today(), item_id=item.id, include_empty=self.empty_lots.isChecked()
            )
            if item is not None
            else []
        )
        self.lot_model.set_rows(rows)
        self._fit_once(self.lot_view, "supply_lots")
        self.lots_title.setText(
            tr("supplies_ui.lots_title", name=item.name, count=len(rows))
            if item
            else tr("supplies_ui.lots_none")
        )
        if keep is not None:
            self.lot_view.select_row(
                self.lot_model.find_row(lambda r: r.lot == keep.lot and r.item_id == keep.item_id)
            )
        self._update_buttons()

    def _load_ledger(self, *_: object) -> None:
        year, month = self.month()
        item = self.selected_item() if self.ledger_item_only.isChecked() else None
        keep = self.selected_movement()
        rows = supplies.ledger(self.ctx.db, year, month, item_id=item.id if item else None)
        self.ledger_model.set_rows(rows)
        longest_type = tr("supplies_ui.reversed", type=label("movement", MovementType.ISSUE_SELF_SERVICE))
        self._fit_once(self.ledger_view, "supply_ledger", {1: longest_type})
        month_text = self.month_combo.currentText()
        self.ledger_title.setText(
            tr("supplies_ui.ledger_title_item", month=month_text, name=item.name, count=len(rows))
            if item
            else tr("supplies_ui.ledger_title", month=month_text, count=len(rows))
        )
        if keep is not None:
            self.ledger_view.select_row(self.ledger_model.find_row(lambda r: r.id == keep.id))
        self._update_buttons()

    def _load_report(self) -> None:
        year, month = self.month()
        rows = supplies.monthly_report(self.ctx.db, year, month, self.ctx.today())
        self.report_model.set_rows(rows)
        self._fit_once(self.report_view, "supply_report")
        self.report_title.setText(tr("supplies_ui.report_title", month=self.month_combo.currentText()))

    def _update_buttons(self, *_: object) -> None:
        m = self.selected_movement()
        self.reverse_button.setEnabled(m is not None and not m.reversed and not m.reverses_id)

    def _ledger_menu(self, pos: QPoint) -> None:
        m = self.selected_movement()
        if m is None:
            return
        menu = QMenu(self)
        action = menu.addAction(self.reverse_button.text())
        action.setEnabled(self.reverse_button.isEnabled())
        action.triggered.connect(self.reverse)
        person = menu.addAction(tr("supplies_ui.open_household"))
        person.setEnabled(bool(m.person_id))
        person.triggered.connect(self.open_person)
        menu.exec(self.ledger_view.viewport().mapToGlobal(pos))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            watched is self.ledger_view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Delete
        ):
            self.reverse()  # Delete on a movement offers its reversal: the ledger is never edited
            return True
        return super().eventFilter(watched, event)

    # -- actions
    def _run(self, dialog: QDialog) -> bool:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self.refresh()
        self.dataChanged.emit()
        return True

    def _item_and_lot(self) -> tuple[str | None, str | None]:
        item, lot = self.selected_item(), self.selected_lot()
        return (item.id if item else None), (lot.lot if lot and item and lot.item_id == item.id else None)

    def receive(self) -> None:
        item_id, _ = self._item_and_lot()
        self._run(ReceiveForm(self.ctx, item_id, parent=self))

    def issue_to_person(self, person: hh.PersonRow | None = None) -> None:
        if not isinstance(person, hh.PersonRow):
            picker = PersonPicker(self.ctx, self, tr("supplies_ui.pick_person"))
            if picker.exec() != QDialog.DialogCode.Accepted or picker.chosen is None:
                return
            person = picker.chosen
        item_id, _ = self._item_and_lot()
        self._run(IssueForm(self.ctx, person, item_id=item_id, parent=self))

    def issue_self_service(self) -> None:
        item_id, _ = self._item_and_lot()
        self._run(IssueForm(self.ctx, self_service=True, item_id=item_id, parent=self))

    def record_loss(self) -> None:
        self._run(LossForm(self.ctx, *self._item_and_lot(), parent=self))

    def count_stock(self) -> None:
        self._run(CountForm(self.ctx, *self._item_and_lot(), parent=self))

    def return_stock(self) -> None:
        self._run(ReturnForm(self.ctx, *self._item_and_lot(), parent=self))

    def reverse(self) -> None:
        m = self.selected_movement()
        if m is None or m.reversed or m.reverses_id:
            return
        self._run(ReverseForm(self.ctx, m, parent=self))

    def open_person(self) -> None:
        m = self.selected_movement()
        if m is None or not m.person_id:
            return
        person = hh.get_person(self.ctx.db, m.person_id)
        self.personChosen.emit(person.household_id, person.id)
