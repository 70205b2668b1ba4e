"""The demo's households and their members: couples, children, three generations, ID numbers, numbering."""

from __future__ import annotations

import datetime as dt

from app.services import identity
from app.services.demo.builder import Builder, Home, Member
from app.services.demo.dates import add_years, days
from app.services.demo.names import draw_given_name, draw_phone, draw_surname
from app.services.demo.places import DESTINATIONS, ORIGINS
from app.services.names import name_keys
from app.services.validation import full_years
from app.vocab import MaritalStatus, Relation, ResidenceStatus, ResidenceType, Sex


def birth_for_age(b: Builder, age: int) -> dt.date:
    """A birth date making the person `age` full years old today."""
    return add_years(b.today, -age) - days(b.rng.randrange(1, 365))


def _id_number(b: Builder, area: str, birth: dt.date, sex: str) -> str:
    while True:
        number = identity.make(area, birth, b.rng.randrange(500), Sex(sex))
        if number not in b.id_numbers:
            b.id_numbers.add(number)
            return number


def _name_keys(b: Builder, name: str) -> tuple[str, str]:
    found = b.pinyin_cache.get(name)
    if found is None:
        k = name_keys(name)
        found = b.pinyin_cache[name] = (k.pinyin, k.initials)
    return found


def new_person(
    b: Builder,
    home: Home,
    surname: str,
    sex: str,
    birth: dt.date,
    relation: str,
    *,
    on: dt.date,
    marital: str = MaritalStatus.UNMARRIED,
    marriage: dt.date | None = None,
    residence: str = ResidenceStatus.RESIDENT,
    place: str | None = None,
    area: str | None = None,
    with_id: bool = True,
    phone: str | None = None,
) -> Member:
    """A new member of `home`, with a given name in fashion when they were born and an ID number (身份证号)
    issued in `area` (the village's county unless said)."""
    name = surname + draw_given_name(b.rng, sex, birth)
    pinyin, initials = _name_keys(b, name)
    row = b.add(
        "person",
        on,
        household_id=home.row["id"],
        name=name,
        name_pinyin=pinyin,
        name_initials=initials,
        sex=sex,
        birth_date=birth,
        id_number=_id_number(b, area or b.area, birth, sex) if with_id else None,
        relation=relation,
        marital_status=marital,
        marriage_date=marriage,
        phone=phone,
        residence_status=residence,
        residence_place=place,
    )
    member = Member(row, home, surname)
    home.members.append(member)
    b.members.append(member)
    b.people_by_id[row["id"]] = member
    return member


def new_home(b: Builder, on: dt.date, residence_type: str) -> Home:
    """A new household in the villager group with the fewest so far (a little randomness breaks the ties)."""
    group_no, group_name = min(b.groups, key=lambda g: (b.group_counts[g[0]], b.rng.random()))
    b.group_counts[group_no] += 1
    number = b.group_counts[group_no]
    row = b.add(
        "household",
        on,
        household_no="",
        group_id=b.group_ids[group_no],
        address=f"{b.village_name}{group_name} {number} 号",
        residence_type=residence_type,
    )
    home = Home(row, number, group_no)
    b.homes.append(home)
    return home


def set_head(home: Home, head: Member) -> None:
    home.row["head_person_id"] = head.row["id"]
    home.row["phone"] = head.row["phone"]


def migrant_status(b: Builder, age: int, sex: str) -> tuple[str, str | None]:
    """Young adults often work in the cities (外出流动); middle-aged men sometimes do too."""
    if age < 16:
        p = 0.0
    elif age < 18:
        p = 0.1
    elif age <= 30:
        p = 0.55
    elif age <= 45:
        p = 0.35 if sex == Sex.MALE else 0.18
    elif age <= 55:
        p = 0.12 if sex == Sex.MALE else 0.04
    else:
        p = 0.0
    if b.rng.random() < p:
        return ResidenceStatus.OUT_MIGRANT, b.rng.choice(DESTINATIONS)
    return ResidenceStatus.RESIDENT, None


