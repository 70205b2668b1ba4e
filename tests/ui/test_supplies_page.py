"""The supplies page, its forms, the person's "药具" tab and the dashboard's supply cards, driven through their
real widgets on the small village (张三's household and 曾国强's) with the catalogue loaded."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QPushButton

from app.services import care, supplies
from app.services import households as hh
from app.ui.dialogs.person_care import PersonCareDialog
from app.ui.pages.dashboard import DashboardPage
from app.ui.pages.supplies import EXPIRING_COLOUR, LOW_COLOUR, SuppliesPage
from tests.conftest import TODAY
from tests.ui.helpers import DialogScript, ime_type

LEFT = Qt.MouseButton.LeftButton
EXPIRY = dt.date(2028, 6, 30)
SOON = TODAY + dt.timedelta(days=60)  # within 90 days: amber


@pytest.fixture
def catalogue(ctx, small_village):
    supplies.ensure_catalogue(ctx.db, ctx.actor)
    return supplies.items(ctx.db, TODAY)


@pytest.fixture
def pill(catalogue):
    """The pill (C02): a pack lasts 28 days, so its users get resupply reminders."""
    return next(i for i in catalogue if i.code == "C02")


@pytest.fixture
def page(qtbot, ctx, catalogue):
    page = SuppliesPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 640)
    page.show()
    qtbot.waitExposed(page)
    return page


def person(ctx, village, name):
    return next(m for m in hh.household_members(ctx.db, village["h1"]) if m.name == name)


def receive(ctx, item, lot="L2026A", quantity=100, expiry=EXPIRY, day=TODAY - dt.timedelta(days=5)):
    supplies.receive(
        ctx.db, ctx.actor, supplies.ReceiptInput(item.id, lot, expiry, quantity, day, "XF-1"), TODAY
    )


def item_row(page, item):
    return page.item_model.rows()[page.item_model.find_row(lambda r: r.id == item.id)]


def choose_item(page, item):
    page.item_view.select_row(page.item_model.find_row(lambda r: r.id == item.id))


def cell(model, row, column_title_id):
    column = next(i for i, c in enumerate(model.columns) if c.title_id == column_title_id)
    return model.data(model.index(row, column))


def test_receive_a_lot_by_typing_and_see_stock_on_hand(qtbot, page, ctx, pill):
    assert item_row(page, pill).on_hand == 0
    assert item_row(page, pill).below_reorder == (pill.reorder_level > 0)

    def receive_form(form):
        form.item.setCurrentIndex(form.item.findData(pill.id))
        qtbot.keyClicks(form.lot_edit, "L2026A")
        qtbot.keyClicks(form.expiry, "2028.6.30")
        qtbot.keyClicks(form.quantity, "100")
        qtbot.keyClicks(form.document, "XF-2026-118")
        qtbot.keyClick(form.quantity, Qt.Key.Key_Return)

    script = DialogScript(receive_form)
    qtbot.mouseClick(page.receive_button, LEFT)
    script.done()

    row = page.item_model.find_row(lambda r: r.id == pill.id)
    assert cell(page.item_model, row, "supplies_ui.col.on_hand") == "100"
    assert page.item_model.data(page.item_model.index(row, 4), Qt.ItemDataRole.TextAlignmentRole) & int(
        Qt.AlignmentFlag.AlignRight
    )
    choose_item(page, pill)
    assert [(r.lot, r.expiry_date, r.on_hand) for r in page.lot_model.rows()] == [("L2026A", EXPIRY, 100)]
    receipt = page.ledger_model.rows()
    assert [(r.movement_type, r.quantity, r.document_no) for r in receipt] == [
        ("receipt", 100, "XF-2026-118")
    ]
    assert cell(page.ledger_model, 0, "supplies_ui.col.quantity") == "+100"
    assert cell(page.ledger_model, 0, "supplies_ui.col.type") == "入库"


def test_a_lot_expiring_soon_is_amber_and_an_item_below_reorder_is_highlighted(qtbot, page, ctx, pill):
    receive(ctx, pill, "L2025Z", 1, expiry=SOON)
    page.refresh()
    choose_item(page, pill)
    assert [r.lot for r in page.lot_model.rows()] == ["L2025Z"]
    assert page.lot_model.data(page.lot_model.index(0, 0), Qt.ItemDataRole.BackgroundRole) == EXPIRING_COLOUR
    row = page.item_model.find_row(lambda r: r.id == pill.id)
    if pill.reorder_level > 1:
        assert (
            page.item_model.data(page.item_model.index(row, 0), Qt.ItemDataRole.BackgroundRole) == LOW_COLOUR
        )


def test_issue_to_a_person_found_by_initials(qtbot, page, ctx, small_village, pill):
    receive(ctx, pill, "L2026A", 100)
    receive(ctx, pill, "L2025Z", 2, expiry=SOON)  # expires first: proposed while it has enough
    page.refresh()
    choose_item(page, pill)
    seen = {}

    def pick(picker):
        qtbot.keyClicks(picker.find_edit, "zs")
        seen["first"] = picker.list.item(0).text()
        qtbot.keyClick(picker.find_edit, Qt.Key.Key_Return)

    def issue(form):
        seen["person"] = form.person_line.text()
        seen["item"] = form.item.currentData()
        qtbot.keyClicks(form.quantity, "1")
        seen["for_one"] = form.lot.currentData()
        qtbot.keyClicks(form.quantity, "0")  # 10: more than L2025Z has, so the next lot is proposed
        seen["for_ten"] = form.lot.currentData()
        seen["note"] = form.lot_note.text()
        qtbot.keyClick(form.quantity, Qt.Key.Key_Return)

    script = DialogScript(pick, issue)
    qtbot.mouseClick(page.issue_button, LEFT)
    script.done()

    assert seen["first"].startswith("张三")
    assert seen["person"].startswith("张三")
    assert seen["item"] == pill.id  # the item chosen on the page
    assert (seen["for_one"], seen["for_ten"]) == ("L2025Z", "L2026A")
    assert "L2026A" in seen["note"] and "100" in seen["note"]
    assert item_row(page, pill).on_hand == 92
    assert {r.lot: r.on_hand for r in page.lot_model.rows()} == {"L2026A": 90, "L2025Z": 2}
    issued = next(r for r in page.ledger_model.rows() if r.movement_type == "issue_person")
    assert (issued.person_name, issued.quantity, issued.lot) == ("张三", 10, "L2026A")

    zhang = person(ctx, small_village, "张三")
    care_dialog = PersonCareDialog(ctx, zhang.id)
    qtbot.addWidget(care_dialog)
    tab = care_dialog.tabs.indexOf(care_dialog.supplies_tab)
    assert care_dialog.tabs.tabText(tab) == "药具"
    rows = care_dialog.supplies_tab.model.rows()
    assert [(r.name, r.quantity, r.movement_date) for r in rows] == [(pill.name, 10, TODAY)]
    assert cell(care_dialog.supplies_tab.model, 0, "care.col.supply_quantity") == "10"
    assert cell(care_dialog.supplies_tab.model, 0, "supplies_ui.col.unit") == pill.unit


def test_give_supplies_from_the_care_record_with_the_person_fixed(qtbot, ctx, small_village, catalogue, pill):
    receive(ctx, pill)
    li_mei = person(ctx, small_village, "李梅")
    care.choose_method(ctx.db, ctx.actor, li_mei.id, care.MethodInput("pill", TODAY, TODAY, ""), TODAY)
    dialog = PersonCareDialog(ctx, li_mei.id)
    qtbot.addWidget(dialog)
    seen = {}

    def issue(form):
        seen["choose_visible"] = form.choose_button.isVisible()
        form.item.setCurrentIndex(form.item.findData(pill.id))
        seen["link"] = (form.link.isVisible(), form.link.isChecked())
        qtbot.keyClicks(form.quantity, "3")
        qtbot.keyClick(form.quantity, Qt.Key.Key_Return)

    script = DialogScript(issue)
    qtbot.mouseClick(dialog.findChild(QPushButton, "giveSupplies"), LEFT)
    script.done()
    assert seen == {"choose_visible": False, "link": (True, True)}
    assert [(r.person_name, r.quantity) for r in dialog.supplies_tab.model.rows()] == [("李梅", 3)]
    assert dialog.changed


def test_over_issue_is_refused_at_the_quantity_field_and_nothing_is_saved(
    qtbot, page, ctx, small_village, pill
):
    receive(ctx, pill, "L2026A", 100)
    page.refresh()
    choose_item(page, pill)
    before = supplies.ledger(ctx.db, TODAY.year, TODAY.month)
    seen = {}

    def pick(picker):
        ime_type(picker.find_edit, "曾国强")
        qtbot.keyClick(picker.find_edit, Qt.Key.Key_Return)

    def issue(form):
        qtbot.keyClicks(form.quantity, "500")
        seen["note"] = form.lot_note.text()
        qtbot.keyClick(form.quantity, Qt.Key.Key_Return)
        seen["visible"] = form.isVisible()
        seen["message"] = form.errors.message_of("quantity")
        seen["focus"] = form.focusWidget() is form.quantity
        form.done(QDialog.DialogCode.Rejected)

    script = DialogScript(pick, issue)
    qtbot.mouseClick(page.issue_button, LEFT)
    script.done()
    assert seen["visible"] and seen["focus"]
    assert "L2026A" in seen["message"] and "100" in seen["message"], seen["message"]
    assert "100" in seen["note"]  # the form already said the lot has too little
    assert supplies.ledger(ctx.db, TODAY.year, TODAY.month) == before
    assert item_row(page, pill).on_hand == 100


def test_self_service_issue(qtbot, page, ctx, pill):
    receive(ctx, pill, "L2026A", 100)
    page.refresh()
    choose_item(page, pill)

    def issue(form):
        qtbot.keyClicks(form.quantity, "4")
        qtbot.keyClick(form.quantity, Qt.Key.Key_Return)

    script = DialogScript(issue)
    qtbot.mouseClick(page.self_service_button, LEFT)
    script.done()
    assert item_row(page, pill).on_hand == 96
    row = page.ledger_model.find_row(lambda r: r.movement_type == "issue_self_service")
    assert cell(page.ledger_model, row, "supplies_ui.col.quantity") == "-4"
    assert cell(page.ledger_model, row, "supplies_ui.col.person") == "自助发放点"


def test_count_shows_the_difference_before_saving(qtbot, page, ctx, pill):
    receive(ctx, pill, "L2026A", 100)
    page.refresh()
    choose_item(page, pill)
    page.lot_view.select_row(0)
    seen = {}

    def count(form):
        seen["lot"] = form.lot.currentData()
        qtbot.keyClicks(form.counted, "97")
        seen["short"] = form.difference.text()
        form.counted.clear()
        qtbot.keyClicks(form.counted, "100")
        seen["agrees"] = form.difference.text()
        form.counted.clear()
        qtbot.keyClicks(form.counted, "97")
        qtbot.keyClick(form.counted, Qt.Key.Key_Return)

    script = DialogScript(count)
    qtbot.mouseClick(page.count_button, LEFT)
    script.done()
    assert seen["lot"] == "L2026A"
    assert "100" in seen["short"] and "3" in seen["short"] and "盘亏" in seen["short"]
    assert "相符" in seen["agrees"]
    assert item_row(page, pill).on_hand == 97
    adjustment = next(r for r in page.ledger_model.rows() if r.movement_type == "adjustment")
    assert adjustment.direction * adjustment.quantity == -3


def test_loss_and_return_and_reverse(qtbot, page, ctx, pill):
    receive(ctx, pill, "L2026A", 100)
    page.refresh()
    choose_item(page, pill)

    def loss(form):
        form.kind.setCurrentIndex(form.kind.findData("damaged"))
        qtbot.keyClicks(form.quantity, "5")
        ime_type(form.reason, "受潮")
        qtbot.keyClick(form.quantity, Qt.Key.Key_Return)

    def give_back(form):
        qtbot.keyClicks(form.quantity, "10")
        qtbot.keyClicks(form.document, "TH-7")
        qtbot.keyClick(form.quantity, Qt.Key.Key_Return)

    script = DialogScript(loss)
    qtbot.mouseClick(page.loss_button, LEFT)
    script.done()
    script = DialogScript(give_back)
    qtbot.mouseClick(page.return_button, LEFT)
    script.done()
    assert item_row(page, pill).on_hand == 85

    row = page.ledger_model.find_row(lambda r: r.movement_type == "loss")
    page.ledger_view.select_row(row)
    assert page.reverse_button.isEnabled()
    seen = {}

    def reverse(form):
        seen["what"] = form.findChild(QLabel, "reverseWhat").text()
        qtbot.keyClick(form.reason, Qt.Key.Key_Return)  # a reason is required
        seen["empty"] = form.errors.message_of("reason")
        ime_type(form.reason, "录错了")
        qtbot.keyClick(form.reason, Qt.Key.Key_Return)

    script = DialogScript(reverse)
    qtbot.mouseClick(page.reverse_button, LEFT)
    script.done()
    assert "-5" in seen["what"] and seen["empty"]
    assert item_row(page, pill).on_hand == 90
    types = [cell(page.ledger_model, i, "supplies_ui.col.type") for i in range(page.ledger_model.rowCount())]
    assert "报损（已冲正）" in types and "冲正：报损" in types
    reversed_row = page.ledger_model.find_row(lambda r: r.reversed)
    page.ledger_view.select_row(reversed_row)
    assert not page.reverse_button.isEnabled()  # a movement is reversed once


def test_the_monthly_report_tab(qtbot, page, ctx, pill):
    receive(ctx, pill, "L2026A", 100)
    page.refresh()
    page.tabs.setCurrentIndex(1)
    row = page.report_model.find_row(lambda r: r.item_id == pill.id)
    assert cell(page.report_model, row, "supplies_ui.report.received") == "100"
    assert cell(page.report_model, row, "supplies_ui.report.closing") == "100"
    page.month_combo.setCurrentIndex(1)  # last month: nothing yet
    row = page.report_model.find_row(lambda r: r.item_id == pill.id)
    assert cell(page.report_model, row, "supplies_ui.report.closing") == "0"
    assert page.ledger_model.rowCount() == 0
    assert page.month_combo.count() == 24


def test_table_models_pass_qtmodeltester(qtmodeltester, page, ctx, small_village, pill):
    receive(ctx, pill, "L2026A", 100)
    receive(ctx, pill, "L2025Z", 5, expiry=SOON)
    zhang = person(ctx, small_village, "张三")
    supplies.issue_to_person(
        ctx.db, ctx.actor, supplies.IssueInput(pill.id, None, 2, TODAY, person_id=zhang.id), TODAY
    )
    page.refresh()
    choose_item(page, pill)
    for model in (page.item_model, page.lot_model, page.ledger_model, page.report_model):
        assert model.rowCount() > 0
        qtmodeltester.check(model, force_py=True)


def test_dashboard_resupply_and_stock_cards(qtbot, ctx, small_village, pill):
    li_mei = person(ctx, small_village, "李梅")
    care.choose_method(
        ctx.db,
        ctx.actor,
        li_mei.id,
        care.MethodInput("pill", TODAY - dt.timedelta(days=60), TODAY - dt.timedelta(days=60), ""),
        TODAY,
    )
    receive(ctx, pill, "L2026A", 100, day=TODAY - dt.timedelta(days=60))
    last = TODAY - dt.timedelta(days=pill.days_per_unit - 3)  # one unit, running out in 3 days
    supplies.issue_to_person(
        ctx.db, ctx.actor, supplies.IssueInput(pill.id, None, 1, last, person_id=li_mei.id), TODAY
    )
    reminders = supplies.resupply_reminders(ctx.db, TODAY)
    assert [r.name for r in reminders] == ["李梅"]

    dashboard = DashboardPage(ctx)
    qtbot.addWidget(dashboard)
    dashboard.resize(1200, 640)
    dashboard.show()
    assert dashboard.resupply_card.number.text() == str(len(reminders))
    low = sum(1 for i in supplies.items(ctx.db, TODAY) if i.below_reorder)
    expiring = sum(1 for lot in supplies.lots(ctx.db, TODAY) if lot.expires_within_90 or lot.expired)
    assert dashboard.stock_card.number.text() == str(low + expiring)

    seen = {}

    def listing(dialog):
        seen["rows"] = [(r.name, r.runs_out_on) for r in dialog.model.rows()]
        dialog.view.select_row(0)
        with qtbot.waitSignal(dialog.careRequested) as signal:
            dialog.view.doubleClicked.emit(dialog.model.index(0, 0))
        seen["person"] = signal.args[0]
        dialog.reject()

    script = DialogScript(listing)
    qtbot.mouseClick(dashboard.resupply_card.number, LEFT)
    script.done()
    assert seen["rows"] == [("李梅", reminders[0].runs_out_on)]
    assert seen["person"] == li_mei.id
    with qtbot.waitSignal(dashboard.openSupplies):
        qtbot.mouseClick(dashboard.stock_card.number, LEFT)


def test_main_window_has_the_supplies_page_and_the_member_menu_gives_supplies(
    qtbot, main_window, ctx, small_village
):
    supplies.ensure_catalogue(ctx.db, ctx.actor)
    pill = next(i for i in supplies.items(ctx.db, TODAY) if i.code == "C02")
    receive(ctx, pill)
    main_window.dashboard.openSupplies.emit()
    assert main_window.stack.currentWidget() is main_window.supplies
    households = main_window.households
    zhang = person(ctx, small_village, "张三")
    households.show_household(small_village["h1"], zhang.id)

    def issue(form):
        form.item.setCurrentIndex(form.item.findData(pill.id))
        qtbot.keyClicks(form.quantity, "2")
        qtbot.keyClick(form.quantity, Qt.Key.Key_Return)

    script = DialogScript(issue)
    households.give_supplies()
    script.done()
    assert item_row(main_window.supplies, pill).on_hand == 98  # re-read through dataChanged
