"""设置: language, text size, the data folder, the village, the officer logged in, and About."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, language, tr
from app.services.permissions import Permission, allowed
from app.services.village import village_info
from app.ui.backup_status import backup_status
from app.ui.context import AppContext
from app.ui.dialogs.accounts import AccountsDialog, ChangePasswordDialog
from app.ui.dialogs.backups import RestoreDialog, ask_backup_folder, back_up_now
from app.ui.idle_lock import DEFAULT_IDLE_MINUTES, IDLE_CHOICES
from app.ui.labels import label
from app.version import app_version

LICENCE = "Apache-2.0"
TEXT_SIZE_LABELS = {
    "normal": "settings.text_size_normal",
    "large": "settings.text_size_large",
    "larger": "settings.text_size_larger",
}


def _text_sizes() -> list[str]:
    # Imported when used: app.ui.application imports the main window, which imports this page.
    from app.ui.application import TEXT_SIZES

    return list(TEXT_SIZES)


class SettingsPage(QWidget):
    languageChanged = Signal(str)
    textSizeChanged = Signal(str)
    idleMinutesChanged = Signal(int)
    backupMade = Signal()
    restoreRequested = Signal(str)  # the backup file the officer chose, after its preview

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("settingsPage")

        # -- display
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("settingsLanguage")
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)
        saved_language = str(ctx.settings.value("ui/language", language() or DEFAULT_LANGUAGE))
        self.language_combo.setCurrentIndex(max(self.language_combo.findData(saved_language), 0))
        self.size_combo = QComboBox()
        self.size_combo.setObjectName("settingsTextSize")
        for key in _text_sizes():
            self.size_combo.addItem(tr(TEXT_SIZE_LABELS.get(key, "settings.text_size_normal")), key)
        saved_size = str(ctx.settings.value("ui/text_size", "normal"))
        self.size_combo.setCurrentIndex(max(self.size_combo.findData(saved_size), 0))
        display = QGroupBox(tr("settings.display"))
        display_form = QFormLayout(display)
        display_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        display_form.addRow(tr("settings.language"), self.language_combo)
        display_form.addRow(tr("settings.text_size"), self.size_combo)

        # -- data folder
        self.folder_edit = QLineEdit(str(ctx.data_dir))
        self.folder_edit.setObjectName("settingsDataFolder")
        self.folder_edit.setReadOnly(True)
        self.folder_edit.setCursorPosition(0)
        self.open_folder_button = QPushButton(tr("settings.open_folder"))
        self.open_folder_button.setObjectName("settingsOpenFolder")
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.open_folder_button)
        data = QGroupBox(tr("settings.data"))
        data_form = QFormLayout(data)
        data_form.addRow(tr("settings.data_folder"), folder_row)

        # -- village and user
        info = village_info(ctx.db)
        missing = tr("settings.not_set")
        self.village_name = QLabel(info.name if info else missing)
        self.village_name.setObjectName("settingsVillageName")
        self.village_code = QLabel(info.code if info else missing)
        self.village_code.setObjectName("settingsVillageCode")
        township = (
            tr("settings.township_value", name=info.township_name, code=info.township_code)
            if info
            else missing
        )
        self.township = QLabel(township)
        self.township.setObjectName("settingsTownship")
        village = QGroupBox(tr("settings.village"))
        village_form = QFormLayout(village)
        village_form.addRow(tr("settings.village_name"), self.village_name)
        village_form.addRow(tr("settings.village_code"), self.village_code)
        village_form.addRow(tr("settings.township"), self.township)
        user = ctx.user
        self.user_label = QLabel(
            tr(
                "settings.user_value",
                name=user.display_name,
                username=user.username,
                role=label("role", user.role),
            )
        )
        self.user_label.setObjectName("settingsUser")
        village_form.addRow(tr("settings.user"), self.user_label)
        for value in (self.village_name, self.village_code, self.township, self.user_label):
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)

        # -- security: the idle lock, one's password, the accounts (administrators)
        self.idle_combo = QComboBox()
        self.idle_combo.setObjectName("settingsIdleLock")
        for minutes in IDLE_CHOICES:
            self.idle_combo.addItem(
                tr("settings.idle_minutes", minutes=minutes) if minutes else tr("settings.idle_never"),
                minutes,
            )
        saved_idle = int(cast(int | str, ctx.settings.value("security/idle_minutes", DEFAULT_IDLE_MINUTES)))
        self.idle_combo.setCurrentIndex(max(self.idle_combo.findData(saved_idle), 0))
        self.password_button = QPushButton(tr("settings.change_password"))
        self.password_button.setObjectName("settingsChangePassword")
        self.accounts_button = QPushButton(tr("settings.accounts"))
        self.accounts_button.setObjectName("settingsAccounts")
        self.password_button.setEnabled(ctx.login is not None)
        self.accounts_button.setVisible(ctx.login is not None and allowed(ctx.actor, Permission.ADMIN))
        account_row = QHBoxLayout()
        account_row.addWidget(self.password_button)
        account_row.addWidget(self.accounts_button)
        account_row.addStretch(1)
        security = QGroupBox(tr("settings.security"))
        security_form = QFormLayout(security)
        security_form.addRow(tr("settings.idle_lock"), self.idle_combo)
        security_form.addRow(account_row)

        # -- backups: the way to copy the data, and to get it back
        self.backup_status = QLabel()
        self.backup_status.setObjectName("settingsBackupStatus")
        copy_hint = QLabel(tr("backups_ui.copy_hint"))
        copy_hint.setWordWrap(True)
        self.backup_now_button = QPushButton(tr("backups_ui.now"))
        self.backup_now_button.setObjectName("settingsBackupNow")
        self.backup_stick_button = QPushButton(tr("backups_ui.to_stick"))
        self.backup_stick_button.setObjectName("settingsBackupToStick")
        self.restore_button = QPushButton(tr("backups_ui.restore_button"))
        self.restore_button.setObjectName("settingsRestore")
        can_back_up = ctx.login is not None and allowed(ctx.actor, Permission.ADMIN)
        for button in (self.backup_now_button, self.backup_stick_button, self.restore_button):
            button.setEnabled(can_back_up)
        backup_row = QHBoxLayout()
        for button in (self.backup_now_button, self.backup_stick_button, self.restore_button):
            backup_row.addWidget(button)
        backup_row.addStretch(1)
        backup_box = QGroupBox(tr("backups_ui.title"))
        backup_form = QVBoxLayout(backup_box)
        backup_form.addWidget(self.backup_status)
        backup_form.addWidget(copy_hint)
        backup_form.addLayout(backup_row)
        self.refresh_backup_status()

        # -- about
        self.about_button = QPushButton(tr("settings.about"))
        self.about_button.setObjectName("settingsAbout")
        about_row = QHBoxLayout()
        about_row.addWidget(self.about_button)
        about_row.addStretch(1)

        content = QWidget()
        column = QVBoxLayout(content)
        for box in (display, data, village, security, backup_box):
            column.addWidget(box)
        column.addLayout(about_row)
        column.addStretch(1)
        content.setMaximumWidth(760)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        self.language_combo.currentIndexChanged.connect(self._language_chosen)
        self.size_combo.currentIndexChanged.connect(self._size_chosen)
        self.open_folder_button.clicked.connect(self.open_data_folder)
        self.about_button.clicked.connect(self.show_about)
        self.idle_combo.currentIndexChanged.connect(self._idle_chosen)
        self.password_button.clicked.connect(self.change_password)
        self.accounts_button.clicked.connect(self.manage_accounts)
        self.backup_now_button.clicked.connect(lambda: self.back_up(to_stick=False))
        self.backup_stick_button.clicked.connect(lambda: self.back_up(to_stick=True))
        self.restore_button.clicked.connect(self.choose_restore)

    def _language_chosen(self, _index: int) -> None:
        code = self.language_combo.currentData()
        if not isinstance(code, str) or code == self.ctx.settings.value("ui/language", language()):
            return
        self.ctx.settings.setValue("ui/language", code)
        self.ctx.settings.sync()
        message = tr("settings.language_restart", language=LANGUAGES[code])
        if code != language():  # say it in the chosen language too
            message += "\n\n" + tr("settings.language_restart", lang=code, language=LANGUAGES[code])
        QMessageBox.information(self, tr("settings.language"), message)
        self.languageChanged.emit(code)

    def _size_chosen(self, _index: int) -> None:
        key = self.size_combo.currentData()
        if not isinstance(key, str):
            return
        from app.ui.application import apply_text_size  # see _text_sizes

        qt_app = QApplication.instance()
        if isinstance(qt_app, QApplication):
            apply_text_size(qt_app, key)
        self.ctx.settings.setValue("ui/text_size", key)
        self.ctx.settings.sync()
        self.textSizeChanged.emit(key)

    def _idle_chosen(self, _index: int) -> None:
        minutes = int(self.idle_combo.currentData())
        self.ctx.settings.setValue("security/idle_minutes", minutes)
        self.idleMinutesChanged.emit(minutes)

    def refresh_backup_status(self) -> None:
        state = backup_status(self.ctx)
        self.backup_status.setText(state.text + (f" — {state.warning}" if state.warning else ""))
        self.backup_status.setStyleSheet(f"color: {state.colour};" if state.colour else "")

    def back_up(self, to_stick: bool) -> None:
        to = ask_backup_folder(self, self.ctx) if to_stick else None
        if to_stick and to is None:
            return

        def after() -> None:
            self.refresh_backup_status()
            self.backupMade.emit()

        back_up_now(self, self.ctx, to, after)

    def choose_restore(self) -> None:
        dialog = RestoreDialog(self.ctx, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen is not None:
            self.restoreRequested.emit(str(dialog.chosen))

    def change_password(self) -> None:
        if self.ctx.login is not None:
            ChangePasswordDialog(self.ctx.login, self).exec()

    def manage_accounts(self) -> None:
        if self.ctx.login is not None:
            AccountsDialog(self.ctx.login, self.ctx.settings, self).exec()

    def open_data_folder(self) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ctx.data_dir))):
            QMessageBox.warning(
                self,
                tr("settings.data_folder"),
                tr("settings.open_folder_failed", path=str(self.ctx.data_dir)),
            )

    def about_text(self) -> str:
        return tr("settings.about_text", name=tr("app.name"), version=app_version(), licence=LICENCE)

    def show_about(self) -> None:
        from app.ui.dialogs.about import AboutDialog

        AboutDialog(self.about_text(), self).exec()
