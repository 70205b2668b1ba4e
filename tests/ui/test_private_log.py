"""The log keeps no personal data, and the app's files are the owner's alone; a data folder the app cannot
write to is one calm sentence before any window (issue 12, items 19 and 22)."""

from __future__ import annotations

import logging
import os
import re

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox

from app.db import open_database
from app.i18n import DEFAULT_LANGUAGE, set_language, tr
from app.services.village import set_up_village
from app.ui import application
from app.ui.dialogs.household_form import HouseholdForm
from app.ui.errors import setup_logging
from tests.conftest import SETUP
from tests.readonly import reachable_folder, unwritable
from tests.ui.helpers import ime_type

CANARY_NAME = "王金丝雀"
CANARY_PHONE = "13712345678"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
posix = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def flushed(path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_a_failed_write_logs_its_table_and_record_but_no_name_or_phone(qtbot, ctx, tmp_path, monkeypatch):
    """The database refuses the new household (a trigger stands in for a full disk or a broken constraint);
    the log says which table and record, and holds neither the address with a name nor the phone."""
    log_file = setup_logging(tmp_path)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    with ctx.db.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_households BEFORE INSERT ON household "
            "BEGIN SELECT RAISE(ABORT, 'the disk said no'); END"
        )
    form = HouseholdForm(ctx)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.number, "0999")
    ime_type(form.address, f"{CANARY_NAME}家")
    qtbot.keyClicks(form.phone, CANARY_PHONE)
    qtbot.keyClick(form.number, Qt.Key.Key_Return)
    assert len(shown) == 1 and str(log_file) in shown[0]
    assert form.isVisible() and form.phone.text() == CANARY_PHONE  # nothing typed is lost

    text = flushed(log_file)
    assert CANARY_NAME not in text and CANARY_PHONE not in text and "0999" not in text
    assert "IntegrityError" in text and "the disk said no" in text  # what went wrong, in SQLite's words
    assert re.search(rf"table household; record {UUID}", text), text
    assert "Traceback" in text and "household_form.py" in text  # where in the code


def test_an_error_quoting_a_value_is_logged_by_its_class_only(qtbot, ctx, tmp_path, monkeypatch):
    log_file = setup_logging(tmp_path)
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: None)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)

    def parses_the_phone(*args, **kwargs):
        return int(f"{CANARY_NAME} {CANARY_PHONE}")  # a ValueError that quotes what it was given

    monkeypatch.setattr("app.services.households.create_household", parses_the_phone)
    form = HouseholdForm(ctx)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.number, "0998")
    ime_type(form.address, "三组")
    qtbot.keyClick(form.number, Qt.Key.Key_Return)
    text = flushed(log_file)
    assert "ValueError" in text and "parses_the_phone" in text
    assert CANARY_NAME not in text and CANARY_PHONE not in text


@posix
def test_the_log_and_the_settings_are_the_owners_alone(ctx, tmp_path):
    log_file = setup_logging(tmp_path / "logs")
    logging.getLogger("app").warning("a line")
    flushed(log_file)
    assert os.stat(tmp_path / "logs").st_mode & 0o777 == 0o700
    assert os.stat(log_file).st_mode & 0o777 == 0o600

    folder = tmp_path / "village"
    folder.mkdir()
    application.private_settings(folder)
    settings = application.settings_for(folder)
    settings.setValue("files/last_folder", "/home/officer/文档")
    settings.sync()
    assert os.stat(folder / "settings.ini").st_mode & 0o777 == 0o600
    assert "文档" in (folder / "settings.ini").read_text(encoding="utf-8")


@pytest.fixture
def starting(qapp, monkeypatch):
    """run() as `python -m app` calls it, with its message boxes caught; the app's font and language are
    put back afterwards for the other tests."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    font = QFont(qapp.font())
    yield shown
    QApplication.setFont(font)
    set_language(DEFAULT_LANGUAGE)


def test_a_read_only_data_folder_is_one_calm_sentence_before_any_window(starting):
    with reachable_folder() as folder:
        folder.mkdir()
        db = open_database(folder / "fhdesk.sqlite")
        set_up_village(db, SETUP)
        db.dispose()
        for path in folder.iterdir():
            path.chmod(0o644)
        with unwritable(folder):
            code = application.run(data_dir=str(folder), lang="zh_CN")
        assert code == 1
        assert starting == [tr("cli_errors.folder_not_writable", path=str(folder))]
        assert "Traceback" not in starting[0]
        assert sorted(p.name for p in folder.iterdir()) == ["fhdesk.sqlite"]
        assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def test_a_damaged_database_is_said_so_at_start(starting, tmp_path):
    folder = tmp_path / "village"
    folder.mkdir()
    db = open_database(folder / "fhdesk.sqlite")
    set_up_village(db, SETUP)
    with db.engine.begin() as conn:
        conn.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
    db.dispose()
    path = folder / "fhdesk.sqlite"
    path.write_bytes(path.read_bytes()[:8192])
    assert application.run(data_dir=str(folder), lang="zh_CN") == 1
    assert starting == [tr("cli_errors.database_damaged", path=str(path), backups=str(folder / "backups"))]
