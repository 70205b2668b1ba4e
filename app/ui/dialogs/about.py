"""About: the app's name, its version (pyproject.toml's, app.version), its licence, and the third-party notices
(app.notices: Qt's LGPL, SQLCipher and OpenSSL, the PDF font, every Python package shipped)."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.i18n import tr


class AboutDialog(QDialog):
    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        from app.notices import notices_text

        super().__init__(parent)
        self.setWindowTitle(tr("settings.about_title", name=tr("app.name")))
        self.summary = QLabel(text)
        self.summary.setObjectName("aboutSummary")
        self.summary.setWordWrap(True)
        self.notices = QTextBrowser()
        self.notices.setObjectName("aboutNotices")
        self.notices.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.notices.setPlainText(notices_text())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("about.close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel(tr("about.notices")))
        layout.addWidget(self.notices, 1)
        layout.addWidget(buttons)
        self.resize(760, 560)
