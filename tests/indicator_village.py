"""A small village built through the services whose October 2026 report was counted by hand.

Four households, twelve people present on 2026-10-31 (eleven residents and 郑云, who moved in on 10-20):

- 0101 张伟 (head) and 刘芳: 刘芳 registered early (LMP 01-05, registered 03-01, 55 days), five antenatal
  checks done, delivered 张小宝 (boy, child order 1) in hospital on 10-08, discharged 10-10, home visit 10-15
  (within 7 days). 张老汉 died 10-03.
- 0102 陈强 (head) and 王丽: 王丽 registered late (LMP 01-10, registered 05-20, 130 days), parity 1, twin girls
  陈大妹 and 陈二妹 born at home on 10-20 (child orders 2 and 3), home visit 10-29 (9 days: too late).
  陈刚 moved away for good on 10-15.
- 0201 赵敏 (head, no ID number): registered early in October (LMP 08-01, registered 10-10, 70 days); a
  folic-acid course from 10-02, followed up 10-28: "stopped". 周娟 (married, no marriage date): registered
  04-01, a stillbirth in hospital on 10-25, no home visit yet. Issued one bottle of folic acid on 10-05,
  reversed on 10-06 (a mistake), so not supplied.
- 0202 孙丽 (head; nobody in 0202 has a phone): registered late in October (LMP 06-01, registered 10-12, 133 days); one bottle of
  folic acid 10-02. 吴静: folic course from 09-01 (one bottle 09-02), followed up 10-03 "sometimes" and
  10-30 "daily" (her latest answer counts). 郑云 (moved in 10-20 from 四川省成都市): folic course from 10-21,
  followed up 10-30 "sometimes". A boy 孙小虎 born 11-02 (not in October).

Folic acid 0.4 mg (F01): 5 bottles received 09-01, 1 to 吴静 09-02, so October opens with 4; received 10 on
10-01; issued to persons 2 (孙丽 10-02, 赵敏 10-08, 周娟 10-05 reversed 10-06); 1 damaged 10-20; closing 11.
Condoms (C01): 20 received 10-01 in a lot expiring 2026-12-15 (within 90 days of 10-31).
"""

from __future__ import annotations

import datetime as dt

from app.db import Database
from app.services import care, followups, identity, pregnancies, supplies
from app.services import households as hh
from app.services.followups import VisitInput
from app.services.pregnancies import NewbornInput, OutcomeInput, PregnancyInput
from app.vocab import Sex

D = dt.date
TODAY = D(2026, 11, 24)
AREA = "620422"

# Hand counts for October 2026 (and a few for the year to date).
OCTOBER = {
    "births": {("M", "1"): ["张小宝"], ("F", "2"): ["陈大妹"], ("F", "3plus"): ["陈二妹"]},
    "sex_ratio": 50.0,  # 1 boy per 2 girls
    "events": {"birth": 3, "death": 1, "marriage": 0, "divorce": 0, "move_in": 1, "move_out": 1},
    "population": {"resident": 11, "out_migrant": 0, "in_migrant": 1},
    "women_15_49": {"刘芳", "王丽", "赵敏", "周娟", "孙丽", "吴静", "郑云"},
    "registered": ({"赵敏"}, {"赵敏", "孙丽"}),  # (early, registered)
    "deliveries": {"刘芳", "王丽", "周娟"},
    "facility": {"刘芳", "周娟"},
    "antenatal_5": {"刘芳"},
    "postpartum": {"刘芳"},
    "folic_supplied": {"赵敏", "孙丽", "郑云"},
    "folic_followed": {"吴静", "赵敏", "郑云"},
    "folic_taking": {"吴静", "郑云"},
    "folic_daily": {"吴静"},
    "quality_failing": {
        "quality.rule.id_missing": {"赵敏", "张小宝", "陈大妹", "陈二妹"},
        # 0202 has no phone and none of its three members present on 10-31 has one
        "quality.rule.household_unreachable": {"孙丽", "吴静", "郑云"},
        "quality.rule.marriage_date_missing": {"周娟"},
    },
    "postpartum_visits": {"done": {"刘芳", "王丽"}, "missed": set(), "open": {"周娟"}},
}
FOLIC_OCTOBER = {
    "opening": 4,  # 5 received 09-01, 1 issued to 吴静 09-02
    "received": 10,
    "issued_person": 2,  # 孙丽 1, 赵敏 1; 周娟 1 and its reversal −1 in the same month
    "losses": 1,
    "closing": 11,
}