def marriage_date(b: Builder, husband_birth: dt.date, wife_birth: dt.date, upper: dt.date) -> dt.date | None:
    """A wedding after both reached the legal age (22 and 20), usually soon after, before `upper`."""
    lower = max(add_years(husband_birth, 22), add_years(wife_birth, 20))
    if lower > upper:
        return None
    span = min((upper - lower).days, 6 * 365)
    return lower + days(int(span * b.rng.random() ** 1.8))


def _child_births(b: Builder, mother_birth: dt.date, marriage: dt.date, latest: dt.date) -> list[dt.date]:
    year = mother_birth.year
    choices = (2, 3, 3, 4, 4, 5) if year < 1965 else (1, 2, 2, 2, 3, 3) if year < 1980 else (1, 1, 2, 2, 2, 3)
    wanted = b.rng.choice(choices if year < 1995 else (1, 1, 2, 2))
    births: list[dt.date] = []
    t = marriage + days(b.rng.randint(300, 900))
    while len(births) < wanted and t <= latest and full_years(mother_birth, t) <= 40:
        births.append(t)
        t += days(b.rng.randint(700, 2200))
    return births


def _couple(
    b: Builder,
    home: Home,
    head_age: int,
    *,
    on: dt.date,
    residence_type: str,
    origin: tuple[str, str],
    spouse_alive: bool = True,
) -> tuple[Member, Member | None, dt.date | None]:
    """The head (a man) and, usually, his wife; returns (head, wife, marriage date)."""
    surname = draw_surname(b.rng)
    head_birth = birth_for_age(b, head_age)
    wife_age = max(22, head_age - max(0, round(b.rng.gauss(2, 2.5))))
    wife_birth = birth_for_age(b, wife_age)
    marriage = marriage_date(b, head_birth, wife_birth, b.start - days(30))
    in_migrant = residence_type == ResidenceType.IN_MIGRANT
    h_res: str
    h_place: str | None
    w_res: str
    w_place: str | None
    if in_migrant:
        h_res, h_place = ResidenceStatus.IN_MIGRANT, origin[1]
        w_res, w_place = h_res, h_place
    else:
        h_res, h_place = migrant_status(b, head_age, Sex.MALE)
        w_res, w_place = migrant_status(b, wife_age, Sex.FEMALE)
        if h_res == ResidenceStatus.OUT_MIGRANT and w_res == ResidenceStatus.OUT_MIGRANT:
            w_place = h_place
    status = MaritalStatus.UNMARRIED
    if marriage is not None:
        status = MaritalStatus.REMARRIED if b.rng.random() < 0.04 else MaritalStatus.FIRST_MARRIAGE
        if not spouse_alive:
            status = MaritalStatus.WIDOWED
    head = new_person(
        b,
        home,
        surname,
        Sex.MALE,
        head_birth,
        Relation.HEAD,
        on=on,
        marital=status,
        marriage=marriage,
        residence=h_res,
        place=h_place,
        area=origin[0] if in_migrant else None,
        phone=draw_phone(b.rng),
    )
    set_head(home, head)
    if marriage is None or not spouse_alive:
        return head, None, marriage
    wife_area = origin[0] if in_migrant or b.rng.random() < 0.4 else b.area
    if not in_migrant and wife_area == b.area and b.rng.random() < 0.5:
        wife_area = b.rng.choice(ORIGINS)[0]
    wife = new_person(
        b,
        home,
        draw_surname(b.rng),
        Sex.FEMALE,
        wife_birth,
        Relation.SPOUSE,
        on=on,
        marital=status,
        marriage=marriage,
        residence=w_res,
        place=w_place,
        area=wife_area,
        phone=draw_phone(b.rng) if b.rng.random() < 0.75 else None,
    )
    wife.husband = head
    return head, wife, marriage


