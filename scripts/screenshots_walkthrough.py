"""The officer's walkthrough of issue 12's screens, as Chinese pictures in docs/screenshots/ (run under Xvfb,
like scripts/screenshots.py):

    Xvfb :96 -screen 0 1366x768x24 &  DISPLAY=:96 .venv/bin/python scripts/screenshots_walkthrough.py

the wizard refusing a wrong township code at its field, the list a dashboard number opens, the cards tab
asking about a lost selection, a save dialog, the largest text size at 1366×768 (pregnancies, supplies, the
monthly report), and family support (a household's entitlements and visits, the entitlement form).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget, QWizard

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screenshots import OUT, TODAY, save, settle, wait_for  # noqa: E402  (this folder is on sys.path)

from app import config  # noqa: E402
from app.db import open_database  # noqa: E402
from app.i18n import set_language  # noqa: E402
from app.services import auth, care  # noqa: E402
from app.services import households as hh  # noqa: E402
from app.services.demo import generate_demo  # noqa: E402
from app.ui.application import apply_text_size, install_translations, settings_for  # noqa: E402
from app.ui.context import AppContext  # noqa: E402


def grab_modal(trigger: Callable[[], object], path: Path) -> None:
    """Run `trigger`, which opens a modal dialog; save the screen (the window with the dialog over it) as
    the dialog shows, then close it."""

    def shoot() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(50, shoot)
            return
        settle()
        QApplication.primaryScreen().grabWindow(0).save(str(path))
        dialog.close()

    QTimer.singleShot(50, shoot)
    trigger()


def wizard_screen(folder: Path, lang: str) -> None:
    from app.ui.dialogs.setup_wizard import SetupWizard

    (folder / "new-village").mkdir(exist_ok=True)
    db = open_database(config.database_path(folder / "new-village"))
    wizard = SetupWizard(db, folder / "new-village")
    wizard.show()
    wizard.village_name.setText("青山村")
    wizard.village_code.setText("620422103205")
    wizard.next()
    wizard.township_name.setText("白银镇")
    wizard.township_code.setText("620422104000")  # not the village's township
    wizard.button(QWizard.WizardButton.NextButton).click()
    save(wizard, OUT / f"wizard-township-code-{lang}.png")
    wizard.close()
    db.dispose()


def dashboard_list_screen(window: QWidget, lang: str) -> None:
    page = window.followups
    window.show_page("followups")
    page.type_combo.setCurrentIndex(2)  # an earlier look at one kind of follow-up
    window.show_page("dashboard")
    settle()
    window.dashboard.due_card.number.click()
    page.view.select_row(0)
    save(window, OUT / f"dashboard-week-list-{lang}.png")


def cards_asking_screen(window: QWidget, lang: str) -> None:
    tab = window.reports.cards
    window.show_page("reports")
    window.reports.tabs.setCurrentWidget(tab)
    settle()
    tab.group_combo.setCurrentIndex(1)
    tab.view.select_row(0)
    tab.selected_radio.setChecked(True)
    tab.group_combo.setCurrentIndex(2)  # the household selected is not in group 2
    grab_modal(tab.save, OUT / f"cards-asking-{lang}.png")


def file_dialog_screen(window: QWidget, ctx: AppContext, lang: str) -> None:
    from app.i18n import tr
    from app.ui.file_dialogs import save_dialog

    dialog = save_dialog(window, ctx.settings, tr("report_ui.export_title"), "2026年10月月报.xlsx",
                         tr("report_ui.xlsx_filter"))  # fmt: skip
    dialog.resize(760, 440)
    dialog.show()
    save(dialog, OUT / f"file-dialog-{lang}.png")
    dialog.close()


def support_screens(window: QWidget, ctx: AppContext, lang: str) -> None:
    from app.ui.dialogs.care_forms import SupportForm
    from app.ui.dialogs.support import SupportDialog

    page = window.households
    window.show_page("households")
    household = page.household_model.rows()[3]
    members = hh.household_members(ctx.db, household.id)
    head = members[0]
    if not care.supports_of_household(ctx.db, household.id):
        care.add_support(
            ctx.db,
            ctx.actor,
            household.id,
            care.SupportInput(
                "reward", head.id, TODAY.year, TODAY.replace(month=3, day=1), "王秀兰", "13900007777", 3
            ),  # fmt: skip
            TODAY,
        )
    dialog = SupportDialog(ctx, household.id, household.household_no, window)
    dialog.show()
    save(dialog, OUT / f"support-household-{lang}.png")
    form = SupportForm(ctx, household.id, person_id=members[-1].id, parent=dialog)
    form.contact.setText("王秀兰")
    form.show()
    save(form, OUT / f"support-form-{lang}.png")
    form.done(0)
    dialog.done(0)


def larger_text_screens(window: QWidget, lang: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    font = app.font()
    apply_text_size(app, "larger")
    window.resize(1366, 768)
    settle()
    window.show_page("pregnancies")
    save(window, OUT / f"larger-text-pregnancies-{lang}.png")
    window.show_page("supplies")
    save(window, OUT / f"larger-text-supplies-{lang}.png")
    report = window.reports.monthly
    window.show_page("reports")
    window.reports.tabs.setCurrentWidget(report)
    wait_for(lambda: report.document is not None)
    settle()
    supply_row = next(r for r in range(report.table.rowCount())
                      if report.table.item(r, 0) and "避孕药具" in report.table.item(r, 0).text())  # fmt: skip
    report.table.scrollToItem(report.table.item(supply_row, 0), QAbstractItemView.ScrollHint.PositionAtTop)
    save(window, OUT / f"larger-text-report-{lang}.png")
    app.setFont(font)
    settle()


def walkthrough(window: QWidget, ctx: AppContext, folder: Path, lang: str) -> None:
    wizard_screen(folder, lang)
    dashboard_list_screen(window, lang)
    cards_asking_screen(window, lang)
    file_dialog_screen(window, ctx, lang)
    support_screens(window, ctx, lang)
    larger_text_screens(window, lang)


def main() -> int:
    app = QApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = open_database(config.database_path(folder))
        generate_demo(db, people=3000, seed=1, today=TODAY)
        set_language("zh_CN")
        install_translations(app, "zh_CN")
        apply_text_size(app, "normal")
        from app.ui.main_window import MainWindow

        ctx = AppContext(db=db, user=auth.list_users(db)[0], data_dir=folder, settings=settings_for(folder),
                         today=lambda: TODAY, demo=True)  # fmt: skip
        window = MainWindow(ctx)
        window.resize(1366, 768)
        window.show()
        settle()
        walkthrough(window, ctx, folder, "zh_CN")
        window.close()
        db.dispose()
    print(f"saved to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
