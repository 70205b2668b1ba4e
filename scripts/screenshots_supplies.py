"""Save screenshots of the supplies page (stock and ledger, and the monthly report), the issue form and the
dashboard with its supply cards into docs/screenshots/ (run under Xvfb or on a desktop):

    Xvfb :97 -screen 0 1366x768x24 &  DISPLAY=:97 .venv/bin/python scripts/screenshots_supplies.py

Uses a demo village generated into a temporary folder, in Chinese and in English, at 1366×768.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import config  # noqa: E402
from app.db import open_database  # noqa: E402
from app.i18n import set_language  # noqa: E402
from app.services import auth, supplies  # noqa: E402
from app.services import households as hh  # noqa: E402
from app.services.demo import generate_demo  # noqa: E402
from app.ui.application import install_translations, settings_for  # noqa: E402
from app.ui.context import AppContext  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
TODAY = dt.date(2026, 11, 24)


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def main() -> int:
    app = QApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = open_database(config.database_path(folder))
        generate_demo(db, people=3000, seed=1, today=TODAY)
        for lang in ("zh_CN", "en"):
            (folder / lang).mkdir()
            set_language(lang)
            install_translations(app, lang)
            from app.ui.dialogs.supply_forms import CountForm, IssueForm
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
            settle(app)
            window.show_page("dashboard")
            settle(app)
            window.grab().save(str(OUT / f"dashboard-{lang}.png"))
            page = window.supplies
            window.show_page("supplies")
            expiring = next((x for x in supplies.lots(db, TODAY) if x.expires_within_90 or x.expired), None)
            item_id = expiring.item_id if expiring else page.item_model.rows()[1].id
            page.show_item(item_id)  # an item with a lot expiring soon, when there is one: amber
            page.ledger_view.select_row(0)
            settle(app)
            window.grab().save(str(OUT / f"supplies-{lang}.png"))
            page.tabs.setCurrentIndex(1)
            page.month_combo.setCurrentIndex(1)
            settle(app)
            window.grab().save(str(OUT / f"supplies-report-{lang}.png"))
            page.tabs.setCurrentIndex(0)
            # the issue form for someone who received supplies, opened on the pill
            issued = next(r for r in page.ledger_model.rows() if r.person_id)
            person = hh.get_person(db, issued.person_id or "")
            form = IssueForm(ctx, person, item_id=issued.item_id, parent=window)
            form.quantity.setText("3")
            form.show()
            settle(app)
            form.grab().save(str(OUT / f"issue-form-{lang}.png"))
            form.done(0)
            lot = supplies.lots(db, TODAY, item_id=issued.item_id)[0]
            count = CountForm(ctx, issued.item_id, lot.lot, parent=window)
            count.counted.setText(str(max(lot.on_hand - 2, 0)))
            count.show()
            settle(app)
            count.grab().save(str(Path(tempfile.gettempdir()) / f"count-form-{lang}.png"))
            count.done(0)
            from app.ui.dialogs.person_care import PersonCareDialog

            record = PersonCareDialog(ctx, person.id, window)
            record.tabs.setCurrentWidget(record.supplies_tab)
            record.show()
            settle(app)
            record.grab().save(str(Path(tempfile.gettempdir()) / f"care-supplies-{lang}.png"))
            record.done(0)
            window.close()
        db.dispose()
    print(f"saved to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
