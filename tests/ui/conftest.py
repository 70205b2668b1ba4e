"""UI fixtures: a real main window over a small village, with settings kept in the test's folder."""

from __future__ import annotations

import pytest

from app.services import auth
from app.services import households as hh
from app.ui.application import settings_for
from app.ui.context import AppContext
from tests.conftest import TODAY


@pytest.fixture
def small_village(db, officer):
    """Two households: 张三's (with his wife 李梅 and their daughter) and 曾国强's."""
    h1 = hh.create_household(db, officer, hh.HouseholdInput("0101", 1, "红星村一组 1 号", "13900001111"))
    hh.add_person(
        db,
        officer,
        h1,
        hh.PersonInput(
            name="张三", id_number="110101199003071233", relation="head", marital_status="first_marriage"
        ),
        TODAY,
    )
    hh.add_person(
        db,
        officer,
        h1,
        hh.PersonInput(
            name="李梅", id_number="110105199208150029", relation="spouse", marital_status="first_marriage"
        ),
        TODAY,
    )
    hh.add_person(
        db,
        officer,
        h1,
        hh.PersonInput(name="张小花", sex="F", birth_date=TODAY.replace(year=2019), relation="daughter"),
        TODAY,
    )
    h2 = hh.create_household(db, officer, hh.HouseholdInput("0201", 2, "红星村二组 7 号"))
    hh.add_person(
        db,
        officer,
        h2,
        hh.PersonInput(name="曾国强", sex="M", birth_date=TODAY.replace(year=1970), relation="head"),
        TODAY,
    )
    return {"h1": h1, "h2": h2}


@pytest.fixture
def ctx(db, tmp_path):
    user = auth.list_users(db)[0]
    return AppContext(
        db=db, user=user, data_dir=tmp_path, settings=settings_for(tmp_path), today=lambda: TODAY
    )


@pytest.fixture
def main_window(qtbot, ctx, small_village):
    from app.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window