def _visit(db: Database, officer: str, person_id: str, kind: str, done: dt.date, answers: dict) -> None:
    row = next(
        f
        for f in followups.person_followups(db, person_id)
        if f.followup_type == kind and f.status != "done" and f.status != "cancelled"
    )
    # recorded on the day of the visit, as the officer would
    followups.record_visit(db, officer, row.id, VisitInput(done, answers), done)


ANTENATAL = {"checked_at_facility": "yes", "danger_signs": "no", "referred": "no"}
POSTPARTUM = {
    "mother_well": "yes",
    "baby_well": "yes",
    "feeding": "breast",
    "danger_signs": "no",
    "referred": "no",
}


def build_village(db: Database, officer: str) -> dict[str, str]:
    """Returns the ids: names -> person id, household numbers -> household id."""
    ids: dict[str, str] = {}
    seq = iter(range(1, 400))

    def household(number: str, group: int, phone: str | None) -> str:
        ids[number] = hh.create_household(
            db, officer, hh.HouseholdInput(number, group, f"红星村{number}号", phone)
        )
        return ids[number]

    def person(
        hid: str, name: str, sex: str, birth: dt.date, relation: str, with_id: bool = True, **extra
    ) -> str:
        number = identity.make(AREA, birth, next(seq), Sex(sex)) if with_id else None
        data = hh.PersonInput(
            name=name, sex=sex, birth_date=birth, relation=relation, id_number=number, **extra
        )
        ids[name] = hh.add_person(db, officer, hid, data, TODAY)
        return ids[name]

    married = {"marital_status": "first_marriage", "marriage_date": D(2015, 5, 1)}
    h1 = household("0101", 1, "13900001111")
    person(h1, "张伟", "M", D(1990, 3, 7), "head", phone="13900001111", **married)
    person(h1, "刘芳", "F", D(1993, 5, 10), "spouse", **married)
    person(h1, "张老汉", "M", D(1940, 1, 1), "father", marital_status="widowed")
    h2 = household("0102", 1, None)
    person(h2, "陈强", "M", D(1991, 2, 2), "head", phone="13800002222", **married)
    person(h2, "王丽", "F", D(1994, 4, 4), "spouse", **married)
    person(h2, "陈刚", "M", D(1996, 6, 6), "sibling")
    h3 = household("0201", 2, "13700003333")
    person(h3, "赵敏", "F", D(1996, 7, 7), "head", with_id=False, phone="13700003333", **married)
    person(h3, "周娟", "F", D(1990, 9, 9), "other", marital_status="first_marriage")
    h4 = household("0202", 2, None)
    person(h4, "孙丽", "F", D(1985, 12, 12), "head", marital_status="divorced")
    person(h4, "吴静", "F", D(1998, 1, 20), "daughter", **married)
    ids["郑云"] = hh.add_person(
        db,
        officer,
        h4,
        hh.PersonInput(
            name="郑云",
            sex="F",
            birth_date=D(2000, 3, 3),
            relation="other",
            id_number=identity.make("510104", D(2000, 3, 3), 7, Sex.FEMALE),
            residence_status="in_migrant",
            residence_place="四川省成都市",
        ),
        TODAY,
        arrival=hh.VitalEventType.MOVE_IN,
        event_date=D(2026, 10, 20),
    )

    # Vital events in October.
    hh.record_death(db, officer, ids["张老汉"], D(2026, 10, 3), TODAY)
    hh.record_move_away(db, officer, ids["陈刚"], D(2026, 10, 15), "广东省深圳市", TODAY, permanent=True)

    # Pregnancies.
    def pregnancy(name: str, lmp: dt.date, registered: dt.date, **extra) -> str:
        data = PregnancyInput(lmp=lmp, registration_date=registered, **extra)
        ids[f"pregnancy:{name}"] = pregnancies.register_pregnancy(db, officer, ids[name], data, TODAY)
        return ids[f"pregnancy:{name}"]

    p1 = pregnancy("刘芳", D(2026, 1, 5), D(2026, 3, 1), child_order=1)
    for kind, done in (
        ("anc1", D(2026, 3, 1)),
        ("anc2", D(2026, 5, 1)),
        ("anc3", D(2026, 6, 10)),
        ("anc4", D(2026, 8, 1)),
        ("anc5", D(2026, 10, 1)),
    ):
        _visit(db, officer, ids["刘芳"], kind, done, ANTENATAL)
    born = pregnancies.record_outcome(
        db,
        officer,
        p1,
        OutcomeInput(
            "live_birth",
            D(2026, 10, 8),
            "hospital",
            "县医院",
            D(2026, 10, 10),
            (NewbornInput("张小宝", "M"),),
        ),
        TODAY,
    )
    ids["张小宝"] = born[0]
    _visit(db, officer, ids["刘芳"], "postpartum_visit", D(2026, 10, 15), POSTPARTUM)

    p2 = pregnancy("王丽", D(2026, 1, 10), D(2026, 5, 20), gravidity=2, parity=1)
    twins = pregnancies.record_outcome(
        db,
        officer,
        p2,
        OutcomeInput(
            "live_birth",
            D(2026, 10, 20),
            "home",
            "",
            None,
            (NewbornInput("陈大妹", "F"), NewbornInput("陈二妹", "F")),
        ),
        TODAY,
    )
    ids["陈大妹"], ids["陈二妹"] = twins
    _visit(db, officer, ids["王丽"], "postpartum_visit", D(2026, 10, 29), POSTPARTUM)

    p5 = pregnancy("周娟", D(2026, 2, 1), D(2026, 4, 1))
    pregnancies.record_outcome(
        db,
        officer,
        p5,
        OutcomeInput("stillbirth", D(2026, 10, 25), "hospital", "县医院", D(2026, 10, 26)),
        TODAY,
    )
    pregnancy("赵敏", D(2026, 8, 1), D(2026, 10, 10))
    pregnancy("孙丽", D(2026, 6, 1), D(2026, 10, 12))

    # A birth in November: not in October's figures.
    ids["孙小虎"] = hh.add_person(
        db,
        officer,
        h4,
        hh.PersonInput(name="孙小虎", sex="M", birth_date=D(2026, 11, 2), relation="grandson"),
        TODAY,
        arrival=hh.VitalEventType.BIRTH,
    )

    # Folic acid: courses, adherence answers, the ledger.
    for name, start in (("吴静", D(2026, 9, 1)), ("赵敏", D(2026, 10, 2)), ("郑云", D(2026, 10, 21))):
        # typed in on the day it started: its monthly follow-ups are planned from then
        care.start_folic_course(db, officer, ids[name], care.FolicCourseInput(start_date=start), start)
    _visit(db, officer, ids["吴静"], "folic_adherence", D(2026, 10, 3), {"taking": "sometimes"})
    _visit(db, officer, ids["吴静"], "folic_adherence", D(2026, 10, 30), {"taking": "daily"})
    _visit(db, officer, ids["赵敏"], "folic_adherence", D(2026, 10, 28), {"taking": "stopped"})
    _visit(db, officer, ids["郑云"], "folic_adherence", D(2026, 10, 30), {"taking": "sometimes"})

    item = {i.code: i.id for i in supplies.items(db, TODAY)}
    folic, condom = item["F01"], item["C01"]

    def receive(item_id: str, lot: str, expiry: dt.date, qty: int, on: dt.date) -> None:
        supplies.receive(db, officer, supplies.ReceiptInput(item_id, lot, expiry, qty, on), TODAY)

    def issue(person: str, qty: int, on: dt.date) -> str:
        data = supplies.IssueInput(folic, None, qty, on, person_id=ids[person])
        return supplies.issue_to_person(db, officer, data, on)

    receive(folic, "F2609", D(2027, 9, 30), 5, D(2026, 9, 1))
    issue("吴静", 1, D(2026, 9, 2))
    receive(folic, "F2610", D(2027, 10, 31), 10, D(2026, 10, 1))
    issue("孙丽", 1, D(2026, 10, 2))
    mistake = issue("周娟", 1, D(2026, 10, 5))
    supplies.reverse(db, officer, mistake, "发错了人", D(2026, 10, 6))
    issue("赵敏", 1, D(2026, 10, 8))
    supplies.record_loss(db, officer, folic, "F2609", 1, "damaged", "", D(2026, 10, 20), TODAY)
    receive(condom, "C2612", D(2026, 12, 15), 20, D(2026, 10, 1))
    return ids
