"""Registers to Excel: the household register, women 15–49, pregnancies, a month's follow-ups and the month's
supply ledger — one sheet each, in the language of the interface.

Every sheet has a title row (register, village, date or month), a frozen header row with an autofilter, ID,
phone, household and lot numbers stored as text (so Excel never turns 110101199003071233 into 1.10101E+17),
dates as real dates shown yyyy-mm-dd, and codes written as the words a person reads (男, 户主, 常住 …).
Workbooks are written in openpyxl's write-only mode, row by row, so a register of 50,000 people stays small in
memory; the household register is also read from the database row by row (pitfalls.md, "Excel").
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from app.actor import SYSTEM_USER_ID
from app.db import Database
from app.files import atomic_output
from app.i18n import tr
from app.progress import ProgressFn, report
from app.reports.excel import text_width
from app.services import auth, followups, pregnancies, supplies
from app.services.households import HouseholdRow, PersonRow, list_groups, list_households, present_members
from app.services.validation import full_years
from app.services.village import village_info
from app.services.women import list_women

REGISTERS: tuple[str, ...] = ("households", "women", "pregnancies", "followups", "supply_ledger")
MONTHLY = ("followups", "supply_ledger")  # need year and month; the others are "as of `on`"
TITLES = {
    "households": "registers.title.households",
    "women": "registers.title.women",
    "pregnancies": "registers.title.pregnancies",
    "followups": "registers.title.followups",
    "supply_ledger": "registers.title.supply_ledger",
}

HEADER_ROW = 2  # under the title row; frozen, and the autofilter starts here
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
MAX_WIDTH = 40  # a longer address or note is cut off on screen rather than making the sheet unreadable
# rows between progress calls: often enough for a smooth bar, rare enough to cost nothing
PROGRESS_EVERY = 250


class Kind(Enum):
    TEXT = "text"  # words (names, labels, notes)
    NUMBER_TEXT = "number_text"  # digits that are not a quantity (ID, phone, household no., lot): text "@"
    DATE = "date"
    INTEGER = "integer"


@dataclass(frozen=True)
class Col:
    kind: Kind
    width: int  # the usual content's width in Excel character units (a CJK character counts two)


# short names that keep the column tables below one line per column
TXT, DIG, DAY, INT = Kind.TEXT, Kind.NUMBER_TEXT, Kind.DATE, Kind.INTEGER

# Columns: heading id -> kind and width. Dicts keyed by literal ids, so the catalogue test sees them.
HOUSEHOLD_COLUMNS = {
    "registers.col.household_no": Col(DIG, 8),
    "registers.col.group": Col(INT, 6),
    "registers.col.address": Col(TXT, 24),
    "registers.col.household_phone": Col(DIG, 12),
    "registers.col.residence_type": Col(TXT, 10),
    "registers.col.name": Col(TXT, 9),
    "registers.col.relation": Col(TXT, 8),
    "registers.col.sex": Col(TXT, 5),
    "registers.col.birth_date": Col(DAY, 11),
    "registers.col.age": Col(INT, 6),
    "registers.col.id_number": Col(DIG, 20),
    "registers.col.marital": Col(TXT, 8),
    "registers.col.marriage_date": Col(DAY, 11),
    "registers.col.phone": Col(DIG, 12),
    "registers.col.residence_status": Col(TXT, 10),
    "registers.col.residence_place": Col(TXT, 16),
    "registers.col.notes": Col(TXT, 20),
}
WOMEN_COLUMNS = {
    "registers.col.household_no": Col(DIG, 8),
    "registers.col.group": Col(INT, 6),
    "registers.col.name": Col(TXT, 9),
    "registers.col.birth_date": Col(DAY, 11),
    "registers.col.age": Col(INT, 6),
    "registers.col.id_number": Col(DIG, 20),
    "registers.col.marital": Col(TXT, 8),
    "registers.col.phone": Col(DIG, 12),
    "registers.col.residence_status": Col(TXT, 10),
    "registers.col.method": Col(TXT, 12),
    "registers.col.pregnant": Col(TXT, 6),
    "registers.col.edd": Col(DAY, 11),
    "registers.col.folic_acid": Col(TXT, 6),
}
PREGNANCY_COLUMNS = {
    "registers.col.household_no": Col(DIG, 8),
    "registers.col.group": Col(INT, 6),
    "registers.col.name": Col(TXT, 9),
    "registers.col.phone": Col(DIG, 12),
    "registers.col.registration_date": Col(DAY, 11),
    "registers.col.lmp": Col(DAY, 11),
    "registers.col.edd": Col(DAY, 11),
    "registers.col.edd_ultrasound": Col(TXT, 6),
    "registers.col.weeks": Col(TXT, 7),
    "registers.col.gravidity": Col(INT, 5),
    "registers.col.parity": Col(INT, 5),
    "registers.col.risk_flags": Col(TXT, 20),
    "registers.col.risk_notes": Col(TXT, 20),
    "registers.col.planned_facility": Col(TXT, 16),
    "registers.col.birth_reg_no": Col(DIG, 14),
    "registers.col.birth_reg_date": Col(DAY, 11),
    "registers.col.child_order": Col(INT, 5),
    "registers.col.outcome": Col(TXT, 10),
    "registers.col.outcome_date": Col(DAY, 11),
    "registers.col.delivery_place": Col(TXT, 8),
    "registers.col.discharge_date": Col(DAY, 11),
    "registers.col.live_births": Col(INT, 5),
    "registers.col.next_check": Col(TXT, 12),
    "registers.col.next_from": Col(DAY, 11),
    "registers.col.next_to": Col(DAY, 11),
}
FOLLOWUP_COLUMNS = {
    "registers.col.due_date": Col(DAY, 11),
    "registers.col.followup_type": Col(TXT, 16),
    "registers.col.household_no": Col(DIG, 8),
    "registers.col.group": Col(INT, 6),
    "registers.col.name": Col(TXT, 9),
    "registers.col.phone": Col(DIG, 12),
    "registers.col.address": Col(TXT, 20),
    "registers.col.earliest": Col(DAY, 11),
    "registers.col.latest": Col(DAY, 11),
    "registers.col.status": Col(TXT, 8),
    "registers.col.done_date": Col(DAY, 11),
    "registers.col.result": Col(TXT, 20),
    "registers.col.status_reason": Col(TXT, 16),
}
LEDGER_COLUMNS = {
    "registers.col.movement_date": Col(DAY, 11),
    "registers.col.item": Col(TXT, 14),
    "registers.col.unit": Col(TXT, 5),
    "registers.col.lot": Col(DIG, 12),
    "registers.col.expiry": Col(DAY, 11),
    "registers.col.movement_type": Col(TXT, 10),
    "registers.col.qty_in": Col(INT, 8),
    "registers.col.qty_out": Col(INT, 8),
    "registers.col.person": Col(TXT, 9),
    "registers.col.household_no": Col(DIG, 8),
    "registers.col.document_no": Col(DIG, 12),
    "registers.col.reason": Col(TXT, 20),
    "registers.col.reversal": Col(TXT, 8),
    "registers.col.recorded_by": Col(TXT, 9),
}

THIN = Side(style="thin", color="808080")
HEAD_FONT = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")
HEAD_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
TITLE_FONT = Font(bold=True, size=14)

Row = Sequence[Any]  # one data row: values in the order of the register's columns


def register_title(register: str) -> str:
    """The register's name in the current language (家庭户花名册, Women of reproductive age …)."""
    if register not in TITLES:
        raise ValueError(f"unknown register {register!r}")
    return tr(TITLES[register])


