"""孕产妇: open pregnancies with weeks today, EDD and the next antenatal window; register, edit, outcome."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.i18n import tr
from app.services import pregnancies as pg
from app.services.pregnancy_dates import GestationalAge
from app.ui.context import AppContext
from app.ui.dialogs.pregnancy_form import OutcomeDialog, PregnancyForm
from app.ui.dialogs.woman_picker import WomanPicker
from app.ui.labels import fmt_date, label
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import RegisterView, action_button, fill_group_combo

LATE_WEEKS = 37  # term: expected delivery soon, shown highlighted
DELIVERY_DAYS = 30  # the dashboard's "30 天内预产": this list narrowed to the same pregnancies


def risk_text(r: pg.PregnancyRow) -> str:
    """The high-risk flags (risk_rules.json), then the notes typed on the form."""
    flags = "、".join(tr(f"risk.flag.{code}") for code in r.risk_flags)
    notes = r.risk_notes.replace("\n", " ").strip()
    return "；".join(part for part in (flags, notes) if part)


def columns(ctx: AppContext) -> list[Column[pg.PregnancyRow]]:
    def weeks(r: pg.PregnancyRow) -> str:
        w = r.weeks_on(ctx.today())
        return str(w) if w is not None else ""

    def next_window(r: pg.PregnancyRow) -> str:
        if r.next_type is None:
            return ""
        return (
            f"{label('followup_type', r.next_type)}  {fmt_date(r.next_earliest)} – {fmt_date(r.next_latest)}"
        )

    return [
        Column("pregnancies.col.name", lambda r: r.name, width=90),
        Column(
            "pregnancies.col.group",
            lambda r: str(r.group_no),
            sort_key=lambda r: r.group_no,
            align_right=True,
            width=50,
        ),
        Column("pregnancies.col.household", lambda r: r.household_no, width=80),
        Column("pregnancies.col.weeks", weeks, sort_key=lambda r: r.lmp, width=70),
        Column("pregnancies.col.edd", lambda r: fmt_date(r.edd), sort_key=lambda r: r.edd, width=100),
        Column("pregnancies.col.lmp", lambda r: fmt_date(r.lmp), sort_key=lambda r: r.lmp, width=100),
        Column("pregnancies.col.next", next_window, sort_key=lambda r: r.next_earliest, width=260),
        Column(
            "pregnancies.col.risk",
            risk_text,
            sort_key=lambda r: (len(r.risk_flags), r.risk_flags),
            width=160,
        ),
        Column("pregnancies.col.phone", lambda r: r.phone, width=110),
    ]


class PregnanciesPage(QWidget):
    personChosen = Signal(str, str)  # household id, person id
    dataChanged = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("pregnanciesPage")
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("pregnancyGroup")
        self.edd_combo = QComboBox()
        self.edd_combo.setObjectName("pregnancyEdd")
        self.edd_combo.addItem(tr("screens.edd_any"), None)
        self.edd_combo.addItem(tr("screens.edd_within_30"), DELIVERY_DAYS)
        self.count_label = QLabel()
        self.model: RowTableModel[pg.PregnancyRow] = RowTableModel(columns(ctx), self)
        late = QBrush(QColor("#fff3cd"))
        self.model.highlight = lambda r: (
            late if (r.weeks_on(ctx.today()) or GestationalAge(0)).weeks >= LATE_WEEKS else None
        )
        self.view = RegisterView(self.model, ctx.settings, "pregnancies", sort_column=4)
        self.view.setObjectName("pregnancyTable")
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("households.group")))
        top.addWidget(self.group_combo)
        top.addWidget(QLabel(tr("screens.edd_filter")))
        top.addWidget(self.edd_combo)
        top.addWidget(self.count_label, 1)
        self.register_button = action_button(top, "pregnancies.register", "registerPregnancy", self.register)
        self.edit_button = action_button(top, "pregnancies.edit", "editPregnancy", self.edit)
        self.outcome_button = action_button(top, "pregnancies.outcome", "recordOutcome", self.record_outcome)
        self.open_button = action_button(
            top, "pregnancies.open_household", "openHousehold", self.open_household
        )
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.view.doubleClicked.connect(lambda _: self.edit())
        self.view.selectionModel().currentRowChanged.connect(self._update_buttons)
        fill_group_combo(self.group_combo, ctx.db)
        self.group_combo.currentIndexChanged.connect(self.refresh)
        self.edd_combo.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def show_all(self, edd_within: int | None = None) -> None:
        """Every open pregnancy (a link from the dashboard): no group chosen; with `edd_within`, only those
        expected to deliver within that many days, as the dashboard counts them."""
        for combo, value in ((self.group_combo, None), (self.edd_combo, edd_within)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(value), 0))
            combo.blockSignals(False)
        self.refresh()

    def selected(self) -> pg.PregnancyRow | None:
        row = self.view.current_row()
        return row if isinstance(row, pg.PregnancyRow) else None

    def _update_buttons(self, *_: object) -> None:
        has = self.selected() is not None
        for b in (self.edit_button, self.outcome_button, self.open_button):
            b.setEnabled(has)

    def refresh(self, *_: object) -> None:
        keep = self.selected()
        rows = pg.open_pregnancies(self.ctx.db, self.group_combo.currentData())
        days = self.edd_combo.currentData()
        if days is not None:  # the dashboard's count, by the dashboard's own rule
            due = {r.id for r in pg.expected_deliveries(self.ctx.db, self.ctx.today(), days)}
            rows = [r for r in rows if r.id in due]
        self.model.set_rows(rows)
        self.count_label.setText(tr("pregnancies.count", count=len(rows)))
        if keep is not None:
            self.view.select_row(self.model.find_row(lambda r: r.id == keep.id))
        self._update_buttons()

    def _saved(self, pregnancy_id: str | None = None) -> None:
        self.refresh()
        if pregnancy_id:
            self.view.select_row(self.model.find_row(lambda r: r.id == pregnancy_id))
        self.dataChanged.emit()

    def register(self, woman_id: str | None = None, woman_name: str = "") -> None:
        if not woman_id:
            picker = WomanPicker(self.ctx, self)
            if picker.exec() != QDialog.DialogCode.Accepted or picker.chosen is None:
                return
            woman_id, woman_name = picker.chosen.id, picker.chosen.name
        form = PregnancyForm(self.ctx, woman_id, woman_name, parent=self)
        if form.exec() == QDialog.DialogCode.Accepted:
            self._saved(form.saved_id)

    def edit(self) -> None:
        p = self.selected()
        if p is None:
            return
        form = PregnancyForm(self.ctx, p.woman_id, p.name, p.id, parent=self)
        if form.exec() == QDialog.DialogCode.Accepted:
            self._saved(p.id)

    def record_outcome(self) -> None:
        p = self.selected()
        if p is None:
            return
        dialog = OutcomeDialog(self.ctx, p, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved()
            if dialog.new_person_ids:  # show the newborn in the household register
                self.personChosen.emit(p.household_id, dialog.new_person_ids[0])

    def open_household(self) -> None:
        p = self.selected()
        if p is not None:
            self.personChosen.emit(p.household_id, p.woman_id)
