"""`fhdesk`: headless commands — make the demo village, show what is in a database, check it."""

from __future__ import annotations

import argparse
import sys
import time

import sqlalchemy as sa

from app import __version__, config
from app.clock import today
from app.db import Database, current_revision, head_revision, open_database
from app.errors import DomainError
from app.i18n import set_language, tr
from app.models import TRAVELLING_MODELS


class CliError(Exception):
    """A problem to report as one line and a non-zero exit."""


def _open(args: argparse.Namespace) -> Database:
    folder = config.data_dir(args.data_dir)
    return open_database(config.database_path(folder), backups=config.backups_dir(folder))


def _text_progress(fraction: float, message: str) -> bool:
    print(f"\r{fraction:6.1%} {message[:60]:<60}", end="", file=sys.stderr, flush=True)
    return True


def cmd_demo(args: argparse.Namespace) -> int:
    from app.services.demo import generate_demo

    db = _open(args)
    try:
        with db.read() as s:
            from app.models import Household

            if s.execute(sa.select(Household.id).limit(1)).first():
                raise CliError(tr("cli.demo_not_empty", path=str(db.path)))
        started = time.perf_counter()
        summary = generate_demo(
            db,
            people=args.people,
            seed=args.seed,
            today=today(),
            progress=None if args.quiet else _text_progress,
        )
        if not args.quiet:
            print(file=sys.stderr)
        print(
            tr(
                "cli.demo_done",
                people=summary.people,
                households=summary.households,
                seconds=f"{time.perf_counter() - started:.1f}",
                path=str(db.path),
            )
        )
    finally:
        db.dispose()
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from app.services.village import village_info

    db = _open(args)
    try:
        info = village_info(db)
        print(f"{tr('cli.data_folder')}: {db.path.parent if db.path else ''}")
        print(
            f"{tr('cli.schema')}: {current_revision(db.engine)} ({tr('cli.schema_head')} {head_revision()})"
        )
        print(f"{tr('cli.village')}: {f'{info.name} {info.code}' if info else tr('cli.not_set_up')}")
        with db.read() as s:
            for model in TRAVELLING_MODELS:
                n = s.execute(
                    sa.select(sa.func.count()).select_from(model).where(model.deleted_at.is_(None))
                ).scalar_one()
                print(f"  {model.__tablename__:<22}{n:>8}")
    finally:
        db.dispose()
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from app.services.quality import QUALITY_TARGET, record_quality

    db = _open(args)
    problems = 0
    try:
        with db.engine.connect() as conn:
            integrity = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            fk = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        ok = integrity == ["ok"]
        problems += (not ok) + bool(fk)
        print(f"{tr('cli.integrity')}: {tr('cli.ok') if ok else '; '.join(integrity[:5])}")
        print(f"{tr('cli.foreign_keys')}: {tr('cli.ok') if not fk else tr('cli.fk_problems', count=len(fk))}")
        q = record_quality(db)
        rate = "—" if q.rate is None else f"{q.rate:.1%}"
        print(tr("cli.quality", rate=rate, passing=q.passing, total=q.total, target=f"{QUALITY_TARGET:.0%}"))
        for rule, count in q.failures:
            print(f"  {tr(rule)}: {count}")
    finally:
        db.dispose()
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fhdesk", description=tr("cli.description"))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", help=tr("cli.help_data_dir"))
    parser.add_argument("--lang", choices=["zh_CN", "en"], help=tr("cli.help_lang"))
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help=tr("cli.help_demo"))
    demo.add_argument("--people", type=int, default=3000)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(func=cmd_demo)
    sub.add_parser("info", help=tr("cli.help_info")).set_defaults(func=cmd_info)
    sub.add_parser("check", help=tr("cli.help_check")).set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--lang" in argv:
        i = argv.index("--lang")
        if i + 1 < len(argv) and argv[i + 1] in ("zh_CN", "en"):
            set_language(argv[i + 1])
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CliError, DomainError) as e:
        print(f"fhdesk: {e}", file=sys.stderr)
        return 2
    except (OSError, sa.exc.DatabaseError, ValueError) as e:
        print(f"fhdesk: {tr('cli.failed', reason=str(e).splitlines()[0])}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