# ---------------------------------------------------------------- labels


class Labels:
    """Translated code labels, looked up once per code: a register of 50,000 people repeats a few dozen."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}
        self.yes, self.no = tr("registers.yes"), tr("registers.no")

    def __call__(self, vocab: str, code: str | None) -> str:
        if not code:
            return ""
        msg_id = f"vocab.{vocab}.{code}"
        text = self._seen.get(msg_id)
        if text is None:
            text = self._seen[msg_id] = tr(msg_id)
        return text

    def flag(self, value: bool) -> str:
        return self.yes if value else self.no

    def risk_flag(self, code: str) -> str:
        """A high-risk rule's label (resources/followups/risk_rules.json)."""
        msg_id = f"risk.flag.{code}"
        text = self._seen.get(msg_id)
        if text is None:
            text = self._seen[msg_id] = tr(msg_id)
        return text


# ---------------------------------------------------------------- the registers' rows


@dataclass(frozen=True)
class Sheet:
    """What one register writes: its columns, its rows (an iterator: read while writing), how many rows
    there will be (for the progress bar) and what period the title row names."""

    columns: dict[str, Col]
    rows: Iterable[Row]
    total: int
    period: str


def _age(birth: dt.date, on: dt.date) -> int | None:
    return None if birth > on else full_years(birth, on)  # None: born after the reference date


