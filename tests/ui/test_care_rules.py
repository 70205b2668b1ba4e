"""Care rules as the officer meets them in the forms: informed choice on the method form, the folic-acid
course offered when folic acid is issued, the high-risk factors of a pregnancy."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QMessageBox

from app.services import care, supplies, women
from app.services import households as hh
from app.services import pregnancies as pg
from app.ui.dialogs.care_forms import MethodForm
from app.ui.dialogs.supply_forms import IssueForm
from tests.conftest import TODAY
from tests.ui.helpers import DialogScript


def member(ctx, name: str) -> hh.PersonRow:
    households = hh.list_households(ctx.db)
    return next(p for h in households for p in hh.household_members(ctx.db, h.id) if p.name == name)


def click_save(qtbot, form) -> None:
    qtbot.mouseClick(form.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


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
