"""What an import would do, row by row: add, update (field by field), leave as it is, or refuse with the Excel
row number and the reason — checked by the rules of the forms (households.check_person / check_household, the
ID number rules of app.services.identity, the method rules of app.services.care) against the file itself and
against the database.

A plan is made twice: for the preview (in a read session) and again inside the import's own transaction, so
what is written always follows what the database holds at that moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.actor import Actor
from app.errors import DomainError
from app.i18n import tr
from app.models import ContraceptiveEpisode, Household, Person, VillagerGroup
from app.models.base import new_id
from app.progress import ProgressFn, report
from app.services import care, identity
from app.services.households import HouseholdInput, PersonInput, check_household, check_person
from app.services.names import name_keys
from app.services.registers_import import normalise as norm
from app.services.registers_import.headers import Layout
from app.services.registers_import.reader import Cell, Sheet
from app.services.validation import full_years, not_in_future
from app.vocab import (
    MARRIED,
    PRESENT,
    ContraceptiveMethod,
    MaritalStatus,
    Relation,
    ResidenceStatus,
    ResidenceType,
    Sex,
    VitalEventType,
)

ADD, UPDATE, SAME, REFUSED = "add", "update", "same", "refused"
TOTAL_WORDS = ("合计", "总计", "小计", "共计", "总数", "总人数")
# What a person's row may change on a record already in the database (the ID number, birth date and sex
# are the record's identity: a row that disagrees with them is refused, not applied).
UPDATABLE = (
    "name",
    "relation",
    "marital_status",
    "marriage_date",
    "phone",
    "residence_status",
    "residence_place",
    "notes",
)
# A PersonInput field (named by check_person's errors) -> the register's field of the same cell
INPUT_TO_FIELD = {"group_no": "group"}


@dataclass(frozen=True)
class Change:
    field: str  # a register field (headers.FIELDS) or "household" / "method" / "spouse"
    old: str
    new: str


@dataclass(frozen=True)
class PlannedRow:
    sheet: str
    excel_row: int  # as Excel numbers it: the sheet's first row is 1
    cells: tuple[str, ...]  # the row's cells as shown in the file, for the file of refused rows
    status: str  # ADD / UPDATE / SAME / REFUSED
    reason: str = ""  # why it was refused, in the person's language, naming the column
    name: str = ""
    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SheetPlan:
    layout: Layout
    rows: tuple[PlannedRow, ...]
    skipped: int  # blank rows, totals rows and repeated headers


@dataclass
class Writes:
    """The rows an import writes, ready for the tracking API's bulk statements."""

    households: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    person_updates: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    heads: list[tuple[str, str]] = field(default_factory=list)  # existing household id -> new head's id
    methods: list[dict[str, Any]] = field(default_factory=list)
    methods_closed: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    replan: set[str] = field(default_factory=set)  # people whose follow-ups may change

    def __len__(self) -> int:
        return (
            len(self.households)
            + len(self.people)
            + len(self.person_updates)
            + len(self.heads)
            + len(self.methods)
            + len(self.methods_closed)
            + len(self.events)
        )


@dataclass(frozen=True)
class ImportPlan:
    source: str  # the file's name (not its folder)
    sheets: tuple[SheetPlan, ...]
    writes: Writes
    today: dt.date

    def rows(self) -> Iterator[PlannedRow]:
        for sheet in self.sheets:
            yield from sheet.rows

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows() if r.status == status)

    @property
    def added(self) -> int:
        return self.count(ADD)

    @property
    def updated(self) -> int:
        return self.count(UPDATE)

    @property
    def refused(self) -> int:
        return self.count(REFUSED)

    @property
    def unchanged(self) -> int:
        return self.count(SAME)


class RowRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------- the database as the import sees it


