"""Starting the desktop app: Qt application, translations, text size, logging, the database, the window."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import cast

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QObject, QSettings, QTimer, QTranslator
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import backups, config
from app.actor import Actor
from app.backups import restore as restore_backup
from app.clock import today
from app.db import DatabaseProblem, check_before_login
from app.files import create_private_file
from app.i18n import DEFAULT_LANGUAGE, language, set_language, tr
from app.progress import Cancelled, ProgressFn
from app.services import login
from app.services.login import LoggedIn
from app.ui.context import AppContext
from app.ui.dialogs.login_dialog import DEMO_PASSWORD, LoginDialog
from app.ui.errors import install_excepthook, setup_logging, storage_sentence, unexpected_message
from app.ui.idle_lock import DEFAULT_IDLE_MINUTES, IdleLock
from app.ui.main_window import MainWindow
from app.ui.single_instance import SingleInstance, bring_forward
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


def context_for(session: LoggedIn, settings: QSettings, demo: bool) -> AppContext:
    return AppContext(
        db=session.db, user=session.user, data_dir=session.folder, settings=settings, demo=demo, login=session
    )


def back_up_if_due(window: MainWindow, session: LoggedIn) -> None:
    """At start: a backup when the newest is older than a day, in the background (nothing shows unless slow)."""

    def done(made: object) -> None:
        window.refresh_backup_status()

    def failed(error: BaseException) -> None:  # the status bar stays amber/red: that is the officer's warning
        log.error("the start-up backup failed: %s", type(error).__name__)

    database, key = config.database_path(session.folder), session.key
    run_op(
        window,
        lambda progress: backups.backup_if_due(database, key),
        title=tr("backups_ui.working"),
        on_success=done,
        on_error=failed,
        cancellable=False,
        show_after_ms=3000,
    )


def back_up_at_exit(session: LoggedIn) -> None:
    """A backup at a clean exit (then rotation); a failure is logged, the exit goes on."""
    try:
        backups.make_backup(config.database_path(session.folder), session.key, "exit")
        backups.rotate(config.backups_dir(session.folder), today())
    except Exception as e:  # noqa: BLE001 - the data itself is safe; the next start makes the backup
        log.error("the backup at exit failed: %s", type(e).__name__)


def reopen(session: LoggedIn) -> LoggedIn:
    """The same village opened again as the same person (after a restore), with the key already unwrapped."""
    return login.reopen(session.folder, session.key, session.user.id)


def restore_in_place(session: LoggedIn, chosen: Path, reopened: Callable[[LoggedIn], None]) -> None:
    """Close the village, put the backup in its place in the background (the current state backed up first),
    open it again as the same person and hand the new session to `reopened`. A restore that fails is said in
    one sentence and the village opens as it was (restore() leaves it whole either way)."""
    session.close()

    def succeeded(safety: backups.BackupInfo) -> None:
        again = reopen(session)
        login.audit_recovery(again, chosen, None)
        QMessageBox.information(
            None, tr("backups_ui.restore_title"), tr("backups_ui.restored", safety=safety.path.name)
        )
        reopened(again)

    def failed(error: BaseException) -> None:
        log.error("restore failed: %s", type(error).__name__)
        QMessageBox.critical(None, tr("error.title"), storage_sentence(error) or unexpected_message())
        reopened(reopen(session))

    database = config.database_path(session.folder)
    run_op(
        None,
        lambda progress: restore_backup(database, session.key, chosen),
        title=tr("backups_ui.restoring"),
        on_success=succeeded,
        on_error=failed,
        cancellable=False,
        show_after_ms=0,
    )


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


class _ExitAfterPaint(QObject):
    """--exit-after-paint: "painted" on stdout at the window's first paint (the moment start-up is measured
    to), then the app quits as soon as the start-up's background work is done, as a clean exit would."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            if sys.stdout is not None:  # None in a windowed program on Windows: its exit code tells
                print("painted", flush=True)
            self._quit_when_idle()
        return False

    def _quit_when_idle(self) -> None:
        from app.ui.workers import busy

        if busy():
            QTimer.singleShot(50, self._quit_when_idle)
        else:
            self._app.quit()


