"""Household service cards: choose households (one, several, a group, the whole village), preview the PDF,
save it. The cards are written in the background with progress and cancel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.progress import Cancelled
from app.services import households as hh
from app.ui.audit_log import record_output
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.file_dialogs import ask_save_path
from app.ui.labels import label
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import RegisterView, action_button, fill_group_combo, offer_to_open
from app.ui.workers import run_op

LAYOUTS = (("a5", "cards_ui.layout_a5"), ("a4_two_up", "cards_ui.layout_a4_two_up"))


def household_columns() -> list[Column[hh.HouseholdRow]]:
    return [
        Column("households.col.number", lambda r: r.household_no, width=90),
        Column("households.col.group", lambda r: str(r.group_no), sort_key=lambda r: r.group_no, width=60),
        Column("households.col.head", lambda r: r.head_name, width=100),
        Column("households.col.address", lambda r: r.address, width=220),
        Column("households.col.members", lambda r: str(r.members), sort_key=lambda r: r.members, width=60),
        Column("households.col.phone", lambda r: r.phone, width=120),
        Column(
            "households.col.residence_type", lambda r: label("residence_type", r.residence_type), width=90
        ),
    ]


class CardsTab(QWidget):
    cardsWritten = Signal(str)  # the PDF's path (saved, or the preview's temporary file)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._operation: object | None = None
        self._stale = True
        self.register: hh.HouseholdRegister | None = None

        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("cardsFilter")
        self.filter_edit.setPlaceholderText(tr("cards_ui.filter_hint"))
        self.filter_edit.setClearButtonEnabled(True)
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("cardsGroup")
        self.model: RowTableModel[hh.HouseholdRow] = RowTableModel(household_columns(), self)
        self.view = RegisterView(self.model, ctx.settings, "cards_households")
        self.view.setObjectName("cardsHouseholds")
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)

        self.selected_radio = QRadioButton()
        self.selected_radio.setObjectName("cardsScopeSelected")
        self.listed_radio = QRadioButton()
        self.listed_radio.setObjectName("cardsScopeListed")
        self.scope = QButtonGroup(self)
        self.scope.addButton(self.selected_radio)
        self.scope.addButton(self.listed_radio)
        self.listed_radio.setChecked(True)
        self.layout_combo = QComboBox()
        self.layout_combo.setObjectName("cardsLayout")
        for code, text_id in LAYOUTS:
            self.layout_combo.addItem(tr(text_id), code)
        self.full_ids = QCheckBox(tr("cards_ui.full_ids"))
        self.full_ids.setObjectName("cardsFullIds")
        self.full_ids.setToolTip(tr("cards_ui.full_ids_tip"))
        self.show_methods = QCheckBox(tr("cards_ui.show_methods"))
        self.show_methods.setObjectName("cardsShowMethods")
        self.show_methods.setChecked(False)  # a card hangs on the wall: methods only when asked for
        self.show_methods.setToolTip(tr("cards_ui.show_methods_tip"))

        top = QHBoxLayout()
        top.addWidget(QLabel(tr("households.filter")))
        top.addWidget(self.filter_edit, 1)
        top.addWidget(QLabel(tr("households.group")))
        top.addWidget(self.group_combo)
        options = QHBoxLayout()
        options.addWidget(QLabel(tr("cards_ui.print")))
        options.addWidget(self.selected_radio)
        options.addWidget(self.listed_radio)
        options.addSpacing(16)
        options.addWidget(QLabel(tr("cards_ui.layout")))
        options.addWidget(self.layout_combo)
        options.addWidget(self.full_ids)
        options.addWidget(self.show_methods)
        options.addStretch(1)
        self.preview_button = action_button(options, "cards_ui.preview", "previewCards", self.preview)
        self.save_button = action_button(options, "cards_ui.save", "saveCards", self.save)
        intro = QLabel(tr("cards_ui.intro"))
        intro.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(options)

        self.filter_edit.textChanged.connect(self.apply_filter)
        self.group_combo.currentIndexChanged.connect(self.apply_filter)
        self.view.selectionModel().selectionChanged.connect(self._update_scope)

    # -- the households
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.reload()

    def refresh(self, *_: object) -> None:
        """Data changed elsewhere: re-read now if on screen, else when next shown."""
        self._stale = True
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        self._stale = False
        fill_group_combo(self.group_combo, self.ctx.db)
        self.register = hh.load_register(self.ctx.db)
        self.apply_filter()

    def apply_filter(self, *_: object) -> None:
        """List the matching households; those selected stay selected while they are still listed."""
        if self.register is None:
            return
        keep = {r.id for r in self.selected_households()}
        self.model.set_rows(self.register.filter(self.filter_edit.text(), self.group_combo.currentData()))
        selection = self.view.selectionModel()
        selection.blockSignals(True)
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).id in keep:
                selection.select(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
                )
        selection.blockSignals(False)
        self._update_scope()

    def selected_households(self) -> list[hh.HouseholdRow]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.row_at(r) for r in rows]

    def listed_households(self) -> list[hh.HouseholdRow]:
        return [self.model.row_at(r) for r in range(self.model.rowCount())]

    def _update_scope(self, *_: object) -> None:
        selected, listed = len(self.selected_households()), self.model.rowCount()
        self.selected_radio.setText(tr("cards_ui.scope_selected", count=selected))
        # A selection lost to a filter change never turns "selected" into "all listed" behind the officer's
        # back: the choice stays, and Preview / Save ask (confirm_scope).
        self.selected_radio.setEnabled(selected > 0 or self.selected_radio.isChecked())
        self.listed_radio.setText(tr("cards_ui.scope_listed", count=listed))
        busy = self._operation is not None
        self.preview_button.setEnabled(listed > 0 and not busy)
        self.save_button.setEnabled(listed > 0 and not busy)

    def show_household(self, household_id: str) -> None:
        """Select one household (from the Households page) so its card is what gets printed."""
        if self._stale or self.register is None:
            self.reload()
        row = self.model.find_row(lambda r: r.id == household_id)
        if row < 0:
            self.filter_edit.clear()
            self.group_combo.setCurrentIndex(0)
            row = self.model.find_row(lambda r: r.id == household_id)
        self.view.clearSelection()
        self.view.select_row(row)
        self.selected_radio.setChecked(True)

    def confirm_scope(self) -> bool:
        """True when it is clear which cards to make. "Selected" with nothing selected (the selection was
        lost) asks whether to make every listed household's card instead; going back makes nothing."""
        if not self.selected_radio.isChecked() or self.selected_households():
            return True
        count = self.model.rowCount()
        box = QMessageBox(
            QMessageBox.Icon.Question,
            tr("screens.cards_selection_lost_title"),
            tr("screens.cards_selection_lost", count=count),
            parent=self,
        )
        box.setObjectName("cardsSelectionLost")
        listed = box.addButton(
            tr("screens.cards_print_listed", count=count), QMessageBox.ButtonRole.AcceptRole
        )
        back = box.addButton(tr("screens.cards_choose_again"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        box.exec()
        if box.clickedButton() is not listed:
            self.view.setFocus()
            return False
        self.listed_radio.setChecked(True)
        self._update_scope()
        return True

    def chosen_ids(self) -> list[str]:
        rows = self.selected_households() if self.selected_radio.isChecked() else self.listed_households()
        return [r.id for r in rows]

    # -- writing
    def default_name(self) -> str:
        rows = self.selected_households() if self.selected_radio.isChecked() else self.listed_households()
        if len(rows) == 1:
            name = tr("cards_ui.file_one", number=rows[0].household_no)
        elif self.group_combo.currentData() is not None and not self.selected_radio.isChecked():
            name = tr("cards_ui.file_group", group=self.group_combo.currentData())
        else:
            name = tr("cards_ui.file_many", count=len(rows))
        return f"{name}.pdf"

    def preview(self) -> None:
        if not self.confirm_scope():
            return
        self._write(None, self._show_preview)  # in memory: the cards' personal data never sits in a temp file

    def save(self) -> None:
        if not self.confirm_scope():
            return
        path = ask_save_path(
            self,
            self.ctx.settings,
            tr("cards_ui.save_title"),
            self.default_name(),
            tr("followups.pdf_filter"),
        )
        if path is not None:
            self._write(path, self._saved)

    def _write(self, path: Path | None, then: Callable[[Any, int], None]) -> None:
        """Write the chosen households' cards to `path`, or (None) to memory for the preview; `then` gets the
        path (or the PDF's bytes) and the number of cards."""
        if self._operation is not None:
            return
        ids = self.chosen_ids()
        if not ids:
            return
        db, user_id, on = self.ctx.db, self.ctx.user.id, self.ctx.today()
        card_layout, full_ids = self.layout_combo.currentData(), self.full_ids.isChecked()
        show_methods = self.show_methods.isChecked()

        def write(progress: Callable[[float, str], bool]) -> tuple[Any, int]:
            # imported here: reportlab adds to start-up, and printing is occasional
            from app.reports.cards import cards_pdf, write_cards
            from app.services.cards import card_batch

            progress(0.0, tr("cards_ui.reading"))
            batch = card_batch(db, user_id, on, household_ids=ids)
            options = {"layout": card_layout, "full_ids": full_ids, "show_methods": show_methods}
            if path is None:
                data, _ = cards_pdf(batch, progress=progress, **options)
                return data, len(batch.cards)
            write_cards(path, batch, progress=progress, **options)
            return path, len(batch.cards)

        def done(result: tuple[Any, int]) -> None:
            self._operation = None
            self._update_scope()
            record_output(self.ctx, "cards", "print", cards=result[1], full_ids=full_ids)
            self.cardsWritten.emit(str(result[0]) if path is not None else "")
            then(*result)

        def failed(error: BaseException) -> None:
            self._operation = None
            self._update_scope()
            if not isinstance(error, Cancelled):
                show_error(self, error)

        self._operation = run_op(self, write, title=tr("cards_ui.writing", count=len(ids)), on_success=done,
                                 on_error=failed, show_after_ms=300)  # fmt: skip
        self._update_scope()

    def _show_preview(self, data: bytes, count: int) -> None:
        from app.ui.dialogs.pdf_preview import PdfPreviewDialog

        dialog = PdfPreviewDialog(
            data, tr("cards_ui.preview_title", count=count), self.default_name(), self.ctx.settings, self
        )
        self.preview_dialog = dialog
        dialog.open()

    def _saved(self, path: Path, count: int) -> None:
        offer_to_open(self, path, "cardsSaved", tr("cards_ui.saved", count=count, path=str(path)))