@dataclass
class _Known:
    id: str
    household_id: str
    name: str
    sex: str
    birth_date: dt.date
    id_number: str | None
    relation: str
    marital_status: str
    marriage_date: dt.date | None
    phone: str | None
    residence_status: str
    residence_place: str | None
    notes: str


@dataclass
class _Home:
    id: str
    number: str
    group_no: int
    head_id: str | None
    new: bool = False
    first_row: int = 0
    head_row: int = 0
    head_name: str = ""


class _Village:
    """One read of what the import is checked against: groups, households, people and current methods."""

    def __init__(self, s: Session, actor: Actor) -> None:
        node = actor.node
        self.groups = {
            number: gid
            for number, gid in s.execute(
                sa.select(VillagerGroup.number, VillagerGroup.id).where(
                    VillagerGroup.owner == node, VillagerGroup.live()
                )
            )
        }
        self.group_names = {
            name: number
            for number, name in s.execute(
                sa.select(VillagerGroup.number, VillagerGroup.name).where(
                    VillagerGroup.owner == node, VillagerGroup.live()
                )
            )
        }
        self.homes: dict[str, _Home] = {}
        self.homes_by_id: dict[str, _Home] = {}
        group_of = {gid: number for number, gid in self.groups.items()}
        for hid, number, gid, head in s.execute(
            sa.select(
                Household.id, Household.household_no, Household.group_id, Household.head_person_id
            ).where(Household.owner == node, Household.live())
        ):
            home = _Home(hid, number, group_of.get(gid, 0), head)
            self.homes[number] = home
            self.homes_by_id[hid] = home
        self.people: dict[str, _Known] = {}
        self.by_id_number: dict[str, _Known] = {}
        self.by_name: dict[tuple[str, str], list[_Known]] = {}
        cols = [getattr(Person, c) for c in _Known.__dataclass_fields__]
        for row in s.execute(sa.select(*cols).where(Person.owner == node, Person.live())):
            p = _Known(*row)
            self.people[p.id] = p
            if p.id_number:
                known = self.by_id_number.get(p.id_number)
                if known is None or known.residence_status == ResidenceStatus.DECEASED:
                    self.by_id_number[p.id_number] = p
            self.by_name.setdefault((p.household_id, p.name), []).append(p)
        self.methods: dict[str, tuple[str, str, dt.date]] = {
            pid: (eid, method, start)
            for eid, pid, method, start in s.execute(
                sa.select(
                    ContraceptiveEpisode.id,
                    ContraceptiveEpisode.person_id,
                    ContraceptiveEpisode.method,
                    ContraceptiveEpisode.start_date,
                ).where(ContraceptiveEpisode.current(), ContraceptiveEpisode.owner == node)
            )
        }
        self.latest_method_day: dict[str, dt.date] = {}
        for pid, start, stop in s.execute(
            sa.select(
                ContraceptiveEpisode.person_id,
                ContraceptiveEpisode.start_date,
                ContraceptiveEpisode.stop_date,
            ).where(ContraceptiveEpisode.live(), ContraceptiveEpisode.owner == node)
        ):
            bound = max(start, stop) if stop is not None else start
            if bound > self.latest_method_day.get(pid, dt.date.min):
                self.latest_method_day[pid] = bound

    def head_present(self, home: _Home) -> _Known | None:
        head = self.people.get(home.head_id or "")
        return head if head is not None and head.residence_status in PRESENT else None


# ---------------------------------------------------------------- planning


