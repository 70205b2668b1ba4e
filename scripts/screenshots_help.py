"""Save the screenshots of the help (F1) and of an empty village's first steps into docs/screenshots/, then the
guide's pictures (scripts/help_images.py). Run under Xvfb or on a desktop:

    Xvfb :96 -screen 0 1366x768x24 &  DISPLAY=:96 .venv/bin/python scripts/screenshots_help.py

first-use-<lang>.png: the dashboard of a village just set up (no households yet);
help-<lang>.png: the guide opened by F1 on the households page.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import config  # noqa: E402
from app.db import open_database  # noqa: E402
from app.i18n import set_language  # noqa: E402
from app.services import auth  # noqa: E402
from app.services.demo import DEMO_SETUP  # noqa: E402
from app.services.village import set_up_village  # noqa: E402
from app.ui.application import install_translations, settings_for  # noqa: E402
from app.ui.context import AppContext  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
TODAY = dt.date(2026, 11, 24)


def settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def save(widget: QWidget, path: Path) -> None:
    settle()
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def main() -> int:
    app = QApplication(sys.argv[:1])
    from app.ui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = open_database(config.database_path(folder))
        set_up_village(db, DEMO_SETUP)
        for lang in ("zh_CN", "en"):
            (folder / lang).mkdir()
            set_language(lang)
            install_translations(app, lang)
            ctx = AppContext(
                db=db,
                user=auth.list_users(db)[0],
                data_dir=folder,
                settings=settings_for(folder / lang),
                today=lambda: TODAY,
            )
            window = MainWindow(ctx)
            window.resize(1366, 768)
            window.show()
            window.show_page("dashboard")
            save(window, OUT / f"first-use-{lang}.png")
            window.show_page("households")
            window.show_help()
            assert window.help_window is not None
            window.help_window.resize(900, 700)
            save(window.help_window, OUT / f"help-{lang}.png")
            window.help_window.close()
            window.close()
        db.dispose()
    import help_images

    help_images.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
