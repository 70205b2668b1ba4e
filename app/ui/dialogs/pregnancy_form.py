"""孕情 forms: register or edit a pregnancy (EDD and weeks computed as the LMP is typed), and record its
outcome (a live birth names the newborns, who join the mother's household)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from app.errors import DomainError
from app.i18n import tr
from app.services import households as hh
from app.services import pregnancies as pg
from app.services import risk
from app.services.pregnancy_dates import expected_delivery_date, gestational_age
from app.ui.context import AppContext
from app.ui.dialogs.base import FormDialog, combo, set_combo
from app.ui.forms import DateEdit
from app.ui.labels import choices
from app.vocab import PregnancyOutcome


def _int_or_none(edit: QLineEdit) -> int | None:
    text = edit.text().strip()
    return int(text) if text.isdigit() else None


def _int_edit(maximum: int = 30) -> QLineEdit:
    edit = QLineEdit()
    edit.setValidator(QIntValidator(0, maximum))
    edit.setMaximumWidth(80)
    return edit


class PregnancyForm(FormDialog):
    def __init__(
        self,
        ctx: AppContext,
        woman_id: str,
        woman_name: str,
        pregnancy_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            tr("pregnancy_form.edit_title" if pregnancy_id else "pregnancy_form.new_title", name=woman_name),
            parent,
        )
        self.setObjectName("pregnancyForm")
        self.ctx, self.woman_id, self.pregnancy_id = ctx, woman_id, pregnancy_id
        self.saved_id: str | None = pregnancy_id
        self.rev: int | None = None
        self.lmp = self.add_field("pregnancy_form.lmp", "lmp", DateEdit("lmp"))
        self.weeks = QLabel()
        self.weeks.setObjectName("weeksToday")
        self.form.addRow("", self.weeks)
        self.ultrasound = self.add_field(
            "pregnancy_form.ultrasound", "edd_by_ultrasound", QCheckBox(tr("pregnancy_form.ultrasound_hint"))
        )
        self.edd = self.add_field("pregnancy_form.edd", "edd", DateEdit("edd"))
        self.registration = self.add_field(
            "pregnancy_form.registration_date", "registration_date", DateEdit("registration_date")
        )
        self.gravidity = self.add_field("pregnancy_form.gravidity", "gravidity", _int_edit())
        self.parity = self.add_field("pregnancy_form.parity", "parity", _int_edit())
        self.rules = risk.load_risk_rules()
        self.woman_birth = hh.get_person(ctx.db, woman_id).birth_date
        ticks = QWidget()
        grid = QGridLayout(ticks)
        grid.setContentsMargins(0, 0, 0, 0)
        self.risk_ticks: dict[str, QCheckBox] = {}
        for i, rule in enumerate(self.rules.tickable):
            # a factor that needs the notes says so on its tick box
            box = QCheckBox(tr("pregnancy_form.risk_other_tick") if rule.note_required else tr(rule.label_id))
            box.setObjectName(f"risk_{rule.code}")
            box.toggled.connect(self._mark_dirty)
            box.toggled.connect(self._show_flags)
            grid.addWidget(box, i // 2, i % 2)
            self.risk_ticks[rule.code] = box
        self.add_field("pregnancy_form.risk_factors", "risk_factors", ticks)
        self.flags = QLabel()
        self.flags.setObjectName("riskFlags")
        self.flags.setWordWrap(True)
        self.form.addRow("", self.flags)
        self.risk_notes = self.add_field("pregnancy_form.risk_notes", "risk_notes", QPlainTextEdit())
        self.risk_notes.setTabChangesFocus(True)
        self.risk_notes.setFixedHeight(56)
        self.facility = self.add_field("pregnancy_form.planned_facility", "planned_facility", QLineEdit())
        self.birth_reg_no = self.add_field("pregnancy_form.birth_reg_no", "birth_reg_no", QLineEdit())
        self.birth_reg_date = self.add_field(
            "pregnancy_form.birth_reg_date", "birth_reg_date", DateEdit("birth_reg_date")
        )
        self.child_order = self.add_field("pregnancy_form.child_order", "child_order", _int_edit(20))
        self.registration.set_date(ctx.today())
        if pregnancy_id:
            row = pg.get_pregnancy(ctx.db, pregnancy_id)
            self.rev = row.rev
            self.lmp.set_date(row.lmp)
            self.ultrasound.setChecked(row.edd_by_ultrasound)
            self.edd.set_date(row.edd)
            self.registration.set_date(row.registration_date)
            for edit, value in (
                (self.gravidity, row.gravidity),
                (self.parity, row.parity),
                (self.child_order, row.child_order),
            ):
                edit.setText("" if value is None else str(value))
            self.risk_notes.setPlainText(row.risk_notes)
            for code in row.risk_factors:
                if code in self.risk_ticks:
                    self.risk_ticks[code].setChecked(True)
            self.facility.setText(row.planned_facility)
            self.birth_reg_no.setText(row.birth_reg_no)
            self.birth_reg_date.set_date(row.birth_reg_date)
        self.lmp.textChanged.connect(self._dates_changed)
        self.edd.textChanged.connect(self._dates_changed)
        self.ultrasound.toggled.connect(self._dates_changed)
        self.gravidity.textChanged.connect(self._show_flags)
        self._dates_changed()
        self.dirty = False
        self.resize(520, self.sizeHint().height())

    def _typed_lmp(self) -> dt.date | None:
        try:
            return self.lmp.date()
        except DomainError:
            return None

    def _dates_changed(self, *_: object) -> None:
        """EDD follows the LMP unless dated by ultrasound; the weeks today are shown as they are typed."""
        self.edd.setReadOnly(not self.ultrasound.isChecked())
        lmp = self._typed_lmp()
        if lmp is not None and not self.ultrasound.isChecked():
            self.edd.blockSignals(True)
            self.edd.set_date(expected_delivery_date(lmp))
            self.edd.blockSignals(False)
        self._show_flags()
        today = self.ctx.today()
        if lmp is None or lmp > today:
            self.weeks.setText(tr("pregnancy_form.weeks_unknown"))
            return
        self.weeks.setText(tr("pregnancy_form.weeks_today", weeks=str(gestational_age(lmp, today))))

    def _ticked(self) -> tuple[str, ...]:
        return tuple(code for code, box in self.risk_ticks.items() if box.isChecked())

    def _show_flags(self, *_: object) -> None:
        """The high-risk rules that hold for what is typed so far (age at the EDD, gravidity, ticks)."""
        try:
            edd = self.edd.date()
        except DomainError:
            edd = None
        if edd is None:
            lmp = self._typed_lmp()
            edd = expected_delivery_date(lmp) if lmp is not None else None
        if edd is None:
            flags = tuple(r.code for r in self.rules.tickable if r.code in self._ticked())
        else:
            flags = self.rules.flags(self.woman_birth, edd, _int_or_none(self.gravidity), self._ticked())
        labels = "、".join(tr(f"risk.flag.{code}") for code in flags)
        self.flags.setText(
            tr("pregnancy_form.flags", flags=labels) if flags else tr("pregnancy_form.flags_none")
        )
        self.flags.setStyleSheet("color: #b00020;" if flags else "color: #555555;")

    def data(self) -> pg.PregnancyInput:
        edd = self.edd.date() if self.ultrasound.isChecked() else None
        return pg.PregnancyInput(
            lmp=self.lmp.date(),
            registration_date=self.registration.date(),
            edd=edd,
            gravidity=_int_or_none(self.gravidity),
            parity=_int_or_none(self.parity),
            risk_notes=self.risk_notes.toPlainText(),
            planned_facility=self.facility.text(),
            birth_reg_no=self.birth_reg_no.text(),
            birth_reg_date=self.birth_reg_date.date(),
            child_order=_int_or_none(self.child_order),
            risk_factors=self._ticked(),
        )

    def submit(self) -> None:
        data = self.data()
        if self.ultrasound.isChecked() and data.edd is None:
            raise DomainError("field.required", "edd")
        if self.pregnancy_id:
            pg.update_pregnancy(
                self.ctx.db,
                self.ctx.actor,
                self.pregnancy_id,
                data,
                self.ctx.today(),
                expected_rev=self.rev,
            )
        else:
            self.saved_id = pg.register_pregnancy(
                self.ctx.db, self.ctx.actor, self.woman_id, data, self.ctx.today()
            )


class OutcomeDialog(FormDialog):
    """妊娠结局: the outcome, its date and place; for a live birth, each newborn's name and sex."""

    MAX_BABIES = 4

    def __init__(self, ctx: AppContext, pregnancy: pg.PregnancyRow, parent: QWidget | None = None) -> None:
        super().__init__(tr("outcome.title", name=pregnancy.name), parent)
        self.setObjectName("outcomeDialog")
        self.ctx, self.pregnancy = ctx, pregnancy
        self.new_person_ids: list[str] = []
        self.outcome = self.add_field("outcome.outcome", "outcome", combo(choices("outcome")))
        self.date = self.add_field("outcome.date", "outcome_date", DateEdit("outcome_date"))
        self.place = self.add_field("outcome.place", "delivery_place", combo(choices("delivery_place")))
        self.facility = self.add_field("outcome.facility", "delivery_facility", QLineEdit())
        self.facility.setText(pregnancy.planned_facility)
        self.discharge = self.add_field("outcome.discharge", "discharge_date", DateEdit("discharge_date"))
        self.count = self.add_field("outcome.count", "newborns", QSpinBox())
        self.count.setRange(1, self.MAX_BABIES)
        babies = QWidget()
        grid = QGridLayout(babies)
        grid.setContentsMargins(0, 0, 0, 0)
        self.baby_names: list[QLineEdit] = []
        self.baby_sexes = []
        self.baby_ids: list[QLineEdit] = []
        for i in range(self.MAX_BABIES):
            name = QLineEdit()
            name.setObjectName(f"field_newborn_name_{i}")
            name.setPlaceholderText(tr("outcome.baby_name"))
            sex = combo([("", tr("form.choose"))] + choices("sex"))
            sex.setObjectName(f"field_newborn_sex_{i}")
            idn = QLineEdit()
            idn.setObjectName(f"field_newborn_id_{i}")
            idn.setPlaceholderText(tr("outcome.baby_id"))
            for col, w in enumerate((name, sex, idn)):
                grid.addWidget(w, i, col)
            self.baby_names.append(name)
            self.baby_sexes.append(sex)
            self.baby_ids.append(idn)
            self.errors.widgets[f"newborn_name_{i}"] = name
            self.errors.widgets[f"newborn_sex_{i}"] = sex
            self.errors.widgets[f"newborn_id_{i}"] = idn
            self.errors.labels[f"newborn_name_{i}"] = self.errors.labels["newborns"]
            self.errors.labels[f"newborn_sex_{i}"] = self.errors.labels["newborns"]
            self.errors.labels[f"newborn_id_{i}"] = self.errors.labels["newborns"]
        self.babies_row = babies
        self.errors.clear_when_changed("newborns", babies)  # the babies' errors are shown under their count
        self.form.addRow(tr("outcome.newborns"), babies)
        self.outcome.currentIndexChanged.connect(self._refresh)
        self.count.valueChanged.connect(self._refresh)
        set_combo(self.outcome, PregnancyOutcome.LIVE_BIRTH.value)
        set_combo(self.place, "hospital")
        self._refresh()
        self.dirty = False
        self.resize(560, self.sizeHint().height())

    def _refresh(self, *_: object) -> None:
        outcome = self.outcome.currentData()
        live = outcome == PregnancyOutcome.LIVE_BIRTH
        delivery = outcome in pg.DELIVERIES
        self.place.setEnabled(delivery)
        self.facility.setEnabled(delivery)
        self.discharge.setEnabled(delivery)
        self.count.setEnabled(live)
        self.babies_row.setVisible(live)
        for i in range(self.MAX_BABIES):
            visible = live and i < self.count.value()
            for w in (self.baby_names[i], self.baby_sexes[i], self.baby_ids[i]):
                w.setVisible(visible)

    def data(self) -> pg.OutcomeInput:
        outcome = self.outcome.currentData()
        babies: tuple[pg.NewbornInput, ...] = ()
        if outcome == PregnancyOutcome.LIVE_BIRTH:
            babies = tuple(
                pg.NewbornInput(
                    self.baby_names[i].text(),
                    self.baby_sexes[i].currentData() or None,
                    self.baby_ids[i].text(),
                )
                for i in range(self.count.value())
            )
        delivery = outcome in pg.DELIVERIES
        return pg.OutcomeInput(
            outcome=outcome,
            outcome_date=self.date.date(),
            delivery_place=self.place.currentData() if delivery else None,
            delivery_facility=self.facility.text() if delivery else "",
            discharge_date=self.discharge.date() if delivery else None,
            newborns=babies,
        )

    def submit(self) -> None:
        self.new_person_ids = pg.record_outcome(
            self.ctx.db,
            self.ctx.actor,
            self.pregnancy.id,
            self.data(),
            self.ctx.today(),
            expected_rev=self.pregnancy.rev,
        )