def make_plan(
    s: Session,
    actor: Actor,
    source: str,
    sheets: Sequence[tuple[Sheet, Layout]],
    today: dt.date,
    progress: ProgressFn | None = None,
) -> ImportPlan:
    """Check every row of the chosen sheets and say what importing them would do."""
    village = _Village(s, actor)
    planner = _Planner(village, today)
    total = sum(max(len(sheet.rows) - layout.data_start, 0) for sheet, layout in sheets) or 1
    done = 0
    plans = []
    for sheet, layout in sheets:
        rows: list[PlannedRow] = []
        skipped = 0
        for index in range(layout.data_start, len(sheet.rows)):
            cells = sheet.rows[index]
            if _skippable(cells, layout):
                skipped += 1
            else:
                rows.append(planner.row(layout, index + 1, cells))
            done += 1
            if done % 2000 == 0:
                report(progress, done / total, tr("import.progress.checking", done=done, total=total))
        plans.append(SheetPlan(layout, tuple(rows), skipped))
    planner.finish_spouses()
    rows_by_key = {(r.sheet, r.excel_row): r for plan in plans for r in plan.rows}
    for key, (status, change) in planner.spouse_outcomes.items():
        row = rows_by_key[key]
        if status == SAME:  # nothing added: a word for the preview
            rows_by_key[key] = replace(row, warnings=(*row.warnings, change.new))
        else:
            new_status = UPDATE if row.status == SAME else row.status
            rows_by_key[key] = replace(row, status=new_status, changes=(*row.changes, change))
    final = tuple(
        SheetPlan(p.layout, tuple(rows_by_key[(r.sheet, r.excel_row)] for r in p.rows), p.skipped)
        for p in plans
    )
    report(progress, 1.0, tr("import.progress.checked"))
    return ImportPlan(source, final, planner.writes, today)


def _skippable(cells: list[Cell], layout: Layout) -> bool:
    """A blank separator row, a totals row (合计 …) or the header repeated (a printed register's pages)."""
    texts = [norm.text(c) for c in cells]
    filled = [t for t in texts if t]
    if not filled:
        return True
    if any(any(word in t for word in TOTAL_WORDS) for t in filled[:3]):
        id_col = layout.column_of("id_number")
        if id_col is None or id_col >= len(texts) or not texts[id_col]:
            return True
    titled = [(t, title) for t, title in zip(texts, layout.titles, strict=False) if title]
    return bool(titled) and all(t == title.split("/")[-1] for t, title in titled)


def _label(layout: Layout, name: str) -> str:
    col = layout.column_of(name)
    if col is not None and layout.titles[col]:
        return layout.titles[col]
    return tr(f"import.field.{name}")


