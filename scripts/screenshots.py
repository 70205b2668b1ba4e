"""Save screenshots of the main screens, their forms and page 1 of the printed week's visit list into
docs/screenshots/ (run under Xvfb or on a desktop):

    Xvfb :96 -screen 0 1366x768x24 &  DISPLAY=:96 .venv/bin/python scripts/screenshots.py

Uses a demo village generated into a temporary folder, in Chinese and in English, at 1366×768. A few
extra pictures (forms showing their errors, the count form, the supplies tab of a care record) are for
looking at, not kept in docs/: they go to the system's temporary folder.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QComboBox, QWidget

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import config  # noqa: E402
from app.db import open_database  # noqa: E402
from app.i18n import set_language, tr  # noqa: E402
from app.services import auth, followups, supplies  # noqa: E402
from app.services import households as hh  # noqa: E402
from app.services.demo import generate_demo  # noqa: E402
from app.services.pregnancies import open_pregnancies  # noqa: E402
from app.services.village import village_info  # noqa: E402
from app.ui.application import install_translations, settings_for  # noqa: E402
from app.ui.context import AppContext  # noqa: E402

if TYPE_CHECKING:
    from app.db import Database
    from app.ui.main_window import MainWindow

OUT = ROOT / "docs" / "screenshots"
SCRATCH = Path(tempfile.gettempdir())  # pictures for looking at, not kept in docs/
TODAY = dt.date(2026, 11, 24)
LANGUAGES = ("zh_CN", "en")


def settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def save(widget: QWidget, path: Path) -> None:
    """Let the widget draw itself, then save what it shows."""
    settle()
    widget.grab().save(str(path))


def save_page(window: MainWindow, key: str, name: str) -> None:
    window.show_page(key)
    save(window, OUT / name)


def households_screens(window: MainWindow, ctx: AppContext, lang: str) -> None:
    from app.ui.dialogs.member_form import MemberForm

    page = window.households
    window.show_page("households")
    page.household_view.select_row(2)
    save(window, OUT / f"households-{lang}.png")
    save_page(window, "women", f"women-{lang}.png")
    member = page.member_model.rows()[0]
    form = MemberForm(ctx, member.household_id, member.id, parent=window)
    form.show()
    save(form, OUT / f"member-form-{lang}.png")
    form.close()


def pregnancies_screens(window: MainWindow, ctx: AppContext, lang: str) -> None:
    from app.ui.dialogs.person_care import PersonCareDialog
    from app.ui.dialogs.pregnancy_form import PregnancyForm

    save_page(window, "pregnancies", f"pregnancies-{lang}.png")
    woman = window.pregnancies.model.rows()[0]
    form = PregnancyForm(ctx, woman.woman_id, woman.name, woman.id, parent=window)
    form.show()
    save(form, OUT / f"pregnancy-form-{lang}.png")
    form.close()
    care = PersonCareDialog(ctx, woman.woman_id, window)
    care.tabs.setCurrentIndex(care.tabs.count() - 1)
    care.show()
    save(care, OUT / f"care-record-{lang}.png")
    care.close()


def followups_screens(window: MainWindow, ctx: AppContext, lang: str) -> None:
    from app.ui.dialogs.checklist_dialog import ChecklistDialog

    page = window.followups
    window.show_page("followups")
    page.show_window("week")
    page.view.select_row(1)
    save(window, OUT / f"followups-{lang}.png")
    antenatal = next(r for r in page.model.rows() if r.followup_type.startswith("anc"))
    dialog = ChecklistDialog(ctx, antenatal.id, parent=window)
    dialog.show()
    save(dialog, OUT / f"checklist-dialog-{lang}.png")
    # the same dialog after Save with the required answers missing: the errors at their fields
    first = dialog.findChild(QComboBox, f"item_{dialog.template.items[0].key}")
    first.setCurrentIndex(1)
    dialog.save()
    save(dialog, SCRATCH / f"checklist-dialog-errors-{lang}.png")
    dialog.done(0)


def supplies_screens(window: MainWindow, ctx: AppContext, lang: str) -> None:
    from app.ui.dialogs.person_care import PersonCareDialog
    from app.ui.dialogs.supply_forms import CountForm, IssueForm

    db = ctx.db
    page = window.supplies
    window.show_page("supplies")
    expiring = next((x for x in supplies.lots(db, TODAY) if x.expires_within_90 or x.expired), None)
    item_id = expiring.item_id if expiring else page.item_model.rows()[1].id
    page.show_item(item_id)  # an item with a lot expiring soon, when there is one: amber
    page.ledger_view.select_row(0)
    save(window, OUT / f"supplies-{lang}.png")
    page.tabs.setCurrentIndex(1)
    page.month_combo.setCurrentIndex(1)
    save(window, OUT / f"supplies-report-{lang}.png")
    page.tabs.setCurrentIndex(0)
    # the issue form for someone who received supplies, opened on the pill
    issued = next(r for r in page.ledger_model.rows() if r.person_id)
    person = hh.get_person(db, issued.person_id or "")
    form = IssueForm(ctx, person, item_id=issued.item_id, parent=window)
    form.quantity.setText("3")
    form.show()
    save(form, OUT / f"issue-form-{lang}.png")
    form.done(0)
    lot = supplies.lots(db, TODAY, item_id=issued.item_id)[0]
    count = CountForm(ctx, issued.item_id, lot.lot, parent=window)
    count.counted.setText(str(max(lot.on_hand - 2, 0)))
    count.show()
    save(count, SCRATCH / f"count-form-{lang}.png")
    count.done(0)
    record = PersonCareDialog(ctx, person.id, window)
    record.tabs.setCurrentWidget(record.supplies_tab)
    record.show()
    save(record, SCRATCH / f"care-supplies-{lang}.png")
    record.done(0)


def wait_for(condition: Callable[[], object], seconds: float = 30) -> None:
    """Let background work (run_op) finish: the monthly report is computed off the UI thread."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)


