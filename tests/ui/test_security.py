"""Logging in, the idle lock and passwords, as the officer meets them (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.i18n import tr
from app.services import households as hh
from app.services import login
from app.ui.application import context_for, settings_for
from app.ui.dialogs.accounts import ChangePasswordDialog
from app.ui.dialogs.login_dialog import LoginDialog
from app.ui.dialogs.member_form import MemberForm
from app.ui.idle_lock import IdleLock
from tests.conftest import SETUP, TODAY
from tests.ui.helpers import ime_type


@pytest.fixture
def folder(tmp_path):
    session = login.set_up_new_village(tmp_path / "village", SETUP)
    home = hh.create_household(session.db, session.actor, hh.HouseholdInput("0101", 1, "一组 1 号"))
    hh.add_person(
        session.db,
        session.actor,
        home,
        hh.PersonInput("王芳", sex="F", birth_date=dt.date(1990, 1, 1)),
        TODAY,
    )
    session.close()
    return tmp_path / "village"


def test_login_refuses_a_wrong_password_calmly_and_opens_with_the_right_one(qtbot, folder):
    dialog = LoginDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.username.currentText() == SETUP.username  # the village's first account is offered
    qtbot.keyClicks(dialog.password, "not-it")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.session is None
    assert dialog.error.text() == tr("auth.wrong_credentials")
    assert dialog.focusWidget() is dialog.password  # ready for the next try
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, SETUP.password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.session is not None and not dialog.isVisible()
    assert dialog.session.user.username == SETUP.username
    dialog.session.close()


def test_the_idle_lock_hides_everything_and_unlocking_keeps_a_half_filled_form(qtbot, folder):
    session = login.open_village(folder, SETUP.username, SETUP.password)
    ctx = context_for(session, settings_for(folder), demo=False)
    home = hh.list_households(session.db)[0].id
    form = MemberForm(ctx, home)
    qtbot.addWidget(form)
    form.show()
    ime_type(form.name, "李半填")  # the officer was in the middle of typing a new member
    quit_asked: list[bool] = []
    lock = IdleLock(session, minutes=1, on_quit=lambda: quit_asked.append(True))
    try:
        lock.last_activity -= 61  # a minute without a key press
        lock.check()
        assert lock.locked and not form.isVisible()
        visible = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        assert visible == [lock.dialog]  # only the lock is on screen: no data
        qtbot.keyClicks(lock.dialog.password, "wrong")
        lock.dialog.try_unlock()
        assert lock.locked and lock.dialog.error.text() == tr("auth.wrong_credentials")
        qtbot.keyClicks(lock.dialog.password, SETUP.password)
        lock.dialog.try_unlock()
        assert not lock.locked and form.isVisible()
        assert form.name.text() == "李半填"  # exactly where the officer was
        assert not quit_asked
    finally:
        lock.stop()
        form.dirty = False
        form.close()
        session.close()


def test_change_password_then_only_the_new_one_opens(qtbot, folder):
    session = login.open_village(folder, SETUP.username, SETUP.password)
    dialog = ChangePasswordDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.old, "wrong-old")
    qtbot.keyClicks(dialog.new, "brand-new-1")
    qtbot.keyClicks(dialog.again, "brand-new-1")
    qtbot.keyClick(dialog.again, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.errors.labels["old_password"].text() == tr("auth.old_password_wrong")
    dialog.old.clear()
    qtbot.keyClicks(dialog.old, SETUP.password)
    qtbot.keyClick(dialog.again, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    session.close()
    with pytest.raises(login.LoginRefused):
        login.open_village(folder, SETUP.username, SETUP.password)
    login.open_village(folder, SETUP.username, "brand-new-1").close()


def test_the_care_record_shows_the_persons_history(qtbot, folder):
    from app.ui.dialogs.person_care import PersonCareDialog

    session = login.open_village(folder, SETUP.username, SETUP.password)
    ctx = context_for(session, settings_for(folder), demo=False)
    person = hh.household_members(session.db, hh.list_households(session.db)[0].id)[0]
    hh.update_person(
        session.db, session.actor, person.id,
        hh.PersonInput("王芳", sex="F", birth_date=dt.date(1990, 1, 1), phone="13912345678"), TODAY,
    )  # fmt: skip
    dialog = PersonCareDialog(ctx, person.id)
    qtbot.addWidget(dialog)
    rows = dialog.history_tab.model.rows()
    assert [r.action for r in rows] == ["insert", "update"]
    texts = [dialog.history_tab.model.index(i, 3).data() for i in range(2)]
    assert "王芳" in texts[0] and "13912345678" in texts[1]
    assert dialog.history_tab.model.index(1, 1).data() == SETUP.officer_name
    dialog.close()
    session.close()