def _household_rows(
    households: list[HouseholdRow], people: Iterator[PersonRow], on: dt.date, label: Labels
) -> Iterator[Row]:
    """One row per present member, the household's columns repeated (so a filtered row still says which
    household it is); a household with nobody present keeps one row of its own. Households and members come
    in the same order (household number), so the two are merged as they stream."""
    position = {h.id: i for i, h in enumerate(households)}
    has_member = bytearray(len(households))
    nobody = (None,) * 12  # the member columns, left empty

    def household_part(h: HouseholdRow) -> tuple[Any, ...]:
        return (h.household_no, h.group_no, h.address, h.phone, label("residence_type", h.residence_type))

    passed = 0  # households before this index have been written
    try:
        for p in people:
            at = position.get(p.household_id)
            if at is None:
                continue  # its household was added while the export ran: it is in the next export
            for before in range(passed, at):
                if not has_member[before]:
                    yield household_part(households[before]) + nobody
            passed = max(passed, at)
            has_member[at] = 1
            yield household_part(households[at]) + (
                p.name,
                label("relation", p.relation),
                label("sex", p.sex),
                p.birth_date,
                _age(p.birth_date, on),
                p.id_number,
                label("marital", p.marital_status),
                p.marriage_date,
                p.phone,
                label("residence", p.residence_status),
                p.residence_place,
                p.notes,
            )
        for rest in range(passed, len(households)):
            if not has_member[rest]:
                yield household_part(households[rest]) + nobody
    finally:
        close = getattr(people, "close", None)
        if close is not None:
            close()  # ends the read transaction now, also when the export is cancelled


def _households(db: Database, on: dt.date, group_no: int | None, label: Labels) -> Sheet:
    households = list_households(db, group_no=group_no)
    rows = _household_rows(households, present_members(db, group_no), on, label)
    return Sheet(HOUSEHOLD_COLUMNS, rows, sum(max(h.members, 1) for h in households), _as_of(on))


def _women(db: Database, on: dt.date, group_no: int | None, label: Labels) -> Sheet:
    women = list_women(db, on, group_no=group_no)
    rows = (
        (
            w.household_no,
            w.group_no,
            w.name,
            w.birth_date,
            w.age,
            w.id_number,
            label("marital", w.marital_status),
            w.phone,
            label("residence", w.residence_status),
            label("method", w.method),
            label.flag(w.pregnant),
            w.edd,
            label.flag(w.folic_acid),
        )
        for w in women
    )
    return Sheet(WOMEN_COLUMNS, rows, len(women), _as_of(on))


def _pregnancies(db: Database, on: dt.date, group_no: int | None, label: Labels) -> Sheet:
    """Every pregnancy recorded (open and ended), the earliest registered first. Gestational age is on `on`
    for an open pregnancy, at the outcome for an ended one (PregnancyRow.weeks_on)."""
    found = pregnancies.all_pregnancies(db, group_no)
    found.sort(key=lambda p: (p.registration_date, p.household_no, p.name))

    def row(p: pregnancies.PregnancyRow) -> Row:
        weeks = p.weeks_on(on)
        ended = p.outcome is not None
        return (
            p.household_no,
            p.group_no,
            p.name,
            p.phone,
            p.registration_date,
            p.lmp,
            p.edd,
            label.flag(p.edd_by_ultrasound),
            str(weeks) if weeks is not None else "",
            p.gravidity,
            p.parity,
            "、".join(label.risk_flag(code) for code in p.risk_flags),
            p.risk_notes,
            p.planned_facility,
            p.birth_reg_no,
            p.birth_reg_date,
            p.child_order,
            label("outcome", p.outcome),
            p.outcome_date,
            label("delivery_place", p.delivery_place),
            p.discharge_date,
            p.live_births if ended else None,
            label("followup_type", p.next_type),
            p.next_earliest,
            p.next_latest,
        )

    return Sheet(PREGNANCY_COLUMNS, (row(p) for p in found), len(found), _as_of(on))


