"""Where the app's own files are: the one place that locates them, in a checkout, an installed wheel and the
one-folder build alike.

The repository keeps them in the top-level `resources/` folder (catalogue, fonts, rules, checklists, supply
catalogue, help); setup.py ships that folder inside the package as `app.resources`, so an installed wheel
(and an editable install, through setuptools' package mapping) finds it with `importlib.resources`. The
one-folder build (packaging/fhdesk.spec) puts it at the same place. The Alembic scripts are package data of
`app.migrations`. Both are real folders on disk in every one of these layouts (the wheel is never run zipped).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path


@cache
def resource_root() -> Path:
    """The folder of the app's resources (`resources/` of the repository, `app/resources` once installed)."""
    try:
        root = resources.files("app.resources")
    except ModuleNotFoundError:  # a checkout on sys.path without any install: the folder beside the package
        return Path(__file__).resolve().parent.parent / "resources"
    return Path(str(root))


def resource(*parts: str) -> Path:
    """A file or folder among the resources, e.g. resource("followups", "rules.json")."""
    return resource_root().joinpath(*parts)


def migrations_dir() -> Path:
    """The Alembic scripts (env.py, versions/), package data of app.migrations."""
    return Path(str(resources.files("app.migrations")))
