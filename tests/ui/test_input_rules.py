"""Bad input in the forms, as an officer meets it: an ID number from no province or born after today is
refused at the ID number as it is typed (no birth date is filled in from it), hidden characters pasted from
elsewhere are refused at their field, a marriage below the legal age is saved with a warning under its date."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services import households as hh
from app.services import identity
from app.ui.dialogs.household_form import HouseholdForm
from app.ui.dialogs.member_form import MemberForm
from tests.conftest import TODAY
from tests.ui.helpers import ime_type


def with_check(first17: str) -> str:
    return first17 + identity.check_character(first17)


def member_form(qtbot, ctx, household_id) -> MemberForm:
    form = MemberForm(ctx, household_id)
    form.confirm_discard = False  # a failing test closes it without a question that would wait forever
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    return form


def paste(qtbot, widget, text: str) -> None:
    """What Ctrl+V does with text copied from a web page or a chat app."""
    QApplication.clipboard().setText(text)
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def names_in(ctx, household_id) -> list[str]:
    return [m.name for m in hh.household_members(ctx.db, household_id)]


def test_an_id_from_no_province_is_refused_as_it_is_typed(qtbot, ctx, small_village):
    form = member_form(qtbot, ctx, small_village["h2"])
    ime_type(form.name, "曾丽")
    qtbot.keyClicks(form.id_number, with_check("99010519900307122"))  # check character right, province none
    message = form.errors.message_of("id_number")
    assert "前两位" in message and "99" in message
    assert form.birth_date.text() == "" and form.sex.currentData() == ""  # nothing taken from it
    form.save()
    assert form.isVisible() and "前两位" in form.errors.message_of("id_number")
    assert names_in(ctx, small_village["h2"]) == ["曾国强"]


def test_an_unknown_county_of_a_real_province_still_fills_birth_date_and_sex(qtbot, ctx, small_village):
    form = member_form(qtbot, ctx, small_village["h2"])
    qtbot.keyClicks(form.id_number, with_check("62999919900307122"))
    assert form.errors.message_of("id_number") == ""
    assert form.birth_date.text() == "1990-03-07" and form.sex.currentData() == "F"


def test_an_id_born_after_today_is_refused_at_the_id_number(qtbot, ctx, small_village):
    form = member_form(qtbot, ctx, small_village["h2"])
    ime_type(form.name, "曾丽")
    tomorrow = TODAY + dt.timedelta(days=1)
    qtbot.keyClicks(form.id_number, with_check(f"620422{tomorrow:%Y%m%d}002"))
    message = form.errors.message_of("id_number")
    assert "身份证号码" in message and "晚于今天" in message and tomorrow.isoformat() in message
    assert form.birth_date.text() == ""  # the date is not filled in to be refused later
    form.save()
    assert form.isVisible()
    assert "晚于今天" in form.errors.message_of("id_number")
    assert form.errors.message_of("birth_date") == ""
    assert names_in(ctx, small_village["h2"]) == ["曾国强"]


def test_hidden_characters_pasted_into_a_name_are_refused_at_the_name(qtbot, ctx, small_village):
    form = member_form(qtbot, ctx, small_village["h2"])
    paste(qtbot, form.name, "曾\u200b丽")  # a zero-width space from a chat app
    assert form.name.text() == "曾\u200b丽"
    form.sex.setCurrentIndex(form.sex.findData("F"))
    qtbot.keyClicks(form.birth_date, "19900307")
    form.save()
    assert form.isVisible()
    assert "看不见" in form.errors.message_of("name")
    assert names_in(ctx, small_village["h2"]) == ["曾国强"]
    # retyped without it, the member is saved
    form.name.clear()
    ime_type(form.name, "曾丽")
    form.save()
    assert not form.isVisible()
    assert names_in(ctx, small_village["h2"]) == ["曾国强", "曾丽"]


def test_a_household_number_with_a_control_character_is_refused(qtbot, ctx, small_village):
    form = HouseholdForm(ctx)
    form.confirm_discard = False
    qtbot.addWidget(form)
    form.show()
    paste(qtbot, form.number, "03\x1b07")
    form.group.setCurrentIndex(form.group.findData("3"))
    form.save()
    assert form.isVisible() and "控制字符" in form.errors.message_of("household_no")
    assert [h.household_no for h in hh.list_households(ctx.db)] == ["0101", "0201"]


def test_a_10000_character_paste_is_not_shown_back(qtbot, ctx, small_village):
    form = member_form(qtbot, ctx, small_village["h2"])
    paste(qtbot, form.name, "曾" * 10_000)
    form.save()
    message = form.errors.message_of("name")
    assert "40" in message and len(message) < 60
    form.name.clear()
    ime_type(form.name, "曾丽")
    form.sex.setCurrentIndex(form.sex.findData("F"))
    qtbot.keyClicks(form.birth_date, "19900307")
    paste(qtbot, form.phone, "1" * 10_000)
    form.save()
    message = form.errors.message_of("phone")
    assert "11 位" in message and len(message) < 120  # names the rule, repeats at most a few digits
    assert form.height() < 1000  # the form did not grow to hold it


def fill_married_woman(qtbot, form, name: str, birth: str, married: str) -> None:
    ime_type(form.name, name)
    form.sex.setCurrentIndex(form.sex.findData("F"))
    qtbot.keyClicks(form.birth_date, birth)
    form.relation.setCurrentIndex(form.relation.findData("spouse"))
    form.marital.setCurrentIndex(form.marital.findData("first_marriage"))
    qtbot.keyClicks(form.marriage_date, married)


def test_a_marriage_below_the_legal_age_is_saved_with_a_warning(qtbot, ctx, small_village):
    form = member_form(qtbot, ctx, small_village["h2"])
    fill_married_woman(qtbot, form, "刘芳", "20060301", "20250501")  # 19 at marriage
    warning = form.findChild(type(form.errors.labels["name"]), "warning_marriage_date")
    assert warning.isVisible() and "法定婚龄" in warning.text()
    # corrected to her 20th birthday the warning goes; back to 19 it returns
    form.marriage_date.clear()
    qtbot.keyClicks(form.marriage_date, "20260301")
    assert not warning.isVisible()
    form.marriage_date.clear()
    qtbot.keyClicks(form.marriage_date, "20250501")
    assert warning.isVisible()
    form.save()
    assert not form.isVisible()
    saved = [m for m in hh.household_members(ctx.db, small_village["h2"]) if m.name == "刘芳"]
    assert saved and saved[0].marriage_date == dt.date(2025, 5, 1)


def test_a_marriage_before_15_is_refused_at_the_marriage_date(qtbot, ctx, small_village):
    form = member_form(qtbot, ctx, small_village["h2"])
    fill_married_woman(qtbot, form, "刘芳", "20100301", "20240501")  # 14 at marriage
    form.save()
    assert form.isVisible()
    message = form.errors.message_of("marriage_date")
    assert "14" in message and "15" in message
    assert names_in(ctx, small_village["h2"]) == ["曾国强"]