def _followups(db: Database, year: int, month: int, group_no: int | None, label: Labels) -> Sheet:
    """The follow-ups due in the month, whatever became of them (due, done, missed, cancelled)."""
    first, last = supplies.month_bounds(year, month)
    found = followups.due_between(db, first, last, group_no)
    rows = (
        (
            f.due,
            label("followup_type", f.followup_type),
            f.household_no,
            f.group_no,
            f.name,
            f.phone,
            f.address,
            f.earliest,
            f.latest,
            label("followup_status", f.status),
            f.done_date,
            f.result,
            f.status_reason,
        )
        for f in found
    )
    return Sheet(FOLLOWUP_COLUMNS, rows, len(found), _month(year, month))


def _user_names(db: Database, user_ids: Iterable[str]) -> dict[str, str]:
    """Display names of the people who recorded movements, former (deactivated) users included."""
    names = {u.id: u.display_name for u in auth.list_users(db)}
    names[SYSTEM_USER_ID] = tr("registers.system_user")
    for uid in set(user_ids) - names.keys():
        user = auth.get_user(db, uid)
        names[uid] = user.display_name if user is not None else ""
    return names


def _supply_ledger(db: Database, year: int, month: int, label: Labels) -> Sheet:
    """The month's stock movements in the order they happened. A reversal is a movement of the same type the
    other way, so its quantity sits in the other column: in minus out per item is the month's change."""
    movements = supplies.ledger(db, year, month)
    who = _user_names(db, (m.created_by for m in movements))
    is_reversal, was_reversed = tr("registers.reversal.is_reversal"), tr("registers.reversal.reversed")
    rows = (
        (
            m.movement_date,
            m.name,
            m.unit,
            m.lot,
            m.expiry_date,
            label("movement", m.movement_type),
            m.quantity if m.direction > 0 else None,
            m.quantity if m.direction < 0 else None,
            m.person_name,
            m.household_no,
            m.document_no,
            m.reason,
            is_reversal if m.reverses_id else was_reversed if m.reversed else "",
            who.get(m.created_by, ""),
        )
        for m in movements
    )
    return Sheet(LEDGER_COLUMNS, rows, len(movements), _month(year, month))


def _as_of(on: dt.date) -> str:
    return tr("registers.period_on", date=on.isoformat())


def _month(year: int, month: int) -> str:
    return tr("registers.period_month", year=year, month=month)


# ---------------------------------------------------------------- writing the workbook


def _clean(text: str) -> str:
    """Control characters (pasted from elsewhere) make openpyxl refuse the whole file: drop them."""
    return ILLEGAL_CHARACTERS_RE.sub("", text) if ILLEGAL_CHARACTERS_RE.search(text) else text


def _converters(ws: WriteOnlyWorksheet, columns: Iterable[Col]) -> list[Callable[[Any], Any]]:
    """For each column, how a value becomes a cell: plain values where openpyxl's default is right, a styled
    cell for text that must stay text and for dates."""

    def text(value: str | None) -> Any:
        if not value:
            return None
        value = _clean(value)
        if value.startswith("="):  # typed text, never a formula
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            return cell
        return value

    def number_text(value: str | None) -> Any:
        if not value:
            return None
        cell = WriteOnlyCell(ws, value=_clean(value))
        cell.data_type = "s"
        cell.number_format = TEXT_FORMAT  # stays text when someone edits it in Excel
        return cell

    def date(value: dt.date | None) -> Any:
        if value is None:
            return None
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell

    def integer(value: int | None) -> Any:
        return value

    by_kind: dict[Kind, Callable[[Any], Any]] = {
        Kind.TEXT: text,
        Kind.NUMBER_TEXT: number_text,
        Kind.DATE: date,
        Kind.INTEGER: integer,
    }
    return [by_kind[c.kind] for c in columns]


_check = report


