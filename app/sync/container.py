"""The package's inner zip: written deterministically, read back only after every member rule holds.

Rules (sync-bundle.md): member names match MEMBER_NAME; no absolute paths, no `..`, no duplicates; at most 64
members; none over 256 MiB; no member compressed more than 200 times. A reader checks all of that from the zip's
directory *before* it inflates anything, and the inflated sizes again while reading (a directory can lie).
"""

from __future__ import annotations

import io
import re
import zipfile
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


MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # every member of one package together, inflated
SMALL = 1024 * 1024  # below this, a high ratio is ordinary (a short file of repeated characters)
CHUNK = 1024 * 1024


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
            or not MEMBER_NAME.fullmatch(name)
        ):
            raise PackageRejected("sync.reject_bad_member", None, name=name[:80])
        if name in seen:
            raise PackageRejected("sync.reject_duplicate_member", None, name=name)
        seen.add(name)
        if info.file_size > MAX_MEMBER_BYTES:
            raise PackageRejected("sync.reject_member_too_big", None, name=name)
        if info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PackageRejected("sync.reject_ratio", None, name=name)
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise PackageRejected("sync.reject_bad_member", None, name=name)


class ZipReader:
    """A package's zip, its directory checked before anything is inflated; members read one at a time with
    the limits enforced on the bytes actually inflated (a directory can lie about sizes): each member at most
    its declared size and MAX_MEMBER_BYTES, all of them together at most MAX_TOTAL_BYTES and MAX_RATIO times
    the file's own size."""

    def __init__(self, data: bytes) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except Exception:  # noqa: BLE001 - any way a zip can fail to open is the same refusal
            raise PackageRejected("sync.reject_not_zip", None) from None
        _check_directory(infos)
        self.infos = {i.filename: i for i in infos}
        self.names = [i.filename for i in infos]
        self._budget = min(MAX_TOTAL_BYTES, max(MAX_RATIO * len(data), SMALL))
        self._inflated = 0

    def read(self, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
        info = self.infos[name]
        cap = min(info.file_size, limit, MAX_MEMBER_BYTES)
        parts: list[bytes] = []
        got = 0
        try:
            with self._zip.open(info) as f:
                while True:
                    chunk = f.read(min(CHUNK, cap - got + 1))
                    if not chunk:
                        break
                    got += len(chunk)
                    self._inflated += len(chunk)
                    if got > cap:
                        raise PackageRejected("sync.reject_member_too_big", None, name=name)
                    if self._inflated > self._budget:
                        raise PackageRejected("sync.reject_ratio", None, name=name)
                    parts.append(chunk)
        except PackageRejected:
            raise
        except Exception:  # noqa: BLE001 - a CRC that does not match, a torn stream, an odd header: refused
            raise PackageRejected("sync.reject_bad_member", None, name=name) from None
        content = b"".join(parts)
        if len(content) != info.file_size:
            raise PackageRejected("sync.reject_bad_member", None, name=name)
        return content

    def close(self) -> None:
        self._zip.close()


def read_zip(data: bytes) -> dict[str, bytes]:
    """The members of a package's zip, by name, in their stored order — or PackageRejected, before anything
    is inflated when the directory breaks a rule."""
    reader = ZipReader(data)
    try:
        return {name: reader.read(name) for name in reader.names}
    finally:
        reader.close()
