"""Without a screen the desktop command says so in one sentence instead of aborting inside Qt."""

import os
import subprocess
import sys


def test_no_display_gives_one_sentence_and_the_headless_commands():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "app"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "DISPLAY" in done.stderr and "fhdesk --help" in done.stderr
    assert "Traceback" not in done.stderr and "qt.qpa" not in done.stderr
    english = subprocess.run(
        [sys.executable, "-m", "app", "--lang", "en"], env=env, capture_output=True, text=True, timeout=60
    )
    assert english.stderr.startswith("No display found")
