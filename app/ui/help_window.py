"""The user guide inside the app: F1 on any page opens resources/help/<language>/guide.html in a QTextBrowser,
at the section of the page it was pressed on (its anchor is the page's key: "households", "sync", …).

The guide is HTML with pictures (resources/help/images/, made from docs/screenshots by
scripts/help_images.py); links inside it move within the guide, links to web pages open in the browser."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app.assets import resource
from app.i18n import DEFAULT_LANGUAGE, language, tr


def guide_path(lang: str | None = None) -> Path:
    """The guide in `lang` (the current language by default), the Chinese one if there is none."""
    path = resource("help", lang or language(), "guide.html")
    return path if path.is_file() else resource("help", DEFAULT_LANGUAGE, "guide.html")


class HelpWindow(QDialog):
    """The guide, beside the main window (not modal: the officer can follow it step by step)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpWindow")
        self.setWindowTitle(tr("help.title", name=tr("app.name")))
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.browser = QTextBrowser()
        self.browser.setObjectName("helpBrowser")
        self.browser.setOpenExternalLinks(True)
        self.guide = guide_path()
        self.browser.setSearchPaths([str(self.guide.parent)])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("help.close"))
        buttons.rejected.connect(self.close)
        contents = buttons.addButton(tr("help.contents"), QDialogButtonBox.ButtonRole.ActionRole)
        contents.setObjectName("helpContents")
        contents.clicked.connect(lambda: self.show_topic("contents"))
        back = QShortcut(QKeySequence.StandardKey.Back, self)
        back.activated.connect(self.browser.backward)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(900, 700)

    def show_topic(self, topic: str) -> None:
        """Open the guide at the section `topic` (a page's key; the contents when the guide has no such
        section), and bring the window forward."""
        url = QUrl.fromLocalFile(str(self.guide))
        anchors = topics(self.guide)
        url.setFragment(topic if topic in anchors else "contents")
        self.browser.setSource(url)
        self.show()
        self.raise_()
        self.activateWindow()

    def topic(self) -> str:
        return self.browser.source().fragment()


def topics(guide: Path) -> set[str]:
    """The section anchors of a guide (`<a name="…">` in its headings)."""
    return set(re.findall(r'<a name="([a-z_]+)">', guide.read_text(encoding="utf-8")))
