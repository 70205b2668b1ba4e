"""A data folder the app cannot write to, for real: its mode is 0555, and since root ignores modes, a test
running as root acts as `nobody` (os.seteuid) while the folder must stay unwritten."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def reachable_folder() -> Iterator[Path]:
    """A fresh folder that another account can reach (pytest's own temporary folders are root's alone)."""
    parent = Path(tempfile.mkdtemp(prefix="fhdesk-ro-"))
    parent.chmod(0o755)
    try:
        yield parent / "data"
    finally:
        shutil.rmtree(parent, ignore_errors=True)


@contextlib.contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """While the block runs, no file can be created in `folder` (nor in anything below it)."""
    folder.chmod(0o555)
    as_root = os.geteuid() == 0
    if as_root:
        nobody = pwd.getpwnam("nobody")
        os.setegid(nobody.pw_gid)
        os.seteuid(nobody.pw_uid)
    try:
        yield
    finally:
        if as_root:
            os.seteuid(0)
            os.setegid(0)
        folder.chmod(0o755)
