"""服务记录: one person's care in tabs — contraceptive methods, folic acid, pre-pregnancy checks,
pregnancies and follow-ups — each with the actions that add to it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.services import care, followups, history, supplies, voiding
from app.services import households as hh
from app.services import pregnancies as pg
from app.ui.context import AppContext
from app.ui.dialogs.care_forms import EndDateForm, FolicForm, MethodForm, PrepregnancyForm, StopMethodForm
from app.ui.dialogs.pregnancy_form import OutcomeDialog, PregnancyForm
from app.ui.dialogs.supply_forms import IssueForm
from app.ui.dialogs.support import SupportPanel
from app.ui.dialogs.void_dialog import VoidDialog
from app.ui.labels import fmt_date, fmt_datetime, label
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import RegisterView
from app.vocab import FollowupStatus, Sex

# The member form's words for the person's fields (the audit trail stores column names).
FIELD_LABELS = {
    "name": "member_form.name",
    "id_number": "member_form.id_number",
    "sex": "member_form.sex",
    "birth_date": "member_form.birth_date",
    "relation": "member_form.relation",
    "marital_status": "member_form.marital",
    "marriage_date": "member_form.marriage_date",
    "phone": "member_form.phone",
    "residence_status": "member_form.residence",
    "residence_place": "member_form.place",
    "notes": "member_form.notes",
    "deleted_reason": "history.field.void_reason",
    "household_id": "history.field.household",
    "status": "history.field.status",
}
SILENT = {"name_pinyin", "name_initials", "deleted_at", "merged_into", "born_of_pregnancy_id", "death_date"}


def _changes_text(entry: history.HistoryEntry) -> str:
    """What changed, in the form's words: "联系电话: 139… → 138…"; a new record lists what it was made with."""
    parts = []
    for field, (old, new) in entry.changes.items():
        if field in SILENT or field not in FIELD_LABELS:
            continue
        label_ = tr(FIELD_LABELS[field])
        parts.append(f"{label_}: {new}" if old is None else f"{label_}: {old or '—'} → {new or '—'}")
    return "；".join(parts)


def _window(r: followups.FollowupRow) -> str:
    return f"{fmt_date(r.earliest)} – {fmt_date(r.latest)}"


def _received(r: supplies.MovementRow) -> str:
    """What the person received: an issue counts up, its reversal down."""
    return str(-r.direction * r.quantity)


def _supply_note(r: supplies.MovementRow) -> str:
    if r.reverses_id:
        return tr("care.supply_reversal", reason=r.reason)
    if r.reversed:
        return tr("care.supply_reversed")
    return ""


