"""Accounts: change one's own password; an administrator adds accounts and gives one a new password."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.i18n import tr
from app.services import auth, login
from app.ui.dialogs.base import FormDialog, combo
from app.ui.labels import label
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import RegisterView
from app.vocab import UserRole


def _password_field() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class ChangePasswordDialog(FormDialog):
    """修改密码: the old one, the new one twice. Only this person's key slot changes."""

    def __init__(self, session: login.LoggedIn, parent: QWidget | None = None) -> None:
        super().__init__(tr("accounts.change_title"), parent)
        self.setObjectName("changePasswordDialog")
        self.session = session
        self.old = self.add_field("accounts.old_password", "old_password", _password_field())
        self.new = self.add_field("accounts.new_password", "password", _password_field())
        self.again = self.add_field("accounts.new_password_again", "password_again", _password_field())

    def submit(self) -> None:
        if self.new.text() != self.again.text():
            raise DomainError("wizard.passwords_differ", "password_again")
        login.change_password(self.session, self.old.text(), self.new.text())


class NewAccountDialog(FormDialog):
    def __init__(self, session: login.LoggedIn, parent: QWidget | None = None) -> None:
        super().__init__(tr("accounts.new_title"), parent)
        self.setObjectName("newAccountDialog")
        self.session = session
        self.username = self.add_field("accounts.username", "username", QLineEdit())
        self.display_name = self.add_field("accounts.display_name", "display_name", QLineEdit())
        roles = [(r.value, label("role", r.value)) for r in UserRole]
        self.role = self.add_field("accounts.role", "role", combo(roles, UserRole.OFFICER))
        self.phone = self.add_field("accounts.phone", "phone", QLineEdit())
        self.password = self.add_field("accounts.password", "password", _password_field())
        self.again = self.add_field("accounts.password_again", "password_again", _password_field())

    def submit(self) -> None:
        if not self.display_name.text().strip():
            raise DomainError("field.required", "display_name")
        if self.password.text() != self.again.text():
            raise DomainError("wizard.passwords_differ", "password_again")
        login.add_account(
            self.session,
            self.username.text(),
            self.display_name.text(),
            self.role.currentData(),
            self.password.text(),
            self.phone.text() or None,
        )


class ResetPasswordDialog(FormDialog):
    def __init__(self, session: login.LoggedIn, user: auth.UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(tr("accounts.reset_title", name=user.display_name), parent)
        self.setObjectName("resetPasswordDialog")
        self.session, self.user = session, user
        self.password = self.add_field("accounts.new_password", "password", _password_field())
        self.again = self.add_field("accounts.new_password_again", "password_again", _password_field())

    def submit(self) -> None:
        if self.password.text() != self.again.text():
            raise DomainError("wizard.passwords_differ", "password_again")
        login.reset_password(self.session, self.user.id, self.password.text())


class AccountsDialog(QDialog):
    """账户 (administrators): who can log in here, with what role; add one, give one a new password."""

    def __init__(self, session: login.LoggedIn, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accountsDialog")
        self.setWindowTitle(tr("accounts.title"))
        self.session = session
        columns: list[Column[auth.UserInfo]] = [
            Column("accounts.username", lambda u: u.username, width=120),
            Column("accounts.display_name", lambda u: u.display_name, width=120),
            Column("accounts.role", lambda u: label("role", u.role), width=110),
            Column("accounts.phone", lambda u: u.phone, width=120),
        ]
        self.model: RowTableModel[auth.UserInfo] = RowTableModel(columns, self)
        self.view = RegisterView(self.model, settings, "accounts", sort_column=-1)
        self.view.setObjectName("accountsTable")
        add = QPushButton(tr("accounts.add"))
        add.setObjectName("addAccount")
        add.clicked.connect(self.add)
        reset = QPushButton(tr("accounts.reset"))
        reset.setObjectName("resetPassword")
        reset.clicked.connect(self.reset)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(reset)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(tr("care.close"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        layout.addWidget(close)
        self.resize(560, 320)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(auth.list_users(self.session.db))

    def add(self) -> None:
        if NewAccountDialog(self.session, self).exec() == QDialog.DialogCode.Accepted:
            self.refresh()

    def reset(self) -> None:
        user = self.view.current_row()
        if isinstance(user, auth.UserInfo):
            ResetPasswordDialog(self.session, user, self).exec()