def make_demo_township(folder: Path, progress: ProgressFn) -> None:
    """The demo township of `python -m app --demo-township`: 20 demo villages' packages imported into an
    encrypted township database in the folder (the township account `township`, the demo password)."""
    from app.services.demo import copy_demo_township
    from app.sync import demo_township, township

    session = township.set_up_new_township(folder, demo_township.DEMO_TOWNSHIP_SETUP)
    try:
        demo_township.install_demo_keys(session.db, session.actor)
        demo_township.fill_demo_township(
            session.db, session.actor, villages=20, people=20_000, today=today(), progress=progress
        )
    finally:
        session.close()
    copy_demo_township(folder)


def scripted_login(folder: Path) -> LoggedIn:
    """The login of --exit-after-paint: the account of FHDESK_USER (else the first), the password of the file
    named by FHDESK_PASSWORD_FILE, as the command line logs in."""
    named = os.environ.get("FHDESK_PASSWORD_FILE")
    if not named:
        raise SystemExit(tr("cli_security.password_needed", variable="FHDESK_PASSWORD_FILE"))
    password = Path(named).read_text(encoding="utf-8").rstrip("\r\n")
    username = os.environ.get("FHDESK_USER") or login.usernames(folder)[0]
    return login.open_village(folder, username, password)


