"""The wheel works on its own (issue 18): built from the sources, installed (not editable) into a fresh
virtualenv, it finds its catalogue, fonts, rules and Alembic scripts as package data and runs from another
folder: `fhdesk demo`, `fhdesk report` (PDF and Excel), `python -m app --version`, and the desktop app to its
painted main window (offscreen).

The new virtualenv borrows the already installed dependencies through a .pth line (PySide6 and friends are
hundreds of MB: nothing is downloaded, nothing but the wheel is installed into it); the checkout itself is
never on its path, so a file missing from the wheel fails here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.db import head_revision

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
SOURCES = ("app", "resources", "pyproject.toml", "setup.py", "README.md")
PASSWORD = "wheel-test-pw1"


def build_wheel(into: Path) -> Path:
    """The wheel, built by pip from a copy of the sources (the checkout gets no build/ folder)."""
    src = into / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(into / "dist"), str(src)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (into / "dist").glob("family_health_desk-*.whl")
    return wheel


def fresh_venv(folder: Path, wheel: Path) -> Path:
    """A virtualenv holding only the wheel; the dependencies come from this interpreter's site-packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    python = folder / "bin" / "python"
    purelib = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # A plain path line: the directory is appended to sys.path, its own .pth files (the checkout's editable
    # install among them) are not run.
    (purelib / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return folder


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(base)
    return wheel, fresh_venv(base / "venv", wheel)


def run(venv: Path, *argv: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "FHDESK_", "VIRTUAL_ENV"))}
    return subprocess.run(
        [str(venv / "bin" / argv[0]), *argv[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, "QT_QPA_PLATFORM": "offscreen", **env},
    )


def test_the_wheel_carries_every_resource_and_migration(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    resources = {
        "app/resources/" + p.relative_to(ROOT / "resources").as_posix()
        for p in (ROOT / "resources").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert resources - names == set()
    migrations = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "app" / "migrations").rglob("*.py") if p.is_file()
    }
    assert migrations - names == set()
    assert "app/migrations/script.py.mako" in names


def test_the_installed_wheel_runs_from_another_folder(installed, tmp_path):
    _, venv = installed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    password_file = tmp_path / "pw"
    password_file.write_text(PASSWORD)
    data = tmp_path / "data"
    env = {"FHDESK_PASSWORD_FILE": str(password_file)}

    where = run(
        venv,
        "python",
        "-c",
        "import app, app.assets; print(app.__file__); print(app.assets.resource_root());"
        " print(app.assets.migrations_dir())",
        cwd=elsewhere,
    )
    assert where.returncode == 0, where.stderr
    for line in where.stdout.split():
        assert Path(line).is_relative_to(venv), line  # the wheel's files, not the checkout's

    version = run(venv, "python", "-m", "app", "--version", cwd=elsewhere)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"python -m app {VERSION}"
    assert run(venv, "fhdesk", "--version", cwd=elsewhere).stdout.strip() == f"fhdesk {VERSION}"

    demo = run(
        venv, "fhdesk", "--data-dir", str(data), "demo", "--people", "200", "--quiet", cwd=elsewhere, **env
    )
    assert demo.returncode == 0, demo.stderr
    assert "已生成演示村" in demo.stdout  # the Chinese catalogue, not a message id

    pdf, xlsx = elsewhere / "月报.pdf", elsewhere / "月报.xlsx"
    report = run(
        venv,
        "fhdesk",
        "--data-dir",
        str(data),
        "report",
        "--pdf",
        pdf.name,
        "--xlsx",
        xlsx.name,
        cwd=elsewhere,
        **env,
    )
    assert report.returncode == 0, report.stderr
    reader = PdfReader(pdf)
    assert "出生" in reader.pages[0].extract_text()  # the embedded font from the package data
    assert reader.metadata is not None and reader.metadata["/Creator"] == f"Family Health Desk {VERSION}"
    assert xlsx.stat().st_size > 0

    info = run(venv, "fhdesk", "--lang", "en", "--data-dir", str(data), "info", cwd=elsewhere, **env)
    assert info.returncode == 0, info.stderr
    assert head_revision() in info.stdout  # the schema the wheel's Alembic scripts made

    gui = run(
        venv, "python", "-m", "app", "--data-dir", str(data), "--exit-after-paint", cwd=elsewhere, **env
    )
    assert gui.returncode == 0, gui.stderr
    assert gui.stdout.splitlines()[0] == "painted"
