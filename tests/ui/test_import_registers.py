"""导入表格 from the households page (issue 17): the sample register through the preview, one column mapping
fixed with the keyboard, the import in the background, and an imported person found by pinyin."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from app.services import registers_import as ri
from app.ui.dialogs import import_dialog
from tests.ui.helpers import DialogScript

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "household-register-sample.xlsx"  # ../shared/samples
RELATION_COLUMN = 3  # 组, 户号, 姓名, 与户主关系 ...


def sample_with_an_unknown_title(folder: Path) -> Path:
    """The sample, its 与户主关系 column titled 称谓: a title the synonym table does not know."""
    wb = load_workbook(SAMPLE)
    ws = wb.active
    assert ws.cell(row=3, column=RELATION_COLUMN + 1).value == "与户主关系"
    ws.cell(row=3, column=RELATION_COLUMN + 1).value = "称谓"
    path = folder / "户籍人口.xlsx"
    wb.save(path)
    return path


def test_import_the_sample_through_the_preview(qtbot, main_window, tmp_path, monkeypatch):
    path = sample_with_an_unknown_title(tmp_path)
    monkeypatch.setattr(import_dialog, "choose_register_file", lambda parent, settings: path)
    page = main_window.households
    seen: dict[str, object] = {}

    def preview(dialog: QDialog) -> None:
        assert isinstance(dialog, import_dialog.ImportDialog)
        qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
        assert dialog.unsure_label.isVisible() and "列名不认识" in dialog.unsure_label.text()
        assert dialog.mapping.item(RELATION_COLUMN, 0).text() == "称谓"
        combo = dialog.mapping.cellWidget(RELATION_COLUMN, 1)
        assert combo.currentData() is None  # not imported until the officer says what it is
        before = dialog.plan
        combo.setFocus()
        while combo.currentData() != "relation":
            qtbot.keyClick(combo, Qt.Key.Key_Down)  # the drop-down, as with the arrow keys
        qtbot.waitUntil(
            lambda: dialog.plan is not before and dialog.commit_button.isEnabled(), timeout=20_000
        )
        assert dialog.source.layouts[0].fields[RELATION_COLUMN] == "relation"
        assert not dialog.unsure_label.isVisible()
        assert dialog.tabs.tabText(0) == "新增 (92)" and dialog.tabs.tabText(2) == "拒绝 (10)"
        refused = dialog.models[ri.REFUSED].rows()
        assert refused[0].excel_row == 8 and "外出" in refused[0].reason
        qtbot.mouseClick(dialog.commit_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.result_ is not None, timeout=60_000)
        seen["tabs"] = dialog.tabs.tabText(2)
        qtbot.mouseClick(
            dialog.findChild(type(dialog.commit_button), "importCancel"), Qt.MouseButton.LeftButton
        )

    told: list[str] = []
    # the summary box, read instead of answered: run_op's progress dialogs are modal too, and would be
    # taken for it by a script answering modal dialogs in turn
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: told.append(text))
    script = DialogScript(preview)
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    script.done()
    assert seen["tabs"] == "拒绝 (10)"
    assert len(told) == 1 and "新增 92 行" in told[0] and "拒绝 10 行" in told[0]
    qtbot.keyClicks(page.filter_edit, "chuxiaolong")
    assert [r.household_no for r in page.household_model.rows()] == ["1-01"]
    members = {r.name: r.relation for r in page.member_model.rows()}
    assert members == {
        "褚小龙": "head",
        "孙凤英": "spouse",
        "褚春花": "daughter",
    }  # the fixed column's values
