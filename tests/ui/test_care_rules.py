"""Care rules as the officer meets them in the forms: informed choice on the method form, the folic-acid
course offered when folic acid is issued, the high-risk factors of a pregnancy."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QLabel, QMessageBox, QPushButton

from app.services import care, supplies, women
from app.services import households as hh
from app.services import pregnancies as pg
from app.ui.dialogs.care_forms import MethodForm
from app.ui.dialogs.pregnancy_form import PregnancyForm
from app.ui.dialogs.supply_forms import IssueForm
from tests.conftest import TODAY
from tests.ui.helpers import DialogScript


def member(ctx, name: str) -> hh.PersonRow:
    households = hh.list_households(ctx.db)
    return next(p for h in households for p in hh.household_members(ctx.db, h.id) if p.name == name)


def click_save(qtbot, form) -> None:
    qtbot.mouseClick(form.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def tick(qtbot, box: QCheckBox) -> None:
    """Click the tick box itself (a wide box's centre can be beside its text, where a click does nothing)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def answer(qtbot, name: str, button: QMessageBox.StandardButton):
    def handler(box) -> None:
        assert isinstance(box, QMessageBox) and box.objectName() == name
        qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)

    return handler


# ---------------------------------------------------------------- informed choice


def test_the_method_form_starts_empty_and_saving_without_a_choice_is_refused(qtbot, ctx, small_village):
    li_mei = member(ctx, "李梅")
    form = MethodForm(ctx, li_mei)
    qtbot.addWidget(form)
    form.show()
    assert form.method.currentText() == "请选择" and not form.method.currentData()
    click_save(qtbot, form)
    assert form.isVisible()
    assert "请选择本人选定的避孕方法" in form.errors.message_of("method")
    assert care.methods_of(ctx.db, li_mei.id) == []

    form.method.setCurrentIndex(form.method.findData("condom"))
    click_save(qtbot, form)
    assert not form.isVisible()
    assert [m.method for m in care.methods_of(ctx.db, li_mei.id)] == ["condom"]


def test_recording_a_method_while_she_is_pregnant_asks_first(qtbot, ctx, small_village):
    li_mei = member(ctx, "李梅")
    lmp = TODAY - dt.timedelta(days=50)
    pg.register_pregnancy(ctx.db, ctx.actor, li_mei.id, pg.PregnancyInput(lmp, TODAY), TODAY)
    form = MethodForm(ctx, li_mei)
    qtbot.addWidget(form)
    form.show()
    form.method.setCurrentIndex(form.method.findData("iud"))

    script = DialogScript(answer(qtbot, "methodWhilePregnant", QMessageBox.StandardButton.No))
    click_save(qtbot, form)
    script.done()
    question = script.seen[0]
    assert "李梅正在怀孕" in question.text() and (lmp + dt.timedelta(days=280)).isoformat() in question.text()
    assert form.isVisible() and care.methods_of(ctx.db, li_mei.id) == []  # nothing saved, the form stays

    script = DialogScript(answer(qtbot, "methodWhilePregnant", QMessageBox.StandardButton.Yes))
    click_save(qtbot, form)
    script.done()
    assert not form.isVisible()
    assert [m.method for m in care.methods_of(ctx.db, li_mei.id)] == ["iud"]


def test_no_question_for_a_woman_who_is_not_pregnant(qtbot, ctx, small_village):
    li_mei = member(ctx, "李梅")
    form = MethodForm(ctx, li_mei)
    qtbot.addWidget(form)
    form.show()
    form.method.setCurrentIndex(form.method.findData("pill"))
    click_save(qtbot, form)
    assert not form.isVisible()
    assert [m.method for m in care.methods_of(ctx.db, li_mei.id)] == ["pill"]


def test_the_cards_tab_leaves_methods_off_unless_ticked(qtbot, main_window):
    main_window.show_page("reports")
    tick = main_window.reports.cards.findChild(QCheckBox, "cardsShowMethods")
    assert tick.text() == "印避孕方法" and not tick.isChecked()


# ---------------------------------------------------------------- folic acid issued from the supplies page


@pytest.fixture
def folic(ctx, small_village) -> str:
    item = next(i.id for i in supplies.items(ctx.db, TODAY) if i.code == "F01")
    data = supplies.ReceiptInput(item, "F2611", dt.date(2028, 6, 30), 20, TODAY - dt.timedelta(days=5))
    supplies.receive(ctx.db, ctx.actor, data, TODAY)
    return item


def issue_form(qtbot, ctx, person, item) -> IssueForm:
    form = IssueForm(ctx, person, item_id=item, fixed_person=True)
    qtbot.addWidget(form)
    form.show()
    return form


