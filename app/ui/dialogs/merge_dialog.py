"""合并重复记录: two records of one person side by side; the officer picks each field from one or the other,
and the survivor takes everything recorded about the other (pregnancies, care, follow-ups, supplies). Also the
list of possible duplicates the merge is offered from."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.i18n import tr
from app.services import households as hh
from app.services import merging
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.labels import fmt_date, label
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import FieldError, RegisterView


def _shown(person: hh.PersonRow, field: str) -> str:
    value = {
        "name": person.name,
        "sex": label("sex", person.sex),
        "birth_date": fmt_date(person.birth_date),
        "id_number": person.id_number,
        "household": f"{person.household_no} · {label('relation', person.relation)}",
        "marital_status": label("marital", person.marital_status),
        "marriage_date": fmt_date(person.marriage_date),
        "phone": person.phone,
        "residence_status": label("residence", person.residence_status)
        + (f"（{person.residence_place}）" if person.residence_place else ""),
        "notes": person.notes.replace("\n", " "),
    }[field]
    return value or "—"


class MergeDialog(QDialog):
    """Field by field, which record's value the merged person keeps; the left record survives."""

    def __init__(
        self, ctx: AppContext, survivor_id: str, other_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle(tr("merge.title"))
        self.ctx = ctx
        self.survivor, self.other = merging.merge_preview(ctx.db, survivor_id, other_id)
        intro = QLabel(tr("merge.intro", survivor=self.survivor.name, other=self.other.name))
        intro.setWordWrap(True)
        grid = QGridLayout()
        grid.addWidget(QLabel(f"<b>{tr('merge.keep_record')}</b>"), 0, 1)
        grid.addWidget(QLabel(f"<b>{tr('merge.merged_record')}</b>"), 0, 2)
        self.choices: dict[str, QButtonGroup] = {}
        self.other_buttons: dict[str, QRadioButton] = {}
        for row, field in enumerate(merging.MERGE_FIELDS, start=1):
            grid.addWidget(QLabel(tr(f"merge.field.{field}")), row, 0)
            left, right = _shown(self.survivor, field), _shown(self.other, field)
            keep = QRadioButton(left)
            take = QRadioButton(right)
            keep.setObjectName(f"keep_{field}")
            take.setObjectName(f"take_{field}")
            keep.setChecked(True)
            if left == right:
                take.setEnabled(False)  # nothing to choose
            group = QButtonGroup(self)
            group.addButton(keep)
            group.addButton(take)
            self.choices[field] = group
            self.other_buttons[field] = take
            grid.addWidget(keep, row, 1)
            grid.addWidget(take, row, 2)
        self.error = FieldError()
        self.error.setObjectName("mergeError")
        buttons = QDialogButtonBox()
        self.merge_button = buttons.addButton(tr("merge.confirm"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setObjectName("mergeButton")
        cancel = buttons.addButton(tr("common.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.merge_button.clicked.connect(self.merge)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        note = QLabel(tr("merge.what_moves"))
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def chosen(self) -> dict[str, str]:
        return {
            field: merging.OTHER if button.isChecked() else merging.SURVIVOR
            for field, button in self.other_buttons.items()
        }

    def merge(self) -> None:
        try:
            merging.merge_people(
                self.ctx.db,
                self.ctx.actor,
                self.survivor.id,
                self.other.id,
                self.chosen(),
                self.ctx.today(),
                expected_revs=(self.survivor.rev, self.other.rev),
            )
        except DomainError as e:
            self.error.show_message(e.message())
            return
        except Exception as e:  # noqa: BLE001 - logged and shown as one calm sentence
            show_error(self, e)
            return
        self.accept()


class DuplicatesDialog(QDialog):
    """可能重复的记录: pairs with the same ID number, or the same birth date and name (or pinyin)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicatesDialog")
        self.setWindowTitle(tr("duplicates.title"))
        self.ctx = ctx
        self.merged = False
        columns: list[Column[merging.DuplicatePair]] = [
            Column("duplicates.col.first", lambda p: f"{p.first.name}（{p.first.household_no}）", width=150),
            Column(
                "duplicates.col.second", lambda p: f"{p.second.name}（{p.second.household_no}）", width=150
            ),
            Column("duplicates.col.birth", lambda p: fmt_date(p.first.birth_date), width=100),
            Column("duplicates.col.reason", lambda p: tr(f"duplicates.reason.{p.reason}"), width=180),
        ]
        self.model: RowTableModel[merging.DuplicatePair] = RowTableModel(columns, self)
        self.view = RegisterView(self.model, ctx.settings, "duplicates", sort_column=-1)
        self.view.setObjectName("duplicatesTable")
        self.view.doubleClicked.connect(lambda _: self.merge_selected())
        self.empty = QLabel(tr("duplicates.none"))
        self.empty.setObjectName("duplicatesNone")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        merge = QPushButton(tr("duplicates.merge"))
        merge.setObjectName("mergeSelected")
        merge.clicked.connect(self.merge_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("care.close"))
        buttons.addButton(merge, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        self.resize(640, 360)
        self.refresh()

    def refresh(self) -> None:
        pairs = merging.possible_duplicates(self.ctx.db)
        self.model.set_rows(pairs)
        self.empty.setVisible(not pairs)
        if pairs:
            self.view.select_row(0)

    def merge_selected(self) -> None:
        pair = self.view.current_row()
        if not isinstance(pair, merging.DuplicatePair):
            QMessageBox.information(self, tr("duplicates.title"), tr("duplicates.choose_pair"))
            return
        if MergeDialog(self.ctx, pair.first.id, pair.second.id, self).exec() == QDialog.DialogCode.Accepted:
            self.merged = True
            self.refresh()
