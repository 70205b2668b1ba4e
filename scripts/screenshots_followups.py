"""Save screenshots of the dashboard, the follow-ups page, the checklist dialog and page 1 of the printed
week's visit list into docs/screenshots/ (run under Xvfb or on a desktop):

    Xvfb :98 -screen 0 1366x768x24 &  DISPLAY=:98 .venv/bin/python scripts/screenshots_followups.py

Uses a demo village generated into a temporary folder, in Chinese and in English. The pages are shown in the
main window when it has them, otherwise in the space the main window gives a page at 1366×768.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication, QComboBox, QWidget

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import config  # noqa: E402
from app.db import open_database  # noqa: E402
from app.i18n import set_language, tr  # noqa: E402
from app.services import auth, followups  # noqa: E402
from app.services.demo import generate_demo  # noqa: E402
from app.services.village import village_info  # noqa: E402
from app.ui.application import install_translations, settings_for  # noqa: E402
from app.ui.context import AppContext  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
TODAY = dt.date(2026, 11, 24)


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def show_page(app: QApplication, window: object, key: str, page: QWidget) -> QWidget:
    """The page as it appears in the main window; the widget to grab."""
    pages = getattr(window, "pages", {})
    if key in pages:
        window.show_page(key)  # type: ignore[attr-defined]
        settle(app)
        return window  # type: ignore[return-value]
    stack = window.stack  # type: ignore[attr-defined]
    stack.addWidget(page)
    stack.setCurrentWidget(page)
    settle(app)
    return page


def visit_list_png(db: object, folder: Path) -> None:
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
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(OUT / "visit-list"),
        ],
        check=True,
    )


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
            from app.ui.dialogs.checklist_dialog import ChecklistDialog
            from app.ui.main_window import MainWindow
            from app.ui.pages.dashboard import DashboardPage
            from app.ui.pages.followups import FollowupsPage

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
            settle(app)
            pages = getattr(window, "pages", {})
            dashboard = pages.get("dashboard") or DashboardPage(ctx)
            show_page(app, window, "dashboard", dashboard).grab().save(str(OUT / f"dashboard-{lang}.png"))
            page = pages.get("followups") or FollowupsPage(ctx)
            assert isinstance(page, FollowupsPage)
            target = show_page(app, window, "followups", page)
            page.show_window("week")
            page.view.select_row(1)
            settle(app)
            target.grab().save(str(OUT / f"followups-{lang}.png"))
            antenatal = next(r for r in page.model.rows() if r.followup_type.startswith("anc"))
            dialog = ChecklistDialog(ctx, antenatal.id, parent=window)
            dialog.show()
            settle(app)
            dialog.grab().save(str(OUT / f"checklist-dialog-{lang}.png"))
            # the same dialog after Save with the required answers missing: the errors at their fields
            # (for looking at, not kept in docs/)
            first = dialog.findChild(QComboBox, f"item_{dialog.template.items[0].key}")
            first.setCurrentIndex(1)
            dialog.save()
            settle(app)
            dialog.grab().save(str(Path(tempfile.gettempdir()) / f"checklist-dialog-errors-{lang}.png"))
            dialog.done(0)
            window.close()
            if lang == "zh_CN":
                visit_list_png(db, folder)
        db.dispose()
    print(f"saved to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
