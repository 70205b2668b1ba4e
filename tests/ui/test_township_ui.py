"""Township mode on screen (issue 16): importing a folder of village packages with a bad file among them, the
villages' status and the import log; and the village's side: a return package with a correction, accepted."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.i18n import tr
from app.models import Person
from app.services import auth
from app.sync import package, returns
from app.ui.context import AppContext
from tests.township_helpers import make_township, make_village


def context(db, user_id, folder) -> AppContext:
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    return AppContext(db=db, user=auth.get_user(db, user_id), data_dir=folder, settings=settings)


def when_box(qtbot, seen: list[str], button=None) -> None:
    def check() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or not box.isVisible():
            QTimer.singleShot(20, check)
            return
        seen.append(box.text() + "\n" + (box.detailedText() or ""))
        (box.button(button) if button else box.buttons()[0]).click()

    QTimer.singleShot(20, check)


@pytest.fixture
def township_and_villages(tmp_path):
    town = make_township(f"sqlite:///{tmp_path / 'township.sqlite'}", tmp_path)
    villages = [
        make_village(tmp_path / "villages", code, name, town, seed=n)
        for n, (code, name) in enumerate((("620422103201", "红星村"), ("620422103202", "白塔村")))
    ]
    yield town, villages
    for v in villages:
        v.db.dispose()
    town.db.dispose()


def test_import_a_folder_with_a_bad_file_and_see_the_villages(qtbot, township_and_villages, tmp_path):
    from app.ui.township_window import TownshipWindow

    town, villages = township_and_villages
    stick = tmp_path / "stick"
    for v in villages:
        v.export(stick)
    bad = stick / "FHD_620422103201_1-9_20261204.fhd"
    bad.write_bytes(b"age-encryption.org/v1\n-> X25519 garbage\n")
    window = TownshipWindow(context(town.db, town.actor.user_id, tmp_path))
    qtbot.addWidget(window)
    window.show()
    assert window.statuses.rowCount() == 2
    assert all(window.statuses.item(r, 2).text() == "—" for r in range(2))  # nothing imported yet

    seen: list[str] = []
    when_box(qtbot, seen)
    with qtbot.waitSignal(window.imported, timeout=30_000):
        window.import_paths([stick])
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert tr("township_ui.cli_import_summary", applied=2, already=0, rejected=1) in seen[0]
    assert tr("township.reject_wrong_recipient") in seen[0]
    assert [window.statuses.item(r, 2).text() for r in range(2)] == ["1", "1"]
    assert {window.statuses.item(r, 1).text() for r in range(2)} == {"红星村", "白塔村"}
    assert not bad.exists() and (tmp_path / "quarantine" / bad.name).exists()
    # the consolidated report: one column per imported village and the township's total
    with qtbot.waitSignal(window.report.reportShown, timeout=30_000):
        window.tabs.setCurrentWidget(window.report)
    table = window.report.table
    headings = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert any("红星村" in h for h in headings) and any("白塔村" in h for h in headings)
    window.tabs.setCurrentWidget(window.log.parentWidget())
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_F1)  # the guide, at its township section
    assert window.help_window is not None and window.help_window.isVisible()
    assert window.help_window.topic() == "township"
    outcomes = [window.log.item(r, 4).text() for r in range(window.log.rowCount())]
    assert sum(o.startswith(tr("township_window.outcome_rejected")) for o in outcomes) == 1
    assert sum(o == tr("township_window.outcome_applied") for o in outcomes) == 2


def test_a_correction_from_the_township_is_accepted_on_the_sync_page(qtbot, township_and_villages, tmp_path):
    from app.ui.pages.sync import SyncPage

    town, (village, _) = township_and_villages
    town.import_(village.export(tmp_path / "stick").path)
    with town.db.read() as s:
        person = s.execute(
            sa.select(Person.id).where(Person.owner == village.code).order_by(Person.id).limit(1)
        ).scalar_one()
    returns.propose_correction(
        town.db, town.actor, village.code, "person", person, "phone", "13955556666", "电话停机"
    )
    (tmp_path / "back").mkdir()
    written = returns.write_return(town.db, town.actor, village.code, tmp_path / "back")

    page = SyncPage(context(village.db, _village_user(village), tmp_path))
    qtbot.addWidget(page)
    page.show()
    assert not page.corrections_box.isVisible()
    seen: list[str] = []
    when_box(qtbot, seen)
    page.import_return(written.path)
    qtbot.waitUntil(lambda: bool(seen))
    assert tr("returns.applied", seq=1) in seen[0]
    assert page.corrections_box.isVisible() and page.corrections.rowCount() == 1
    assert page.corrections.item(0, 3).text() == "13955556666"
    assert tr("sync_ui.acked_upto", seq=1, date="")[:8] in page.township_status.text()
    page.accept_button.click()
    assert not page.corrections_box.isVisible()
    with village.db.read() as s:
        assert s.get(Person, person).phone == "13955556666"
    assert package.next_package(village.db).counts.get("person") == 1


def _village_user(village) -> str:
    return auth.list_users(village.db)[0].id
