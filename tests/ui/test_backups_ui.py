"""Backups as the officer meets them (issue 14): backing up to a stick, restoring after seeing what a backup
holds, the status bar's colour, and a damaged database found at login."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app import backups, config
from app.clock import now_utc
from app.i18n import tr
from app.models import Person
from app.services import households as hh
from app.services import login
from app.ui.application import context_for, restore_in_place, settings_for
from app.ui.backup_status import AMBER, RED
from app.ui.dialogs.backups import RestoreDialog
from app.ui.dialogs.login_dialog import LoginDialog
from app.ui.main_window import MainWindow
from app.ui.pages.settings import SettingsPage
from tests.conftest import SETUP, TODAY


def _add_people(session: login.LoggedIn, names: list[str]) -> None:
    home = hh.create_household(session.db, session.actor, hh.HouseholdInput(f"{len(names):04d}", 1))
    for name in names:
        hh.add_person(
            session.db,
            session.actor,
            home,
            hh.PersonInput(name, sex="F", birth_date=dt.date(1990, 1, 1)),
            TODAY,
        )


def _people(session: login.LoggedIn) -> int:
    with session.db.read() as s:
        return int(s.scalar(sa.select(sa.func.count()).select_from(Person)) or 0)


@pytest.fixture
def session(tmp_path):
    opened = login.set_up_new_village(tmp_path / "village", SETUP)
    _add_people(opened, ["王芳", "李娜"])
    yield opened
    opened.close()


def answer_next_box(
    qtbot,
    button_text: str | None = None,
    seen: list[str] | None = None,
    standard: QMessageBox.StandardButton | None = None,
) -> None:
    """When the next message box comes up, note its text and click one of its buttons (the default one, the
    one with `button_text`, or the `standard` one) as the officer would."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        if seen is not None:
            seen.append(box.text())
        target = box.defaultButton() or box.buttons()[0]
        if button_text is not None:
            target = next(b for b in box.buttons() if b.text() == button_text)
        if standard is not None:
            target = box.button(standard)
        target.click()

    QTimer.singleShot(20, click)


def test_back_up_to_a_stick_from_the_settings_page(qtbot, session, tmp_path, monkeypatch):
    stick = tmp_path / "stick"
    stick.mkdir()
    ctx = context_for(session, settings_for(session.folder), demo=False)
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    assert tr("status.never") in page.backup_status.text()
    monkeypatch.setattr("app.ui.dialogs.backups.removable_folders", lambda: [])
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(stick))
    seen: list[str] = []
    answer_next_box(qtbot, seen=seen)
    with qtbot.waitSignal(page.backupMade, timeout=20_000):
        page.backup_stick_button.click()
    made = list(stick.glob("*.sqlite"))
    assert len(made) == 1 and seen == [tr("backups_ui.done", path=str(made[0]))]
    assert backups.preview_restore(made[0], session.key).info.counts["person"] == 2
    assert backups.list_backups(config.backups_dir(session.folder)) == []  # the stick's copy only


def test_back_up_now_turns_the_status_from_red_to_its_usual_colour(qtbot, session):
    ctx = context_for(session, settings_for(session.folder), demo=False)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    assert RED in window.backup_label.styleSheet()  # never backed up
    window.show_page("dashboard")
    assert window.dashboard.backup_warning.isVisible()
    window.show_page("settings")
    page = window.pages["settings"]
    answer_next_box(qtbot)
    with qtbot.waitSignal(page.backupMade, timeout=20_000):
        page.backup_now_button.click()
    assert window.backup_label.styleSheet() == ""
    assert "0 天前" in window.backup_label.text() or "0 days" in window.backup_label.text()
    assert not window.dashboard.backup_warning.isVisible()


def test_eight_days_without_a_backup_turn_the_status_amber_and_the_dashboard_says_so(qtbot, session):
    database = config.database_path(session.folder)
    backups.make_backup(database, session.key, "daily", now=now_utc() - dt.timedelta(days=8, hours=1))
    ctx = context_for(session, settings_for(session.folder), demo=False)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.show_page("dashboard")
    assert AMBER in window.backup_label.styleSheet()
    assert "8 天前" in window.backup_label.text()
    assert window.dashboard.backup_warning.isVisible()
    assert window.dashboard.backup_warning.text() == tr("backups.old_warning", days=8)


def test_restore_shows_what_the_backup_holds_then_puts_it_back(qtbot, session):
    database = config.database_path(session.folder)
    backups.make_backup(database, session.key, "manual")
    _add_people(session, ["张三", "赵四", "钱五"])
    ctx = context_for(session, settings_for(session.folder), demo=False)
    dialog = RestoreDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model.rowCount() == 1
    preview = dialog.details.text()
    assert "2 人" in preview and "1 户" in preview  # what it holds, before anything changes
    assert dialog.restore_button.isEnabled()
    answer_next_box(qtbot, standard=QMessageBox.StandardButton.Yes)
    dialog.restore_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert dialog.chosen is not None
    assert _people(session) == 5  # the dialog itself changed nothing

    reopened: list[login.LoggedIn] = []
    seen: list[str] = []
    answer_next_box(qtbot, seen=seen)
    restore_in_place(session, dialog.chosen, reopened.append)
    qtbot.waitUntil(lambda: bool(reopened), timeout=20_000)
    again = reopened[0]
    try:
        assert _people(again) == 2
        safety = [
            b for b in backups.list_backups(config.backups_dir(session.folder)) if b.label == "before-restore"
        ]
        assert len(safety) == 1 and safety[0].counts["person"] == 5  # the step back
        assert seen == [tr("backups_ui.restored", safety=safety[0].path.name)]
    finally:
        again.close()


def test_a_damaged_database_at_login_offers_the_newest_good_backup(qtbot, session):
    folder, database = session.folder, config.database_path(session.folder)
    good = backups.make_backup(database, session.key, "daily")
    session.close()
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database.write_bytes(bytes(data))

    dialog = LoginDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.password, SETUP.password)
    seen: list[str] = []
    answer_next_box(qtbot, tr("storage.restore_newest"), seen)
    QTimer.singleShot(400, lambda: answer_next_box(qtbot, seen=seen))  # "restored": OK
    dialog.try_login()
    assert dialog.session is not None, dialog.error.text()
    try:
        assert "2 人" in seen[0] and good.made_at.astimezone().strftime("%Y") in seen[0]
        assert _people(dialog.session) == 2
        assert list(folder.glob("fhdesk.sqlite.damaged-*"))
    finally:
        dialog.session.close()