def reports_screens(window: MainWindow, ctx: AppContext, lang: str) -> None:
    page = window.reports
    page.monthly.document = None
    window.show_page("reports")
    wait_for(lambda: page.monthly.document is not None)
    save(window, OUT / f"reports-monthly-{lang}.png")
    page.tabs.setCurrentWidget(page.cards)
    page.cards.group_combo.setCurrentIndex(1)
    page.cards.view.select_row(0)
    save(window, OUT / f"reports-cards-{lang}.png")
    page.tabs.setCurrentWidget(page.registers)
    page.registers.register_list.setCurrentRow(3)
    save(window, OUT / f"reports-registers-{lang}.png")
    page.tabs.setCurrentWidget(page.monthly)


def printed_pngs(db: Database, folder: Path, lang: str) -> None:
    """Page 1 of a household's service card and of last month's report, drawn by poppler."""
    from app.reports.cards import write_cards
    from app.reports.monthly_pdf import write_report_pdf
    from app.services.cards import card_batch
    from app.services.indicators import monthly_report_document

    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found: no card or report pictures")
        return
    user = auth.list_users(db)[0]
    # a household with a pregnant woman, so the card shows what a card is for
    pregnant = open_pregnancies(db)[0]
    batch = card_batch(db, user.id, TODAY, household_ids=[pregnant.household_id])
    page_1 = ["-f", "1", "-l", "1", "-singlefile"]
    for layout in ("a5", "a4_two_up") if lang == LANGUAGES[0] else ("a5",):
        pdf = folder / f"card-{layout}.pdf"
        write_cards(pdf, batch, layout=layout)
        name = f"card-{layout}-{lang}" if layout == "a5" else f"card-{layout}"
        subprocess.run(["pdftoppm", "-png", "-r", "100", *page_1, str(pdf), str(OUT / name)], check=True)
    doc = monthly_report_document(db, 2026, 10, today=TODAY)
    pdf = folder / "report.pdf"
    write_report_pdf(pdf, doc, printed_on=TODAY)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", *page_1, str(pdf), str(OUT / f"monthly-report-pdf-{lang}")],
        check=True,
    )


def visit_list_png(db: object, folder: Path) -> None:
    """Page 1 of the printed week's visit list, drawn by poppler."""
    from app.reports.visit_list import write_visit_list

    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found: no visit-list.png")
        return
    monday, sunday = followups.week_bounds(TODAY)
    rows = followups.work_list(db, TODAY, "week")  # type: ignore[arg-type]
    info = village_info(db)  # type: ignore[arg-type]
    pdf = folder / "visit-list.pdf"
    write_visit_list(
        rows,
        pdf,
        village_name=info.name if info else "",
        officer_name=auth.list_users(db)[0].display_name,  # type: ignore[arg-type]
        printed_on=TODAY,
        week_label=tr("followups.week_label", start=monday.isoformat(), end=sunday.isoformat()),
    )
    page_1 = ["-f", "1", "-l", "1", "-singlefile"]
    subprocess.run(["pdftoppm", "-png", "-r", "80", *page_1, str(pdf), str(OUT / "visit-list")], check=True)


def main() -> int:
    app = QApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = open_database(config.database_path(folder))
        generate_demo(db, people=3000, seed=1, today=TODAY)
        for lang in LANGUAGES:
            (folder / lang).mkdir()
            set_language(lang)
            install_translations(app, lang)
            from app.ui.main_window import MainWindow

            ctx = AppContext(
                db=db,
                user=auth.list_users(db)[0],
                data_dir=folder,
                settings=settings_for(folder / lang),  # column widths fitted to each language
                today=lambda: TODAY,
                demo=True,
            )
            window = MainWindow(ctx)
            window.resize(1366, 768)
            window.show()
            settle()
            save_page(window, "dashboard", f"dashboard-{lang}.png")
            for screens in (
                households_screens,
                pregnancies_screens,
                followups_screens,
                supplies_screens,
                reports_screens,
            ):
                screens(window, ctx, lang)
            window.close()
            printed_pngs(db, folder, lang)
            if lang == LANGUAGES[0]:
                visit_list_png(db, folder)
        db.dispose()
    print(f"saved to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