def _fill(
    ws: WriteOnlyWorksheet, title_line: str, sheet: Sheet, progress: ProgressFn | None, message: str
) -> int:
    """Write the title, the header and the rows; return the number of data rows. Column widths, frozen
    panes and print settings go first: a write-only sheet writes them before its rows."""
    headings = [tr(key) for key in sheet.columns]
    for i, (heading, col) in enumerate(zip(headings, sheet.columns.values(), strict=True), start=1):
        width = min(MAX_WIDTH, max(col.width, text_width(heading) + 2))
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"  # the header on every printed page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # one page wide, as many pages long as needed

    title = WriteOnlyCell(ws, value=_clean(title_line))
    title.data_type, title.font = "s", TITLE_FONT
    ws.append([title])
    header = []
    for heading in headings:
        cell = WriteOnlyCell(ws, value=heading)
        cell.data_type = "s"
        cell.font, cell.fill, cell.border, cell.alignment = HEAD_FONT, HEAD_FILL, HEAD_BORDER, HEAD_ALIGN
        header.append(cell)
    ws.append(header)

    convert = _converters(ws, sheet.columns.values())
    written = 0
    for row in sheet.rows:
        ws.append([to_cell(value) for to_cell, value in zip(convert, row, strict=True)])
        written += 1
        if written % PROGRESS_EVERY == 0:
            _check(progress, 0.9 * written / max(sheet.total, written), message)
    last_column = get_column_letter(len(headings))
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{HEADER_ROW + written}"
    return written


def _discard(ws: WriteOnlyWorksheet) -> None:
    """openpyxl streams a write-only sheet into a temporary file that only saving (or the end of the process)
    removes: after a cancel, remove it now. Best effort: the export has already failed."""
    with contextlib.suppress(Exception):
        writer = ws._writer
        if writer is not None:
            if not ws.closed:
                ws.close()
            writer.cleanup()


def _write_book(
    path: str | os.PathLike[str],
    title_line: str,
    sheet_name: str,
    sheet: Sheet,
    progress: ProgressFn | None,
    message: str,
) -> int:
    """Write the workbook beside `path` and move it into place: the file appears whole or not at all."""
    book = Workbook(write_only=True)
    book.properties.title = title_line
    ws = book.create_sheet(sheet_name[:31])  # Excel's limit on a sheet name
    try:
        # the temporary file is made first, so a missing or read-only folder fails before any row is read
        with atomic_output(path) as tmp:
            try:
                written = _fill(ws, title_line, sheet, progress, message)
            finally:
                close = getattr(sheet.rows, "close", None)
                if close is not None:
                    close()  # a generator reading the database: end its transaction now
            _check(progress, 0.95, tr("registers.progress_saving"))
            book.save(tmp)
    except BaseException:
        _discard(ws)
        raise
    return written


def export_register(
    db: Database,
    register: str,
    path: str | os.PathLike[str],
    *,
    on: dt.date,
    year: int | None = None,
    month: int | None = None,
    group_no: int | None = None,
    progress: ProgressFn | None = None,
) -> int:
    """Write `register` (one of REGISTERS) to the Excel file `path`; return the number of data rows.

    `on` is the reference date (ages, women 15–49 on that day, gestational age); `year` and `month` choose
    the month of "followups" and "supply_ledger" (required for them); `group_no` keeps one villager group
    (every register but the supply ledger). `progress(fraction, message)` returning False cancels: raises
    app.reports.Cancelled and leaves no file."""
    title = register_title(register)
    if register in MONTHLY:
        if year is None or month is None:
            raise ValueError(f"the {register} register needs a year and a month")
        calendar.monthrange(year, month)  # refuses month 13 before anything is read
    message = tr("registers.progress", register=title)
    _check(progress, 0.0, message)
    label = Labels()
    if register == "households":
        sheet = _households(db, on, group_no, label)
    elif register == "women":
        sheet = _women(db, on, group_no, label)
    elif register == "pregnancies":
        sheet = _pregnancies(db, on, group_no, label)
    elif register == "followups":
        sheet = _followups(db, year, month, group_no, label)  # type: ignore[arg-type]
    else:
        sheet = _supply_ledger(db, year, month, label)  # type: ignore[arg-type]
    period = sheet.period
    if group_no is not None and register != "supply_ledger":
        group = dict(list_groups(db)).get(group_no) or tr("registers.group_number", number=group_no)
        period = tr("registers.period_with_group", period=period, group=group)
    info = village_info(db)
    title_line = tr("registers.title_line", village=info.name if info else "", register=title, period=period)
    written = _write_book(path, title_line, title, sheet, progress, message)
    if progress is not None:
        progress(1.0, tr("registers.done", rows=written))  # the file is in place: too late to cancel
    return written
