"""The Sync page as the officer meets it (issue 15): the township's keys pasted and compared by fingerprint,
a package exported to a stick, and the package in the history."""

from __future__ import annotations

import datetime as dt

import pyrage
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMessageBox, QPlainTextEdit

from app.i18n import tr
from app.services import households as hh
from app.services import login
from app.sync import keys, package
from app.ui.application import context_for, settings_for
from app.ui.main_window import MainWindow
from tests.conftest import SETUP
from tests.sync_keys import make_township


@pytest.fixture
def session(tmp_path):
    opened = login.set_up_new_village(tmp_path / "village", SETUP)
    home = hh.create_household(opened.db, opened.actor, hh.HouseholdInput("0101", 1, "一组 1 号"))
    for name in ("王芳", "李娜"):
        hh.add_person(
            opened.db,
            opened.actor,
            home,
            hh.PersonInput(name, sex="F", birth_date=dt.date(1990, 1, 1)),
            dt.date(2026, 12, 4),
        )
    yield opened
    opened.close()


def when_modal(qtbot, handle, kind=QMessageBox) -> None:
    """Run `handle(widget)` on the next modal window of `kind` that comes up, as the officer would answer it
    (a progress dialog of a slow export in between is left alone)."""

    def check() -> None:
        widget = QApplication.activeModalWidget()
        if not isinstance(widget, kind) or not widget.isVisible():
            QTimer.singleShot(20, check)
            return
        handle(widget)

    QTimer.singleShot(20, check)


def test_enrol_the_township_export_to_a_stick_and_see_it_in_the_history(
    qtbot, session, tmp_path, monkeypatch
):
    township = make_township()
    ctx = context_for(session, settings_for(session.folder), demo=False)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.show_page("sync")
    page = window.pages["sync"]
    assert page.isVisible()
    own, _ = keys.read_keys(session.db)
    assert keys.read_aloud(own.sign_id) in page.own_label.text()  # the village's keys, made with the village
    assert page.township_label.text() == tr("sync_ui.township_missing")
    assert page.next_number.text().startswith(tr("sync_ui.number_value", seq=1))
    assert tr("sync_ui.kind_count", kind=tr("sync_ui.kind.person"), n=2) in page.next_summary.text()

    # exporting without the township's key says what to do, and writes nothing
    seen: list[str] = []
    when_modal(qtbot, lambda box: (seen.append(box.text()), box.accept()))
    page.export_button.click()
    assert seen == [tr("sync.no_township_key")]

    # paste the township's key: its fingerprints come up to compare before anything is enrolled
    def paste(dialog: QInputDialog) -> None:
        editor = dialog.findChild(QPlainTextEdit)
        editor.setPlainText(township.public.text())
        when_modal(qtbot, compare)
        dialog.accept()

    compared: list[str] = []

    def compare(box: QMessageBox) -> None:
        compared.append(box.text())
        box.button(QMessageBox.StandardButton.Yes).click()

    when_modal(qtbot, paste, QInputDialog)
    page.enrol_paste_button.click()
    qtbot.waitUntil(lambda: bool(compared))
    assert keys.read_aloud(township.public.sign_id) in compared[0]
    assert keys.read_aloud(township.public.age_id) in compared[0]
    qtbot.waitUntil(lambda: keys.read_aloud(township.public.age_id) in page.township_label.text())

    # export to the stick (no removable drive here: the folder dialog), in the background
    stick = tmp_path / "stick"
    stick.mkdir()
    monkeypatch.setattr("app.ui.dialogs.backups.removable_folders", lambda: [])
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(stick))
    told: list[str] = []
    when_modal(qtbot, lambda box: (told.append(box.text()), box.accept()))
    with qtbot.waitSignal(page.packageWritten, timeout=30_000) as written:
        page.export_button.click()
    path = written.args[0]
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    assert path in told[0] and tr("sync_ui.safe_to_remove") in told[0]
    made = list(stick.glob("FHD_*.fhd"))
    assert [str(m) for m in made] == [path]
    pyrage.decrypt(made[0].read_bytes(), [township.identity])  # the township opens it

    assert page.history.rowCount() == 1
    assert page.history.item(0, 0).text() == "1"
    assert page.history.item(0, 5).text() == tr("sync_ui.not_acked")
    assert page.next_number.text().startswith(tr("sync_ui.number_value", seq=2))
    assert package.history(session.db)[0].file_name == made[0].name
