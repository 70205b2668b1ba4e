"""Run as a child process by bench_ui: start Qt, show a window, exit at its first paint.

`python -m bench.launch_probe empty` shows an empty QMainWindow (the baseline); `... app DIR` opens the
real main window on the (plain) database in DIR, as `python -m app` does after start-up; `... login DIR USER`
logs in to the encrypted village in DIR (the password from FHDESK_PASSWORD_FILE) and opens its main window,
and `... plainlogin DIR USER` does the same on a plain file (the password checked against its account).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class _QuitOnPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, QApplication.quit)
        return False


def main() -> int:
    mode = sys.argv[1]
    app = QApplication(sys.argv[:1])
    if mode == "empty":
        window = QMainWindow()
    else:
        from pathlib import Path

        from app import config
        from app.db import open_database
        from app.services import auth
        from app.ui.application import settings_for
        from app.ui.context import AppContext
        from app.ui.main_window import MainWindow

        folder = Path(sys.argv[2])
        if mode == "login":
            import os

            from app.services import login
            from app.ui.application import context_for

            password = Path(os.environ["FHDESK_PASSWORD_FILE"]).read_text(encoding="utf-8").strip()
            ctx = context_for(login.open_village(folder, sys.argv[3], password), settings_for(folder), False)
        else:
            db = open_database(config.database_path(folder))
            if mode == "plainlogin":
                import os

                password = Path(os.environ["FHDESK_PASSWORD_FILE"]).read_text(encoding="utf-8").strip()
                user = auth.login(db, sys.argv[3], password)
            else:
                user = auth.list_users(db)[0]
            ctx = AppContext(db=db, user=user, data_dir=folder, settings=settings_for(folder))
        window = MainWindow(ctx)
    quitter = _QuitOnPaint()
    window.installEventFilter(quitter)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