class _Planner:
    def __init__(self, village: _Village, today: dt.date) -> None:
        self.v = village
        self.today = today
        self.writes = Writes()
        self.seen_ids: dict[str, tuple[str, int]] = {}  # ID number -> (sheet, row) that brought it
        self.seen_keys: dict[tuple[str, str, dt.date | None], int] = {}
        self.touched: set[str] = set()  # people already given a row of this file
        self.spouses: list[tuple[tuple[str, int], _Home, str, str, str, str]] = []
        self.spouse_outcomes: dict[tuple[str, int], tuple[str, Change]] = {}
        self.pinyin: dict[str, tuple[str, str]] = {}
        self.pending: tuple[_Home, dict[str, Any]] | None = None

    # -- one row

    def row(self, layout: Layout, excel_row: int, cells: list[Cell]) -> PlannedRow:
        shown = tuple(norm.shown(c) for c in cells)
        name_col = layout.column_of("name")
        name = norm.name(cells[name_col]) if name_col is not None else ""
        try:
            status, changes, warnings = self._plan(layout, excel_row, cells)
        except RowRefused as e:
            return PlannedRow(layout.sheet, excel_row, shown, REFUSED, e.reason, name)
        except DomainError as e:
            field_name = INPUT_TO_FIELD.get(e.field or "", e.field or "")
            where = _label(layout, field_name) if field_name else ""
            reason = f"{where}：{e.message()}" if where else e.message()
            return PlannedRow(layout.sheet, excel_row, shown, REFUSED, reason, name)
        return PlannedRow(layout.sheet, excel_row, shown, status, "", name, changes, warnings)

    def _plan(
        self, layout: Layout, excel_row: int, cells: list[Cell]
    ) -> tuple[str, tuple[Change, ...], tuple[str, ...]]:
        def cell(name: str) -> Cell:
            col = layout.column_of(name)
            return cells[col] if col is not None and col < len(cells) else ""

        def given(name: str) -> bool:
            return bool(norm.text(cell(name)))

        warnings: list[str] = []
        name = norm.name(cell("name"))
        raw_id = norm.id_number(cell("id_number"), "id_number")
        rid = identity.parse(raw_id, "id_number", today=self.today) if raw_id else None
        sex = norm.code("sex", cell("sex"), "sex")
        birth_read = norm.date(cell("birth_date"), "birth_date")
        birth: dt.date | None = None
        if birth_read is not None:
            if birth_read.month_only:
                if rid is not None:
                    if (rid.birth_date.year, rid.birth_date.month) != (
                        birth_read.value.year,
                        birth_read.value.month,
                    ):
                        raise DomainError(
                            "person.birth_mismatch_id", "birth_date", id_birth=rid.birth_date.isoformat()
                        )
                else:
                    birth = birth_read.value
                    warnings.append(tr("import.warn.birth_day_unknown"))
            else:
                birth = birth_read.value
        if layout.women_register:
            if sex is None and rid is None:
                sex = Sex.FEMALE
            if (rid.sex if rid is not None else sex) == Sex.MALE:
                raise RowRefused(tr("import.man_in_women_register"))
        relation = norm.code("relation", cell("relation"), "relation")
        marital = norm.code("marital_status", cell("marital_status"), "marital_status")
        marriage = norm.date(cell("marriage_date"), "marriage_date")
        residence = norm.code("residence_status", cell("residence_status"), "residence_status")
        place = norm.text(cell("residence_place"))
        phone = norm.phone(cell("phone"))
        notes = norm.text(cell("notes"))
        number = norm.text(cell("household_no"))
        group = norm.group(cell("group"), self.v.group_names, "group_no")
        method = norm.code("method", cell("method"), "method")
        method_start = norm.date(cell("method_start"), "method_start")

        # duplicates within the file
        number_key = rid.number if rid is not None else None
        if number_key is not None:
            first = self.seen_ids.get(number_key)
            if first is not None:
                raise RowRefused(tr("import.duplicate_in_file", sheet=first[0], row=first[1]))
        else:
            key = (number, name, birth)
            if name and key in self.seen_keys:
                raise RowRefused(tr("import.duplicate_in_file", sheet=layout.sheet, row=self.seen_keys[key]))

        existing = self._match(rid, number, name, birth)
        if existing is not None and existing.residence_status == ResidenceStatus.DECEASED:
            raise DomainError("person.is_deceased", "id_number")
        if existing is not None and existing.id in self.touched:
            raise RowRefused(tr("import.same_person_twice"))

        self.pending = None
        home = self._home(layout, excel_row, number, group, cells, existing)
        if existing is None:
            data = PersonInput(
                name=name,
                sex=sex,
                birth_date=birth,
                id_number=rid.number if rid is not None else None,
                relation=relation or Relation.OTHER,
                marital_status=marital or MaritalStatus.UNMARRIED,
                marriage_date=marriage.value if marriage is not None else None,
                phone=phone or None,
                residence_status=residence or ResidenceStatus.RESIDENT,
                residence_place=place or None,
                notes=notes,
            )
        else:
            data = PersonInput(
                name=name or existing.name,
                sex=sex,
                birth_date=birth,
                id_number=existing.id_number,
                relation=relation or existing.relation,
                marital_status=marital or existing.marital_status,
                marriage_date=marriage.value if marriage is not None else existing.marriage_date,
                phone=phone or existing.phone,
                residence_status=residence or existing.residence_status,
                residence_place=place or existing.residence_place,
                notes=notes or existing.notes,
            )
            if existing.residence_status == ResidenceStatus.DECEASED:
                raise DomainError("person.is_deceased", None)
            if data.birth_date is None:
                data = replace(data, birth_date=existing.birth_date)
            if data.sex is None:
                data = replace(data, sex=existing.sex)
        checked = check_person(data, self.today)
        # a register seldom has marriage dates: that warning on every married row would hide the others
        warnings += [tr(w) for w in checked.warnings if w != "person.marriage_date_missing"]
        d = checked.data
        assert d.birth_date is not None and d.sex is not None
        if home is None:
            raise DomainError("field.required", "household_no")
        if d.relation == Relation.HEAD:
            self._claim_head(home, existing, d.name, excel_row)
        if method is not None:
            self._check_method(existing, d.sex, d.birth_date, method, self._method_start(method_start))

        changes: list[Change] = []
        if existing is None:
            self._keep_home(home)
            person_id = new_id()
            self._add_person(person_id, home, d)
            status = ADD
        else:
            self._check_update(existing, home, d)
            self._keep_home(home)
            person_id = existing.id
            changes = self._update(existing, home, d, layout)
            status = UPDATE if changes else SAME
        self.touched.add(person_id)
        if number_key is not None:
            self.seen_ids[number_key] = (layout.sheet, excel_row)
        else:
            self.seen_keys[(number, name, birth)] = excel_row
        if method is not None:
            change = self._method(person_id, method, self._method_start(method_start))
            if change is not None:
                changes.append(change)
                status = ADD if existing is None else UPDATE
        spouse_name = norm.name(cell("spouse_name"))
        spouse_id = norm.id_number(cell("spouse_id_number"), "spouse_id_number")
        if spouse_name or spouse_id:
            self.spouses.append(
                ((layout.sheet, excel_row), home, d.relation, d.marital_status, spouse_name, spouse_id)
            )
        return status, tuple(changes), tuple(warnings)

    def _match(
        self, rid: identity.ResidentId | None, number: str, name: str, birth: dt.date | None
    ) -> _Known | None:
        """The person already registered that this row describes: by ID number, else by name and birth date
        in the same household."""
        if rid is not None:
            return self.v.by_id_number.get(rid.number)
        home = self.v.homes.get(number)
        if home is None or home.new or not name:
            return None
        candidates = [
            p
            for p in self.v.by_name.get((home.id, name), [])
            if (birth is None or p.birth_date == birth) and not p.id_number
        ]
        return candidates[0] if len(candidates) == 1 else None

    def _home(
        self,
        layout: Layout,
        excel_row: int,
        number: str,
        group: int | None,
        cells: list[Cell],
        existing: _Known | None,
    ) -> _Home | None:
        """The household the row's person belongs in: the one of its household number (made from the number
        the first time it appears), else the one the person is already in."""
        if not number:
            return self.v.homes_by_id.get(existing.household_id) if existing is not None else None
        home = self.v.homes.get(number)
        if home is not None:
            if home.new and group is not None and group != home.group_no:
                raise RowRefused(
                    tr("import.household_other_group", number=number, row=home.first_row, group=home.group_no)
                )
            return home
        if group is None:
            raise DomainError("import.group_needed", "group_no")
        if group not in self.v.groups:
            raise DomainError("household.group_unknown", "group_no", group=group)

        def cell(name: str) -> Cell:
            col = layout.column_of(name)
            return cells[col] if col is not None and col < len(cells) else ""

        data = check_household(
            HouseholdInput(
                household_no=number,
                group_no=group,
                address=norm.text(cell("address")),
                phone=norm.phone(cell("phone")) or None,
            )
        )
        home = _Home(new_id(), data.household_no, group, None, new=True, first_row=excel_row)
        self.pending = (
            home,
            {
                "id": home.id,
                "household_no": data.household_no,
                "group_id": self.v.groups[group],
                "address": data.address,
                "phone": data.phone,
                "residence_type": ResidenceType.LOCAL.value,
                "notes": "",
                "head_person_id": None,
            },
        )
        return home

    def _keep_home(self, home: _Home) -> None:
        """A household made from a row's number is kept once the row itself is accepted."""
        if self.pending is not None and self.pending[0] is home:
            self.v.homes[home.number] = home
            self.v.homes_by_id[home.id] = home
            self.writes.households.append(self.pending[1])
        self.pending = None

    def _claim_head(self, home: _Home, existing: _Known | None, name: str, excel_row: int) -> None:
        """The same rule as the forms: a household has one head while that head is present."""
        if home.new:
            if home.head_id is not None and (existing is None or home.head_id != existing.id):
                raise DomainError("household.has_head", "relation", name=home.head_name)
            return
        current = self.v.head_present(home)
        if current is not None and (existing is None or current.id != existing.id):
            raise DomainError("household.has_head", "relation", name=current.name)
        if home.head_id is not None and home.head_row and (existing is None or home.head_id != existing.id):
            raise DomainError("household.has_head", "relation", name=home.head_name)

    def _keys(self, name: str) -> tuple[str, str]:
        keys = self.pinyin.get(name)
        if keys is None:
            k = name_keys(name)
            keys = self.pinyin[name] = (k.pinyin, k.initials)
        return keys

    def _add_person(self, person_id: str, home: _Home, d: PersonInput) -> None:
        pinyin, initials = self._keys(d.name)
        self.writes.people.append(
            {
                "id": person_id,
                "household_id": home.id,
                "name": d.name,
                "name_pinyin": pinyin,
                "name_initials": initials,
                "sex": d.sex,
                "birth_date": d.birth_date,
                "id_number": d.id_number,
                "relation": d.relation,
                "marital_status": d.marital_status,
                "marriage_date": d.marriage_date,
                "phone": d.phone,
                "residence_status": d.residence_status,
                "residence_place": d.residence_place,
                "notes": d.notes,
            }
        )
        if d.relation == Relation.HEAD:
            self._set_head(home, person_id, d.name)
        if d.id_number:
            self.v.by_id_number[d.id_number] = _Known(
                person_id,
                home.id,
                d.name,
                str(d.sex),
                d.birth_date,  # type: ignore[arg-type]
                d.id_number,
                d.relation,
                d.marital_status,
                d.marriage_date,
                d.phone,
                d.residence_status,
                d.residence_place,
                d.notes,
            )

    def _set_head(self, home: _Home, person_id: str, name: str) -> None:
        home.head_id, home.head_name, home.head_row = person_id, name, 1
        if home.new:
            for row in self.writes.households:
                if row["id"] == home.id:
                    row["head_person_id"] = person_id
                    break
        else:
            self.writes.heads.append((home.id, person_id))

    def _check_update(self, p: _Known, home: _Home, d: PersonInput) -> None:
        """What refuses a row about a person already registered (before anything of the row is planned)."""
        if d.birth_date != p.birth_date or d.sex != p.sex:
            raise DomainError("import.identity_differs", "birth_date")
        if home.id != p.household_id and p.residence_status not in PRESENT:
            raise DomainError("person.not_present", "household_no")

    def _update(self, p: _Known, home: _Home, d: PersonInput, layout: Layout) -> list[Change]:
        new: dict[str, Any] = {}
        changes: list[Change] = []
        for name in UPDATABLE:
            old_value, value = getattr(p, name), getattr(d, name)
            if (old_value or None) != (value or None):
                new[name] = value
                changes.append(Change(name, _shown(name, old_value), _shown(name, value)))
        if "name" in new:
            new["name_pinyin"], new["name_initials"] = self._keys(d.name)
        if home.id != p.household_id:
            old_home = self.v.homes_by_id.get(p.household_id)
            new["household_id"] = home.id
            changes.append(Change("household", old_home.number if old_home else "", home.number))
            if old_home is not None and old_home.head_id == p.id:
                old_home.head_id = None
                if old_home.new:
                    self._set_head_row(old_home, None)
                else:
                    self.writes.heads.append((old_home.id, ""))
        if not new:
            return []
        if d.relation == Relation.HEAD and home.head_id != p.id:
            self._set_head(home, p.id, d.name)
        elif d.relation != Relation.HEAD and home.head_id == p.id and not home.new:
            home.head_id = None
            self.writes.heads.append((home.id, ""))
        was, now = p.marital_status in MARRIED, d.marital_status in MARRIED
        event = None
        if now and not was:
            event = (VitalEventType.MARRIAGE, d.marriage_date or self.today)
        elif was and d.marital_status == MaritalStatus.DIVORCED:
            event = (VitalEventType.DIVORCE, self.today)
        if event is not None:
            self.writes.events.append(
                {
                    "id": new_id(),
                    "person_id": p.id,
                    "household_id": home.id,
                    "event_type": event[0].value,
                    "event_date": event[1],
                    "notes": "",
                }
            )
        self.writes.person_updates.append((p.id, new))
        self.writes.replan.add(p.id)
        return changes

    def _set_head_row(self, home: _Home, person_id: str | None) -> None:
        for row in self.writes.households:
            if row["id"] == home.id:
                row["head_person_id"] = person_id
                break

    def _method_start(self, read: norm.ReadDate | None) -> dt.date:
        """The day a method on a row started: its column, else the day of the import (the day it is known
        to be in use)."""
        return read.value if read is not None else self.today

    def _check_method(
        self, existing: _Known | None, sex: str, birth: dt.date, method: str, start: dt.date
    ) -> None:
        """The care form's rules for a method (app.services.care): not for the other sex, not under 15, not
        starting before the person's previous method (unless it is the current one already)."""
        current = self.v.methods.get(existing.id) if existing is not None else None
        if current is not None and current[1] == method:
            return
        not_in_future(start, self.today, "method_start")
        bound = self.v.latest_method_day.get(existing.id) if existing is not None else None
        if bound is not None and start < bound:
            raise DomainError("care.start_before_previous", "method_start", date=bound.isoformat())
        if (sex == Sex.MALE and method in care.FEMALE_ONLY) or (
            sex == Sex.FEMALE and method in care.MALE_ONLY
        ):
            raise DomainError("import.method_not_for_sex", "method")
        age = full_years(birth, start)
        if age < care.MIN_METHOD_AGE:
            raise DomainError("care.too_young_for_method", "method_start", age=age, min=care.MIN_METHOD_AGE)

    def _method(self, person_id: str, method: str, start: dt.date) -> Change | None:
        """A method on the row: a new episode (counselling date unknown, marked as imported) unless it is the
        person's current method already; the current one, if another, ends where the new one starts."""
        current = self.v.methods.get(person_id)
        if current is not None and current[1] == method:
            return None
        if current is not None:
            self.writes.methods_closed.append(
                (current[0], {"stop_date": start, "stop_reason": care.CHANGED_METHOD})
            )
        episode = new_id()
        self.writes.methods.append(
            {
                "id": episode,
                "person_id": person_id,
                "method": ContraceptiveMethod(method).value,
                "start_date": start,
                "stop_date": None,
                "stop_reason": "",
                "counselled_on": None,
                "counselling_notes": tr("import.method_note"),
            }
        )
        self.v.methods[person_id] = (episode, method, start)
        self.v.latest_method_day[person_id] = start
        self.writes.replan.add(person_id)
        return Change(
            "method",
            tr(f"vocab.method.{current[1]}") if current is not None else "",
            tr(f"vocab.method.{method}"),
        )

    # -- spouses given on a woman's row

    def finish_spouses(self) -> None:
        """A husband named on a woman's row becomes a person in her household — unless the file or the
        database has him already (by ID number, or by name in her household). Without an ID number his birth
        date is unknown: he is not added, and the row says so."""
        for key, home, her_relation, her_marital, name, raw_id in self.spouses:
            try:
                outcome = self._spouse(home, her_relation, her_marital, name, raw_id)
            except DomainError as e:
                outcome = (SAME, Change("spouse", "", tr("import.warn.spouse_refused", reason=e.message())))
            if outcome is not None:
                self.spouse_outcomes[key] = outcome

    def _spouse(
        self, home: _Home, her_relation: str, her_marital: str, name: str, raw_id: str
    ) -> tuple[str, Change] | None:
        if raw_id:
            rid = identity.parse(raw_id, "spouse_id_number", today=self.today)
            if rid.sex != Sex.MALE:
                raise DomainError("import.spouse_not_male", "spouse_id_number")
            if rid.number in self.v.by_id_number:
                return None
        else:
            rid = None
        if any(p.sex == Sex.MALE for p in self.v.by_name.get((home.id, name), [])) or any(
            r["household_id"] == home.id and r["name"] == name and r["sex"] == Sex.MALE
            for r in self.writes.people
        ):
            return None
        if rid is None:
            return SAME, Change("spouse", "", tr("import.warn.spouse_without_id", name=name))
        relation = {
            Relation.HEAD: Relation.SPOUSE,
            Relation.SPOUSE: Relation.HEAD,
            Relation.DAUGHTER_IN_LAW: Relation.SON,
            Relation.DAUGHTER: Relation.SON_IN_LAW,
        }.get(Relation(her_relation), Relation.OTHER)
        if relation == Relation.HEAD and (home.head_id is not None or self.v.head_present(home) is not None):
            relation = Relation.OTHER
        marital = her_marital if her_marital in MARRIED else MaritalStatus.FIRST_MARRIAGE
        d = check_person(
            PersonInput(name=name, id_number=rid.number, relation=relation, marital_status=marital),
            self.today,
        ).data
        self._add_person(new_id(), home, d)
        return UPDATE, Change("spouse", "", name)


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    kind = {"relation": "relation", "marital_status": "marital", "residence_status": "residence"}.get(name)
    if kind is not None:
        return tr(f"vocab.{kind}.{value}")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def summary_lines(plan: ImportPlan, *, refused_shown: int = 50) -> list[str]:
    """The plan in words, as the command line prints it: per sheet where its header is and which column is
    which, then the counts, then the refused rows with their Excel row numbers and reasons."""
    lines = []
    for sheet in plan.sheets:
        lay = sheet.layout
        lines.append(
            tr(
                "import.summary.sheet",
                sheet=lay.sheet,
                first=lay.first_header_row + 1,
                last=lay.last_header_row + 1,
                rows=len(sheet.rows),
                skipped=sheet.skipped,
            )
        )
        mapped = [
            f"{t}→{tr(f'import.field.{f}')}"
            for t, f in zip(lay.titles, lay.fields, strict=True)
            if t and f and f != "ignored"
        ]
        lines.append(tr("import.summary.mapping", columns="，".join(mapped)))
        unknown = [
            t for t, f in zip(lay.titles, lay.fields, strict=True) if t and (f is None or f == "ignored")
        ]
        if unknown:
            lines.append(tr("import.summary.not_imported", columns="，".join(unknown)))
        for reason in lay.unsure:
            lines.append(tr("import.summary.unsure", reason=tr(reason)))
    lines.append(
        tr(
            "import.summary.counts",
            added=plan.added,
            updated=plan.updated,
            same=plan.unchanged,
            refused=plan.refused,
        )
    )
    refused = [r for r in plan.rows() if r.status == REFUSED]
    for r in refused[:refused_shown]:
        lines.append(
            tr("import.summary.refused_row", sheet=r.sheet, row=r.excel_row, name=r.name, reason=r.reason)
        )
    if len(refused) > refused_shown:
        lines.append(tr("import.summary.more_refused", count=len(refused) - refused_shown))
    return lines
