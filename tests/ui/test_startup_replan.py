"""The start-up re-plan of the follow-up schedule (application.keep_schedule_current): when it is slow, its
progress dialog says what it does in a Chinese sentence, and the officer may cancel it without anything being
logged as an error (issue 12, item 18)."""

from __future__ import annotations

import logging
import re
import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from app.i18n import tr
from app.services import followups
from app.ui.application import keep_schedule_current

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def progress_dialogs() -> list[QProgressDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


def test_a_slow_replan_says_what_it_does_and_can_be_cancelled_quietly(
    qtbot, main_window, ctx, monkeypatch, caplog
):
    real = followups.regenerate_all
    shown = threading.Event()
    outcome: dict = {}

    def slow_regenerate(db, actor, today, progress):
        """The real re-plan, held after its first step until the test has looked at the dialog."""
        first = [True]

        def held(fraction: float, message: str) -> bool:
            answer = progress(fraction, message)
            if first[0]:
                first[0] = False
                shown.wait(20)
                return progress(fraction, message)  # asked again: the person may have cancelled meanwhile
            return answer

        try:
            return real(db, actor, today, held)
        except BaseException as e:
            outcome["raised"] = type(e).__name__
            raise

    monkeypatch.setattr(followups, "regenerate_all", slow_regenerate)
    caplog.set_level(logging.INFO)
    keep_schedule_current(main_window, ctx)
    try:
        qtbot.waitUntil(lambda: bool(progress_dialogs()), timeout=10_000)  # shown after 1.5 s
        dialog = progress_dialogs()[0]
        qtbot.waitUntil(lambda: dialog.labelText() == tr("followup.progress.reading"), timeout=5_000)
        label = dialog.labelText()
        assert CHINESE.search(label) and "followup." not in label and "progress" not in label
        assert dialog.windowTitle() == tr("main.updating_schedule")
        cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == tr("common.cancel"))
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        assert dialog.labelText() == tr("common.cancelling")
    finally:
        shown.set()
    qtbot.waitUntil(lambda: "raised" in outcome, timeout=10_000)
    assert outcome["raised"] == "Cancelled"  # the transaction was rolled back: nothing half-planned
    qtbot.wait(100)  # the failure reaches the UI thread
    assert not progress_dialogs()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
