import datetime as dt

from app.services import households as hh
from app.services.search import search


def test_household_and_member_round_trip(db, officer, today):
    hid = hh.create_household(db, officer, hh.HouseholdInput("0101", 1, "红星村一组 3 号", "13900001111"))
    pid = hh.add_person(
        db, officer, hid, hh.PersonInput(name="张三", id_number="110101199003071233", relation="head"), today
    )
    person = hh.get_person(db, pid)
    assert person.birth_date == dt.date(1990, 3, 7) and person.sex == "M"
    assert [h.head_name for h in hh.list_households(db, "zs")] == ["张三"]
    assert [hit.title for hit in search(db, "zhangsan")] == ["张三"]
