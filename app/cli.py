"""`fhdesk`: headless commands — make the demo village, show what is in a database, check it."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

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
                n = s.execute(sa.select(sa.func.count()).select_from(model).where(model.live())).scalar_one()
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


def parse_month(text: str) -> tuple[int, int]:
    """`2026-10` -> (2026, 10); anything else is refused with the expected shape."""
    try:
        year, month = (int(part) for part in text.split("-"))
        dt.date(year, month, 1)
    except ValueError:
        raise argparse.ArgumentTypeError(tr("cli.bad_month", text=text)) from None
    return year, month


def output_file(text: str) -> str:
    """A file to write: its folder must exist (checked before any work, and said in one sentence)."""
    folder = Path(text).expanduser().resolve().parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(tr("cli.folder_missing", folder=str(folder)))
    return text


def cmd_report(args: argparse.Namespace) -> int:
    from app.reports.monthly_pdf import write_report_pdf
    from app.reports.monthly_xlsx import write_report_xlsx
    from app.services.indicators import monthly_report_document

    if not (args.xlsx or args.pdf):
        raise CliError(tr("cli.report_needs_output"))
    year, month = args.month or _last_month(today())
    db = _open(args)
    try:
        doc = monthly_report_document(db, year, month, year_to_date=args.ytd, today=today())
    finally:
        db.dispose()
    for path, write in ((args.xlsx, write_report_xlsx), (args.pdf, write_report_pdf)):
        if path:
            write(path, doc, printed_on=today())
            print(tr("cli.report_written", period=doc.period_label(), path=path))
    return 0


def _last_month(day: dt.date) -> tuple[int, int]:
    """The month a report is usually made for: the one before `day`'s (due by the 5th)."""
    first = day.replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


# app.reports.registers_xlsx.REGISTERS, spelled out so that every command does not import openpyxl to start
EXPORT_REGISTERS = ("households", "women", "pregnancies", "followups", "supply_ledger")


def cmd_export(args: argparse.Namespace) -> int:
    from app.reports.registers_xlsx import export_register, register_title

    day = today()
    year, month = args.month or (day.year, day.month)
    db = _open(args)
    try:
        rows = export_register(
            db,
            args.register,
            args.out,
            on=day,
            year=year,
            month=month,
            group_no=args.group,
            progress=None if args.quiet else _text_progress,
        )
    finally:
        if not args.quiet:
            print(file=sys.stderr)  # ends the progress line, also before an error message
        db.dispose()
    print(tr("registers.cli_done", register=register_title(args.register), rows=rows, path=args.out))
    return 0


# app.reports.cards.CARD_LAYOUTS, spelled out so that the command line does not import reportlab to start
CARD_LAYOUTS = ("a5", "a4_two_up")


def cmd_cards(args: argparse.Namespace) -> int:
    from app.reports.cards import write_cards
    from app.services.cards import card_batch, household_ids_by_number

    db = _open(args)
    try:
        ids = None
        if args.household:
            found = household_ids_by_number(db, args.household)
            unknown = [n for n in args.household if n not in found]
            if unknown:
                raise CliError(tr("cli.cards_unknown_household", numbers="、".join(unknown)))
            ids = list(found.values())
        batch = card_batch(db, None, today(), household_ids=ids, group_no=args.group)
        if not batch.cards:
            raise CliError(tr("cli.cards_none"))
        pages = write_cards(
            args.out,
            batch,
            layout=args.layout,
            full_ids=args.full_ids,
            show_methods=args.methods,
            progress=None if args.quiet else _text_progress,
        )
    finally:
        if not args.quiet:
            print(file=sys.stderr)  # ends the progress line, also before an error message
        db.dispose()
    print(tr("cli.cards_done", cards=len(batch.cards), pages=pages, path=args.out))
    return 0


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
    report = sub.add_parser("report", help=tr("cli.help_report"))
    report.add_argument("--month", type=parse_month, help=tr("cli.help_month"))
    report.add_argument("--ytd", action="store_true", help=tr("cli.help_ytd"))
    report.add_argument("--xlsx", type=output_file, help=tr("cli.help_xlsx"))
    report.add_argument("--pdf", type=output_file, help=tr("cli.help_pdf"))
    report.set_defaults(func=cmd_report)
    export = sub.add_parser("export", help=tr("registers.cli_help_export"))
    export.add_argument(
        "--register", required=True, choices=EXPORT_REGISTERS, help=tr("registers.cli_help_register")
    )
    export.add_argument("--month", type=parse_month, help=tr("registers.cli_help_month"))
    export.add_argument("--group", type=int, help=tr("registers.cli_help_group"))
    export.add_argument("--out", type=output_file, required=True, help=tr("registers.cli_help_out"))
    export.add_argument("--quiet", action="store_true", help=tr("registers.cli_help_quiet"))
    export.set_defaults(func=cmd_export)
    cards = sub.add_parser("cards", help=tr("cli.help_cards"))
    cards.add_argument("--group", type=int, help=tr("cli.help_cards_group"))
    cards.add_argument("--household", action="append", metavar="NUMBER", help=tr("cli.help_cards_household"))
    cards.add_argument("--layout", choices=CARD_LAYOUTS, default="a5", help=tr("cli.help_cards_layout"))
    cards.add_argument("--full-ids", action="store_true", help=tr("cli.help_cards_full_ids"))
    cards.add_argument("--methods", action="store_true", help=tr("cli.help_cards_methods"))
    cards.add_argument("--out", type=output_file, required=True, help=tr("cli.help_cards_out"))
    cards.add_argument("--quiet", action="store_true", help=tr("cli.help_cards_quiet"))
    cards.set_defaults(func=cmd_cards)
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