def run(
    demo: bool = False,
    data_dir: str | None = None,
    lang: str | None = None,
    exit_after_paint: bool = False,
    demo_township: bool = False,
) -> int:
    app = make_app()
    folder = config.village_dir(data_dir, demo=demo, demo_township=demo_township)
    settings = settings_for(folder)  # only read here: a missing folder gives the defaults
    set_language(lang or str(settings.value("ui/language", DEFAULT_LANGUAGE)))
    app.setApplicationDisplayName(tr("app.name"))
    install_translations(app, language())
    apply_text_size(app, str(settings.value("ui/text_size", "normal")))
    instance = SingleInstance(folder)
    if not instance.claim():  # another copy has this folder: it comes forward, this one says so and ends
        answered = instance.ask_first_copy_to_show()
        QMessageBox.information(
            None,
            tr("screens.already_running_title"),
            tr(
                "screens.already_running" if answered else "screens.already_running_no_answer",
                path=str(folder),
            ),
        )
        return 0
    _keep.append(instance)
    front: list[QWidget] = []  # the window a second copy brings forward: the wizard, then the main window
    instance.activated.connect(lambda: bring_forward(front[-1]) if front else None)
    try:
        config.prepare_data_dir(folder)
        setup_logging(config.logs_dir(folder))
        private_settings(folder)
    except OSError:  # a read-only folder, another user's, a full disk: nothing can be kept there
        QMessageBox.critical(None, tr("error.title"), tr("cli_errors.folder_not_writable", path=str(folder)))
        return 1
    install_excepthook()
    opened: list[LoggedIn] = []

    def show_main(session: LoggedIn) -> None:
        opened.append(session)
        settings.setValue("login/last_user", session.user.username)
        ctx = context_for(session, settings, demo)
        from app.sync.township import township_of

        if township_of(session.db) is not None:  # township mode: its own window
            show_township(session, ctx)
            return
        from app.services import supplies

        supplies.ensure_catalogue(ctx.db, ctx.actor)  # items a newer catalogue adds (idempotent)
        window = MainWindow(ctx)
        _keep.append(window)
        front.append(window)
        minutes = int(cast(int | str, settings.value("security/idle_minutes", DEFAULT_IDLE_MINUTES)))
        lock = IdleLock(session, minutes, app.quit)
        window.idleMinutesChanged.connect(lock.set_minutes)
        window.restoreRequested.connect(
            lambda chosen: restore_and_reopen(window, lock, session, Path(chosen))
        )
        _keep.append(lock)
        if exit_after_paint:
            window.installEventFilter(_ExitAfterPaint(app))
        window.show()
        for warning in session.warnings:  # said once: e.g. a WAL that this computer did not leave
            QMessageBox.warning(window, tr("error.title"), tr(warning))
        keep_schedule_current(window, ctx)
        back_up_if_due(window, session)

    def show_township(session: LoggedIn, ctx: AppContext) -> None:
        from app.ui.township_window import TownshipWindow

        window = TownshipWindow(ctx)
        _keep.append(window)
        front.append(window)
        minutes = int(cast(int | str, settings.value("security/idle_minutes", DEFAULT_IDLE_MINUTES)))
        lock = IdleLock(session, minutes, app.quit)
        _keep.append(lock)
        if exit_after_paint:
            window.installEventFilter(_ExitAfterPaint(app))
        window.show()
        back_up_if_due(window, session)  # type: ignore[arg-type]  # it reads and refreshes the backup status

    def restore_and_reopen(window: MainWindow, lock: IdleLock, session: LoggedIn, chosen: Path) -> None:
        lock.stop()
        window.hide()
        opened.remove(session)

        def reopened(again: LoggedIn) -> None:
            window.close()
            show_main(again)

        restore_in_place(session, chosen, reopened)

    def ask_login() -> None:
        dialog = LoginDialog(folder, last_user=str(settings.value("login/last_user", "")), demo=demo)
        _keep.append(dialog)
        front.append(dialog)
        dialog.accepted.connect(lambda: show_main(dialog.session) if dialog.session else app.quit())
        dialog.rejected.connect(app.quit)
        dialog.show()

    if login.has_village(folder):
        try:
            check_before_login(config.database_path(folder))
        except DatabaseProblem as e:  # damaged, another program's, or from a newer version: said as it is
            log.error("could not open the database: %s", type(e).__name__)
            QMessageBox.critical(None, tr("error.title"), e.message())
            return 1
        if exit_after_paint:
            show_main(scripted_login(folder))
        else:
            ask_login()
    elif demo_township:

        def township_failed(e: BaseException) -> None:
            log.error("demo township failed: %s", type(e).__name__, exc_info=e)
            QMessageBox.critical(None, tr("error.title"), unexpected_message())
            app.quit()

        run_op(
            None,
            lambda progress: make_demo_township(folder, progress),
            title=tr("township_window.making_demo"),
            on_success=lambda _: ask_login(),
            on_error=township_failed,
            cancellable=False,
            show_after_ms=0,
        )
    elif demo:
        from app.services.demo import create_demo_village

        def demo_failed(e: BaseException) -> None:
            log.error("demo failed: %s", type(e).__name__, exc_info=e)
            QMessageBox.critical(None, tr("error.title"), unexpected_message())
            app.quit()

        run_op(
            None,
            lambda progress: create_demo_village(
                folder, password=DEMO_PASSWORD, people=3000, seed=1, today=today(), progress=progress
            ),
            title=tr("main.making_demo"),
            on_success=lambda _: ask_login(),
            on_error=demo_failed,
            cancellable=False,
            show_after_ms=0,
        )
    else:
        from app.ui.dialogs.setup_wizard import SetupWizard

        wizard = SetupWizard(folder)
        _keep.append(wizard)
        front.append(wizard)
        wizard.finished_setup.connect(lambda: show_main(wizard.session) if wizard.session else app.quit())
        # cancelled on the last page (the township's keys), the village exists already: open it
        wizard.rejected.connect(lambda: show_main(wizard.session) if wizard.session else app.quit())
        wizard.show()
    code = app.exec()
    for session in opened:
        back_up_at_exit(session)
        session.close()
    instance.release()
    return code
