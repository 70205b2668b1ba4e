"""Mistakes and duplicates as the officer meets them (issue 11): void a member typed by mistake, merge two
records of one woman, and an edit refused because the record changed in another window meanwhile."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel

from app.i18n import tr
from app.services import history, merging, search, supplies
from app.services import households as hh
from app.services import pregnancies as pg
from app.ui.dialogs.household_form import HouseholdForm
from app.ui.dialogs.merge_dialog import DuplicatesDialog, MergeDialog
from app.ui.dialogs.void_dialog import VoidDialog
from tests.conftest import TODAY
from tests.ui.helpers import DialogScript, ime_type


def _select_member(page, name):
    page.household_view.select_row(page.household_model.find_row(lambda r: r.household_no == "0101"))
    page.member_view.select_row(page.member_model.find_row(lambda r: r.name == name))


def test_void_a_mistaken_member_with_a_reason(qtbot, main_window, ctx):
    page = main_window.households
    _select_member(page, "张小花")
    child = page.selected_member()

    def answer(dialog):
        assert isinstance(dialog, VoidDialog)
        assert "张小花" in dialog.findChild(QLabel, "voidIntro").text()
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
        assert dialog.isVisible()  # no reason: refused at the field
        assert dialog.errors.labels["reason"].text() == tr("field.required")
        ime_type(dialog.reason, "重复录入")
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)

    script = DialogScript(answer)
    page.void_member()
    script.done()
    assert [m.name for m in page.member_model.rows()] == ["张三", "李梅"]  # gone from the list
    assert all(h.title != "张小花" for h in search.search(ctx.db, "zxh"))  # and from search
    lines = history.record_history(ctx.db, "person", child.id)
    assert [e.action for e in lines] == ["insert", "void"]
    assert lines[-1].changes["deleted_reason"] == (None, "重复录入")
    assert lines[-1].who == ctx.user.display_name


def test_merge_two_records_of_one_woman_keeps_her_pregnancy_and_supplies(qtbot, main_window, ctx):
    # 李梅 was typed twice: once with her ID in household 0101, once without it in 0201 with a pregnancy
    # and a folic-acid issue recorded on the second record
    officer = ctx.actor
    h2 = hh.list_households(ctx.db, "0201")[0].id
    twin = hh.add_person(
        ctx.db, officer, h2, hh.PersonInput("李梅", sex="F", birth_date=dt.date(1992, 8, 15)), TODAY
    )
    pg.register_pregnancy(
        ctx.db,
        officer,
        twin,
        pg.PregnancyInput(TODAY - dt.timedelta(days=70), registration_date=TODAY),
        TODAY,
    )
    folic = next(i for i in supplies.items(ctx.db, TODAY) if i.code == "F01")
    supplies.receive(
        ctx.db, officer, supplies.ReceiptInput(folic.id, "F-1", dt.date(2028, 1, 1), 20, TODAY), TODAY
    )
    supplies.issue_to_person(
        ctx.db, officer, supplies.IssueInput(folic.id, None, 2, TODAY, person_id=twin), TODAY
    )
    original = next(
        m for m in hh.household_members(ctx.db, hh.list_households(ctx.db, "0101")[0].id) if m.name == "李梅"
    )

    pairs = merging.possible_duplicates(ctx.db)
    assert [(p.reason, {p.first.id, p.second.id}) for p in pairs] == [("name_birth", {original.id, twin})]

    def merge(dialog):
        assert isinstance(dialog, MergeDialog)
        assert not dialog.other_buttons["name"].isEnabled()  # the same on both sides
        assert dialog.other_buttons["id_number"].text() == "—"
        qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)

    listing = DuplicatesDialog(ctx, main_window)
    qtbot.addWidget(listing)
    survivor_first = listing.model.rows()[0].first.id == original.id
    script = DialogScript(merge)
    listing.merge_selected()
    script.done()
    assert listing.merged and listing.model.rows() == [] and listing.empty.isVisibleTo(listing)

    survivor = original.id if survivor_first else twin
    gone = twin if survivor_first else original.id
    assert len(pg.pregnancies_of(ctx.db, survivor)) == 1  # her pregnancy is under the survivor
    assert sum(r.quantity for r in supplies.person_supplies(ctx.db, survivor)) == 2  # and her folic acid
    assert supplies.person_supplies(ctx.db, gone) == []
    assert [h.id for h in search.search(ctx.db, "limei") if h.kind == "person"] == [survivor]
    assert merging.possible_duplicates(ctx.db) == []


def test_an_edit_form_is_refused_after_the_record_changed_in_another_window(qtbot, main_window, ctx):
    household = hh.list_households(ctx.db, "0101")[0]
    form = HouseholdForm(ctx, household.id, parent=main_window)
    qtbot.addWidget(form)
    form.show()
    # meanwhile, in a second window, someone changes the same household's phone
    other = hh.household_input(ctx.db, household.id)[0]
    hh.update_household(
        ctx.db,
        ctx.actor,
        household.id,
        hh.HouseholdInput(other.household_no, 1, other.address, "13911112222"),
    )
    form.address.clear()
    ime_type(form.address, "红星村一组 9 号")
    qtbot.keyClick(form.address, Qt.Key.Key_Return)
    assert form.isVisible()  # not saved: the officer is told, nothing is overwritten
    assert form.general_error.text() == tr("record.changed_meanwhile")
    stored = hh.get_household(ctx.db, household.id)
    assert (stored.address, stored.phone) == ("红星村一组 1 号", "13911112222")
    form.done(QDialog.DialogCode.Rejected)
