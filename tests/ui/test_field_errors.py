"""A field's error goes away when the officer corrects the field (issue 12, item 13): the form's machinery does
it for every field of every form, not each form by hand."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.i18n import tr
from app.services import households as hh
from app.services import supplies
from app.ui.dialogs.member_form import MemberForm
from app.ui.dialogs.pregnancy_form import OutcomeDialog
from app.ui.dialogs.supply_forms import IssueForm
from tests.conftest import TODAY
from tests.ui.helpers import ime_type


def error_shown(form, field: str) -> str:
    return form.errors.message_of(field)


def shown(qtbot, form):
    form.confirm_discard = False  # closing at the end of a test asks nothing
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    return form


def test_the_required_name_error_goes_when_a_name_is_typed(qtbot, ctx, small_village):
    form = shown(qtbot, MemberForm(ctx, small_village["h2"]))
    qtbot.keyClick(form.name, Qt.Key.Key_Return)  # Enter saves: nothing typed yet
    assert error_shown(form, "name") == tr("field.required")
    ime_type(form.name, "曾丽")
    assert error_shown(form, "name") == ""
    assert form.findChild(type(form.general_error), "error_name").isHidden()


def test_only_the_corrected_fields_error_goes(qtbot, ctx, small_village):
    form = shown(qtbot, MemberForm(ctx, small_village["h2"]))
    ime_type(form.name, "曾丽")
    form.sex.setCurrentIndex(form.sex.findData("F"))
    qtbot.keyClicks(form.birth_date, "2030-01-01")  # in the future
    form.save()
    message = error_shown(form, "birth_date")
    assert message, [form.errors.message_of(f) for f in form.errors.labels]
    qtbot.keyClicks(form.phone, "139")  # another field: the birth date is still wrong
    assert error_shown(form, "birth_date") == message
    form.birth_date.clear()
    qtbot.keyClicks(form.birth_date, "1990-01-01")
    assert error_shown(form, "birth_date") == ""


def test_a_quantity_error_goes_when_the_quantity_is_fixed(qtbot, ctx, small_village):
    supplies.ensure_catalogue(ctx.db, ctx.actor)
    pill = next(i for i in supplies.items(ctx.db, TODAY) if i.code == "C02")
    supplies.receive(
        ctx.db,
        ctx.actor,
        supplies.ReceiptInput(pill.id, "L2026A", TODAY.replace(year=2028), 100, TODAY, "XF-1"),
        TODAY,
    )
    person = next(m for m in hh.household_members(ctx.db, small_village["h1"]) if m.name == "李梅")
    form = shown(qtbot, IssueForm(ctx, person, item_id=pill.id, fixed_person=True))
    qtbot.keyClicks(form.quantity, "500")
    qtbot.keyClick(form.quantity, Qt.Key.Key_Return)
    assert form.isVisible() and "100" in error_shown(form, "quantity")
    qtbot.keyClick(form.quantity, Qt.Key.Key_Backspace)
    qtbot.keyClick(form.quantity, Qt.Key.Key_Backspace)  # 5
    assert error_shown(form, "quantity") == ""
    qtbot.keyClick(form.quantity, Qt.Key.Key_Return)
    assert form.result() == QDialog.DialogCode.Accepted


def test_a_newborns_error_goes_when_the_baby_row_is_filled(qtbot, ctx, small_village):
    from app.services import pregnancies as pg

    woman = next(m for m in hh.household_members(ctx.db, small_village["h1"]) if m.name == "李梅")
    pg.register_pregnancy(
        ctx.db,
        ctx.actor,
        woman.id,
        pg.PregnancyInput(lmp=TODAY.replace(month=2, day=1), registration_date=TODAY.replace(month=4)),
        TODAY,
    )
    row = pg.open_pregnancies(ctx.db)[0]
    dialog = shown(qtbot, OutcomeDialog(ctx, row))
    qtbot.keyClicks(dialog.date, TODAY.isoformat())
    dialog.save()  # the baby's sex is missing
    assert dialog.errors.message_of("newborns")
    dialog.baby_sexes[0].setCurrentIndex(1)
    assert dialog.errors.message_of("newborns") == ""
