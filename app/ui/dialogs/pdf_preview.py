"""Preview of a printed PDF inside the app: page by page, zoom, save a copy, or open it in the system viewer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.files import write_bytes_atomically
from app.i18n import tr
from app.reports.preview import PdfPages
from app.ui.errors import show_error
from app.ui.file_dialogs import ask_save_path

ZOOMS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)  # of the page's printed size at 96 dpi
SCREEN_DPI = 96


class PdfPreviewDialog(QDialog):
    """Shows a PDF held in memory (never in a temporary file: what is printed holds personal data); "save as"
    writes those very bytes (nothing is rendered twice), "open in the viewer" opens the saved copy, asking
    where to save it first. `suggested_name` is the file name the save dialog proposes."""

    def __init__(
        self, data: bytes, title: str, suggested_name: str, settings: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPreview")
        self.setWindowTitle(title)
        self.data = data
        self.suggested_name = suggested_name
        self.settings = settings
        self.saved_to: Path | None = None
        self.pages = PdfPages(data)

        self.page_spin = QSpinBox()
        self.page_spin.setObjectName("previewPage")
        self.page_spin.setRange(1, max(len(self.pages), 1))
        self.page_count = QLabel(tr("preview.of_pages", pages=len(self.pages)))
        previous = QPushButton(tr("preview.previous"))
        previous.setObjectName("previewPrevious")
        following = QPushButton(tr("preview.next"))
        following.setObjectName("previewNext")
        self.zoom = QComboBox()
        self.zoom.setObjectName("previewZoom")
        for z in ZOOMS:
            self.zoom.addItem(f"{z:.0%}", z)
        self.zoom.setCurrentIndex(ZOOMS.index(1.0))
        save = QPushButton(tr("preview.save_as"))
        save.setObjectName("previewSaveAs")
        external = QPushButton(tr("preview.open_external"))
        external.setObjectName("previewOpenExternal")
        close = QPushButton(tr("care.close"))
        for b in (previous, following, save, external, close):
            b.setAutoDefault(False)

        bar = QHBoxLayout()
        bar.addWidget(previous)
        bar.addWidget(QLabel(tr("preview.page")))
        bar.addWidget(self.page_spin)
        bar.addWidget(self.page_count)
        bar.addWidget(following)
        bar.addSpacing(16)
        bar.addWidget(QLabel(tr("preview.zoom")))
        bar.addWidget(self.zoom)
        bar.addStretch(1)
        bar.addWidget(save)
        bar.addWidget(external)
        bar.addWidget(close)

        self.image = QLabel()
        self.image.setObjectName("previewImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.image)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setStyleSheet("QScrollArea { background: #808080; }")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.scroll_area, 1)

        previous.clicked.connect(lambda: self.page_spin.setValue(self.page_spin.value() - 1))
        following.clicked.connect(lambda: self.page_spin.setValue(self.page_spin.value() + 1))
        QShortcut(QKeySequence(Qt.Key.Key_PageUp), self, lambda: previous.click())
        QShortcut(QKeySequence(Qt.Key.Key_PageDown), self, lambda: following.click())
        self.page_spin.valueChanged.connect(self._show)
        self.zoom.currentIndexChanged.connect(self._show)
        save.clicked.connect(self.save_as)
        external.clicked.connect(self.open_external)
        close.clicked.connect(self.accept)
        self.resize(900, 760)
        self._show()

    @property
    def current_page(self) -> int:
        return self.page_spin.value()

    def _show(self, *_: object) -> None:
        if not len(self.pages):
            self.image.setText(tr("preview.empty"))
            return
        index = self.page_spin.value() - 1
        width_pt, _height = self.pages.page_size(index)
        ratio = self.devicePixelRatioF()
        width_px = int(width_pt / 72 * SCREEN_DPI * self.zoom.currentData() * ratio)
        page = self.pages.render(index, width_px)
        image = QImage(page.rgb, page.width, page.height, page.stride, QImage.Format.Format_RGB888).copy()
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        self.image.setPixmap(pixmap)

    def save_as(self) -> None:
        target = ask_save_path(
            self, self.settings, tr("preview.save_as"), self.suggested_name, tr("followups.pdf_filter")
        )
        if target is None:
            return
        try:
            write_bytes_atomically(target, self.data)
        except OSError as error:
            show_error(self, error)
            return
        self.saved_to = target

    def open_external(self) -> None:
        if self.saved_to is None:
            self.save_as()
        if self.saved_to is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.saved_to)))

    def done(self, result: int) -> None:  # noqa: D401 - Qt's name
        self.pages.close()
        super().done(result)
