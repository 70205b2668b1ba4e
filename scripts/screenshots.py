"""Save screenshots of the main screens into docs/screenshots/ (run under Xvfb or on a desktop):

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py

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
from app.services import auth  # noqa: E402
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
            set_language(lang)
            install_translations(app, lang)
            from app.ui.dialogs.member_form import MemberForm
            from app.ui.main_window import MainWindow

            ctx = AppContext(
                db=db,
                user=auth.list_users(db)[0],
                data_dir=folder,
                settings=settings_for(folder),
                today=lambda: TODAY,
                demo=True,
            )
            window = MainWindow(ctx)
            window.resize(1366, 768)
            window.show()
            page = window.households
            page.household_view.select_row(2)
            settle(app)
            window.grab().save(str(OUT / f"households-{lang}.png"))
            window.show_page("women")
            settle(app)
            window.grab().save(str(OUT / f"women-{lang}.png"))
            member = page.member_model.rows()[0]
            form = MemberForm(ctx, member.household_id, member.id, parent=window)
            form.show()
            settle(app)
            form.grab().save(str(OUT / f"member-form-{lang}.png"))
            form.close()
            window.show_page("pregnancies")
            settle(app)
            window.grab().save(str(OUT / f"pregnancies-{lang}.png"))
            from app.ui.dialogs.pregnancy_form import PregnancyForm

            woman = window.pregnancies.model.rows()[0]
            pform = PregnancyForm(ctx, woman.woman_id, woman.name, woman.id, parent=window)
            pform.show()
            settle(app)
            pform.grab().save(str(OUT / f"pregnancy-form-{lang}.png"))
            pform.close()
            from app.ui.dialogs.person_care import PersonCareDialog

            care = PersonCareDialog(ctx, woman.woman_id, window)
            care.tabs.setCurrentIndex(care.tabs.count() - 1)
            care.show()
            settle(app)
            care.grab().save(str(OUT / f"care-record-{lang}.png"))
            care.close()
            window.close()
        db.dispose()
    print(f"saved to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
