"""Recording a follow-up visit on its checklist: one field per item of the follow-up's template, the visit
date, the result and notes. A visit already recorded opens with its answers, for correction."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QSizePolicy, QVBoxLayout, QWidget

from app.errors import DomainError
from app.i18n import tr
from app.services import checklists, followups
from app.ui.context import AppContext
from app.ui.dialogs.base import FormDialog
from app.ui.forms import DateEdit
from app.ui.labels import fmt_date, label
from app.vocab import FollowupStatus

REQUIRED_MARK = ' <span style="color:#b00020;">*</span>'


class ChecklistDialog(FormDialog):
    """Object names: "visitDate", and "item_<key>" for each checklist item's widget."""

    def __init__(self, ctx: AppContext, followup_id: str, parent: QWidget | None = None) -> None:
        detail = followups.get_detail(ctx.db, followup_id)
        row = detail.row
        self.correcting = row.status == FollowupStatus.DONE
        type_label = label("followup_type", row.followup_type)
        title_id = "checklist_dialog.title_correct" if self.correcting else "checklist_dialog.title"
        super().__init__(tr(title_id, name=row.name, type=type_label), parent)
        self.setObjectName("checklistDialog")
        self.ctx, self.row, self.detail = ctx, row, detail
        # a correction keeps the questions the visit was answered with; a new visit gets the current ones
        self.template = (
            detail.template if self.correcting else checklists.load_templates().current(row.followup_type)
        )

        info = QLabel(
            tr(
                "checklist_dialog.info",
                number=row.household_no,
                group=row.group_no,
                address=row.address or "—",
                phone=row.phone or "—",
            )
            + "\n"
            + tr(
                "checklist_dialog.window",
                earliest=fmt_date(row.earliest),
                latest=fmt_date(row.latest),
                due=fmt_date(row.due),
            )
        )
        info.setObjectName("followupInfo")
        info.setWordWrap(True)
        info.setTextFormat(Qt.TextFormat.PlainText)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)  # FormDialog's own
        layout.insertWidget(0, info)

        self.visit_date = self.add_field("checklist_dialog.visit_date", "done_date", DateEdit("done_date"))
        self.visit_date.setObjectName("visitDate")
        self.visit_date.set_date(row.done_date or ctx.today())
        self._fixed_width(self.visit_date, "2024年12月31日")

        self.items: dict[str, QWidget] = {}
        for item in self.template.items:
            widget = self._item_widget(item, detail.answers.get(item.key, ""))
            text = tr(item.label_id) + (REQUIRED_MARK if item.required else "")
            self._add_item(text, checklists.field_of(item.key), widget)
            widget.setObjectName(f"item_{item.key}")
            self.items[item.key] = widget

        self.result_edit = self.add_field("checklist_dialog.result", "result", QLineEdit())
        self.result_edit.setObjectName("visitResult")
        self.result_edit.setMaxLength(200)
        self.result_edit.setText(row.result if self.correcting else "")
        self.notes = self.add_field("checklist_dialog.notes", "notes", QPlainTextEdit())
        self.notes.setObjectName("visitNotes")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.notes.setPlainText(detail.notes if self.correcting else "")
        if any(i.required for i in self.template.items):
            note = QLabel(tr("checklist_dialog.required_note"))
            note.setObjectName("requiredNote")
            self.form.addRow("", note)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 46)
        self.dirty = False

    # -- building
    def _fixed_width(self, widget: QWidget, sample: str) -> None:
        widget.setFixedWidth(self.fontMetrics().horizontalAdvance(sample) + 24)

    def _choice_box(self, choices: list[tuple[str, str]], current: str) -> QComboBox:
        box = QComboBox()
        box.addItem(tr("form.choose"), "")
        for code, text in choices:
            box.addItem(text, code)
        box.setCurrentIndex(max(box.findData(current), 0))
        box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        return box

    def _item_widget(self, item: checklists.Item, stored: str) -> QWidget:
        if item.kind == "yesno":
            choices = [(code, tr(f"checklist.choice.{code}")) for code in ("yes", "no")]
            return self._choice_box(choices, stored)
        if item.kind == "choice":
            return self._choice_box([(c, tr(f"checklist.choice.{c}")) for c in item.choices], stored)
        if item.kind == "number":
            edit = QLineEdit(stored)
            edit.setValidator(QIntValidator(0, 100_000, edit))
            self._fixed_width(edit, "100000")
            return edit
        if item.kind == "date":
            date = DateEdit(checklists.field_of(item.key))
            date.setText(stored)
            self._fixed_width(date, "2024年12月31日")
            return date
        edit = QLineEdit(stored)
        edit.setMaxLength(500)
        return edit

    def _add_item(self, text: str, field: str, widget: QWidget) -> None:
        """Like add_field, with a label that is already text (the item's name and its required mark)."""
        self.errors.add_row(self.form, text, field, widget)
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(self._mark_dirty)
        elif isinstance(widget, QComboBox):
            widget.activated.connect(self._mark_dirty)

    # -- saving
    def answers(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, widget in self.items.items():
            if isinstance(widget, QComboBox):
                out[key] = widget.currentData() or ""
            elif isinstance(widget, QLineEdit):
                out[key] = widget.text()
        return out

    def missing(self) -> list[str]:
        """The fields of the required items still unanswered."""
        answers = self.answers()
        return [
            checklists.field_of(i.key)
            for i in self.template.items
            if i.required and not answers[i.key].strip()
        ]

    def show_domain_error(self, error: DomainError) -> None:
        """The service names the first problem; every other required item left empty is marked as well, so
        the officer sees at once all that is missing."""
        super().show_domain_error(error)
        for field in self.missing():
            if field != error.field:
                self.errors.labels[field].show_message(tr("checklist.answer_required"))

    def submit(self) -> None:
        visit = followups.VisitInput(
            done_date=self.visit_date.date(),
            answers=self.answers(),
            result=self.result_edit.text(),
            notes=self.notes.toPlainText(),
        )
        followups.record_visit(
            self.ctx.db, self.ctx.actor, self.row.id, visit, self.ctx.today(), expected_rev=self.row.rev
        )
