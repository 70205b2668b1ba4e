"""Small forms for a person's care records: a contraceptive method chosen (with informed-choice
counselling), stopping it, a folic-acid course, a pre-pregnancy check, a family-support entitlement."""

from __future__ import annotations

from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPlainTextEdit, QWidget

from app.errors import DomainError
from app.i18n import tr
from app.services import care
from app.services import households as hh
from app.services import pregnancies as pg
from app.ui.context import AppContext
from app.ui.dialogs.base import FormDialog, combo, set_combo
from app.ui.forms import DateEdit
from app.ui.labels import choices, fmt_date
from app.vocab import ContraceptiveMethod, Sex


def _notes() -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(56)
    return edit


class MethodForm(FormDialog):
    """避孕方法知情选择: the method the person chose, when, and when they were counselled. Nothing is chosen for
    them: the list starts at "please choose". Recording a method for a woman who is pregnant asks first."""

    def __init__(self, ctx: AppContext, person: hh.PersonRow, parent: QWidget | None = None) -> None:
        super().__init__(tr("care_form.method_title", name=person.name), parent)
        self.setObjectName("methodForm")
        self.ctx, self.person = ctx, person
        self.method = self.add_field(
            "care_form.method", "method", combo([("", tr("form.choose"))] + choices("method"))
        )
        self.start = self.add_field("care_form.start_date", "start_date", DateEdit("start_date"))
        self.counselled = self.add_field(
            "care_form.counselled_on", "counselled_on", DateEdit("counselled_on")
        )
        self.notes = self.add_field("care_form.counselling_notes", "counselling_notes", _notes())
        self.start.set_date(ctx.today())
        self.counselled.set_date(ctx.today())
        self.dirty = False

    def submit(self) -> bool:
        data = care.MethodInput(
            self.method.currentData() or "",
            self.start.date(),
            self.counselled.date(),
            self.notes.toPlainText(),
        )
        care.check_method(data, self.ctx.today())  # a wrong field is shown before any question
        if data.method != ContraceptiveMethod.NONE and not self._still_record_while_pregnant():
            return False
        care.choose_method(self.ctx.db, self.ctx.actor, self.person.id, data, self.ctx.today())
        return True

    def _still_record_while_pregnant(self) -> bool:
        """True unless she is pregnant and the officer, asked, does not record the method after all."""
        pregnancy = next(
            (p for p in pg.pregnancies_of(self.ctx.db, self.person.id) if p.outcome is None), None
        )
        if pregnancy is None:
            return True
        box = QMessageBox(
            QMessageBox.Icon.Question,
            tr("care_rules.pregnant_title"),
            tr("care_rules.method_while_pregnant", name=self.person.name, edd=fmt_date(pregnancy.edd)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("methodWhilePregnant")
        box.button(QMessageBox.StandardButton.Yes).setText(tr("care_rules.record_anyway"))
        box.button(QMessageBox.StandardButton.No).setText(tr("care_rules.do_not_record"))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes


class StopMethodForm(FormDialog):
    def __init__(self, ctx: AppContext, episode: care.MethodRow, parent: QWidget | None = None) -> None:
        super().__init__(tr("care_form.stop_title"), parent)
        self.setObjectName("stopMethodForm")
        self.ctx, self.episode = ctx, episode
        self.date = self.add_field("care_form.stop_date", "stop_date", DateEdit("stop_date"))
        self.reason = self.add_field("care_form.stop_reason", "reason", QLineEdit())
        self.date.set_date(ctx.today())
        self.dirty = False

    def submit(self) -> None:
        when = self.date.date()
        if when is None:
            raise DomainError("field.required", "stop_date")
        care.stop_method(
            self.ctx.db,
            self.ctx.actor,
            self.episode.id,
            when,
            self.reason.text(),
            self.ctx.today(),
            expected_rev=self.episode.rev,
        )


class FolicForm(FormDialog):
    def __init__(self, ctx: AppContext, person: hh.PersonRow, parent: QWidget | None = None) -> None:
        super().__init__(tr("care_form.folic_title", name=person.name), parent)
        self.setObjectName("folicForm")
        self.ctx, self.person = ctx, person
        self.start = self.add_field("care_form.start_date", "start_date", DateEdit("start_date"))
        self.dose = self.add_field("care_form.dose", "dose_mg", combo([("0.4", "0.4 mg"), ("4", "4 mg")]))
        self.bottles = self.add_field("care_form.bottles", "bottles_issued", QLineEdit("0"))
        self.bottles.setValidator(QIntValidator(0, 99))
        self.reason = self.add_field("care_form.high_risk_reason", "high_risk_reason", QLineEdit())
        self.start.set_date(ctx.today())
        self.dirty = False

    def submit(self) -> None:
        bottles = int(self.bottles.text()) if self.bottles.text().isdigit() else 0
        care.start_folic_course(
            self.ctx.db,
            self.ctx.actor,
            self.person.id,
            care.FolicCourseInput(
                self.start.date(), None, float(self.dose.currentData()), bottles, self.reason.text()
            ),
            self.ctx.today(),
        )


class EndDateForm(FormDialog):
    """One date: when a folic-acid course or a support entitlement ended. `field` is the name the service's
    errors give the date (end_date for a course, ended_on for an entitlement)."""

    def __init__(
        self,
        ctx: AppContext,
        title: str,
        save,  # noqa: ANN001
        parent: QWidget | None = None,
        field: str = "end_date",
    ) -> None:
        super().__init__(title, parent)
        self.setObjectName("endDateForm")
        self.ctx, self._save, self.field = ctx, save, field
        self.date = self.add_field("care_form.end_date", field, DateEdit(field))
        self.date.set_date(ctx.today())
        self.dirty = False

    def submit(self) -> None:
        when = self.date.date()
        if when is None:
            raise DomainError("field.required", self.field)
        self._save(when)


class PrepregnancyForm(FormDialog):
    def __init__(self, ctx: AppContext, person: hh.PersonRow, parent: QWidget | None = None) -> None:
        super().__init__(tr("care_form.prepreg_title", name=person.name), parent)
        self.setObjectName("prepregnancyForm")
        self.ctx, self.person = ctx, person
        self.date = self.add_field("care_form.check_date", "check_date", DateEdit("check_date"))
        men = [
            (m.id, m.name)
            for m in hh.household_members(ctx.db, person.household_id, include_gone=False)
            if m.sex == Sex.MALE and m.id != person.id
        ]
        self.partner = self.add_field(
            "care_form.partner", "partner_id", combo([("", tr("care_form.no_partner"))] + men)
        )
        self.risk = self.add_field("care_form.risk_grade", "risk_grade", combo(choices("risk")))
        self.counselling = self.add_field("care_form.counselling", "counselling", _notes())
        self.date.set_date(ctx.today())
        self.dirty = False

    def submit(self) -> None:
        care.add_prepregnancy_check(
            self.ctx.db,
            self.ctx.actor,
            self.person.id,
            care.PrepregnancyCheckInput(
                self.date.date(),
                self.partner.currentData() or None,
                self.risk.currentData(),
                self.counselling.toPlainText(),
            ),
            self.ctx.today(),
        )


class SupportForm(FormDialog):
    """奖励扶助 / 特别扶助: who is entitled, confirmed for which year, the contact for care visits. A new one
    starts with no category chosen (the officer picks it from the township's list), and with `person_id` (the
    care record it was opened from) as the entitled person; `support` is an entitlement being corrected."""

    def __init__(
        self,
        ctx: AppContext,
        household_id: str,
        support: care.SupportRow | None = None,
        person_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = "screens.support_edit_title" if support else "care_form.support_title"
        super().__init__(tr(title), parent)
        self.setObjectName("supportForm")
        self.setMinimumWidth(460)
        self.ctx, self.household_id, self.support = ctx, household_id, support
        self.saved_id: str | None = support.id if support else None
        people = [(m.id, m.name) for m in hh.household_members(ctx.db, household_id, include_gone=False)]
        kinds = choices("support")
        self.kind = self.add_field(
            "care_form.support_kind", "kind", combo(kinds if support else [("", tr("form.choose")), *kinds])
        )
        self.person = self.add_field("care_form.entitled_person", "person_id", combo(people))
        self.year = self.add_field(
            "care_form.year_confirmed", "year_confirmed", QLineEdit(str(ctx.today().year))
        )
        self.year.setValidator(QIntValidator(2000, 2100))
        self.assigned = self.add_field("care_form.assigned_on", "assigned_on", DateEdit("assigned_on"))
        self.contact = self.add_field("care_form.contact_name", "contact_name", QLineEdit())
        self.phone = self.add_field("care_form.contact_phone", "contact_phone", QLineEdit())
        self.interval = self.add_field(
            "care_form.interval",
            "visit_interval_months",
            combo([(str(n), tr("care_form.every_months", n=n)) for n in (1, 2, 3, 6, 12)]),
        )
        self.notes = self.add_field("care_form.notes", "notes", _notes())
        if support is None:
            self.assigned.set_date(ctx.today())
            set_combo(self.interval, "1")
            if person_id:
                set_combo(self.person, person_id)
        else:
            set_combo(self.kind, support.kind)
            set_combo(self.person, support.person_id)
            self.year.setText(str(support.year_confirmed))
            self.assigned.set_date(support.assigned_on)
            self.contact.setText(support.contact_name)
            self.phone.setText(support.contact_phone)
            set_combo(self.interval, str(support.visit_interval_months))
            self.notes.setPlainText(support.notes)
        self.dirty = False

    def data(self) -> care.SupportInput:
        year = int(self.year.text()) if self.year.text().isdigit() else None
        return care.SupportInput(
            self.kind.currentData(),
            self.person.currentData(),
            year,
            self.assigned.date(),
            self.contact.text(),
            self.phone.text() or None,
            int(self.interval.currentData()),
            self.notes.toPlainText(),
        )

    def submit(self) -> None:
        if self.support is None:
            self.saved_id = care.add_support(
                self.ctx.db, self.ctx.actor, self.household_id, self.data(), self.ctx.today()
            )
        else:
            care.update_support(
                self.ctx.db,
                self.ctx.actor,
                self.support.id,
                self.data(),
                self.ctx.today(),
                expected_rev=self.support.rev,
            )
