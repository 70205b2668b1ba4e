"""The package's inner zip: written deterministically, read back only after every member rule holds.

Rules (sync-bundle.md): member names match MEMBER_NAME; no absolute paths, no `..`, no duplicates; at most 64
members; none over 256 MiB; no member compressed more than 200 times. A reader checks all of that from the zip's
directory *before* it inflates anything, and the inflated sizes again while reading (a directory can lie).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterable

from app.errors import DomainError

MEMBER_NAME = re.compile(
    r"^(manifest\.json|manifest\.sig|data/[a-z][a-z0-9_]{0,40}\.jsonl|report/[a-z0-9_\-]{1,60}\.(json|xlsx|pdf))$"
)
MAX_MEMBERS = 64
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every member's timestamp: the same state gives the same bytes
DEFLATE_LEVEL = 6


class PackageRejected(DomainError):
    """A package that breaks the container's rules: nothing of it is used."""


def write_zip(members: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of `members` in the given order, deflated, with fixed timestamps, permissions and system: the
    same members give the same bytes on every machine with the same zlib."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members:
            if not MEMBER_NAME.match(name):
                raise ValueError(f"not a package member name: {name!r}")
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the machine
            info.external_attr = 0o644 << 16
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=DEFLATE_LEVEL)
    return out.getvalue()


def _check_directory(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise PackageRejected("sync.reject_too_many_members", None, count=len(infos), limit=MAX_MEMBERS)
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        if (
            name.startswith(("/", "\\"))
            or ".." in name.split("/")
            or "\\" in name
            or not MEMBER_NAME.match(name)
        ):
            raise PackageRejected("sync.reject_bad_member", None, name=name[:80])
        if name in seen:
            raise PackageRejected("sync.reject_duplicate_member", None, name=name)
        seen.add(name)
        if info.file_size > MAX_MEMBER_BYTES:
            raise PackageRejected("sync.reject_member_too_big", None, name=name)
        if info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PackageRejected("sync.reject_ratio", None, name=name)


def read_zip(data: bytes) -> dict[str, bytes]:
    """The members of a package's zip, by name, in their stored order — or PackageRejected, before anything
    is inflated when the directory breaks a rule."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PackageRejected("sync.reject_not_zip", None) from None
    with z:
        infos = z.infolist()
        _check_directory(infos)
        out: dict[str, bytes] = {}
        for info in infos:
            try:
                with z.open(info) as f:
                    content = f.read(MAX_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError):  # a CRC that does not match, a torn stream
                raise PackageRejected("sync.reject_bad_member", None, name=info.filename) from None
            if len(content) != info.file_size or len(content) > MAX_MEMBER_BYTES:
                raise PackageRejected("sync.reject_bad_member", None, name=info.filename)
            out[info.filename] = content
        return out
