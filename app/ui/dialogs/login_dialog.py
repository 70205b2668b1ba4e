"""登录: nothing of the village is shown before the password has unlocked its database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.db import DatabaseProblem, WrongKey
from app.errors import DomainError
from app.i18n import tr
from app.services import login
from app.ui.errors import show_error
from app.ui.widgets import FieldError

DEMO_PASSWORD = "demo1234"  # the demo village's accounts (README): demo, doctor, reviewer


class LoginDialog(QDialog):
    """Username and password; on success `session` holds the opened village."""

    def __init__(
        self, folder: Path, *, last_user: str = "", demo: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle(tr("login.title"))
        self.folder = folder
        self.session: login.LoggedIn | None = None
        self.username = QComboBox()
        self.username.setObjectName("loginUsername")
        self.username.setEditable(True)
        self.username.addItems(login.usernames(folder))
        if last_user:
            self.username.setCurrentText(last_user)
        self.password = QLineEdit()
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = FieldError()
        self.error.setObjectName("loginError")
        form = QFormLayout()
        form.addRow(tr("login.username"), self.username)
        form.addRow(tr("login.password"), self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("login.ok"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("login.quit"))
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("login.intro"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        if demo:
            hint = QLabel(tr("login.demo_hint", password=DEMO_PASSWORD))
            hint.setObjectName("loginDemoHint")
            hint.setWordWrap(True)
            layout.addWidget(hint)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        (self.password if self.username.currentText() else self.username).setFocus()

    def try_login(self) -> None:
        self.error.show_message("")
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.session = login.open_village(self.folder, self.username.currentText(), self.password.text())
        except DomainError as e:
            self.error.show_message(e.message())
            self.password.selectAll()
            self.password.setFocus()
            return
        except WrongKey:
            self.error.show_message(tr("vault.wrong_key"))
            return
        except DatabaseProblem as e:
            self.error.show_message(e.message())
            return
        except Exception as e:  # noqa: BLE001 - logged, one calm sentence
            show_error(self, e)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.password.clear()
        self.accept()
