"""Pregnancies as the officer keeps them: register by typing an LMP (EDD and weeks appear at once), record a
live birth and find the newborn in the household."""

import datetime as dt

from PySide6.QtCore import Qt

from app.services import followups
from app.services import households as hh
from app.ui.dialogs.pregnancy_form import PregnancyForm
from tests.conftest import TODAY
from tests.ui.helpers import DialogScript, ime_type


def test_typing_the_lmp_shows_edd_and_weeks(qtbot, ctx, small_village):
    li_mei = next(m for m in hh.household_members(ctx.db, small_village["h1"]) if m.name == "李梅")
    form = PregnancyForm(ctx, li_mei.id, li_mei.name)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.lmp, "2026.8.1")
    assert form.edd.text() == "2027-05-08"  # LMP + 280 days
    assert form.weeks.text() == "今天孕 16+3 周"  # 115 days on 2026-11-24
    form.lmp.clear()
    qtbot.keyClicks(form.lmp, "20260901")
    assert form.edd.text() == "2027-06-08"
    assert form.edd.isReadOnly()
    form.ultrasound.setChecked(True)  # dated by ultrasound: the EDD becomes editable and stays as typed
    form.edd.clear()
    qtbot.keyClicks(form.edd, "2027-06-01")
    qtbot.keyClicks(form.gravidity, "2")
    qtbot.keyClicks(form.parity, "1")
    qtbot.keyClick(form.gravidity, Qt.Key.Key_Return)
    assert not form.isVisible()
    rows = followups.person_followups(ctx.db, li_mei.id)
    assert [r.followup_type for r in rows] == ["anc1", "anc2", "anc3", "anc4", "anc5"]


def test_register_from_page_then_live_birth_adds_newborn(qtbot, main_window, ctx, small_village):
    page = main_window.pregnancies

    def pick(picker):
        qtbot.keyClicks(picker.find_edit, "lm")
        qtbot.keyClick(picker.find_edit, Qt.Key.Key_Return)

    def pregnancy(form):
        qtbot.keyClicks(form.lmp, (TODAY - dt.timedelta(days=275)).isoformat())
        qtbot.keyClick(form.lmp, Qt.Key.Key_Return)

    script = DialogScript(pick, pregnancy)
    qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    script.done()
    assert [r.name for r in page.model.rows()] == ["李梅"]
    assert str(page.model.rows()[0].weeks_on(TODAY)) == "39+2"

    page.view.select_row(0)

    def outcome(dialog):
        qtbot.keyClicks(dialog.date, (TODAY - dt.timedelta(days=2)).isoformat())
        ime_type(dialog.baby_names[0], "张小宝")
        dialog.baby_sexes[0].setCurrentIndex(dialog.baby_sexes[0].findData("M"))
        qtbot.keyClick(dialog.date, Qt.Key.Key_Return)

    script = DialogScript(outcome)
    qtbot.mouseClick(page.outcome_button, Qt.MouseButton.LeftButton)
    script.done()
    assert page.model.rows() == []  # no longer an open pregnancy
    households = main_window.households
    assert main_window.stack.currentWidget() is households  # the newborn is shown in the register
    baby = households.selected_member()
    assert (baby.name, baby.relation, baby.birth_date) == ("张小宝", "son", TODAY - dt.timedelta(days=2))
    mother_followups = {r.followup_type: r.status for r in followups.person_followups(ctx.db, baby.id)}
    assert mother_followups == {}  # follow-ups belong to the mother
    li_mei = next(m for m in hh.household_members(ctx.db, small_village["h1"]) if m.name == "李梅")
    types = {r.followup_type: r.status for r in followups.person_followups(ctx.db, li_mei.id)}
    assert types["postpartum_visit"] == "due" and types["postpartum_42d"] == "due"
    assert types["anc5"] == "cancelled"


def test_dashboard_counts_folic_courses_ending_and_lists_them(qtbot, main_window, ctx, small_village):
    from app.services import care
    from app.services import pregnancies as pg

    li_mei = next(m for m in hh.household_members(ctx.db, small_village["h1"]) if m.name == "李梅")
    care.start_folic_course(
        ctx.db, ctx.actor, li_mei.id, care.FolicCourseInput(TODAY - dt.timedelta(days=120)), TODAY
    )
    pg.register_pregnancy(
        ctx.db,
        ctx.actor,
        li_mei.id,
        pg.PregnancyInput(lmp=TODAY - dt.timedelta(weeks=11), registration_date=TODAY),
        TODAY,
    )
    dashboard = main_window.dashboard
    dashboard.refresh()
    assert dashboard.folic_card.number.text() == "1"
    seen = {}

    def listing(dialog):
        seen["rows"] = [(r.name, r.ends_on) for r in dialog.model.rows()]
        dialog.reject()

    script = DialogScript(listing)
    qtbot.mouseClick(dashboard.folic_card.number, Qt.MouseButton.LeftButton)
    script.done()
    assert seen["rows"] == [("李梅", TODAY + dt.timedelta(weeks=2))]  # 13+0 weeks after the LMP
