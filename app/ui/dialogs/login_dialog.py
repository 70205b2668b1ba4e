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
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.clock import CHINA_TZ
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
        damaged: login.DamagedVillage | None = None
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
        except login.DamagedVillage as e:
            damaged = e
        except DatabaseProblem as e:
            self.error.show_message(e.message())
            return
        except Exception as e:  # noqa: BLE001 - logged, one calm sentence
            show_error(self, e)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        if damaged is not None:
            self.offer_restore(damaged)  # with the normal cursor: it asks a question
            return
        self.password.clear()
        self.accept()

    def offer_restore(self, damaged: login.DamagedVillage) -> None:
        """The database failed its check (nothing was written into it): say so in one sentence and offer the
        newest good backup; the damaged file is kept aside, never deleted."""
        good = damaged.good_backup
        if good is None:
            self.error.show_message(tr("storage.damaged_no_backup", path=str(damaged.path)))
            return
        box = QMessageBox(QMessageBox.Icon.Critical, tr("storage.damaged_title"), "", parent=self)
        box.setObjectName("damagedDatabaseBox")
        box.setText(
            tr(
                "storage.damaged_offer",
                when=good.made_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
                people=good.counts.get("person", 0),
                households=good.counts.get("household", 0),
            )
        )
        restore = box.addButton(tr("storage.restore_newest"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(tr("common.cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.exec()
        if box.clickedButton() is not restore:
            self.error.show_message(tr("storage.damaged_not_restored"))
            return
        try:
            self.session, kept = login.recover(self.folder, damaged, good.path)
        except Exception as e:  # noqa: BLE001 - one sentence (a full disk, a backup that fails): nothing lost
            show_error(self, e)
            return
        QMessageBox.information(self, tr("storage.damaged_title"), tr("storage.recovered", kept=kept.name))
        self.password.clear()
        self.accept()
