"""The follow-ups page, its checklist dialog and the dashboard, driven through their real widgets on a small
village with four pregnant women (tests/followup_village.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
)

from app.i18n import tr
from app.services import followups
from app.ui.dialogs.checklist_dialog import ChecklistDialog
from app.ui.pages.dashboard import DashboardPage
from app.ui.pages.followups import FollowupsPage
from app.ui.tablemodels.rows import ROW_ROLE
from tests.conftest import TODAY
from tests.followup_village import OVERDUE, WEEK, build_village
from tests.ui.helpers import DialogScript, ime_type
from tests.ui.save_dialog import answer_save_dialog


@pytest.fixture
def village(db, officer):
    return build_village(db, officer)


@pytest.fixture
def page(qtbot, ctx, village):
    page = FollowupsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 640)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def dashboard(qtbot, ctx, village):
    dashboard = DashboardPage(ctx)
    qtbot.addWidget(dashboard)
    dashboard.resize(1200, 640)
    dashboard.show()
    qtbot.waitExposed(dashboard)
    return dashboard


def listed(page):
    return {(r.name, r.followup_type) for r in page.model.rows()}


def select(page, name):
    row = page.model.find_row(lambda r: r.name == name)
    assert row >= 0, f"{name} is not in the list"
    page.view.select_row(row)
    assert page.selected().name == name
    return page.selected()


def button(widget, name):
    found = widget.findChild(QPushButton, name)
    assert found is not None, name
    return found


def number(dashboard, name):
    return int(button(dashboard, name).text())


def choose(combo, code):
    index = combo.findData(code)
    assert index >= 0, code
    combo.setCurrentIndex(index)


def test_the_week_list_and_the_other_windows(page):
    assert page.chosen_window() == "week"
    assert listed(page) == {(name, ftype) for name, ftype in WEEK.items()}
    assert page.count_label.text() == "共 4 项"
    page.show_window("overdue")
    assert page.findChild(QComboBox, "followupWindow").currentData() == "overdue"
    assert listed(page) == OVERDUE
    assert page.view.currentIndex().row() == 0 and button(page, "recordVisit").isEnabled()
    # a missed visit is highlighted and says so
    row = page.model.find_row(lambda r: r.name == "李梅")
    status = page.model.index(row, 6)
    assert status.data() == "已错过"
    assert page.model.data(status, Qt.ItemDataRole.BackgroundRole) == QColor("#fbe3e0")
    # filters: type and group
    page.show_window("open")
    choose(page.findChild(QComboBox, "followupType"), "anc1")
    assert {name for name, _ in listed(page)} == {"李梅", "王芳", "欧阳晓燕", "赵红"}
    choose(page.findChild(QComboBox, "followupGroup"), 3)
    assert listed(page) == {("欧阳晓燕", "anc1"), ("赵红", "anc1")}


def test_record_a_visit_from_the_page(qtbot, ctx, page, dashboard, village):
    page.dataChanged.connect(dashboard.refresh)
    before = number(dashboard, "dueThisWeek")
    assert before == 4
    chosen = select(page, "李梅")
    seen = {}

    def checklist(dialog):
        assert isinstance(dialog, ChecklistDialog)
        seen["title"] = dialog.windowTitle()
        seen["date"] = dialog.findChild(QLineEdit, "visitDate").text()
        choose(dialog.findChild(QComboBox, "item_checked_at_facility"), "yes")
        ime_type(dialog.findChild(QLineEdit, "item_facility"), "白银镇卫生院")
        choose(dialog.findChild(QComboBox, "item_danger_signs"), "no")
        choose(dialog.findChild(QComboBox, "item_referred"), "no")
        date = dialog.findChild(QLineEdit, "item_next_check_date")
        qtbot.keyClicks(date, "2026.12.22")
        qtbot.keyClick(date, Qt.Key.Key_Return)

    script = DialogScript(checklist)
    qtbot.mouseClick(button(page, "recordVisit"), Qt.MouseButton.LeftButton)
    script.done()

    assert seen["title"] == "记录随访：李梅 — 第2次产检"
    assert seen["date"] == TODAY.isoformat()
    assert ("李梅", "anc2") not in listed(page)  # done: it left the week's list
    assert len(page.model.rows()) == 3
    assert page.selected().name == "赵红"  # the next one is ready: the list is worked from the top
    assert number(dashboard, "dueThisWeek") == before - 1
    detail = followups.get_detail(ctx.db, chosen.id)
    assert detail.row.status == "done" and detail.row.done_date == TODAY
    assert detail.answers == {
        "checked_at_facility": "yes",
        "facility": "白银镇卫生院",
        "danger_signs": "no",
        "referred": "no",
        "next_check_date": "2026-12-22",
    }


def test_a_required_item_left_empty_is_refused_at_its_field(qtbot, ctx, page):
    chosen = select(page, "王芳")
    seen = {}

    def checklist(dialog):
        def shown():
            return {
                f: dialog.errors.message_of(f) for f in dialog.errors.labels if dialog.errors.message_of(f)
            }

        facility = dialog.findChild(QLineEdit, "item_facility")
        ime_type(facility, "县妇幼保健院")
        qtbot.keyClick(facility, Qt.Key.Key_Return)  # nothing chosen yet: every required item says so
        seen["all_missing"] = shown()
        seen["focus_first"] = QApplication.focusWidget() is dialog.findChild(
            QComboBox, "item_checked_at_facility"
        )
        choose(dialog.findChild(QComboBox, "item_checked_at_facility"), "yes")
        choose(dialog.findChild(QComboBox, "item_referred"), "no")
        qtbot.keyClick(facility, Qt.Key.Key_Return)
        seen["one_missing"] = shown()
        seen["focus"] = QApplication.focusWidget() is dialog.findChild(QComboBox, "item_danger_signs")
        seen["open"] = dialog.isVisible()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # something was typed: it asks before throwing it away

    def discard(question):
        assert isinstance(question, QMessageBox)
        qtbot.mouseClick(question.button(QMessageBox.StandardButton.Discard), Qt.MouseButton.LeftButton)

    script = DialogScript(checklist, discard)
    qtbot.keyClick(page.view, Qt.Key.Key_Return)  # Enter on the row opens its checklist
    script.done()

    required = "这一项必须填写。"
    assert seen["all_missing"] == {
        "item:checked_at_facility": required,
        "item:danger_signs": required,
        "item:referred": required,
    }
    assert seen["one_missing"] == {"item:danger_signs": required}
    assert seen["focus_first"] and seen["focus"] and seen["open"]
    detail = followups.get_detail(ctx.db, chosen.id)
    assert detail.row.status == "due" and detail.answers == {}
    assert ("王芳", "anc4") in listed(page)


def test_mark_missed_then_cancel_with_a_reason(qtbot, ctx, page, village):
    select(page, "王芳")
    seen = {}

    def missed(dialog):
        seen["missed_title"] = dialog.windowTitle()
        qtbot.keyClick(dialog.findChild(QLineEdit, "field_reason"), Qt.Key.Key_Return)  # reason optional

    script = DialogScript(missed)
    qtbot.mouseClick(button(page, "markMissed"), Qt.MouseButton.LeftButton)
    script.done()
    assert seen["missed_title"] == "标为错过：王芳 — 第4次产检"
    assert ("王芳", "anc4") not in listed(page)
    page.show_window("overdue")
    assert ("王芳", "anc4") in listed(page)
    select(page, "王芳")
    assert not button(page, "markMissed").isEnabled()  # already missed; it can still be recorded late
    assert button(page, "recordVisit").isEnabled()

    page.show_window("week")
    chosen = select(page, "欧阳晓燕")

    def cancel(dialog):
        reason = dialog.findChild(QLineEdit, "field_reason")
        qtbot.keyClick(reason, Qt.Key.Key_Return)  # no reason: refused at the field
        seen["refused"] = dialog.errors.message_of("reason")
        seen["still_open"] = dialog.isVisible()
        ime_type(reason, "已到外地长期居住")
        qtbot.keyClick(reason, Qt.Key.Key_Return)

    script = DialogScript(cancel)
    qtbot.mouseClick(button(page, "cancelFollowup"), Qt.MouseButton.LeftButton)
    script.done()
    assert seen["refused"] == "请写明取消的原因。" and seen["still_open"]
    assert ("欧阳晓燕", "anc1") not in listed(page)
    page.show_window("open")
    assert ("欧阳晓燕", "anc1") not in listed(page)
    stored = {r.followup_type: r for r in followups.person_followups(ctx.db, village["欧阳晓燕"])}
    assert stored["anc1"].id == chosen.id
    assert (stored["anc1"].status, stored["anc1"].status_reason) == ("cancelled", "已到外地长期居住")
    missed_row = {r.followup_type: r for r in followups.person_followups(ctx.db, village["王芳"])}["anc4"]
    assert (missed_row.status, missed_row.status_reason) == ("missed", "")


def test_open_household_emits_person_chosen(qtbot, page, village):
    select(page, "赵红")
    with qtbot.waitSignal(page.personChosen) as blocker:
        qtbot.mouseClick(button(page, "openHousehold"), Qt.MouseButton.LeftButton)
    assert blocker.args == [village["0302"], village["赵红"]]


def test_the_dashboard_numbers_open_their_lists(qtbot, dashboard):
    assert number(dashboard, "dueThisWeek") == 4
    assert number(dashboard, "overdue") == len(OVERDUE)
    assert number(dashboard, "deliveries30") == 1
    with qtbot.waitSignal(dashboard.openFollowups) as blocker:
        qtbot.mouseClick(button(dashboard, "overdue"), Qt.MouseButton.LeftButton)
    assert blocker.args == ["overdue"]
    with qtbot.waitSignal(dashboard.openFollowups) as blocker:
        qtbot.mouseClick(button(dashboard, "dueThisWeek"), Qt.MouseButton.LeftButton)
    assert blocker.args == ["week"]
    with qtbot.waitSignal(dashboard.openDeliveries) as blocker:
        qtbot.mouseClick(button(dashboard, "deliveries30"), Qt.MouseButton.LeftButton)
    assert blocker.args == [30]
    with qtbot.waitSignal(dashboard.openHouseholds):
        qtbot.mouseClick(button(dashboard, "qualityProblems"), Qt.MouseButton.LeftButton)
    # the lists under the numbers: this week's follow-ups, and 赵红 due in 15 days at 37+6 weeks
    assert {r.name for r in dashboard.week_model.rows()} == set(WEEK)
    deliveries = dashboard.delivery_model
    assert deliveries.rowCount() == 1
    assert [deliveries.index(0, c).data() for c in range(4)] == ["赵红", "0302", "2026-12-09", "37+6 周"]
    # 6 people, none with an ID number: all 6 records fail the quality rules
    assert number(dashboard, "qualityProblems") == 6
    assert "合格率 0.0%" in dashboard.findChild(QLabel, "qualityProblemsHint").text()


def test_the_page_follows_the_dashboard(page, dashboard):
    dashboard.openFollowups.connect(page.show_window)
    dashboard.overdue_card.number.click()
    assert page.chosen_window() == "overdue" and listed(page) == OVERDUE


def test_the_table_model_is_a_correct_qt_model(qtmodeltester, page):
    page.show_window("open")
    assert page.model.rowCount() == 20
    qtmodeltester.check(page.model, force_py=True)
    assert isinstance(page.model.data(page.model.index(0, 0), ROW_ROLE), followups.FollowupRow)
    assert page.model.data(QModelIndex()) is None


def test_a_recorded_visit_opens_with_its_answers_for_correction(qtbot, ctx, village):
    row = next(r for r in followups.work_list(ctx.db, TODAY, "week") if r.name == "赵红")
    visit = followups.VisitInput(
        TODAY - dt.timedelta(days=1),
        {"checked_at_facility": "yes", "danger_signs": "yes", "referred": "yes", "weeks_at_visit": "37+5"},
        result="已转县医院",
        notes="血压偏高",
    )
    followups.record_visit(ctx.db, ctx.actor, row.id, visit, TODAY)
    dialog = ChecklistDialog(ctx, row.id)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "更正随访记录：赵红 — 第5次产检"
    assert dialog.findChild(QLineEdit, "visitDate").text() == "2026-11-23"
    assert dialog.findChild(QComboBox, "item_danger_signs").currentText() == "是"
    assert dialog.findChild(QComboBox, "item_blood_pressure_ok").currentText() == tr("form.choose")
    assert dialog.findChild(QLineEdit, "item_weeks_at_visit").text() == "37+5"
    assert dialog.result_edit.text() == "已转县医院" and dialog.notes.toPlainText() == "血压偏高"
    choose(dialog.findChild(QComboBox, "item_danger_signs"), "no")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert followups.get_detail(ctx.db, row.id).answers["danger_signs"] == "no"


def test_print_the_week_visit_list(qtbot, ctx, page, monkeypatch, tmp_path):
    from pypdf import PdfReader

    asked, opened = {}, []
    target = tmp_path / "out" / "week.pdf"
    target.parent.mkdir()

    answer_save_dialog(target, asked)  # no extension typed: .pdf is added
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))

    def answer():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "visitListWritten":
            asked["offer"] = box.text()
            next(b for b in box.buttons() if b.text() == tr("report_ui.open_file")).click()
        else:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)
    with qtbot.waitSignal(page.visitListWritten, timeout=20_000) as blocker:
        qtbot.mouseClick(button(page, "printVisitList"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "offer" in asked and bool(opened), timeout=10_000)

    assert Path(asked["default"]).name == "随访单_2026-11-23.pdf"
    assert Path(asked["folder"]) != ctx.data_dir  # not the app's own folder
    assert blocker.args == [str(target)] and opened == [str(target)]
    assert str(target) in asked["offer"]
    text = "".join(p.extract_text() for p in PdfReader(target).pages)
    for name in WEEK:
        assert name in text


@pytest.fixture
def restore_app_font():
    app = QApplication.instance()
    font = app.font()
    yield
    app.setFont(font)


def test_the_dashboard_numbers_grow_with_the_text_size(qtbot, dashboard, page, restore_app_font):
    from app.ui.application import TEXT_SIZES, apply_text_size
    from app.ui.pages.dashboard import NUMBER_SCALE

    app = QApplication.instance()
    apply_text_size(app, "normal")
    qtbot.wait(10)
    normal = button(dashboard, "overdue").font().pointSizeF()
    assert normal == pytest.approx(TEXT_SIZES["normal"] * NUMBER_SCALE)
    type_width = page.view.columnWidth(3)
    apply_text_size(app, "larger")
    qtbot.wait(10)
    assert button(dashboard, "overdue").font().pointSizeF() == pytest.approx(
        TEXT_SIZES["larger"] * NUMBER_SCALE
    )
    assert page.view.columnWidth(3) > type_width  # the follow-up names still fit
    assert page.view.rowHeight(0) >= page.view.fontMetrics().height() + 8