def _children(
    b: Builder,
    home: Home,
    father: Member,
    mother: Member,
    marriage: dt.date,
    *,
    on: dt.date,
    residence_type: str,
    grandchildren: bool = False,
    keep_married_son: bool = False,
) -> Member | None:
    """The couple's children living in the household; returns a married son who stays (three generations)."""
    in_migrant = residence_type == ResidenceType.IN_MIGRANT
    births = _child_births(b, mother.birth, marriage, b.start - days(1))
    mother.children = len(births)
    mother.last_birth = births[-1] if births else None
    stayed: Member | None = None
    for birth in births:
        sex = Sex.MALE if b.rng.random() < 0.53 else Sex.FEMALE
        age = full_years(birth, b.today)
        if sex == Sex.MALE:
            relation = Relation.GRANDSON if grandchildren else Relation.SON
        else:
            relation = Relation.GRANDDAUGHTER if grandchildren else Relation.DAUGHTER
        married_p = min(
            0.95, max(0.0, (age - (20 if sex == Sex.FEMALE else 23)) / (6 if sex == Sex.FEMALE else 8))
        )
        if age >= 18 and b.rng.random() < 0.12:
            continue  # went to college or settled in a city long ago: no longer on the register
        if age >= 20 and b.rng.random() < married_p:
            if sex == Sex.MALE and keep_married_son and stayed is None and age >= 24:
                stayed = new_person(b, home, father.surname, sex, birth, relation, on=on)
                continue
            continue  # married out, or set up a household of their own elsewhere in the village
        residence, place = (
            (ResidenceStatus.IN_MIGRANT, mother.row["residence_place"])
            if in_migrant
            else (migrant_status(b, age, sex))
        )
        with_id = age >= 5 or b.rng.random() < 0.85
        phone = draw_phone(b.rng) if age >= 18 and b.rng.random() < 0.6 else None
        new_person(
            b,
            home,
            father.surname,
            sex,
            birth,
            relation,
            on=on,
            residence=residence,
            place=place,
            with_id=with_id,
            phone=phone,
            area=mother.row["id_number"][:6] if in_migrant else None,
        )
    return stayed


