"""家庭服务卡: one card per household, for the family to keep on the wall — who lives there, what services
each woman of reproductive age is due and when, who to call — with a QR code of the household's id and a
blank table for the officer's hand-written visit notes.

Drawn straight on a reportlab canvas with small layout helpers (no platypus, whose Paragraph + Table take
5–6 s for 800 cards, shared/design/pitfalls.md): about 0.9 s for the demo village's 800 cards, within 3x a
bare canvas drawing the same text as plain lines (bench/bench_cards.py). What every card draws the same
(title and contact box, headings, table heads, the empty notes table) is drawn once as a PDF form and
placed on each card; the QR code is one path (app.reports.qr).

A card is laid out first as a list of blocks of known height, then cut into pages, so every page can say
"第 N 页 / 共 M 页" of its own card: a card is numbered by itself, not within the print run, because each
family gets its own card and "page 317 of 800" would mean nothing on their wall. A big household continues
on a second page under a short running header (household number and head), the members' column heads
repeated.

Layouts: "a5" (A5 portrait, one card page per sheet) and "a4_two_up" (A4 landscape, two A5 card pages side
by side with a dashed cutting line between them).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from app.files import atomic_output
from app.i18n import tr
from app.progress import ProgressFn
from app.progress import report as check_progress
from app.reports.fonts import register_cjk_font
from app.reports.qr import draw_qr
from app.services.cards import (
    METHOD_FOLLOWUPS,
    CardBatch,
    CardFollowup,
    CardMember,
    CardSupport,
    CardWoman,
    HouseholdCard,
    mask_id_number,
)
from app.version import pdf_creator
from app.vocab import Relation, ResidenceStatus, Sex

CARD_LAYOUTS = ("a5", "a4_two_up")
# Visits that say which method a woman uses: left off with the methods when the officer chooses so.
CONTRACEPTIVE_FOLLOWUPS = METHOD_FOLLOWUPS

CARD_SIZE = A5  # (419.5, 595.3) points: one card page
MARGIN = 10 * mm
FOOTER_Y = 5.5 * mm  # baseline of the footer, from the bottom of the card page
BOTTOM = 11 * mm  # the lowest a block may reach
QR_SIZE = 22 * mm

INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#666666")
RULE = colors.HexColor("#888888")
ACCENT = colors.HexColor("#1f6f5c")  # a calm green; prints as a mid grey on a black-and-white printer
TINT = colors.HexColor("#e7f1ee")
HEADER_FILL = colors.HexColor("#eeeeee")

BODY = 9.0
SMALL = 7.5
LEADING = 12.5
ROW = 5.6 * mm  # a table row
NOTE_ROW = 8 * mm  # a hand-written row
MIN_NOTE_ROWS = 2

# ---------------------------------------------------------------- text


@cache
def _char_width(font: str, ch: str) -> float:
    per_mille: float = pdfmetrics.stringWidth(ch, font, 1000.0)
    return per_mille / 1000.0


_NO_LINE_START = set("，。、；：？！）》」』】,.;:?!)%")


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of `text` no wider than `width`: CJK text breaks between any two characters, Latin text at
    spaces where it can, and closing punctuation never starts a line."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return [text]
    lines: list[str] = []
    start, used, last_space = 0, 0.0, -1
    i = 0
    while i < len(text):
        ch = text[i]
        w = _char_width(font, ch) * size
        if used + w > width and i > start and ch not in _NO_LINE_START:
            cut = last_space + 1 if last_space > start and text[i - 1].isascii() and ch.isascii() else i
            lines.append(text[start:cut].rstrip())
            start, last_space = cut, -1
            used = sum(_char_width(font, c) * size for c in text[start:i])
            continue
        if ch == " ":
            last_space = i
        used += w
        i += 1
    if start < len(text):
        lines.append(text[start:])
    return [line for line in lines if line] or [""]


def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text` cut short with "…" to fit one line (a table cell)."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


# ---------------------------------------------------------------- what the card says, as lines


def _date(d: dt.date | None) -> str:
    return d.isoformat() if d is not None else "—"


def _dose(mg: float) -> str:
    return f"{mg:g}"


def member_age(m: CardMember) -> str:
    if m.age == 0:
        return tr("card.age_months", months=m.age_months)
    return tr("card.age_years", age=m.age)


def member_name(m: CardMember) -> str:
    if m.residence_status == ResidenceStatus.OUT_MIGRANT:
        return tr("card.name_away", name=m.name)
    return m.name


def service_line(f: CardFollowup) -> tuple[str, str]:
    return (
        tr(f"vocab.followup_type.{f.followup_type}"),
        tr("card.window", earliest=f.earliest.isoformat(), latest=f.latest.isoformat()),
    )


def woman_lines(w: CardWoman, show_method: bool = True) -> list[str]:
    """What the card says about her, before her services: method (unless left off), pregnancy, folic acid."""
    lines = []
    if w.method and show_method:
        method = tr(f"vocab.method.{w.method}")
        lines.append(
            tr("card.method_since", method=method, since=_date(w.method_since))
            if w.method_since
            else tr("card.method", method=method)
        )
    if w.pregnant:
        if w.gestational_age is not None:
            lines.append(tr("card.pregnancy", weeks=str(w.gestational_age), edd=_date(w.edd)))
        else:
            lines.append(tr("card.pregnancy_edd", edd=_date(w.edd)))
    if w.folic is not None:
        f = w.folic
        if f.until is not None:
            lines.append(
                tr("card.folic_until", dose=_dose(f.dose_mg), start=_date(f.start_date), until=_date(f.until))
            )
        else:
            lines.append(tr("card.folic", dose=_dose(f.dose_mg), start=_date(f.start_date)))
    return lines


def support_lines(x: CardSupport) -> list[str]:
    kind = tr(f"card.support_kind.{x.kind}")
    lines = [tr("card.support_line", kind=kind, name=x.person_name)]
    if x.contact_name or x.contact_phone:
        lines.append(tr("card.support_contact", name=x.contact_name or "—", phone=x.contact_phone or "—"))
    return lines


def group_label(card: HouseholdCard) -> str:
    return card.group_name or tr("card.group_number", number=card.group_no)


# ---------------------------------------------------------------- a card as blocks


class Pen:
    """Draws on one card page, setting the font size, colours and line width only when they change: every
    setFont or setFillColor is an operator in the page (and most of the time of writing a PDF goes into
    formatting numbers)."""

    __slots__ = ("c", "font", "size", "color", "stroke_color", "line_width")

    def __init__(self, c: Canvas, font: str) -> None:
        self.c, self.font = c, font
        self.size: float | None = None
        self.color: object = None
        self.stroke_color: object = None
        self.line_width: float | None = None

    def fill(self, color: object) -> None:
        if color is not self.color:
            self.c.setFillColor(color)
            self.color = color

    def stroke(self, color: object, width: float = 0.4) -> None:
        if color is not self.stroke_color:
            self.c.setStrokeColor(color)
            self.stroke_color = color
        if width != self.line_width:
            self.c.setLineWidth(width)
            self.line_width = width

    def text(self, x: float, y: float, text: str, size: float = BODY, color: object = INK) -> None:
        if size != self.size:
            self.c.setFont(self.font, size)
            self.size = size
        self.fill(color)
        self.c.drawString(x, y, text)

    def cells(
        self, y: float, cells: Sequence[tuple[float, str]], size: float = BODY, color: object = INK
    ) -> None:
        """Several strings on one baseline, in one text object (a table row)."""
        if size != self.size:
            self.c.setFont(self.font, size)
            self.size = size
        self.fill(color)
        t = self.c.beginText()
        for x, text in cells:
            t.setTextOrigin(x, y)
            t.textOut(text)
        self.c.drawText(t)

    def right(self, x: float, y: float, text: str, size: float = BODY, color: object = INK) -> None:
        if size != self.size:
            self.c.setFont(self.font, size)
            self.size = size
        self.fill(color)
        self.c.drawRightString(x, y, text)


# (pen, left x, top y, width, room): `room` is the height left below `top` on the card page, which only the
# notes table uses (it fills it)
Draw = Callable[[Pen, float, float, float, float], None]


@dataclass(frozen=True)
class Block:
    """A piece of a card of a known height, drawn from its top-left corner. `header` is drawn again above
    it when it starts a page (a table's column heads); `keep_with_next` moves a heading to the next page
    together with what it introduces."""

    height: float  # the least, for the notes table that fills the rest of its page
    draw: Draw | None  # None: a gap, left out at the top of a page
    header: Block | None = None
    keep_with_next: bool = False


class CardLayout:
    """Turns cards into blocks in one font, for one batch (its officer, date and ID option)."""

    def __init__(self, font: str, batch: CardBatch, full_ids: bool, show_methods: bool = False) -> None:
        self.font = font
        self.batch = batch
        self.full_ids = full_ids
        self.show_methods = show_methods
        self.width = CARD_SIZE[0] - 2 * MARGIN
        self.printed = tr("report.printed_on", date=batch.on.isoformat())
        self.place = " ".join(p for p in (batch.township_name, batch.village_name) if p)
        self.contact = (
            tr("card.contact_phone", name=batch.officer_name or "—", phone=batch.officer_phone)
            if batch.officer_phone
            else tr("card.contact", name=batch.officer_name or "—")
        )
        self._widths: dict[tuple[str, float], float] = {}
        self._form_names: dict[str, str] = {}
        self._forms: dict[str, tuple[float, Draw]] = {}  # the forms placed so far
        self.contact_width = self.width - QR_SIZE - 3 * mm
        self.contact_lines = wrap(self.contact, font, BODY, self.contact_width - 4 * mm)[:2]
        self.title = tr("card.title")
        self.services_label = tr("card.services")
        self.no_services = wrap(tr("card.no_services"), font, SMALL, self.width - 5 * mm)
        self.labels = (tr("card.household_no"), tr("card.head"), tr("card.phone"), tr("card.group"))
        self.address_label = tr("card.address")
        self.label_width = max(
            pdfmetrics.stringWidth(t, font, SMALL) for t in (*self.labels, self.address_label)
        )
        self.label_width += 2 * mm
        # name, relation, sex, age, ID number (the rest of the width)
        heads = [tr(f"card.col.{k}") for k in ("name", "relation", "sex", "age", "id_number")]
        self.member_cols = (
            30 * mm,
            self._column([*(tr(f"vocab.relation.{r}") for r in Relation), heads[1]], 30 * mm),
            self._column([*(tr(f"vocab.sex.{x}") for x in Sex), heads[2]], 20 * mm),
            self._column(
                [tr("card.age_years", age=100), tr("card.age_months", months=11), heads[3]], 20 * mm
            ),
        )
        self.member_head = self.table_head(heads, self.member_cols)
        self.note_cols = (26 * mm, self.width - 26 * mm - 28 * mm)  # date, service; the signature: 28 mm
        self.note_heads = [tr(f"card.col.{k}") for k in ("date", "service", "signature")]
        self.headings: dict[str, Block] = {
            key: self.heading(tr(key)) for key in ("card.women", "card.others", "card.support", "card.notes")
        }
        self.notes = self.notes_table()
        # the contact box under the title may take two lines (in English): the header grows with it
        self.header_height = max(QR_SIZE, 15 * mm + 3 * mm + len(self.contact_lines) * 11) + 2 * mm
        self.title_and_contact = self.formed("title", self.header_height, self._title_and_contact)
        self.grid_labels = self.formed("grid", 4 * mm + 2 * LEADING + 3, self._grid_labels)

    # -- generic pieces
    def _column(self, texts: Sequence[str], most: float) -> float:
        """A table column as wide as the widest of `texts` (with its padding), but no wider than `most`."""
        widest = max(max(self.text_width(t, BODY) for t in texts[:-1]), self.text_width(texts[-1], SMALL))
        padded: float = widest + 3.5 * mm
        return min(padded, most)

    def text_width(self, text: str, size: float = BODY) -> float:
        """The width of a label (the same few labels come back card after card)."""
        width = self._widths.get((text, size))
        if width is None:
            width = self._widths[text, size] = pdfmetrics.stringWidth(text, self.font, size)
        return width

    def paragraph(self, text: str, size: float = BODY, indent: float = 0.0) -> Block:
        lines = wrap(text, self.font, size, self.width - indent)

        def draw(p: Pen, x: float, top: float, width: float, room: float) -> None:
            y = top - LEADING + (LEADING - size) / 2 + 1
            for line in lines:
                p.text(x + indent, y, line, size)
                y -= LEADING

        return Block(len(lines) * LEADING, draw)

    # -- forms: what every card draws the same is drawn once, as a PDF form (XObject), and each card
    # places it with one operator; the forms are written after the last page (doForm may come first)
    def formed(self, key: str, height: float, draw: Draw) -> Draw:
        """A drawing that places the form `key`, made of `draw` (drawn with its top-left corner at
        (0, height)) the first time it is needed."""
        name = self._form_names.get(key)
        if name is None:
            name = self._form_names[key] = f"card{len(self._form_names)}"

        def place(p: Pen, x: float, top: float, width: float, room: float) -> None:
            if name not in self._forms:
                self._forms[name] = (height, draw)
            p.c.saveState()
            p.c.translate(x, top - height)
            p.c.doForm(name)
            p.c.restoreState()

        return place

    def define_forms(self, c: Canvas) -> None:
        for name, (height, draw) in self._forms.items():
            c.beginForm(name, -2, -2, self.width + 2, height + 2)
            draw(Pen(c, self.font), 0, height, self.width, 0)
            c.endForm()

    def heading(self, text: str) -> Block:
        def draw(p: Pen, x: float, top: float, width: float, room: float) -> None:
            p.fill(ACCENT)
            p.c.rect(x, top - 5.2 * mm, 1.2 * mm, 4.2 * mm, stroke=0, fill=1)
            p.text(x + 2.6 * mm, top - 4.4 * mm, text, 10.5, ACCENT)
            p.stroke(ACCENT, 0.5)
            p.c.line(x, top - 6.2 * mm, x + width, top - 6.2 * mm)

        height = 8 * mm
        return Block(height, self.formed(f"heading:{text}", height, draw), keep_with_next=True)

    @staticmethod
    def gap(height: float) -> Block:
        return Block(height, None)

    def table_head(self, heads: Sequence[str], cols: Sequence[float]) -> Block:
        draw = self._table_head(heads, cols)
        return Block(ROW, self.formed(f"table:{'|'.join(heads)}", ROW, draw), keep_with_next=True)

    @staticmethod
    def _table_head(heads: Sequence[str], cols: Sequence[float]) -> Draw:
        def draw(p: Pen, x: float, top: float, width: float, room: float) -> None:
            p.fill(HEADER_FILL)
            p.stroke(RULE)
            p.c.rect(x, top - ROW, width, ROW, stroke=1, fill=1)
            cx = x
            for head, w in zip(heads, [*cols, 0.0], strict=True):
                p.text(cx + 1.5 * mm, top - ROW + 1.9 * mm, head, SMALL)
                cx += w

        return draw

    def table_row(self, cells: Sequence[str], cols: Sequence[float], header: Block) -> Block:
        offsets = [sum(cols[:i]) for i in range(len(cols) + 1)]

        def draw(p: Pen, x: float, top: float, width: float, room: float) -> None:
            bottom = top - ROW
            p.stroke(RULE)
            p.c.lines(
                [(x, bottom, x + width, bottom), (x, top, x, bottom), (x + width, top, x + width, bottom)]
            )
            p.cells(
                bottom + 1.8 * mm,
                [(x + 1.5 * mm + offset, cell) for offset, cell in zip(offsets, cells, strict=True)],
            )

        return Block(ROW, draw, header=header)

    # -- the card's parts
    def first_header(self, card: HouseholdCard) -> Block:
        """Title, place, who to call, and the QR code of the household's id at the right."""
        place = f"{self.place} · {group_label(card)}"

        height = self.header_height

        def draw(p: Pen, x: float, top: float, width: float, room: float) -> None:
            self.title_and_contact(p, x, top, width, room)
            p.text(x, top - 12.5 * mm, place, BODY, MUTED)
            draw_qr(p.c, qr_payload(card), x + width - QR_SIZE, top - QR_SIZE, QR_SIZE)

        return Block(height, draw)

    def _title_and_contact(self, p: Pen, x: float, top: float, width: float, room: float) -> None:
        p.text(x, top - 7 * mm, self.title, 18, ACCENT)
        box_top = top - 15 * mm
        box_height = 3 * mm + len(self.contact_lines) * 11
        p.fill(TINT)
        p.stroke(ACCENT, 0.6)
        p.c.roundRect(x, box_top - box_height, self.contact_width, box_height, 1.5 * mm, stroke=1, fill=1)
        y = box_top - 1.5 * mm - 8.5
        for line in self.contact_lines:
            p.text(x + 2 * mm, y, line)
            y -= 11

    def continued_header(self, card: HouseholdCard) -> Block:
        right = tr("card.continued_household", number=card.household_no, head=card.head_name or "—")

        def draw(p: Pen, x: float, top: float, width: float, room: float) -> None:
            p.text(x, top - 5 * mm, tr("card.title_continued"), 12, ACCENT)
            p.right(x + width, top - 5 * mm, right, BODY, MUTED)
            p.stroke(ACCENT, 0.5)
            p.c.line(x, top - 7 * mm, x + width, top - 7 * mm)

        return Block(9 * mm, draw)

    def household_grid(self, card: HouseholdCard) -> Block:
        """户编号 / 户主 / 电话 / 村民小组 in two columns, then the address."""
        values = (card.household_no, card.head_name or "—", card.phone or "—", group_label(card))
        lw = self.label_width
        address = wrap(card.address or "—", self.font, BODY, self.width - lw)

        def draw(p: Pen, x: float, top: float, width: float, room: float) -> None:
            self.grid_labels(p, x, top, width, room)
            half = width / 2
            y = top - 4 * mm
            for i in (0, 2):
                p.cells(y, ((x + lw, values[i]), (x + half + lw, values[i + 1])))
                y -= LEADING
            for line in address:
                p.text(x + lw, y, line)
                y -= LEADING

        return Block(1.2 * mm + (2 + len(address)) * LEADING, draw)

    def _grid_labels(self, p: Pen, x: float, top: float, width: float, room: float) -> None:
        y = top - 4 * mm
        for i in (0, 2):
            p.text(x, y, self.labels[i], SMALL, MUTED)
            p.text(x + width / 2, y, self.labels[i + 1], SMALL, MUTED)
            y -= LEADING
        p.text(x, y, self.address_label, SMALL, MUTED)

    def member_rows(self, card: HouseholdCard) -> list[Block]:
        id_width = self.width - sum(self.member_cols) - 3 * mm
        rows = []
        for m in card.members:
            number = m.id_number if self.full_ids else mask_id_number(m.id_number)
            cells = (
                _fit(member_name(m), self.font, BODY, self.member_cols[0] - 3 * mm),
                _fit(tr(f"vocab.relation.{m.relation}"), self.font, BODY, self.member_cols[1] - 3 * mm),
                tr(f"vocab.sex.{m.sex}"),
                member_age(m),
                _fit(number or "—", self.font, BODY, id_width),
            )
            rows.append(self.table_row(cells, self.member_cols, self.member_head))
        return [self.member_head, *rows]

    def woman_block(self, w: CardWoman) -> Block:
        """Her name, what is recorded for her, then her services with their windows."""
        title = tr("card.woman", name=w.name, age=w.age)
        facts = [
            line
            for text in woman_lines(w, self.show_methods)
            for line in wrap(text, self.font, BODY, self.width - 4 * mm)
        ]
        services = [(f"• {label}", window) for label, window in map(service_line, self.shown(w.followups))]
        label_w = max((self.text_width(s[0]) for s in services), default=0) + 4 * mm
        height = 3.5 * mm + (1 + len(facts)) * LEADING
        height += (1 + len(services)) * LEADING if services else len(self.no_services) * 11

        def draw(p: Pen, x: float, top: float, width: float, room: float) -> None:
            p.fill(TINT)
            p.c.rect(x, top - height + 1.5 * mm, 0.9 * mm, height - 2 * mm, stroke=0, fill=1)
            y = top - 2 * mm - 9.5
            p.text(x + 3 * mm, y, title, 10)
            for line in facts:
                y -= LEADING
                p.text(x + 4 * mm, y, line)
            if services:
                y -= LEADING
                p.text(x + 4 * mm, y, self.services_label, SMALL, MUTED)
                for label, window in services:
                    y -= LEADING
                    p.cells(y, ((x + 7 * mm, label), (x + 7 * mm + label_w, window)))
            else:
                for line in self.no_services:
                    y -= 11
                    p.text(x + 4 * mm, y, line, SMALL, MUTED)

        return Block(height, draw)

    def shown(self, followups: Sequence[CardFollowup]) -> list[CardFollowup]:
        """The visits the card lists: all, or all but those naming a method when methods are left off."""
        return [f for f in followups if self.show_methods or f.followup_type not in CONTRACEPTIVE_FOLLOWUPS]

    def others_rows(self, card: HouseholdCard) -> list[Block]:
        rows = [(f.person_name, *service_line(f)) for f in self.shown(card.others_followups)]
        name_w = max(self.text_width(r[0]) for r in rows) + 3 * mm
        label_w = max(self.text_width(r[1]) for r in rows) + 4 * mm

        def row_drawer(row: tuple[str, str, str]) -> Draw:
            def draw(p: Pen, x: float, top: float, width: float, room: float) -> None:
                y = top - LEADING + 3
                p.cells(
                    y,
                    (
                        (x + 3 * mm, row[0]),
                        (x + 3 * mm + name_w, row[1]),
                        (x + 3 * mm + name_w + label_w, row[2]),
                    ),
                )

            return draw

        return [Block(LEADING, row_drawer(r)) for r in rows]

    def notes_table(self) -> Block:
        """上门服务记录: empty rows to write in, as many as the rest of the page holds."""
        draw_head = self._table_head(self.note_heads, self.note_cols)

        def table(rows: int) -> Draw:
            def draw(p: Pen, x: float, top: float, width: float, room: float) -> None:
                draw_head(p, x, top, width, room)
                first, bottom = top - ROW, top - ROW - rows * NOTE_ROW
                p.stroke(RULE)
                lines = [
                    (x, first - i * NOTE_ROW, x + width, first - i * NOTE_ROW) for i in range(1, rows + 1)
                ]
                cx = x
                for w in (0.0, *self.note_cols):
                    cx += w
                    lines.append((cx, first, cx, bottom))
                lines.append((x + width, first, x + width, bottom))
                p.c.lines(lines)

            return draw

        def draw(p: Pen, x: float, top: float, width: float, room: float) -> None:
            rows = max(int((room - ROW) // NOTE_ROW), MIN_NOTE_ROWS)
            height = ROW + rows * NOTE_ROW
            self.formed(f"notes:{rows}", height, table(rows))(p, x, top, width, room)

        return Block(ROW + MIN_NOTE_ROWS * NOTE_ROW, draw)

    def blocks(self, card: HouseholdCard) -> list[Block]:
        """The card after its first header, in reading order."""
        out: list[Block] = [self.gap(1.5 * mm), self.household_grid(card), self.gap(2 * mm)]
        out.append(self.heading(tr("card.members", count=len(card.members))))
        out += self.member_rows(card) if card.members else [self.paragraph(tr("card.no_members"), SMALL)]
        if card.women:
            out += [self.gap(2 * mm), self.headings["card.women"]]
            out += [self.woman_block(w) for w in card.women]
        if self.shown(card.others_followups):
            out += [self.gap(2 * mm), self.headings["card.others"], *self.others_rows(card)]
        if card.supports:
            out += [self.gap(2 * mm), self.headings["card.support"]]
            out += [self.paragraph(line, indent=3 * mm) for x in card.supports for line in support_lines(x)]
        out += [self.gap(2.5 * mm), self.headings["card.notes"], self.notes]
        return out


def qr_payload(card: HouseholdCard) -> str:
    """What the card's QR code says: the household's id, exactly as stored."""
    return card.household_id


# ---------------------------------------------------------------- pages


@dataclass(frozen=True)
class PagePlan:
    card: HouseholdCard
    number: int  # 1-based, within the card
    placed: tuple[tuple[Block, float], ...]  # blocks and the y of their top, from the card page's bottom


def paginate(layout: CardLayout, card: HouseholdCard) -> list[PagePlan]:
    """Cut the card's blocks into card pages: the first under the full header, the rest under the short
    one. A table row that starts a page brings its column heads, a heading never ends a page, and a gap
    never starts one."""
    page_top = CARD_SIZE[1] - MARGIN
    blocks = layout.blocks(card)
    first = layout.first_header(card)
    later = layout.continued_header(card)
    pages: list[list[tuple[Block, float]]] = []
    current: list[tuple[Block, float]] = [(first, page_top)]
    y = page_top - first.height
    i = 0
    while i < len(blocks):
        block = blocks[i]
        fresh = len(current) == 1
        if fresh and pages and block.draw is None:
            i += 1
            continue
        need = block.height
        if block.keep_with_next and i + 1 < len(blocks):
            need += blocks[i + 1].height
        if fresh and pages and block.header is not None:
            need += block.header.height
        if y - need < BOTTOM and not fresh:
            pages.append(current)
            current, y = [(later, page_top)], page_top - later.height
            continue
        if fresh and pages and block.header is not None:
            current.append((block.header, y))
            y -= block.header.height
        if block.draw is not None:
            current.append((block, y))
        y -= block.height
        i += 1
    pages.append(current)
    return [PagePlan(card, n, tuple(placed)) for n, placed in enumerate(pages, start=1)]


def draw_card_page(layout: CardLayout, c: Canvas, plan: PagePlan, total: int) -> None:
    """One card page, its lower-left corner at the current origin."""
    x, width = MARGIN, layout.width
    pen = Pen(c, layout.font)
    for block, top in plan.placed:
        if block.draw is not None:
            block.draw(pen, x, top, width, top - BOTTOM)
    footer = tr("card.footer", number=plan.card.household_no, printed=layout.printed)
    pen.text(x, FOOTER_Y, footer, SMALL, MUTED)
    pen.right(x + width, FOOTER_Y, tr("report.page_of", page=plan.number, pages=total), SMALL, MUTED)


# ---------------------------------------------------------------- the file


def write_cards(
    path: str | os.PathLike[str],
    batch: CardBatch,
    *,
    layout: str = "a5",
    full_ids: bool = False,
    show_methods: bool = False,
    progress: ProgressFn | None = None,
) -> int:
    """Write the batch's cards, in its order, to one PDF at `path`; return the number of sheets (PDF
    pages). The file appears whole or not at all; `progress(fraction, message)` returning False cancels
    (Cancelled, and nothing is left behind). A missing font file raises FontMissing before anything is
    written. Contraceptive methods, and the visits that would name them, are left off the cards unless
    `show_methods` (a card hangs on the wall: the family may not want them seen)."""
    with atomic_output(path) as tmp_path:
        return _draw_cards(str(tmp_path), batch, layout, full_ids, show_methods, progress)


def cards_pdf(
    batch: CardBatch,
    *,
    layout: str = "a5",
    full_ids: bool = False,
    show_methods: bool = False,
    progress: ProgressFn | None = None,
) -> tuple[bytes, int]:
    """The same PDF in memory (for the preview: personal data is never left in a temporary file), with its
    number of sheets."""
    buffer = io.BytesIO()
    sheets = _draw_cards(buffer, batch, layout, full_ids, show_methods, progress)
    return buffer.getvalue(), sheets


def _draw_cards(
    target: str | io.BytesIO,
    batch: CardBatch,
    layout: str,
    full_ids: bool,
    show_methods: bool,
    progress: ProgressFn | None,
) -> int:
    if layout not in CARD_LAYOUTS:
        raise ValueError(f"unknown card layout {layout!r}; expected one of {CARD_LAYOUTS}")
    message = tr("card.progress")
    check_progress(progress, 0.0, message)
    font = register_cjk_font()
    cards_layout = CardLayout(font, batch, full_ids, show_methods)
    two_up = layout == "a4_two_up"
    sheet = landscape(A4) if two_up else CARD_SIZE
    slot_x = (sheet[0] / 2 - CARD_SIZE[0]) / 2 if two_up else 0.0  # each A5 centred in its half
    slot_y = (sheet[1] - CARD_SIZE[1]) / 2
    count = len(batch.cards)
    step = max(1, count // 100)
    sheets = 0
    c = Canvas(target, pagesize=sheet, initialFontName=font, initialFontSize=BODY)
    c.setTitle(tr("card.document_title", village=batch.village_name))
    c.setAuthor(batch.officer_name)
    c.setSubject(tr("card.document_subject", count=count))
    c.setCreator(pdf_creator())
    right = False  # a4_two_up: the next card page goes into the right half of the sheet
    for n, card in enumerate(batch.cards):
        plans = paginate(cards_layout, card)
        for plan in plans:
            c.saveState()
            c.translate(sheet[0] / 2 + slot_x if right else slot_x, slot_y)
            draw_card_page(cards_layout, c, plan, len(plans))
            c.restoreState()
            if two_up and not right:
                right = True
                continue
            if two_up:
                _cut_line(c, sheet)
            c.showPage()
            sheets += 1
            right = False
        if (n + 1) % step == 0:
            check_progress(progress, 0.02 + 0.9 * (n + 1) / count, message)
    if right:  # an odd number of card pages: the last sheet's right half stays blank
        _cut_line(c, sheet)
        c.showPage()
        sheets += 1
    if sheets == 0:
        c.setFont(font, 12)
        c.drawString(MARGIN, sheet[1] - MARGIN - 12, tr("card.empty"))
        c.showPage()
        sheets += 1
    cards_layout.define_forms(c)
    check_progress(progress, 0.95, message)
    with binary_streams():
        c.save()
    if progress is not None:
        progress(1.0, message)  # written: too late to cancel
    return sheets


@contextmanager
def binary_streams() -> Iterator[None]:
    """While a file is saved, compress its streams (Flate) without also wrapping them in ASCII85: reportlab
    does that by default (7-bit text, a relic of mail transport), in pure Python — a fifth of the time of
    writing 800 cards, and a bigger file. It is a global reportlab setting, put back afterwards; a PDF that
    another thread saves meanwhile just comes out binary too, which every reader takes."""
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def _cut_line(c: Canvas, sheet: tuple[float, float]) -> None:
    c.saveState()
    c.setStrokeColor(colors.HexColor("#bbbbbb"))
    c.setLineWidth(0.4)
    c.setDash(3, 3)
    c.line(sheet[0] / 2, 4 * mm, sheet[0] / 2, sheet[1] - 4 * mm)
    c.restoreState()
