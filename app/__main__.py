"""`python -m app`: the desktop app. Checks for a screen before Qt is loaded, so a headless machine gets a
sentence instead of a Qt abort."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.arguments import Parser, language_from
from app.i18n import LANGUAGES, set_language, tr


def has_display() -> bool:
    if sys.platform != "linux":
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in (
        "offscreen",
        "minimal",
        "vnc",
        "eglfs",
        "linuxfb",
    ):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def parse_args(argv: list[str]) -> argparse.Namespace:
    from app.version import app_version

    frozen = getattr(sys, "frozen", False)  # the one-folder build: the program's own name
    parser = Parser(prog=Path(sys.executable).name if frozen else "python -m app", description=tr("app.name"))
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {app_version()}", help=tr("cli_errors.help_version")
    )
    parser.add_argument("--demo", action="store_true", help=tr("main.help_demo"))
    parser.add_argument("--demo-township", action="store_true", help=tr("township_window.help_demo_township"))
    parser.add_argument("--data-dir", help=tr("cli.help_data_dir"))
    parser.add_argument("--lang", choices=list(LANGUAGES), help=tr("cli.help_lang"))
    # Measuring start-up and smoke-testing a build (bench ui, tests/integration/test_frozen_build.py): log in
    # with the password of FHDESK_PASSWORD_FILE, print "painted" at the main window's first paint, then quit.
    parser.add_argument("--exit-after-paint", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    lang = language_from(argv)
    if lang:  # the help and argument errors in that language too
        set_language(lang)
    args = parse_args(argv)
    if args.lang:
        set_language(args.lang)
    if not has_display():
        print(tr("main.no_display"), file=sys.stderr)
        return 1
    from app.ui.application import run

    return run(
        demo=args.demo or args.demo_township,
        data_dir=args.data_dir,
        lang=args.lang,
        exit_after_paint=args.exit_after_paint,
        demo_township=args.demo_township,
    )


if __name__ == "__main__":
    sys.exit(main())
