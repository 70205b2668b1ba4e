"""The one way every output file is written: beside its target, flushed to the disk, then renamed into place.

A reader (or a person opening the folder) never sees half a file: until the rename the target is the old file
or nothing, and after it the whole new one. A failure or a cancel deletes the temporary file. The target must
be a regular file or not exist yet: writing a report "to" `/dev/full` or over a folder is refused before any
work, instead of reporting success and replacing a device.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

PRIVATE_FILE_MODE = 0o600  # files that hold personal data: the owner alone reads them
PRIVATE_DIR_MODE = 0o700  # folders that hold them: the owner alone lists and enters them


class NotARegularFile(OSError):
    """The chosen output exists and is not an ordinary file (a device, a folder, a pipe)."""


def check_target(path: str | os.PathLike[str]) -> Path:
    """The output path, refused (OSError with the path) when its folder is missing or it is not a file."""
    target = Path(path).expanduser()
    try:
        st = target.stat()
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise NotARegularFile(21 if stat.S_ISDIR(st.st_mode) else 22, "not a regular file", str(target))
    if not target.parent.is_dir():
        raise FileNotFoundError(2, "folder does not exist", str(target.parent))
    return target


def make_private_dir(folder: str | os.PathLike[str]) -> Path:
    """Create `folder` (and missing parents) for the app's data; a folder this call creates is the owner's
    alone (0700 on POSIX, whatever the umask). An existing folder is left as it is: it may be one the person
    chose, shared with other files."""
    path = Path(folder).expanduser()
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        for created in missing:
            os.chmod(created, PRIVATE_DIR_MODE)
    return path


def make_private(path: str | os.PathLike[str]) -> None:
    """Make an existing file the owner's alone (POSIX): for files the app did not create itself, such as a
    database written by an older version."""
    if os.name == "posix":
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, PRIVATE_FILE_MODE)


def create_private_file(path: str | os.PathLike[str]) -> Path:
    """Create `path` empty with the owner's permissions alone, if it does not exist, so that whatever fills it
    next (SQLite, a log handler) keeps them; an existing file is made private."""
    target = Path(path)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        make_private(target)
    else:
        os.close(fd)
        make_private(target)  # the umask may have taken bits away, never added: this is exact
    return target


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; Windows has no folder handles and needs none)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: str | os.PathLike[str]) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


@contextlib.contextmanager
def atomic_output(
    path: str | os.PathLike[str], *, suffix: str = "", mode: int = PRIVATE_FILE_MODE
) -> Iterator[Path]:
    """Yield a temporary path beside `path` to write to; when the block ends without an error the file is
    fsynced and renamed onto `path` (and the rename made durable). Any exception, Cancelled included, deletes
    the temporary file and leaves `path` as it was."""
    target = check_target(path)
    try:
        fd, name = tempfile.mkstemp(prefix=".~fhd-", suffix=suffix or target.suffix, dir=target.parent)
    except OSError as e:  # the message names the file the person chose, not the temporary one
        raise type(e)(e.errno, e.strerror, str(target)) from None
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, mode)
        yield tmp
        fsync_file(tmp)
        check_target(target)  # again: something may have appeared under that name meanwhile
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):
        fsync_folder(target.parent)


def write_bytes_atomically(
    path: str | os.PathLike[str], data: bytes, *, mode: int = PRIVATE_FILE_MODE
) -> Path:
    """Write `data` as the whole new content of `path`, atomically."""
    with atomic_output(path, mode=mode) as tmp:
        tmp.write_bytes(data)
    return Path(path)