def household(b: Builder) -> None:
    """One household of the register, of a kind drawn by how common it is in a village of the north-west."""
    rng = b.rng
    on = b.start - days(rng.randint(60, 200))  # the paper register was typed in before the window
    r = rng.random()
    in_migrant = r > 0.97
    residence_type = ResidenceType.IN_MIGRANT if in_migrant else ResidenceType.LOCAL
    origin = rng.choice(ORIGINS)
    home = new_home(b, on, residence_type)
    if in_migrant:
        head, wife, marriage = _couple(
            b, home, rng.randint(26, 45), on=on, residence_type=residence_type, origin=origin
        )
        if wife is not None and marriage is not None:
            _children(b, home, head, wife, marriage, on=on, residence_type=residence_type)
    elif r < 0.05:  # an old widow or widower on their own
        age = min(97, 66 + int(rng.expovariate(1 / 10)))
        sex = Sex.FEMALE if rng.random() < 0.7 else Sex.MALE
        birth = birth_for_age(b, age)
        marriage = add_years(birth, rng.randint(20, 24)) + days(rng.randrange(300))
        head = new_person(
            b,
            home,
            draw_surname(b.rng),
            sex,
            birth,
            Relation.HEAD,
            on=on,
            marital=MaritalStatus.WIDOWED,
            marriage=marriage,
            phone=draw_phone(b.rng) if rng.random() < 0.8 else None,
        )
        set_head(home, head)
    elif r < 0.07:  # an unmarried man (光棍), not rare in poor villages
        age = rng.randint(30, 62)
        residence, place = migrant_status(b, age, Sex.MALE)
        head = new_person(
            b,
            home,
            draw_surname(b.rng),
            Sex.MALE,
            birth_for_age(b, age),
            Relation.HEAD,
            on=on,
            residence=residence,
            place=place,
            phone=draw_phone(b.rng),
        )
        set_head(home, head)
    elif r < 0.22:  # an old couple whose children have all left
        head, wife, marriage = _couple(
            b, home, rng.randint(60, 86), on=on, residence_type=residence_type, origin=origin
        )
        if wife is not None:
            wife.children = rng.choice((1, 2, 2, 3, 3, 4))
    elif r < 0.55:  # three generations: the old couple, a married son, his wife and their children
        head, wife, marriage = _couple(
            b,
            home,
            rng.randint(52, 78),
            on=on,
            residence_type=residence_type,
            origin=origin,
            spouse_alive=rng.random() < 0.88,
        )
        if marriage is not None:
            mother = wife or head  # a widower's children are still his
            son = _children(
                b, home, head, mother, marriage, on=on, residence_type=residence_type, keep_married_son=True
            )
            if son is not None:
                _son_family(b, home, son, on)
    else:  # a couple with their children, sometimes with a widowed parent
        head, wife, marriage = _couple(
            b, home, round(rng.triangular(25, 62, 51)), on=on, residence_type=residence_type, origin=origin
        )
        if wife is not None and marriage is not None:
            _children(b, home, head, wife, marriage, on=on, residence_type=residence_type)
        if full_years(head.birth, b.today) < 55 and rng.random() < 0.22:
            age = min(93, full_years(head.birth, b.today) + rng.randint(24, 32))
            sex = Sex.FEMALE if rng.random() < 0.7 else Sex.MALE
            birth = birth_for_age(b, age)
            new_person(
                b,
                home,
                head.surname if sex == Sex.MALE else draw_surname(b.rng),
                sex,
                birth,
                Relation.MOTHER if sex == Sex.FEMALE else Relation.FATHER,
                on=on,
                marital=MaritalStatus.WIDOWED,
                marriage=add_years(birth, rng.randint(20, 24)) + days(rng.randrange(300)),
            )


def _son_family(b: Builder, home: Home, son: Member, on: dt.date) -> None:
    """The married son who stayed, his wife (daughter-in-law) and their children."""
    son_age = full_years(son.birth, b.today)
    wife_age = max(22, son_age - b.rng.randint(0, 4))
    wife_birth = birth_for_age(b, wife_age)
    marriage = marriage_date(b, son.birth, wife_birth, b.start - days(30))
    if marriage is None:
        return
    son.row.update(
        marital_status=MaritalStatus.FIRST_MARRIAGE, marriage_date=marriage, phone=draw_phone(b.rng)
    )
    residence, place = migrant_status(b, son_age, Sex.MALE)
    son.row.update(residence_status=residence, residence_place=place)
    if residence == ResidenceStatus.OUT_MIGRANT and b.rng.random() < 0.5:
        w_res, w_place = residence, place  # both work away; the grandparents raise the children
    else:
        w_res, w_place = ResidenceStatus.RESIDENT, None
    area = b.area if b.rng.random() < 0.5 else b.rng.choice(ORIGINS)[0]
    wife = new_person(
        b,
        home,
        draw_surname(b.rng),
        Sex.FEMALE,
        wife_birth,
        Relation.DAUGHTER_IN_LAW,
        on=on,
        marital=MaritalStatus.FIRST_MARRIAGE,
        marriage=marriage,
        residence=w_res,
        place=w_place,
        area=area,
        phone=draw_phone(b.rng) if b.rng.random() < 0.8 else None,
    )
    wife.husband = son
    _children(b, home, son, wife, marriage, on=on, grandchildren=True, residence_type=ResidenceType.LOCAL)


def number_households(b: Builder) -> None:
    width = max(2, len(str(max(b.group_counts.values(), default=1))))
    for home in b.homes:
        home.row["household_no"] = f"{home.group_no:02d}{home.number:0{width}d}"