class _Tab(QWidget):
    """A table of rows and a row of buttons acting on it."""

    def __init__(self, ctx: AppContext, key: str, columns: list[Column], load: Callable[[], list]) -> None:
        super().__init__()
        self.load = load
        self.model: RowTableModel = RowTableModel(columns, self)
        self.view = RegisterView(self.model, ctx.settings, f"care_{key}", sort_column=-1)
        self.view.setObjectName(f"{key}Table")
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(self.buttons)
        self.refresh()

    def add_button(self, text_id: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(tr(text_id))
        button.setObjectName(name)
        button.clicked.connect(slot)
        self.buttons.addWidget(button)
        return button

    def refresh(self) -> None:
        self.model.set_rows(self.load())

    def selected(self) -> object | None:
        return self.view.current_row()


class PersonCareDialog(QDialog):
    def __init__(self, ctx: AppContext, person_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("personCare")
        self.ctx = ctx
        self.changed = False
        self.person = hh.get_person(ctx.db, person_id)
        p = self.person
        self.setWindowTitle(tr("care.title", name=p.name))
        header = QLabel(
            tr(
                "care.header",
                name=p.name,
                sex=label("sex", p.sex),
                age=p.age_on(ctx.today()),
                number=p.household_no,
                marital=label("marital", p.marital_status),
            )
        )
        header.setObjectName("careHeader")
        self.tabs = QTabWidget()

        self.methods = _Tab(
            ctx,
            "methods",
            [
                Column("care.col.method", lambda r: label("method", r.method), width=140),
                Column("care.col.start", lambda r: fmt_date(r.start_date), width=100),
                Column("care.col.stop", lambda r: fmt_date(r.stop_date), width=100),
                Column(
                    "care.col.stop_reason",
                    lambda r: tr(r.stop_reason) if r.stop_reason.startswith("care.") else r.stop_reason,
                    width=140,
                ),
                Column("care.col.counselled", lambda r: fmt_date(r.counselled_on), width=100),
            ],
            lambda: care.methods_of(ctx.db, p.id),
        )
        self.methods.add_button("care.choose_method", "chooseMethod", self.choose_method)
        self.methods.add_button("care.stop_method", "stopMethod", self.stop_method)
        self.methods.add_button("care.void", "voidMethod", self.void_method)
        self.tabs.addTab(self.methods, tr("care.tab.methods"))

        self.pregnancies: _Tab | None = None
        if p.sex == Sex.FEMALE:
            self.folic = _Tab(
                ctx,
                "folic",
                [
                    Column("care.col.start", lambda r: fmt_date(r.start_date), width=100),
                    Column("care.col.end", lambda r: fmt_date(r.end_date), width=100),
                    Column("care.col.dose", lambda r: f"{r.dose_mg:g} mg", width=70),
                    Column("care.col.bottles", lambda r: str(r.bottles_issued), align_right=True, width=60),
                    Column("care.col.high_risk", lambda r: r.high_risk_reason, width=160),
                ],
                lambda: care.folic_courses_of(ctx.db, p.id),
            )
            self.folic.add_button("care.start_folic", "startFolic", self.start_folic)
            self.folic.add_button("care.end_folic", "endFolic", self.end_folic)
            self.folic.add_button(
                "care.void", "voidFolic", lambda: self.void_care(self.folic, "folic_course")
            )
            self.tabs.addTab(self.folic, tr("care.tab.folic"))

            self.prepreg = _Tab(
                ctx,
                "prepreg",
                [
                    Column("care.col.check_date", lambda r: fmt_date(r.check_date), width=100),
                    Column("care.col.partner", lambda r: r.partner_name, width=90),
                    Column("care.col.risk", lambda r: label("risk", r.risk_grade), width=80),
                    Column("care.col.counselling", lambda r: r.counselling.replace("\n", " "), width=220),
                ],
                lambda: care.prepregnancy_checks_of(ctx.db, p.id),
            )
            self.prepreg.add_button("care.add_prepreg", "addPrepreg", self.add_prepreg)
            self.prepreg.add_button(
                "care.void", "voidPrepreg", lambda: self.void_care(self.prepreg, "prepregnancy_check")
            )
            self.tabs.addTab(self.prepreg, tr("care.tab.prepreg"))

            self.pregnancies = _Tab(
                ctx,
                "pregnancies",
                [
                    Column("pregnancies.col.lmp", lambda r: fmt_date(r.lmp), width=100),
                    Column("pregnancies.col.edd", lambda r: fmt_date(r.edd), width=100),
                    Column(
                        "care.col.outcome",
                        lambda r: label("outcome", r.outcome) or tr("care.ongoing"),
                        width=110,
                    ),
                    Column("care.col.outcome_date", lambda r: fmt_date(r.outcome_date), width=100),
                ],
                lambda: pg.pregnancies_of(ctx.db, p.id),
            )
            self.pregnancies.add_button("pregnancies.register", "registerPregnancy", self.register_pregnancy)
            self.pregnancies.add_button("pregnancies.outcome", "recordOutcome", self.record_outcome)
            self.pregnancies.add_button("care.void", "voidPregnancy", self.void_pregnancy)
            self.tabs.addTab(self.pregnancies, tr("care.tab.pregnancies"))

        self.supplies_tab = _Tab(
            ctx,
            "personSupplies",
            [
                Column("care.col.supply_date", lambda r: fmt_date(r.movement_date), width=100),
                Column("care.col.supply_item", lambda r: r.name, width=190),
                Column("care.col.supply_quantity", _received, align_right=True, width=70),
                Column("supplies_ui.col.unit", lambda r: r.unit, width=50),
                Column("care.col.supply_lot", lambda r: r.lot, width=100),
                Column("care.col.supply_note", _supply_note, width=160),
            ],
            lambda: supplies.person_supplies(ctx.db, p.id),
        )
        self.supplies_tab.add_button("care.give_supplies", "giveSupplies", self.give_supplies)
        self.tabs.addTab(self.supplies_tab, tr("care.tab.supplies"))

        self.followup_tab = _Tab(
            ctx,
            "personFollowups",
            [
                Column("care.col.type", lambda r: label("followup_type", r.followup_type), width=180),
                Column("care.col.window", _window, width=190),
                Column("care.col.status", lambda r: label("followup_status", r.status), width=80),
                Column("care.col.done", lambda r: fmt_date(r.done_date), width=100),
                Column(
                    "care.col.reason",
                    lambda r: (
                        tr(r.status_reason) if r.status_reason.startswith("followup.") else r.status_reason
                    ),
                    width=160,
                ),
            ],
            lambda: followups.person_followups(ctx.db, p.id),
        )
        self.followup_tab.add_button("care.record_visit", "recordVisit", self.record_visit)
        self.followup_tab.add_button("care.void_visit", "voidVisit", self.void_visit)
        self.followup_tab.view.doubleClicked.connect(lambda _: self.record_visit())
        self.tabs.addTab(self.followup_tab, tr("care.tab.followups"))

        self.history_tab = _Tab(
            ctx,
            "personHistory",
            [
                Column("history.col.when", lambda e: fmt_datetime(e.at), width=140),
                Column("history.col.who", lambda e: e.who, width=90),
                Column("history.col.action", lambda e: tr(f"history.action.{e.action}"), width=70),
                Column("history.col.changes", _changes_text, width=420),
            ],
            lambda: history.record_history(ctx.db, "person", p.id),
        )
        self.tabs.addTab(self.history_tab, tr("history.tab"))

        self.support_tab = SupportPanel(ctx, p.household_id, person_id=p.id)
        self.support_tab.changed.connect(self._support_changed)
        self.tabs.addTab(self.support_tab, tr("screens.tab_support"))

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(tr("care.close"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)
        self.resize(760, 460)

    def _after(self, dialog: QDialog) -> None:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._refresh_tabs()

    def _refresh_tabs(self) -> None:
        self.changed = True
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            if isinstance(tab, _Tab | SupportPanel):
                tab.refresh()

    def _support_changed(self) -> None:
        self._refresh_tabs()  # a support visit planned, moved or recorded shows in the follow-ups tab too

    def _void(self, what: str, void: Callable[[str], None]) -> None:
        """作废 a record typed by mistake, with the reason the officer gives."""
        self._after(VoidDialog(what, void, self))

    def void_method(self) -> None:
        e = self.methods.selected()
        if isinstance(e, care.MethodRow):
            what = tr("void.what_method", method=label("method", e.method), start=fmt_date(e.start_date))
            self._void(
                what,
                lambda reason: voiding.void_method(
                    self.ctx.db, self.ctx.actor, e.id, reason, self.ctx.today(), expected_rev=e.rev
                ),
            )

    def void_care(self, tab: _Tab, kind: str) -> None:
        row = tab.selected()
        if not isinstance(row, care.FolicCourseRow | care.PrepregnancyCheckRow):
            return
        day = row.start_date if isinstance(row, care.FolicCourseRow) else row.check_date
        kind = tr("care.tab.folic" if isinstance(row, care.FolicCourseRow) else "care.tab.prepreg")
        self._void(
            tr("void.what_care", kind=kind, date=fmt_date(day)),
            lambda reason: voiding.void_care_record(
                self.ctx.db, self.ctx.actor, kind, row.id, reason, self.ctx.today(), expected_rev=row.rev
            ),
        )

    def void_pregnancy(self) -> None:
        if self.pregnancies is None:
            return
        p = self.pregnancies.selected()
        if isinstance(p, pg.PregnancyRow):
            self._void(
                tr("void.what_pregnancy", lmp=fmt_date(p.lmp)),
                lambda reason: voiding.void_pregnancy(
                    self.ctx.db, self.ctx.actor, p.id, reason, self.ctx.today(), expected_rev=p.rev
                ),
            )

    def void_visit(self) -> None:
        f = self.followup_tab.selected()
        if isinstance(f, followups.FollowupRow) and f.status == FollowupStatus.DONE:
            self._void(
                tr(
                    "void.what_visit",
                    type=label("followup_type", f.followup_type),
                    date=fmt_date(f.done_date),
                ),
                lambda reason: voiding.void_visit(
                    self.ctx.db, self.ctx.actor, f.id, reason, self.ctx.today(), expected_rev=f.rev
                ),
            )

    def choose_method(self) -> None:
        self._after(MethodForm(self.ctx, self.person, self))

    def stop_method(self) -> None:
        episode = self.methods.selected() or care.current_method(self.ctx.db, self.person.id)
        if isinstance(episode, care.MethodRow) and episode.stop_date is None:
            self._after(StopMethodForm(self.ctx, episode, self))

    def start_folic(self) -> None:
        self._after(FolicForm(self.ctx, self.person, self))

    def end_folic(self) -> None:
        course = self.folic.selected()
        if not isinstance(course, care.FolicCourseRow):
            open_courses = [
                c for c in care.folic_courses_of(self.ctx.db, self.person.id) if c.end_date is None
            ]
            course = open_courses[0] if open_courses else None
        if course is None or course.end_date is not None:
            return
        self._after(
            EndDateForm(
                self.ctx,
                tr("care.end_folic"),
                lambda day: care.end_folic_course(
                    self.ctx.db, self.ctx.actor, course.id, day, self.ctx.today(), expected_rev=course.rev
                ),
                self,
            )
        )

    def add_prepreg(self) -> None:
        self._after(PrepregnancyForm(self.ctx, self.person, self))

    def register_pregnancy(self) -> None:
        self._after(PregnancyForm(self.ctx, self.person.id, self.person.name, parent=self))

    def record_outcome(self) -> None:
        open_ones = [r for r in pg.pregnancies_of(self.ctx.db, self.person.id) if r.outcome is None]
        if open_ones:
            self._after(OutcomeDialog(self.ctx, open_ones[0], self))

    def give_supplies(self) -> None:
        self._after(IssueForm(self.ctx, self.person, fixed_person=True, parent=self))

    def record_visit(self) -> None:
        row = self.followup_tab.selected()
        if not isinstance(row, followups.FollowupRow) or row.status == FollowupStatus.CANCELLED:
            return
        from app.ui.dialogs.checklist_dialog import ChecklistDialog

        self._after(ChecklistDialog(self.ctx, row.id, self))
