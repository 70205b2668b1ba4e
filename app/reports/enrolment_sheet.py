"""密钥登记表: the village's public keys on one A4 page, handed to the township in person.

The township enrols the keys from the file (or the QR code's text) and compares the fingerprints printed here,
read aloud in groups of four, with what its screen shows; both sign the sheet. Nothing on it is secret.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.files import atomic_output
from app.i18n import tr
from app.reports.fonts import register_cjk_font
from app.reports.pdf_common import LINE, MARGIN
from app.reports.qr import draw_qr

QR_SIZE = 60 * mm


@dataclass(frozen=True)
class SheetKeys:
    """What the sheet prints (plain text: the reports layer reads no keys itself)."""

    node: str
    name: str
    township_name: str
    age: str
    sign: str
    age_fingerprint: str  # groups of four
    sign_fingerprint: str
    qr_text: str


def write_enrolment_sheet(
    path: str | os.PathLike[str], keys: SheetKeys, *, printed_on: dt.date, version: str
) -> None:
    font = register_cjk_font()
    width, height = A4
    with atomic_output(path, mode=0o644) as tmp:
        c = Canvas(str(tmp), pagesize=A4, pageCompression=1)
        c.setTitle(tr("sync_ui.sheet_title"))
        c.setCreator(tr("app.name") + f" {version}")
        c.setAuthor(keys.name)
        left, y = MARGIN, height - MARGIN - 8 * mm
        c.setFont(font, 18)
        c.drawString(left, y, tr("sync_ui.sheet_title"))
        y -= 12 * mm
        c.setFont(font, 12)
        for line in (
            tr("sync_ui.sheet_village", name=keys.name, code=keys.node),
            tr("sync_ui.sheet_township", name=keys.township_name),
            tr("sync_ui.sheet_date", date=printed_on.isoformat()),
        ):
            c.drawString(left, y, line)
            y -= 7 * mm
        y -= 4 * mm
        c.setFont(font, 12)
        c.drawString(left, y, tr("sync_ui.sheet_fingerprints"))
        y -= 10 * mm
        for label_id, fingerprint in (
            ("sync_ui.sheet_sign_fp", keys.sign_fingerprint),
            ("sync_ui.sheet_age_fp", keys.age_fingerprint),
        ):
            c.setFont(font, 11)
            c.drawString(left, y, tr(label_id))
            c.setFont("Courier-Bold", 20)
            c.drawString(left + 45 * mm, y - 1 * mm, fingerprint)
            y -= 12 * mm
        y -= 2 * mm
        c.setFont(font, 10)
        c.drawString(left, y, tr("sync_ui.sheet_keys"))
        y -= 6 * mm
        c.setFont("Courier", 8.5)
        for line in (f"age:     {keys.age}", f"ed25519: {keys.sign}"):
            c.drawString(left, y, line)
            y -= 5 * mm
        y -= 4 * mm
        draw_qr(c, keys.qr_text, left, y - QR_SIZE, QR_SIZE)
        c.setFont(font, 9.5)
        text = c.beginText(left + QR_SIZE + 8 * mm, y - 6 * mm)
        text.setFont(font, 9.5)
        text.setLeading(13)
        for line in tr("sync_ui.sheet_how").split("\n"):
            text.textLine(line)
        c.drawText(text)
        y -= QR_SIZE + 14 * mm
        c.setStrokeColor(LINE)
        c.setFont(font, 11)
        for label_id in ("sync_ui.sheet_signed_village", "sync_ui.sheet_signed_township"):
            c.drawString(left, y, tr(label_id))
            c.line(left + 62 * mm, y - 1 * mm, width - MARGIN, y - 1 * mm)
            y -= 14 * mm
        c.showPage()
        c.save()
