"""Keeping the register by keyboard, as an officer would: add a household and its members, refuse a bad ID,
fill birth date and sex from a good one, warn about a duplicate, record a death."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.services import households as hh
from app.ui.dialogs.member_form import MemberForm
from tests.conftest import TODAY
from tests.ui.helpers import DialogScript, ime_type


def fill_member(qtbot, form, name, id_number="", relation=None, marital=None, birth=""):
    ime_type(form.name, name)
    if id_number:
        qtbot.keyClicks(form.id_number, id_number)
    if birth:
        qtbot.keyClicks(form.birth_date, birth)
    if relation:
        form.relation.setCurrentIndex(form.relation.findData(relation))
    if marital:
        form.marital.setCurrentIndex(form.marital.findData(marital))


def test_add_household_and_three_members_by_typing(qtbot, main_window, ctx):
    page = main_window.households
    refused = {}

    def household(form):
        qtbot.keyClicks(form.number, "0305")
        form.group.setCurrentIndex(form.group.findData("3"))
        ime_type(form.address, "红星村三组 5 号")
        qtbot.keyClicks(form.phone, "13912340000")
        qtbot.keyClick(form.phone, Qt.Key.Key_Return)

    def head(form):
        # a mistyped ID (last digit wrong) is refused at the field, with the reason
        fill_member(qtbot, form, "王建国", "110101197505060018", relation="head", marital="first_marriage")
        qtbot.keyClick(form.id_number, Qt.Key.Key_Return)
        refused["message"] = form.errors.message_of("id_number")
        refused["still_open"] = form.isVisible()
        form.id_number.clear()
        qtbot.keyClicks(form.id_number, "110101197505060017")
        refused["birth"] = form.birth_date.text()
        refused["sex"] = form.sex.currentData()
        qtbot.keyClick(form.id_number, Qt.Key.Key_Return)

    script = DialogScript(household, head)
    qtbot.mouseClick(page.add_household_button, Qt.MouseButton.LeftButton)
    script.done()
    assert "校验位" in refused["message"] and refused["still_open"]
    assert refused["birth"] == "1975-05-06" and refused["sex"] == "M"

    def wife(form):
        fill_member(qtbot, form, "刘芳", "110101197808120021", relation="spouse", marital="first_marriage")
        qtbot.keyClick(form.id_number, Qt.Key.Key_Return)

    def son(form):
        fill_member(qtbot, form, "王小军", relation="son", birth="2005.9.1")
        form.sex.setCurrentIndex(form.sex.findData("M"))
        qtbot.keyClick(form.birth_date, Qt.Key.Key_Return)

    for handler in (wife, son):
        script = DialogScript(handler)
        qtbot.mouseClick(page.add_member_button, Qt.MouseButton.LeftButton)
        script.done()

    assert page.selected_household().household_no == "0305"
    assert page.selected_household().head_name == "王建国"
    members = [(m.name, m.sex, m.birth_date.isoformat()) for m in page.member_model.rows()]
    assert members == [
        ("王建国", "M", "1975-05-06"),
        ("刘芳", "F", "1978-08-12"),
        ("王小军", "M", "2005-09-01"),
    ]


def test_birth_date_contradicting_id_is_refused_at_the_field(qtbot, ctx, small_village):
    form = MemberForm(ctx, small_village["h2"])
    qtbot.addWidget(form)
    form.show()
    ime_type(form.name, "曾丽")
    qtbot.keyClicks(form.id_number, "110101198001010029")
    form.birth_date.clear()
    qtbot.keyClicks(form.birth_date, "1980-02-01")
    form.save()
    assert form.isVisible()
    assert "身份证上是 1980-01-01" in form.errors.message_of("birth_date")
    assert [m.name for m in hh.household_members(ctx.db, small_village["h2"])] == ["曾国强"]


def test_duplicate_id_warns_and_opens_existing(qtbot, main_window, ctx, small_village):
    page = main_window.households
    page.show_household(small_village["h2"])
    shown = {}

    def member(form):
        fill_member(qtbot, form, "张三", "110101199003071233", relation="other")
        qtbot.keyClick(form.id_number, Qt.Key.Key_Return)

    def duplicate(dialog):
        shown["rows"] = [dialog.list.item(i).text() for i in range(dialog.list.count())]
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)

    script = DialogScript(member, duplicate)
    qtbot.mouseClick(page.add_member_button, Qt.MouseButton.LeftButton)
    script.done()
    assert len(shown["rows"]) == 1 and "身份证号码相同" in shown["rows"][0]
    # nothing was added; the existing 张三 is now selected in his own household
    assert page.selected_household().household_no == "0101"
    assert page.selected_member().name == "张三"
    assert [m.name for m in hh.household_members(ctx.db, small_village["h2"])] == ["曾国强"]


def test_mark_member_deceased_updates_register(qtbot, main_window, ctx, small_village):
    page = main_window.households
    page.show_household(small_village["h1"])
    page.member_view.select_row(0)  # 张三, the head
    assert page.selected_member().name == "张三"

    def death(dialog):
        qtbot.keyClicks(dialog.date, "20261101")
        qtbot.keyClick(dialog.date, Qt.Key.Key_Return)

    script = DialogScript(death)
    qtbot.mouseClick(page.death_button, Qt.MouseButton.LeftButton)
    script.done()
    rows = {m.name: m for m in page.member_model.rows()}
    assert rows["张三"].residence_status == "deceased"
    assert rows["李梅"].marital_status == "widowed"
    assert not page.edit_member_button.isEnabled()  # the deceased can no longer be edited
    assert page.household_model.rows()[0].members == 2  # the register counts the living


def test_unsaved_changes_ask_before_closing(qtbot, ctx, small_village, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    asked = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Cancel
    )
    form = MemberForm(ctx, small_village["h2"])
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.phone, "139")
    qtbot.keyClick(form.phone, Qt.Key.Key_Escape)
    assert asked and form.isVisible()  # "Cancel" on the question keeps the form open
    assert form.result() != QDialog.DialogCode.Accepted


def test_future_birth_date_is_explained(qtbot, ctx, small_village):
    form = MemberForm(ctx, small_village["h2"])
    qtbot.addWidget(form)
    form.show()
    ime_type(form.name, "新人")
    form.sex.setCurrentIndex(form.sex.findData("F"))
    qtbot.keyClicks(form.birth_date, TODAY.replace(year=TODAY.year + 1).strftime("%Y%m%d"))
    form.save()
    assert "晚于今天" in form.errors.message_of("birth_date")


def test_death_leaves_the_women_page(qtbot, main_window, ctx, small_village):
    women = main_window.women
    assert "李梅" in [w.name for w in women.model.rows()]
    page = main_window.households
    page.show_household(small_village["h1"])
    page.member_view.select_row(page.member_model.find_row(lambda r: r.name == "李梅"))

    def death(dialog):
        qtbot.keyClicks(dialog.date, "2026-11-20")
        qtbot.keyClick(dialog.date, Qt.Key.Key_Return)

    script = DialogScript(death)
    qtbot.mouseClick(page.death_button, Qt.MouseButton.LeftButton)
    script.done()
    assert "李梅" not in [w.name for w in women.model.rows()]


def test_care_record_opens_from_the_selected_member(qtbot, main_window, ctx, small_village, monkeypatch):
    opened = []
    monkeypatch.setattr(main_window, "open_care", lambda person_id: opened.append(person_id))
    page = main_window.households
    page.careRequested.disconnect()
    page.careRequested.connect(main_window.open_care)
    page.show_household(small_village["h1"])
    assert not page.care_button.isEnabled() or page.selected_member() is not None
    page.member_view.select_row(page.member_model.find_row(lambda r: r.name == "李梅"))
    assert page.care_button.isEnabled()
    qtbot.mouseClick(page.care_button, Qt.MouseButton.LeftButton)
    assert opened == [page.selected_member().id]
