"""The app's one version: the `version` of pyproject.toml, read from the installed distribution's metadata.

`fhdesk --version`, the About box, every PDF's metadata and the monthly package's manifest (`app_version`)
all ask app_version(). The one-folder build carries the distribution's metadata (packaging/fhdesk.spec copies
it), so the frozen program reads the same; a checkout that was never installed reads pyproject.toml itself.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "family-health-desk"
UNKNOWN = "0+unknown"


@cache
def app_version() -> str:
    """The version, e.g. "0.1.0"."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return _from_pyproject(Path(__file__).resolve().parent.parent / "pyproject.toml")


def _from_pyproject(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            return str(tomllib.load(f)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return UNKNOWN


def pdf_creator() -> str:
    """The Creator of every PDF the app writes: the program and its version."""
    return f"Family Health Desk {app_version()}"
