"""Family support (计划生育家庭扶助) is recorded from the household page and from the care record: entitlements
are added, corrected and ended, and their care visits are shown and recorded there (issue 12, item 14)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton

from app.services import care, followups
from app.services import households as hh
from app.services.cards import card_batch
from app.ui.dialogs.care_forms import EndDateForm, SupportForm
from app.ui.dialogs.checklist_dialog import ChecklistDialog
from app.ui.dialogs.person_care import PersonCareDialog
from app.ui.dialogs.support import SupportDialog
from app.vocab import FollowupStatus, FollowupType
from tests.conftest import TODAY
from tests.ui.helpers import DialogScript, ime_type

LEFT = Qt.MouseButton.LeftButton


def choose(combo: QComboBox, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def member(ctx, household_id, name):
    return next(m for m in hh.household_members(ctx.db, household_id) if m.name == name)


def support_visits(ctx, person_id):
    return [
        v
        for v in followups.person_followups(ctx.db, person_id)
        if v.followup_type == FollowupType.SUPPORT_VISIT
    ]


@pytest.fixture
def household_page(main_window, small_village):
    page = main_window.households
    main_window.show_page("households")
    page.show_household(small_village["h1"])
    return page


def test_add_correct_and_end_an_entitlement_from_the_household_page(
    qtbot, ctx, household_page, small_village
):
    h1 = small_village["h1"]
    zhang = member(ctx, h1, "张三")
    seen: dict = {}

    def support_dialog(dialog):
        assert isinstance(dialog, SupportDialog)
        seen["title"] = dialog.windowTitle()
        panel = dialog.panel
        seen["empty"] = panel.model.rowCount()
        qtbot.mouseClick(panel.findChild(QPushButton, "addSupport"), LEFT)  # a nested form: answered next
        seen["rows"] = [(r.kind, r.person_name, r.contact_name) for r in panel.model.rows()]
        seen["visits"] = [(v.name, v.status) for v in panel.visit_model.rows()]
        seen["visits_title"] = panel.visits_title.text()
        qtbot.mouseClick(panel.findChild(QPushButton, "editSupport"), LEFT)
        seen["edited"] = [r.contact_phone for r in panel.model.rows()]
        qtbot.mouseClick(panel.findChild(QPushButton, "endSupport"), LEFT)
        seen["ended"] = [panel.model.index(0, c).data() for c in range(panel.model.columnCount())]
        seen["end_enabled"] = panel.end_button.isEnabled()
        dialog.reject()

    def new_entitlement(form):
        assert isinstance(form, SupportForm)
        seen["kind_at_first"] = form.kind.currentText()
        choose(form.kind, "reward")
        choose(form.person, zhang.id)
        ime_type(form.contact, "王村医")
        qtbot.keyClicks(form.phone, "13900002222")
        choose(form.interval, "3")
        qtbot.keyClick(form.phone, Qt.Key.Key_Return)

    def correct_it(form):
        assert isinstance(form, SupportForm) and form.contact.text() == "王村医"
        form.phone.clear()
        qtbot.keyClicks(form.phone, "13900003333")
        qtbot.keyClick(form.phone, Qt.Key.Key_Return)

    def end_it(form):
        assert isinstance(form, EndDateForm)
        form.date.clear()
        qtbot.keyClicks(form.date, TODAY.isoformat())
        qtbot.keyClick(form.date, Qt.Key.Key_Return)

    changed = []
    household_page.dataChanged.connect(lambda: changed.append(True))
    script = DialogScript(support_dialog, new_entitlement, correct_it, end_it)
    qtbot.mouseClick(household_page.findChild(QPushButton, "householdSupport"), LEFT)
    script.done()

    assert seen["title"] == "计划生育家庭扶助：户 0101" and seen["empty"] == 0
    assert seen["kind_at_first"] == "请选择"  # the category is chosen, not pre-filled
    assert seen["rows"] == [("reward", "张三", "王村医")]
    assert seen["visits"] and all(name == "张三" for name, _ in seen["visits"])
    assert seen["visits_title"].startswith("关怀走访")
    assert seen["edited"] == ["13900003333"]
    assert TODAY.isoformat() in seen["ended"] and not seen["end_enabled"]
    assert changed  # the other pages (follow-ups, cards) re-read
    [row] = care.supports_of_household(ctx.db, h1)
    assert (row.contact_phone, row.visit_interval_months, row.ended_on) == ("13900003333", 3, TODAY)
    assert not [v for v in support_visits(ctx, zhang.id) if v.status == FollowupStatus.DUE and v.due > TODAY]


def test_the_card_prints_what_was_recorded(qtbot, ctx, household_page, small_village):
    h1 = small_village["h1"]

    def support_dialog(dialog):
        qtbot.mouseClick(dialog.panel.add_button, LEFT)
        dialog.reject()

    def new_entitlement(form):
        choose(form.kind, "special_death")
        choose(form.person, member(ctx, h1, "李梅").id)
        ime_type(form.contact, "王村医")
        qtbot.keyClick(form.contact, Qt.Key.Key_Return)

    script = DialogScript(support_dialog, new_entitlement)
    qtbot.mouseClick(household_page.support_button, LEFT)
    script.done()
    [card] = card_batch(ctx.db, ctx.user.id, TODAY, household_ids=[h1]).cards
    assert [(s.kind, s.contact_name) for s in card.supports] == [("special_death", "王村医")]


def test_the_care_record_shows_the_persons_support_and_records_a_visit(qtbot, ctx, small_village):
    h1 = small_village["h1"]
    li = member(ctx, h1, "李梅")
    care.add_support(
        ctx.db,
        ctx.actor,
        h1,
        care.SupportInput("reward", member(ctx, h1, "张三").id, TODAY.year, TODAY - dt.timedelta(days=3)),
        TODAY,
    )
    dialog = PersonCareDialog(ctx, li.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentWidget(dialog.support_tab)
    panel = dialog.support_tab
    assert panel.model.rowCount() == 0  # 张三's entitlement is his, not hers
    seen: dict = {}

    def new_entitlement(form):
        seen["person"] = form.person.currentText()
        choose(form.kind, "reward")
        form.assigned.clear()
        qtbot.keyClicks(form.assigned, (TODAY - dt.timedelta(days=5)).isoformat())
        qtbot.keyClick(form.assigned, Qt.Key.Key_Return)

    script = DialogScript(new_entitlement)
    qtbot.mouseClick(panel.add_button, LEFT)
    script.done()
    assert seen["person"] == "李梅"
    assert [(r.person_name, r.kind) for r in panel.model.rows()] == [("李梅", "reward")]
    visit = panel.selected_visit()
    assert visit is not None and visit.status == FollowupStatus.DUE and visit.name == "李梅"
    assert any(r.id == visit.id for r in dialog.followup_tab.model.rows())  # the follow-ups tab has it too

    def checklist(form):
        assert isinstance(form, ChecklistDialog)
        choose(form.findChild(QComboBox, "item_care_kind"), "daily_life")
        form.save()

    script = DialogScript(checklist)
    qtbot.mouseClick(panel.visit_button, LEFT)
    script.done()
    done = followups.get_detail(ctx.db, visit.id).row
    assert (done.status, done.done_date) == (FollowupStatus.DONE, TODAY)
    assert panel.visit_model.rows()[0].status == FollowupStatus.DONE
    assert dialog.changed
    dialog.done(0)
