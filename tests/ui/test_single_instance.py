"""A second copy of the app on the same data folder says so and brings the first copy's window forward,
instead of opening the database as a second writer (issue 12, item 17). The second copy is a real second
process running the app's start-up."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.i18n import tr
from app.ui.single_instance import LOCK_FILE, SingleInstance, bring_forward

ROOT = Path(__file__).resolve().parents[2]

SECOND_COPY = textwrap.dedent(
    """
    import sys
    from PySide6.QtWidgets import QMessageBox
    from app.ui import application

    def say(parent, title, text, *args, **kwargs):
        print("MESSAGE:" + text.replace("\\n", " "), flush=True)

    def open_database(*args, **kwargs):
        print("OPENED THE DATABASE", flush=True)
        sys.exit(3)

    QMessageBox.information = say
    application.open_database = open_database
    sys.exit(application.run(data_dir=sys.argv[1]))
    """
)

CRASHING_COPY = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication
    from app.ui.single_instance import SingleInstance

    app = QCoreApplication([])
    instance = SingleInstance(Path(sys.argv[1]))
    print("CLAIMED" if instance.claim() else "REFUSED", flush=True)
    os._exit(0)  # killed: no unlock, the lock file stays behind
    """
)


def run_python(qtbot, script: str, folder: Path) -> tuple[int, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    env.pop("FHDESK_DATA_DIR", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(folder)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60_000)  # the first copy answers meanwhile
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, proc.stdout.read()


@pytest.fixture
def first_copy(ctx):
    instance = SingleInstance(ctx.data_dir)
    assert instance.claim()
    yield instance
    instance.release()


def test_a_second_copy_says_so_and_brings_the_first_window_forward(qtbot, main_window, ctx, first_copy):
    asked = []
    first_copy.activated.connect(lambda: asked.append(True))
    first_copy.activated.connect(lambda: bring_forward(main_window))
    main_window.showMinimized()
    qtbot.waitUntil(main_window.isMinimized)

    code, output = run_python(qtbot, SECOND_COPY, ctx.data_dir)

    assert code == 0, output
    assert "OPENED THE DATABASE" not in output  # no second writer
    expected = tr("screens.already_running", path=str(ctx.data_dir)).replace("\n", " ")
    assert f"MESSAGE:{expected}" in output, output
    qtbot.waitUntil(lambda: bool(asked), timeout=5_000)
    assert not main_window.isMinimized() and main_window.isVisible()


def test_another_folder_is_another_app(qtbot, ctx, first_copy, tmp_path):
    other = tmp_path / "another village"
    other.mkdir()
    second = SingleInstance(other)
    assert second.claim()
    second.release()


def test_a_copy_that_crashed_does_not_lock_the_folder(qtbot, tmp_path):
    code, output = run_python(qtbot, CRASHING_COPY, tmp_path)
    assert code == 0 and "CLAIMED" in output, output
    assert (tmp_path / LOCK_FILE).exists()  # left behind by the crash
    instance = SingleInstance(tmp_path)
    assert instance.claim()  # its process is gone: the lock is stale
    instance.release()
    assert not (tmp_path / LOCK_FILE).exists()
