"""The one-folder desktop build (issue 18): packaging/fhdesk.spec builds dist/FamilyHealthDesk/ with PyInstaller;
its `fhdesk --version` names pyproject.toml's version, its `fhdesk demo` and `fhdesk report` work (SQLCipher,
argon2, the catalogue, the font, the Alembic scripts inside the build), and the desktop program starts offscreen
on the demo village to its painted main window and back out. The third-party notices are in the folder."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
PASSWORD = "frozen-build-pw1"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    pytest.importorskip("PyInstaller")
    base = tmp_path_factory.mktemp("pyinstaller")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "ERROR",
            "--distpath",
            str(base / "dist"),
            "--workpath",
            str(base / "build"),
            str(ROOT / "packaging" / "fhdesk.spec"),
        ],
        check=True,
        capture_output=True,
        timeout=600,
        cwd=ROOT,
    )
    return base / "dist" / "FamilyHealthDesk"


def run(program: Path, *argv: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "FHDESK_", "VIRTUAL_ENV"))}
    return subprocess.run(
        [str(program), *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, "QT_QPA_PLATFORM": "offscreen", **env},
    )


def test_the_built_program_runs_the_command_line_and_the_desktop_app(built, tmp_path):
    assert (built / "THIRD_PARTY_NOTICES.txt").is_file()
    assert "ZETETIC LLC" in (built / "THIRD_PARTY_NOTICES.txt").read_text("utf-8")
    assert "PSF-2.0" in (built / "THIRD_PARTY_NOTICES.txt").read_text("utf-8")  # the Python it carries
    fhdesk, desktop = built / "fhdesk", built / "FamilyHealthDesk"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    password_file = tmp_path / "pw"
    password_file.write_text(PASSWORD)
    env = {"FHDESK_PASSWORD_FILE": str(password_file)}
    data = tmp_path / "data"

    version = run(fhdesk, "--version", cwd=elsewhere)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"fhdesk {VERSION}"

    demo = run(fhdesk, "--data-dir", str(data), "demo", "--people", "300", "--quiet", cwd=elsewhere, **env)
    assert demo.returncode == 0, demo.stderr
    assert "已生成演示村" in demo.stdout
    report = run(fhdesk, "--data-dir", str(data), "report", "--pdf", "r.pdf", cwd=elsewhere, **env)
    assert report.returncode == 0, report.stderr
    pdf = PdfReader(elsewhere / "r.pdf")
    assert "出生" in pdf.pages[0].extract_text()
    assert pdf.metadata is not None and pdf.metadata["/Creator"] == f"Family Health Desk {VERSION}"

    started = run(desktop, "--data-dir", str(data), "--exit-after-paint", cwd=elsewhere, **env)
    assert started.returncode == 0, started.stderr
    assert started.stdout.splitlines()[0] == "painted"
    assert "Traceback" not in started.stderr


def test_the_build_carries_what_the_app_reads_and_not_the_checkout(built):
    internal = built / "_internal"
    assert not (internal / "tests").exists() and not (internal / "bench").exists()
    assert (internal / "app" / "resources" / "help" / "zh_CN" / "guide.html").is_file()
    assert sorted(p.name for p in (internal / "app" / "migrations" / "versions").glob("*.py")) == sorted(
        p.name for p in (ROOT / "app" / "migrations" / "versions").glob("*.py")
    )
    translations = {p.name for p in internal.rglob("*.qm")}
    assert "qtbase_zh_CN.qm" in translations and "qtbase_sv.qm" not in translations  # Qt's Chinese only