def test_folic_acid_for_a_woman_without_a_course_offers_to_start_it(qtbot, ctx, folic):
    li_mei = member(ctx, "李梅")
    form = issue_form(qtbot, ctx, li_mei, folic)
    assert not form.link.isVisible()  # no course to link to yet
    qtbot.keyClicks(form.quantity, "2")
    script = DialogScript(answer(qtbot, "startFolicCourse", QMessageBox.StandardButton.Yes))
    click_save(qtbot, form)
    script.done()
    assert "李梅现在没有在服的叶酸记录" in script.seen[0].text() and "2 瓶" in script.seen[0].text()
    assert not form.isVisible()
    [course] = care.folic_courses_of(ctx.db, li_mei.id)
    assert (course.start_date, course.bottles_issued) == (TODAY, 2)
    assert next(w for w in women.list_women(ctx.db, TODAY) if w.id == li_mei.id).folic_acid

    # the next bottles: linked to her course (ticked), added to it, and nothing asked
    again = issue_form(qtbot, ctx, li_mei, folic)
    assert again.link.isVisible() and again.link.isChecked() and TODAY.isoformat() in again.link.text()
    qtbot.keyClicks(again.quantity, "1")
    click_save(qtbot, again)
    assert not again.isVisible()
    assert [c.bottles_issued for c in care.folic_courses_of(ctx.db, li_mei.id)] == [3]


def test_answering_no_records_the_issue_alone(qtbot, ctx, folic):
    li_mei = member(ctx, "李梅")
    form = issue_form(qtbot, ctx, li_mei, folic)
    qtbot.keyClicks(form.quantity, "1")
    script = DialogScript(answer(qtbot, "startFolicCourse", QMessageBox.StandardButton.No))
    click_save(qtbot, form)
    script.done()
    assert not form.isVisible()
    assert care.folic_courses_of(ctx.db, li_mei.id) == []
    assert [m.quantity for m in supplies.person_supplies(ctx.db, li_mei.id)] == [1]


def test_folic_acid_for_a_man_asks_nothing(qtbot, ctx, folic):
    zhang = member(ctx, "张三")
    form = issue_form(qtbot, ctx, zhang, folic)
    qtbot.keyClicks(form.quantity, "1")
    click_save(qtbot, form)
    assert not form.isVisible()
    assert [m.quantity for m in supplies.person_supplies(ctx.db, zhang.id)] == [1]


# ---------------------------------------------------------------- high-risk pregnancies


def test_ticking_high_risk_factors_on_the_pregnancy_form(qtbot, ctx, small_village):
    li_mei = member(ctx, "李梅")  # born 1992-08-15
    form = PregnancyForm(ctx, li_mei.id, li_mei.name)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.lmp, "2026.9.1")  # EDD 2027-06-08: she is 34 then
    flags = form.findChild(QLabel, "riskFlags")
    assert flags.text() == "按高危规则：未见高危因素"
    tick(qtbot, form.findChild(QCheckBox, "risk_hypertension"))
    qtbot.keyClicks(form.gravidity, "5")
    assert flags.text() == "按高危规则：孕次≥5、高血压"

    tick(qtbot, form.findChild(QCheckBox, "risk_other"))
    click_save(qtbot, form)  # "other" without saying what
    assert form.isVisible() and "请在“高危/风险情况”里写明" in form.errors.message_of("risk_notes")
    form.risk_notes.setPlainText("甲状腺功能减退")
    click_save(qtbot, form)
    assert not form.isVisible()
    [row] = pg.pregnancies_of(ctx.db, li_mei.id)
    assert row.risk_factors == ("hypertension", "other")
    assert row.risk_flags == ("gravidity_5_plus", "hypertension", "other")

    again = PregnancyForm(ctx, li_mei.id, li_mei.name, row.id)  # the edit form shows what was ticked
    qtbot.addWidget(again)
    ticked = {code for code, box in again.risk_ticks.items() if box.isChecked()}
    assert ticked == {"hypertension", "other"}


def test_the_register_and_the_dashboard_show_high_risk_pregnancies(qtbot, main_window, ctx):
    li_mei = member(ctx, "李梅")
    data = pg.PregnancyInput(TODAY - dt.timedelta(days=60), TODAY, risk_factors=("diabetes",))
    pg.register_pregnancy(ctx.db, ctx.actor, li_mei.id, data, TODAY)

    main_window.show_page("pregnancies")
    page = main_window.pregnancies
    page.refresh()
    model = page.model
    column = next(i for i, c in enumerate(model.columns) if c.title_id == "pregnancies.col.risk")
    assert model.headerData(column, Qt.Orientation.Horizontal) == "高危/风险情况"
    assert model.index(0, column).data() == "糖尿病"

    main_window.show_page("dashboard")
    dashboard = main_window.dashboard
    number = dashboard.findChild(QPushButton, "highRisk")
    assert number.text() == "1"
    assert dashboard.findChild(QLabel, "highRiskCaption").text() == "高危孕产妇"

    seen = {}

    def listing(dialog):
        seen["title"] = dialog.windowTitle()
        seen["rows"] = [(r.name, r.risk_flags) for r in dialog.model.rows()]
        dialog.reject()

    script = DialogScript(listing)
    qtbot.mouseClick(number, Qt.MouseButton.LeftButton)
    script.done()
    assert seen == {"title": "高危孕产妇", "rows": [("李梅", ("diabetes",))]}
