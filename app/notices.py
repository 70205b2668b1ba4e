"""THIRD_PARTY_NOTICES: the licences of everything the app ships, gathered from the installed distributions.

gather() walks the app's dependencies as installed (importlib.metadata: each distribution's licence field and
the licence files in its .dist-info) and adds the parts that other wheels carry without a licence text of
their own (Qt inside PySide6, SQLCipher and OpenSSL inside sqlcipher3, the PDF font: resources/licenses/
components.json). The one-folder build writes it at build time (packaging/fhdesk.spec, with CPython and the
PyInstaller bootloader added), because a frozen program no longer has the .dist-info folders to read; the
About box shows that file, or gathers the same text when running from an installed wheel or a checkout.

`python -m app.notices [--out FILE] [--build]` prints or writes it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import sysconfig
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from app.assets import resource
from app.version import DISTRIBUTION, app_version

NOTICES_FILE = "THIRD_PARTY_NOTICES.txt"  # beside the resources in the one-folder build
LICENCE_FILE = re.compile(r"(^|/)(LICEN[CS]E|COPYING|NOTICE|AUTHORS)[^/]*$|/licenses/", re.IGNORECASE)
RULE = "=" * 78


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(text: str) -> tuple[str, set[str], str]:
    """A Requires-Dist line as (name, extras asked for, marker)."""
    head, _, marker = text.partition(";")
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[([^\]]*)\])?", head)
    if match is None:
        raise ValueError(f"unreadable requirement {text!r}")
    extras = {e.strip() for e in (match.group(3) or "").split(",") if e.strip()}
    return match.group(1), extras, marker.strip()


def shipped_distributions(root: str = DISTRIBUTION, extra: Iterable[str] = ()) -> list[metadata.Distribution]:
    """`root` and every installed distribution it needs, with the extras asked for (psycopg[binary]); a
    requirement for another platform or Python is left out because it is not installed here."""
    found: dict[str, metadata.Distribution] = {}
    pending: list[tuple[str, set[str]]] = [(root, set()), *((name, set()) for name in extra)]
    while pending:
        name, extras = pending.pop()
        key = _key(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if key in found and not extras:
            continue
        found[key] = dist
        for line in dist.requires or []:
            req_name, req_extras, marker = _requirement(line)
            wanted = re.findall(r"extra\s*==\s*['\"]([^'\"]+)['\"]", marker)
            if wanted and not set(wanted) & extras:
                continue
            pending.append((req_name, req_extras))
    return sorted(found.values(), key=lambda d: _key(d.metadata["Name"]))


def _field(dist: metadata.Distribution, name: str) -> str:
    """A metadata field, "" when the distribution has none (missing keys are deprecated in 3.12)."""
    values = dist.metadata.get_all(name)
    return str(values[0]) if values else ""


def _licence(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = _field(dist, "License-Expression")
    if expression:
        return expression
    text = _field(dist, "License").strip()
    if text and len(text) < 200 and "\n" not in text:
        return text
    classifiers = [
        c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License")
    ]
    return ", ".join(classifiers) or (text.splitlines()[0] if text else "see the licence text below")


def _licence_texts(dist: metadata.Distribution) -> list[tuple[str, str]]:
    texts = []
    for file in dist.files or []:
        name = str(file)
        if ".dist-info/" in name and LICENCE_FILE.search(name):
            try:
                texts.append((name.split(".dist-info/", 1)[1], file.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError):
                continue
    return texts


def _section(title: str, lines: list[str], texts: list[tuple[str, str]]) -> str:
    out = [RULE, title, RULE, *lines]
    for name, text in texts:
        out += ["", f"--- {name} ---", text.strip()]
    return "\n".join(out) + "\n"


def _components() -> list[dict[str, Any]]:
    with open(resource("licenses", "components.json"), encoding="utf-8") as f:
        components: list[dict[str, Any]] = json.load(f)["components"]
    return components


def _sqlcipher_versions() -> str:
    """SQLCipher's and OpenSSL's versions as linked into sqlcipher3 (asked of an in-memory database)."""
    try:
        import sqlcipher3

        con = sqlcipher3.connect(":memory:")
        try:
            con.execute("PRAGMA key = 'notices'")
            cipher = con.execute("PRAGMA cipher_version").fetchone()[0]
            provider = con.execute("PRAGMA cipher_provider_version").fetchone()[0]
        finally:
            con.close()
        return f"{cipher}; {provider}"
    except Exception:  # noqa: BLE001 - the notice is written without the versions
        return ""


def gather(*, build: bool = False) -> str:
    """The whole THIRD_PARTY_NOTICES text. `build`: for the one-folder program, which also ships CPython
    and PyInstaller's bootloader."""
    dists = shipped_distributions(extra=("pyinstaller",) if build else ())
    ours = next(d for d in dists if _key(d.metadata["Name"]) == DISTRIBUTION)
    names = {_key(d.metadata["Name"]) for d in dists} - {DISTRIBUTION}
    parts = [
        f"家庭健康服务台 Family Health Desk {app_version()} — {_licence(ours)}\n"
        "第三方软件声明 / Third-party notices\n\n"
        "This program includes the following software. Each is used under the licence named, whose text "
        "follows it.\n\nPackages: " + ", ".join(sorted(names)) + "\n"
    ]
    if build:
        python_licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
        texts = (
            [("LICENSE.txt", python_licence.read_text(encoding="utf-8"))] if python_licence.is_file() else []
        )
        parts.append(
            _section(
                f"Python {sys.version.split()[0]}",
                ["Licence: PSF-2.0 (Python Software Foundation License)", "https://www.python.org"],
                texts,
            )
        )
    linked = _sqlcipher_versions()
    for component in _components():
        if _key(component["inside"]) not in names | {DISTRIBUTION}:
            continue
        lines = [f"Licence: {component['licence']}", str(component["url"]), f"Inside: {component['inside']}"]
        if component["name"] in ("SQLCipher", "OpenSSL") and linked:
            lines.append(f"Versions linked in: {linked}")
        if component.get("note"):
            lines.append(str(component["note"]))
        texts = [
            (path, resource(*path.split("/")).read_text(encoding="utf-8")) for path in component["texts"]
        ]
        parts.append(_section(str(component["name"]), lines, texts))
    for dist in dists:
        if dist is ours:
            continue
        meta = dist.metadata
        home = _field(dist, "Home-page") or next(
            (u.split(",", 1)[1].strip() for u in meta.get_all("Project-URL") or [] if "," in u), ""
        )
        lines = [f"Licence: {_licence(dist)}", *([str(home)] if home else [])]
        parts.append(_section(f"{meta['Name']} {dist.version}", lines, _licence_texts(dist)))
    return "\n".join(parts)


def notices_text() -> str:
    """What About shows: the file written at build time when there is one, else gathered now."""
    built = resource(NOTICES_FILE)
    if built.is_file():
        return built.read_text(encoding="utf-8")
    return gather()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.notices", description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write to this file instead of printing")
    parser.add_argument(
        "--build", action="store_true", help="for the one-folder build: CPython and PyInstaller too"
    )
    args = parser.parse_args(argv)
    text = gather(build=args.build)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
