"""Starting the desktop app: Qt application, translations, text size, logging, the database, the window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox

from app import config
from app.actor import Actor
from app.clock import today
from app.db import Database, DatabaseProblem, open_database
from app.files import create_private_file
from app.i18n import DEFAULT_LANGUAGE, language, set_language, tr
from app.progress import Cancelled
from app.services import auth
from app.services.village import is_set_up
from app.ui.context import AppContext
from app.ui.errors import install_excepthook, setup_logging, unexpected_message
from app.ui.main_window import MainWindow
from app.ui.workers import run_op

log = logging.getLogger(__name__)
TEXT_SIZES = {"normal": 10, "large": 12, "larger": 14}
_keep: list[object] = []  # translators and windows that must outlive run()'s locals


def settings_for(folder: Path) -> QSettings:
    return QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)


def private_settings(folder: Path) -> None:
    """settings.ini holds the last folders and searches used: the owner's alone, like the database. QSettings
    rewrites it keeping the permissions of the file it replaces, so it is created private first."""
    create_private_file(folder / "settings.ini")


def install_translations(app: QApplication, lang: str) -> None:
    """Qt's own dialogs (file pickers, message-box buttons) in the chosen language."""
    if lang != "zh_CN":
        return
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, path):
            app.installTranslator(translator)
            _keep.append(translator)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))


def apply_text_size(app: QApplication, size_key: str) -> None:
    font = QFont(app.font())
    font.setPointSize(TEXT_SIZES.get(size_key, TEXT_SIZES["normal"]))
    app.setFont(font)


def make_app() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(config.APP_NAME)
    app.setApplicationDisplayName(tr("app.name"))
    return app


def open_context(folder: Path, settings: QSettings, demo: bool) -> AppContext | None:
    db = open_database(config.database_path(folder), backups=config.backups_dir(folder))
    users = auth.list_users(db)
    if not users:
        return None
    return AppContext(db=db, user=users[0], data_dir=folder, settings=settings, demo=demo)


def keep_schedule_current(window: MainWindow, ctx: AppContext) -> None:
    """Once per start, in the background: repeating follow-ups are extended to the horizon and windows
    that closed since the last start become missed. The window stays usable; nothing shows unless slow."""
    from app.services import followups

    def done(summary: object) -> None:
        if any(getattr(summary, k, 0) for k in ("inserted", "moved", "cancelled")):
            window.refresh_pages()

    def failed(error: BaseException) -> None:  # not worth interrupting the officer: logged for support
        if not isinstance(error, Cancelled):  # cancelling it is the officer's choice, not a fault
            log.error("updating the follow-up schedule failed: %s", type(error).__name__, exc_info=error)

    run_op(
        window,
        lambda progress: followups.regenerate_all(ctx.db, Actor.system(ctx.db.node), ctx.today(), progress),
        title=tr("main.updating_schedule"),
        on_success=done,
        on_error=failed,
        show_after_ms=1500,
    )


def run(demo: bool = False, data_dir: str | None = None, lang: str | None = None) -> int:
    app = make_app()
    folder = config.village_dir(data_dir, demo=demo)
    settings = settings_for(folder)  # only read here: a missing folder gives the defaults
    set_language(lang or str(settings.value("ui/language", DEFAULT_LANGUAGE)))
    app.setApplicationDisplayName(tr("app.name"))
    install_translations(app, language())
    apply_text_size(app, str(settings.value("ui/text_size", "normal")))
    try:
        config.prepare_data_dir(folder)
        setup_logging(config.logs_dir(folder))
        private_settings(folder)
    except OSError:  # a read-only folder, another user's, a full disk: nothing can be kept there
        QMessageBox.critical(None, tr("error.title"), tr("cli_errors.folder_not_writable", path=str(folder)))
        return 1
    install_excepthook()
    try:
        db = open_database(config.database_path(folder), backups=config.backups_dir(folder))
    except DatabaseProblem as e:  # damaged, another program's, or from a newer version: said as it is
        log.error("could not open the database: %s", type(e).__name__)
        QMessageBox.critical(None, tr("error.title"), e.message())
        return 1
    except Exception:
        log.exception("could not open the database")
        QMessageBox.critical(
            None,
            tr("error.title"),
            tr("error.open_database", path=str(folder)) + "\n\n" + unexpected_message(),
        )
        return 1

    def show_main(database: Database) -> None:
        ctx = open_context(folder, settings, demo)
        if ctx is None:
            app.quit()
            return
        from app.services import supplies

        supplies.ensure_catalogue(ctx.db, ctx.actor)  # items a newer catalogue adds (idempotent)
        window = MainWindow(ctx)
        _keep.append(window)
        window.show()
        keep_schedule_current(window, ctx)

    if is_set_up(db):
        show_main(db)
    elif demo:
        from app.services.demo import generate_demo

        run_op(
            None,
            lambda progress: generate_demo(db, people=3000, seed=1, today=today(), progress=progress),
            title=tr("main.making_demo"),
            on_success=lambda _: show_main(db),
            on_error=lambda e: (
                log.error("demo failed", exc_info=e),
                QMessageBox.critical(None, tr("error.title"), unexpected_message()),
                app.quit(),
            ),
            cancellable=False,
            show_after_ms=0,
        )
    else:
        from app.ui.dialogs.setup_wizard import SetupWizard

        wizard = SetupWizard(db, folder)
        _keep.append(wizard)
        wizard.finished_setup.connect(lambda: show_main(db))
        wizard.rejected.connect(app.quit)
        wizard.show()
    code = app.exec()
    db.dispose()
    return code
