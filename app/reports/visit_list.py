"""随访单: the week's visit list on A4 paper, to carry from house to house and write the results on.

Grouped by villager group, then household (number, address, phone); one line per follow-up with the person,
what is due, its window, its status, and an empty 结果/签名 column to fill in by hand. Every page has the
village and the week at the top, the date printed and 第 N 页 / 共 M 页 at the bottom.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from itertools import groupby
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.files import atomic_output
from app.i18n import tr
from app.progress import ProgressFn, report
from app.reports.fonts import register_cjk_font
from app.reports.pdf_common import LINE, MARGIN, PAGE_SIZE, numbered_canvas
from app.services.followups import FollowupRow
from app.version import pdf_creator
from app.vocab import FollowupStatus

HEADER_GAP = 10 * mm  # room above the story for the running header
FOOTER_GAP = 10 * mm
# person, follow-up, window, status, result/signature: 180 mm, the width of A4 less the margins
COLUMN_WIDTHS = (24 * mm, 40 * mm, 42 * mm, 18 * mm, 56 * mm)
GREY = colors.HexColor("#e8e8e8")


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("cell", fontName=font, fontSize=9.5, leading=12, wordWrap="CJK", alignment=TA_LEFT)
    return {
        "cell": base,
        "head": ParagraphStyle("head", parent=base, fontSize=9.5),
        "household": ParagraphStyle("household", parent=base, fontSize=10, leading=13),
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=20, spaceAfter=2 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10, leading=13, spaceAfter=3 * mm),
        "group": ParagraphStyle(
            "group", parent=base, fontSize=12, leading=15, spaceBefore=4 * mm, spaceAfter=1.5 * mm
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def status_text(row: FollowupRow, on: dt.date) -> str:
    if row.status == FollowupStatus.DUE and row.latest < on:
        return tr("visit_list.overdue")
    return tr(f"vocab.followup_status.{row.status}")


def _household_line(rows: Sequence[FollowupRow]) -> str:
    first = rows[0]
    phones = list(dict.fromkeys(r.phone for r in rows if r.phone))
    return tr(
        "visit_list.household",
        number=first.household_no,
        address=first.address or "—",
        phone="、".join(phones) or "—",
    )


def _group_table(rows: list[FollowupRow], styles: dict[str, ParagraphStyle], on: dt.date) -> Table:
    head = [
        _p(tr(i), styles["head"])
        for i in (
            "visit_list.col.person",
            "visit_list.col.type",
            "visit_list.col.window",
            "visit_list.col.status",
            "visit_list.col.result",
        )
    ]
    data: list[list[Any]] = [head]
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName),  # the empty cells too: no Helvetica
        ("GRID", (0, 0), (-1, -1), 0.5, LINE),
        ("BACKGROUND", (0, 0), (-1, 0), GREY),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for _, members in groupby(rows, key=lambda r: r.household_id):
        block = list(members)
        start = len(data)
        data.append([_p(_household_line(block), styles["household"]), "", "", "", ""])
        commands += [
            ("SPAN", (0, start), (-1, start)),
            ("BACKGROUND", (0, start), (-1, start), colors.HexColor("#f4f4f4")),
        ]
        for r in block:
            data.append(
                [
                    _p(r.name, styles["cell"]),
                    _p(tr(f"vocab.followup_type.{r.followup_type}"), styles["cell"]),
                    _p(
                        tr("visit_list.window", earliest=r.earliest.isoformat(), latest=r.latest.isoformat()),
                        styles["cell"],
                    ),
                    _p(status_text(r, on), styles["cell"]),
                    "",
                ]
            )
        end = len(data) - 1
        # a household's lines stay on one page; the room to write by hand under each follow-up
        commands += [
            ("NOSPLIT", (0, start), (-1, end)),
            ("TOPPADDING", (0, start + 1), (-1, end), 7),
            ("BOTTOMPADDING", (0, start + 1), (-1, end), 7),
        ]
    return Table(data, colWidths=COLUMN_WIDTHS, repeatRows=1, style=TableStyle(commands), hAlign="LEFT")


def write_visit_list(
    rows: list[FollowupRow],
    path: str | os.PathLike[str],
    *,
    village_name: str,
    officer_name: str,
    printed_on: dt.date,
    week_label: str,
    progress: ProgressFn | None = None,
) -> None:
    """Write the visit list of `rows` to `path` (A4 portrait). The file appears whole or not at all: it is
    written beside the target and renamed. `progress(fraction, message)` returning False cancels
    (raises app.progress.Cancelled)."""

    def step(fraction: float) -> None:
        report(progress, fraction, tr("visit_list.progress"))

    step(0.0)
    font = register_cjk_font()
    styles = _styles(font)
    ordered = sorted(rows, key=lambda r: (r.group_no, r.household_no, r.household_id, r.due, r.name))
    households = len({r.household_id for r in ordered})
    story: list[Any] = [
        _p(tr("visit_list.title", village=village_name), styles["title"]),
        _p(
            tr(
                "visit_list.subtitle",
                week=week_label,
                officer=officer_name or "—",
                households=households,
                count=len(ordered),
            ),
            styles["subtitle"],
        ),
    ]
    if not ordered:
        story.append(_p(tr("visit_list.empty"), styles["cell"]))
    groups = [(g, list(members)) for g, members in groupby(ordered, key=lambda r: r.group_no)]
    for i, (group_no, members) in enumerate(groups):
        heading = _p(tr("visit_list.group", group=group_no, count=len(members)), styles["group"])
        # a group's heading never ends a page alone (keepWithNext would move a long group's whole table)
        story += [CondPageBreak(40 * mm), heading, _group_table(members, styles, printed_on)]
        step(0.1 + 0.4 * (i + 1) / len(groups))
    story.append(Spacer(1, 2 * mm))

    with atomic_output(path) as tmp_path:
        tmp_name = str(tmp_path)
        doc = SimpleDocTemplate(
            tmp_name,
            pagesize=PAGE_SIZE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + HEADER_GAP - 4 * mm,
            bottomMargin=MARGIN + FOOTER_GAP - 6 * mm,
            title=tr("visit_list.title", village=village_name),
            author=officer_name,
            subject=week_label,
            creator=pdf_creator(),
            initialFontName=font,  # or reportlab lists an unembedded Helvetica among the page fonts
        )
        canvas = numbered_canvas(
            font,
            tr("visit_list.header", village=village_name),
            week_label,
            tr("report.printed_on", date=printed_on.isoformat()),
        )
        doc.build(story, canvasmaker=canvas)
        step(0.95)
    if progress is not None:
        progress(1.0, tr("visit_list.progress"))  # written: too late to cancel
