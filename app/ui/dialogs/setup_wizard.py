"""First run: the village, its groups, the township, and the first officer account."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.errors import DomainError
from app.i18n import tr
from app.services.login import LoggedIn, set_up_new_village
from app.services.village import VillageSetup, check_officer, check_township, check_village
from app.ui.errors import show_error
from app.ui.forms import FieldErrors

DEFAULT_GROUPS = "一组\n二组\n三组\n四组\n五组\n六组"


class _Page(QWizardPage):
    def __init__(self, title_id: str, intro_id: str) -> None:
        super().__init__()
        self.setTitle(tr(title_id))
        self.errors = FieldErrors()
        self.page_layout = QVBoxLayout(self)
        intro = QLabel(tr(intro_id))
        intro.setWordWrap(True)
        self.page_layout.addWidget(intro)
        self.form = QFormLayout()
        self.page_layout.addLayout(self.form)

    def line(self, label_id: str, field: str, placeholder: str = "", password: bool = False) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        if password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors.add_row(self.form, tr(label_id), field, edit)
        return edit


class SetupWizard(QWizard):
    finished_setup = Signal()

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.session: LoggedIn | None = None  # the new village, opened as its first officer
        self.setObjectName("setupWizard")
        self.setWindowTitle(tr("wizard.title"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setButtonText(QWizard.WizardButton.NextButton, tr("wizard.next"))
        self.setButtonText(QWizard.WizardButton.BackButton, tr("wizard.back"))
        self.setButtonText(QWizard.WizardButton.FinishButton, tr("wizard.finish"))
        self.setButtonText(QWizard.WizardButton.CancelButton, tr("common.cancel"))

        self.village_page = _Page("wizard.village_title", "wizard.village_intro")
        self.village_name = self.village_page.line("wizard.village_name", "village_name", "红星村")
        self.village_code = self.village_page.line("wizard.village_code", "village_code", "620422103201")
        self.groups = QPlainTextEdit(DEFAULT_GROUPS)
        self.groups.setTabChangesFocus(True)
        self.groups.setFixedHeight(120)
        self.village_page.errors.add_row(self.village_page.form, tr("wizard.groups"), "groups", self.groups)

        self.township_page = _Page("wizard.township_title", "wizard.township_intro")
        self.township_name = self.township_page.line("wizard.township_name", "township_name", "白银镇")
        self.township_code = self.township_page.line("wizard.township_code", "township_code", "620422103000")

        self.officer_page = _Page("wizard.officer_title", "wizard.officer_intro")
        self.officer_name = self.officer_page.line("wizard.officer_name", "officer_name")
        self.officer_phone = self.officer_page.line("wizard.officer_phone", "officer_phone")
        self.username = self.officer_page.line("wizard.username", "username")
        self.password = self.officer_page.line("wizard.password", "password", password=True)
        self.password2 = self.officer_page.line("wizard.password_again", "password_again", password=True)
        folder_label = QLabel(tr("wizard.data_folder", path=str(folder)))
        folder_label.setWordWrap(True)
        self.officer_page.page_layout.addWidget(folder_label)

        # -- the township's public keys: optional now (the Sync page takes them later)
        self.keys_page = _Page("wizard.keys_title", "wizard.keys_intro")
        self.township_keys = QPlainTextEdit()
        self.township_keys.setObjectName("wizardTownshipKeys")
        self.township_keys.setTabChangesFocus(True)
        self.township_keys.setFixedHeight(110)
        self.township_keys.setPlaceholderText(tr("sync_ui.paste_here"))
        self.keys_page.errors.add_row(
            self.keys_page.form, tr("sync_ui.township_keys"), "keys", self.township_keys
        )
        from_file = QPushButton(tr("sync_ui.enrol_file"))
        from_file.setObjectName("wizardKeysFromFile")
        from_file.clicked.connect(self._keys_from_file)
        self.keys_page.form.addRow("", from_file)
        self.keys_fingerprint = QLabel()
        self.keys_fingerprint.setObjectName("wizardKeysFingerprint")
        self.keys_fingerprint.setWordWrap(True)
        self.keys_page.form.addRow("", self.keys_fingerprint)
        self.township_keys.textChanged.connect(self._show_fingerprint)
        self.officer_page.setCommitPage(True)  # the village exists after it: no way back to set it up twice
        self.setButtonText(QWizard.WizardButton.CommitButton, tr("wizard.create"))

        for page in (self.village_page, self.township_page, self.officer_page, self.keys_page):
            self.addPage(page)
        self.village_page.validatePage = lambda: self._validate(self.village_page, check_village)  # type: ignore[method-assign]
        self.township_page.validatePage = lambda: self._validate(self.township_page, check_township)  # type: ignore[method-assign]
        self.officer_page.validatePage = self._finish  # type: ignore[method-assign]
        self.keys_page.validatePage = self._enrol_keys  # type: ignore[method-assign]
        self.resize(640, 480)

    def setup_data(self) -> VillageSetup:
        groups = tuple(g.strip() for g in self.groups.toPlainText().splitlines() if g.strip())
        return VillageSetup(
            village_name=self.village_name.text(),
            village_code=self.village_code.text(),
            township_name=self.township_name.text(),
            township_code=self.township_code.text(),
            groups=groups,
            officer_name=self.officer_name.text(),
            username=self.username.text(),
            password=self.password.text(),
            officer_phone=self.officer_phone.text() or None,
        )

    def _page_of(self, field: str) -> _Page:
        for page in (self.village_page, self.township_page, self.officer_page):
            if field in page.errors.labels:
                return page
        return self.officer_page

    def _validate(self, page: _Page, check: Callable[[VillageSetup], None]) -> bool:
        """Check this page's own fields (the township's code against the village code typed before it is the
        township page's check): a page never sends the officer back, nor blocks a correct field."""
        page.errors.clear()
        try:
            check(self.setup_data())
        except DomainError as e:
            if not page.errors.show(e):
                QMessageBox.warning(self, tr("error.title"), e.message())
            return False
        return True

    def _finish(self) -> bool:
        page = self.officer_page
        page.errors.clear()
        if self.password.text() != self.password2.text():
            page.errors.show(DomainError("wizard.passwords_differ", "password_again"))
            return False
        if not self._validate(page, check_officer):
            return False
        try:
            self.session = set_up_new_village(self.folder, self.setup_data())
        except DomainError as e:
            if not self._page_of(e.field or "").errors.show(e):
                QMessageBox.warning(self, tr("error.title"), e.message())
            return False
        except Exception as e:  # noqa: BLE001 - shown calmly and logged
            show_error(self, e)
            return False
        return True

    def _keys_from_file(self) -> None:
        from app.ui.file_dialogs import documents_folder

        chosen, _ = QFileDialog.getOpenFileName(
            self, tr("sync_ui.enrol_file"), str(documents_folder()), tr("sync_ui.key_file_filter")
        )
        if chosen:
            from app.sync.keys import read_key_file

            try:
                self.township_keys.setPlainText(read_key_file(Path(chosen)))
            except OSError as e:
                show_error(self, e)

    def _show_fingerprint(self) -> None:
        """The fingerprints of the pasted keys, to compare aloud with the township before finishing."""
        from app.sync.keys import parse_public_keys, read_aloud

        self.keys_page.errors.clear()
        text = self.township_keys.toPlainText()
        if not text.strip():
            self.keys_fingerprint.setText("")
            return
        try:
            found = parse_public_keys(text)
        except DomainError:
            self.keys_fingerprint.setText(tr("wizard.keys_incomplete"))
            return
        self.keys_fingerprint.setText(
            tr(
                "wizard.keys_fingerprint",
                name=found.name,
                node=found.node,
                sign=read_aloud(found.sign_id),
                age=read_aloud(found.age_id),
            )
        )

    def _enrol_keys(self) -> bool:
        """Finish: enrol the township's keys when some were given (a wrong one is said at the field)."""
        from app.sync.keys import enrol_township

        self.keys_page.errors.clear()
        text = self.township_keys.toPlainText()
        if text.strip() and self.session is not None:
            try:
                enrol_township(self.session.db, self.session.actor, text)
            except DomainError as e:
                if not self.keys_page.errors.show(e):
                    QMessageBox.warning(self, tr("error.title"), e.message())
                return False
            except Exception as e:  # noqa: BLE001 - shown calmly and logged
                show_error(self, e)
                return False
        self.finished_setup.emit()
        return True
