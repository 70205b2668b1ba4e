"""THIRD_PARTY_NOTICES (app.notices): every runtime dependency of pyproject.toml with its licence text, the
parts other wheels carry without one (Qt's LGPL, SQLCipher, OpenSSL, the PDF font), CPython and PyInstaller's
bootloader for the one-folder build, and the built file preferred over gathering when it is there."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from app import notices

ROOT = Path(__file__).resolve().parents[2]


def dependency_names() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return [re.match(r"[A-Za-z0-9._-]+", d).group(0) for d in project["dependencies"]]


def test_every_dependency_is_named_with_its_licence_text():
    text = notices.gather()
    titles = {notices._key(line.split()[0]) for line in text.splitlines() if re.match(r"^\S+ \d\S*$", line)}
    for name in dependency_names():
        assert notices._key(name) in titles, name
    assert "psycopg-binary" in text  # an extra asked for (psycopg[binary]) is followed
    assert "Licence: MIT" in text and "Permission is hereby granted" in text  # e.g. SQLAlchemy's text


def test_the_parts_without_their_own_licence_file_are_there():
    text = notices.gather()
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text and "GNU GENERAL PUBLIC LICENSE" in text  # Qt
    assert "ZETETIC LLC" in text and "Versions linked in: 4." in text  # SQLCipher 4 and its OpenSSL
    assert "OpenSSL 3" in text
    assert "WenQuanYi" in text and "Apache License" in text


def test_the_build_adds_python_and_pyinstaller_when_installed():
    text = notices.gather(build=True)
    assert "PSF-2.0" in text and "PYTHON SOFTWARE FOUNDATION LICENSE" in text


def test_about_shows_the_file_written_at_build_time(tmp_path, monkeypatch):
    (tmp_path / notices.NOTICES_FILE).write_text("written by the build", encoding="utf-8")
    monkeypatch.setattr(notices, "resource", lambda *parts: tmp_path.joinpath(*parts))
    assert notices.notices_text() == "written by the build"


def test_without_a_built_file_about_gathers_them(tmp_path, monkeypatch):
    real = notices.resource
    monkeypatch.setattr(
        notices,
        "resource",
        lambda *parts: tmp_path / parts[0] if parts == (notices.NOTICES_FILE,) else real(*parts),
    )
    assert "ZETETIC LLC" in notices.notices_text()


def test_the_command_writes_the_file(tmp_path):
    out = tmp_path / "THIRD_PARTY_NOTICES.txt"
    assert notices.main(["--out", str(out)]) == 0
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in out.read_text("utf-8")
