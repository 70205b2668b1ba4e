"""`fhdesk`: headless commands — set up a village, make the demo village, show what is in a database, check
it, and write the report, the cards and the registers.

Only `init` and `demo` make a database; every other command opens the village that is there, or says in one
line that there is none (a mistyped --data-dir never becomes a new, empty village). Every error is one line
and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from app import config, storage
from app.arguments import Parser, language_from
from app.clock import today
from app.db import (
    DamagedDatabase,
    DatabaseProblem,
    WrongKey,
    check_before_login,
    current_revision,
    head_revision,
    is_damage,
)
from app.errors import DomainError
from app.i18n import LANGUAGES, set_language, tr
from app.models import TRAVELLING_MODELS
from app.version import app_version

if TYPE_CHECKING:
    from app.services.login import LoggedIn

ENV_PASSWORD_FILE = "FHDESK_PASSWORD_FILE"
ENV_USER = "FHDESK_USER"
FIRST_MONTH = (1900, 1)  # months before it are refused, like birth dates
LAST_YEAR = 2999
MAX_GROUP = 999  # villager group numbers: a village has a few dozen at most


class CliError(Exception):
    """A problem to report as one line and a non-zero exit."""


def _folder(args: argparse.Namespace) -> Path:
    return config.village_dir(args.data_dir, demo=args.demo)


def _password_from_file() -> str | None:
    """The password in the file named by FHDESK_PASSWORD_FILE (for scripts and tests), or None."""
    named = os.environ.get(ENV_PASSWORD_FILE)
    if not named:
        return None
    try:
        return Path(named).expanduser().read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError):
        raise CliError(tr("cli_errors.password_file_unreadable", path=named)) from None


def _login_name(args: argparse.Namespace, folder: Path) -> str:
    """Who logs in: --user, else FHDESK_USER, else the village's first account (its first officer)."""
    from app.services import login

    chosen = getattr(args, "user", None) or os.environ.get(ENV_USER)
    if chosen:
        return str(chosen)
    names = login.usernames(folder)
    if names:
        return names[0]
    if _interactive():
        return input(f"{tr('login.username')}: ").strip()
    raise CliError(tr("cli_security.user_needed", variable=ENV_USER))


def _open(args: argparse.Namespace, *, set_up: bool = False) -> LoggedIn:
    """Log in to the village in the chosen folder (the password from FHDESK_PASSWORD_FILE or typed at the
    terminal, never an argument); "no village here" when there is none. Nothing is created."""
    from app.services import login

    folder = _folder(args)
    if not config.has_database(folder):
        raise CliError(tr("cli_errors.no_village", folder=str(folder)))
    try:
        config.prepare_data_dir(folder)
    except OSError:
        raise CliError(tr("cli_errors.folder_not_writable", path=str(folder))) from None
    check_before_login(config.database_path(folder))  # a plain file damaged or not ours: said at once
    if not login.is_encrypted(folder) and not login.usernames(folder):
        raise CliError(tr("cli_errors.no_village", folder=str(folder)))  # a database never set up
    username = _login_name(args, folder)
    password = _password_from_file()
    if password is None:
        if not _interactive():
            raise CliError(tr("cli_security.password_needed", variable=ENV_PASSWORD_FILE))
        password = getpass.getpass(f"{tr('login.password')}: ")
    try:
        session = login.open_village(folder, username, password)
    except WrongKey:
        raise CliError(tr("vault.wrong_key")) from None
    if set_up:
        from app.services.village import is_set_up

        if not is_set_up(session.db):
            session.close()
            raise CliError(tr("cli_errors.no_village", folder=str(folder)))
    return session


def _text_progress(fraction: float, message: str) -> bool:
    print(f"\r{fraction:6.1%} {message[:60]:<60}", end="", file=sys.stderr, flush=True)
    return True


def cmd_demo(args: argparse.Namespace) -> int:
    """A demo village, encrypted like a real one; its accounts get the password of FHDESK_PASSWORD_FILE when
    that is set (so a script can open what it made), otherwise the documented demo password."""
    from app.services import login
    from app.services.demo import DEMO_SETUP, check_people, create_demo_village

    if args.people is None:  # a village of 3,000; a township of 1,000 a village
        args.people = 1000 * args.villages if args.township else 3000
    check_people(args.people)  # before the data folder is touched
    if args.township:
        return _demo_township(args)
    setup, seed = DEMO_SETUP, args.seed
    if args.village_code or args.village_name:
        code = (args.village_code or DEMO_SETUP.village_code).strip()
        if (
            not re.fullmatch(r"\d{12}", code)
            or code[:9] != DEMO_SETUP.township_code[:9]
            or code == DEMO_SETUP.township_code
        ):
            raise CliError(
                tr("sync_ui.demo_code_outside", code=code[:20], township=DEMO_SETUP.township_code[:9])
            )
        setup = replace(
            DEMO_SETUP,
            village_code=code,
            village_name=(args.village_name or "").strip() or DEMO_SETUP.village_name,
        )
        if code != DEMO_SETUP.village_code:
            seed = args.seed * 1000 + int(code[9:])  # another village of the township: other people
    folder = _folder(args)
    if login.has_village(folder):
        raise CliError(tr("cli.demo_not_empty", path=str(config.database_path(folder))))
    try:
        config.prepare_data_dir(folder)
    except OSError:
        raise CliError(tr("cli_errors.folder_not_writable", path=str(folder))) from None
    password = _password_from_file() or DEMO_SETUP.password
    started = time.perf_counter()
    try:
        summary = create_demo_village(
            folder,
            password=password,
            people=args.people,
            seed=seed,
            today=today(),
            progress=None if args.quiet else _text_progress,
            setup=setup,
        )
    finally:
        if not args.quiet:
            print(file=sys.stderr)
    print(
        tr(
            "cli.demo_done",
            people=summary.people,
            households=summary.households,
            seconds=f"{time.perf_counter() - started:.1f}",
            path=str(config.database_path(folder)),
        )
    )
    print(tr("sync_ui.demo_township_copied", path=str(folder / "demo-township")))
    return 0


def _demo_township(args: argparse.Namespace) -> int:
    """`fhdesk demo --township`: a township database (the data folder's encrypted file, or --db URL) filled
    from N demo villages' packages."""
    from app.actor import Actor
    from app.services.demo import copy_demo_township
    from app.sync import demo_township, township

    setup = replace(
        demo_township.DEMO_TOWNSHIP_SETUP,
        password=_password_from_file() or demo_township.DEMO_TOWNSHIP_SETUP.password,
    )
    started = time.perf_counter()
    progress = None if args.quiet else _text_progress
    people = args.people
    if args.db:
        from app.db import open_url

        db = open_url(args.db)
        try:
            if township.township_of(db) is not None:
                raise CliError(tr("township_ui.demo_db_not_empty"))
            user = township.set_up_township(db, setup)
            actor = Actor(user, "admin", setup.township_code)
            demo_township.install_demo_keys(db, actor)
            made = demo_township.fill_demo_township(
                db, actor, villages=args.villages, people=people, today=today(), progress=progress
            )
        finally:
            db.dispose()
        where = args.db.split("@")[-1]
    else:
        from app.services import login

        folder = _folder(args)
        if login.has_village(folder):
            raise CliError(tr("cli.demo_not_empty", path=str(config.database_path(folder))))
        session = township.set_up_new_township(folder, setup)
        try:
            demo_township.install_demo_keys(session.db, session.actor)
            made = demo_township.fill_demo_township(
                session.db,
                session.actor,
                villages=args.villages,
                people=people,
                today=today(),
                progress=progress,
            )
        finally:
            session.close()
        copy_demo_township(folder)
        where = str(folder)
    if not args.quiet:
        print(file=sys.stderr)
    print(
        tr(
            "township_ui.demo_done",
            villages=made.villages,
            people=made.people,
            imported=made.imported,
            seconds=f"{time.perf_counter() - started:.1f}",
            where=where,
        )
    )
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """A backup now: into the data folder's backups (then rotation), or into --to (a USB stick)."""
    from app.backups import make_backup, rotate
    from app.services import audit

    session = _open(args)
    try:
        target = Path(args.to).expanduser() if args.to else None
        if target is not None and not target.is_dir():
            raise CliError(tr("cli.folder_missing", folder=str(target)))
        info = make_backup(config.database_path(session.folder), session.key, "manual", to=target)
        if target is None:
            rotate(config.backups_dir(session.folder), today())
        audit.record_event(session.db, session.actor, "backup", "database", {"to_stick": target is not None})
    finally:
        session.close()
    print(tr("backups.cli_done", path=str(info.path), people=info.counts.get("person", 0)))
    return 0


def cmd_backups(args: argparse.Namespace) -> int:
    """The backups in the data folder, newest first: when, why, how many people, the file."""
    from app.backups import label_text, list_backups
    from app.clock import CHINA_TZ

    folder = _folder(args)
    found = list_backups(config.backups_dir(folder))
    if not found:
        print(tr("backups.cli_none", folder=str(config.backups_dir(folder))))
        return 0
    for b in found:
        when = b.made_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
        label = label_text(b.label)
        print(f"{when}  {label:<12} {b.counts.get('person', 0):>7}  {b.path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Put a backup in place of the database, after showing what it holds and backing up the current state
    (restoring that "before-restore" backup is the step back)."""
    from app.backups import preview_restore, restore
    from app.clock import CHINA_TZ
    from app.services import login

    chosen = Path(args.file).expanduser()
    if not chosen.is_file():
        raise CliError(tr("backups.cli_no_file", path=str(chosen)))
    damaged: login.DamagedVillage | None = None
    try:
        session: LoggedIn | None = _open(args)
    except login.DamagedVillage as e:  # the reason to restore: the damaged file is kept aside, not backed up
        session, damaged = None, e
    key = session.key if session is not None else damaged.key if damaged is not None else b""
    folder = _folder(args)
    try:
        preview = preview_restore(chosen, key)
        when = preview.info.made_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
        print(tr("backups.cli_holds", when=when, people=preview.info.counts.get("person", 0),
                 households=preview.info.counts.get("household", 0)))  # fmt: skip
        if not args.yes:
            if not _interactive():
                raise CliError(tr("backups.cli_confirm_needed"))
            if input(tr("backups.cli_confirm") + " ").strip().lower() not in ("y", "yes", "是", "好"):
                print(tr("backups.cli_not_restored"))
                return 1
    finally:
        if session is not None:
            session.close()
    if damaged is not None:
        again, kept = login.recover(folder, damaged, chosen)
        again.close()
        print(tr("backups.cli_recovered", kept=str(kept)))
        return 0
    safety = restore(config.database_path(folder), key, chosen)
    again = _open(args)
    try:
        login.audit_recovery(again, chosen, None)
    finally:
        again.close()
    print(tr("backups.cli_restored", safety=str(safety.path)))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from app.services.village import village_info

    session = _open(args)
    db = session.db
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
        session.close()
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from app.services.quality import QUALITY_TARGET, record_quality

    session = _open(args)
    db = session.db
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
        problems += _print_audit(session)
    finally:
        session.close()
    return 1 if problems else 0


def _print_audit(session: LoggedIn) -> int:
    """The audit trail's verification, one line per finding (naming the record or the audit line); the
    number of findings."""
    from app.services import audit

    findings = audit.verify(session.db, audit.anchors_in([config.backups_dir(session.folder)]))
    if not findings:
        print(f"{tr('cli_security.audit')}: {tr('cli.ok')}")
        return 0
    print(f"{tr('cli_security.audit')}: {tr('cli_security.audit_findings', count=len(findings))}")
    for f in findings[:50]:
        print("  " + tr(f.kind, table=f.table, id=f.record_id, seq=f.seq, detail=f.detail))
    if len(findings) > 50:
        print("  " + tr("cli_security.audit_more", count=len(findings) - 50))
    return len(findings)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    session = _open(args)
    try:
        return 1 if _print_audit(session) else 0
    finally:
        session.close()


def parse_month(text: str) -> tuple[int, int]:
    """`2026-10` -> (2026, 10); anything else is refused with the expected shape, and a month before 1900 or
    after 2999 as out of range (date arithmetic past year 9999 would fail deep inside a report)."""
    try:
        year, month = (int(part) for part in text.split("-"))
        dt.date(year, month, 1)
    except ValueError:
        raise argparse.ArgumentTypeError(tr("cli.bad_month", text=text)) from None
    if not FIRST_MONTH <= (year, month) <= (LAST_YEAR, 12):
        raise argparse.ArgumentTypeError(tr("cli_errors.month_out_of_range", text=text, last=LAST_YEAR))
    return year, month


def whole_number(text: str) -> int:
    """A whole number as typed (`3000`), refused in one sentence otherwise."""
    if not re.fullmatch(r"[+-]?\d{1,40}", text.strip()):
        raise argparse.ArgumentTypeError(tr("cli_errors.not_a_number", text=text[:40]))
    return int(text)


def group_number(text: str) -> int:
    """A villager group's number: 1 to 999."""
    number = whole_number(text)
    if not 1 <= number <= MAX_GROUP:
        raise argparse.ArgumentTypeError(tr("cli_errors.group_out_of_range", text=text[:40], last=MAX_GROUP))
    return number


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
    day = today()
    year, month = args.month or _last_month(day)
    if (year, month) > (day.year, day.month):  # nothing has happened in it yet
        raise CliError(tr("cli_errors.future_month", month=f"{year}-{month:02d}", current=f"{day:%Y-%m}"))
    session = _open(args, set_up=True)
    try:
        doc = monthly_report_document(session.db, year, month, year_to_date=args.ytd, today=today())
        for path, write in ((args.xlsx, write_report_xlsx), (args.pdf, write_report_pdf)):
            if path:
                write(path, doc, printed_on=today())
                _audit_output(session, "monthly_report", format=Path(path).suffix.lstrip("."))
                print(tr("cli.report_written", period=doc.period_label(), path=path))
    finally:
        session.close()
    return 0


def _audit_output(session: LoggedIn, subject: str, action: str = "export", **details: object) -> None:
    """An export or a print in the audit trail, as the logged-in person (kinds and counts, no personal data)."""
    from app.services import audit

    audit.record_event(session.db, session.actor, action, subject, details)


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
    session = _open(args, set_up=True)
    db = session.db
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
        _audit_output(session, args.register, rows=rows)
    finally:
        if not args.quiet:
            print(file=sys.stderr)  # ends the progress line, also before an error message
        session.close()
    print(tr("registers.cli_done", register=register_title(args.register), rows=rows, path=args.out))
    return 0


# app.reports.cards.CARD_LAYOUTS, spelled out so that the command line does not import reportlab to start
CARD_LAYOUTS = ("a5", "a4_two_up")


def cmd_cards(args: argparse.Namespace) -> int:
    from app.reports.cards import write_cards
    from app.services.cards import card_batch, household_ids_by_number

    session = _open(args, set_up=True)
    db = session.db
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
        _audit_output(session, "cards", "print", cards=len(batch.cards), full_ids=args.full_ids)
    finally:
        if not args.quiet:
            print(file=sys.stderr)  # ends the progress line, also before an error message
        session.close()
    print(tr("cli.cards_done", cards=len(batch.cards), pages=pages, path=args.out))
    return 0


def cmd_import_excel(args: argparse.Namespace) -> int:
    """Import an existing register (Excel, WPS, .ods or CSV): the same checks and summary as the preview, a
    backup first, one transaction; `--dry-run` only checks. Ends with `rows: added N, updated M, refused K`."""
    from app.services import registers_import as ri
    from app.services.registers_import.plan import summary_lines

    source = ri.open_source(
        Path(args.file).expanduser(), args.sheet
    )  # a wrong file is said before logging in
    session = _open(args, set_up=True)
    progress = None if args.quiet else _text_progress
    try:
        if args.dry_run:
            plan = ri.preview(session.db, session.actor, source, today(), progress)
            backup = None
        else:
            result = ri.import_register(
                session.db, session.actor, source, today(), key=session.key, progress=progress
            )
            plan, backup = result.plan, result.backup
    finally:
        if not args.quiet:
            print(file=sys.stderr)  # ends the progress line, also before an error message
        session.close()
    for line in summary_lines(plan):
        print(line)
    if args.refused and plan.refused:
        from app.reports.import_refused_xlsx import write_refused_rows

        write_refused_rows(args.refused, plan)
        print(tr("import.cli_refused_written", path=args.refused))
    print(tr("import.cli_dry_run") if args.dry_run else tr("import.cli_backup", path=str(backup)))
    print(tr("import.cli_line", added=plan.added, updated=plan.updated, refused=plan.refused))
    return 0


# the options of `init`: VillageSetup's field -> (option, the wizard's label for its prompt)
INIT_FIELDS = {
    "village_name": ("--village-name", "wizard.village_name"),
    "village_code": ("--village-code", "wizard.village_code"),
    "township_name": ("--township-name", "wizard.township_name"),
    "township_code": ("--township-code", "wizard.township_code"),
    "groups": ("--group", "wizard.groups"),
    "officer_name": ("--officer-name", "wizard.officer_name"),
    "username": ("--username", "wizard.username"),
    "officer_phone": ("--officer-phone", "wizard.officer_phone"),
}


def _read_key_text(path: str) -> str:
    """A public-key file as text (UTF-8, or GB18030 from an old Windows editor)."""
    from app.sync.keys import read_key_file

    try:
        return read_key_file(Path(path).expanduser())
    except OSError:
        raise CliError(tr("sync_ui.cli_file_unreadable", path=path)) from None


def _print_keys(label_id: str, keys: object) -> None:
    from app.sync.keys import PublicKeys, read_aloud

    print(tr(label_id))
    if not isinstance(keys, PublicKeys):
        print("  " + tr("sync_ui.township_missing"))
        return
    print("  " + tr("sync_ui.cli_node", node=keys.node, name=keys.name))
    print("  " + tr("sync_ui.cli_sign_fp", fingerprint=read_aloud(keys.sign_id)))
    print("  " + tr("sync_ui.cli_age_fp", fingerprint=read_aloud(keys.age_id)))


def cmd_keys_show(args: argparse.Namespace) -> int:
    """This village's public keys (made now if it has none) and the township's, with fingerprints."""
    from app.sync import keys

    session = _open(args, set_up=True)
    try:
        own = keys.ensure_own_keys(session.db, session.actor)
        _, township = keys.read_keys(session.db)
    finally:
        session.close()
    _print_keys("sync_ui.own_keys", own)
    _print_keys("sync_ui.township_keys", township)
    return 0


def cmd_keys_export(args: argparse.Namespace) -> int:
    """The village's public-key file and its printable enrolment sheet (PDF) into --out."""
    from app.sync import keys
    from app.sync.enrolment import sheet_name, write_sheet

    out = Path(args.out).expanduser()
    if not out.is_dir():
        raise CliError(tr("cli.folder_missing", folder=str(out)))
    session = _open(args, set_up=True)
    try:
        own = keys.ensure_own_keys(session.db, session.actor)
        text_file = keys.write_public_keys(own, out)
        sheet = write_sheet(session.db, own, out / sheet_name(own), printed_on=today())
        _audit_output(session, "public_keys", files=2)
    finally:
        session.close()
    print(tr("sync_ui.cli_keys_written", path=str(text_file)))
    print(tr("sync_ui.cli_keys_written", path=str(sheet)))
    return 0


def cmd_keys_import_township(args: argparse.Namespace) -> int:
    """Enrol the township's public keys from its file; the fingerprints are printed to compare aloud."""
    from app.sync import keys

    text = _read_key_text(args.file)
    session = _open(args, set_up=True)
    try:
        enrolled = keys.enrol_township(session.db, session.actor, text)
    finally:
        session.close()
    _print_keys("sync_ui.township_keys", enrolled)
    print(tr("sync_ui.cli_compare"))
    return 0


def cmd_package_export(args: argparse.Namespace) -> int:
    """The next monthly package into --out: every change the township has not acknowledged, and the report."""
    from app.services.vault import KeyFile
    from app.sync.package import export_package

    out = Path(args.out).expanduser()
    if not out.is_dir():
        raise CliError(tr("cli.folder_missing", folder=str(out)))
    day = today()
    if args.month and args.month > (day.year, day.month):
        raise CliError(
            tr(
                "cli_errors.future_month",
                month=f"{args.month[0]}-{args.month[1]:02d}",
                current=f"{day:%Y-%m}",
            )
        )
    session = _open(args, set_up=True)
    try:
        recovery = KeyFile.load(session.folder).recovery if KeyFile.exists(session.folder) else None
        from app.sync.returns import full_export_requested

        if not args.full and full_export_requested(session.db):  # the township asked for the whole village
            args.full = True
            print(tr("returns.full_requested"))
        done = export_package(
            session.db,
            session.actor,
            out,
            month=args.month,
            full=args.full,
            unencrypted=args.unencrypted,
            recovery_recipient=(recovery or {}).get("recipient"),
            progress=None if args.quiet else _text_progress,
        )
    finally:
        if not args.quiet:
            print(file=sys.stderr)
        session.close()
    if not done.encrypted:
        print(tr("sync_ui.unencrypted_warning"))
    rows = sum(n for table, n in done.counts.items() if table != "audit_event")
    print(
        tr(
            "sync_ui.cli_exported",
            seq=done.seq,
            period=done.period,
            rows=rows,
            size=_size(done.size),
            path=str(done.path),
        )
    )
    print(tr("sync_ui.safe_to_remove"))
    return 0


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _ask(field: str, value: str | None, *, optional: bool = False) -> str | None:
    """An option's value, asked for at the terminal when it was not given; without a terminal a required one
    that is missing is refused, naming its option."""
    if value is not None:
        return value
    option, label = INIT_FIELDS[field]
    if not _interactive():
        if optional:
            return None
        raise CliError(tr("cli_errors.init_missing", option=option))
    hint = tr("cli_errors.init_optional") if optional else ""
    answer = input(f"{tr(label)}{hint}: ").strip()
    return answer or None if optional else answer


def _password() -> str:
    """The first account's password: from the file named by FHDESK_PASSWORD_FILE, or typed twice at the
    terminal (never an argument: it would stay in the shell's history and the process list)."""
    from_file = _password_from_file()
    if from_file is not None:
        return from_file
    if not _interactive():
        raise CliError(tr("cli_errors.password_needed", variable=ENV_PASSWORD_FILE))
    first = getpass.getpass(f"{tr('wizard.password')}: ")
    if getpass.getpass(f"{tr('wizard.password_again')}: ") != first:
        raise CliError(tr("wizard.passwords_differ"))
    return first


def _groups(given: list[str] | None) -> tuple[str, ...]:
    if given is None:
        answer = _ask("groups", None) or ""
        given = re.split(r"[,，、;；]", answer)
    return tuple(g.strip() for g in given if g.strip())


def cmd_init(args: argparse.Namespace) -> int:
    """Set up a new village in the chosen folder: the same checks as the first-run wizard, all of them before
    anything is created."""
    from app.services import login
    from app.services.village import VillageSetup, check_setup

    folder = _folder(args)
    if login.has_village(folder):
        raise CliError(tr("cli_errors.village_exists", folder=str(folder)))
    data = VillageSetup(
        village_name=_ask("village_name", args.village_name) or "",
        village_code=_ask("village_code", args.village_code) or "",
        township_name=_ask("township_name", args.township_name) or "",
        township_code=_ask("township_code", args.township_code) or "",
        groups=_groups(args.group),
        officer_name=_ask("officer_name", args.officer_name) or "",
        username=_ask("username", args.username) or "",
        password=_password(),
        officer_phone=_ask("officer_phone", args.officer_phone, optional=True),
    )
    try:
        check_setup(data)
    except DomainError as e:  # said with the option to correct
        where = INIT_FIELDS[e.field][0] if e.field in INIT_FIELDS else ENV_PASSWORD_FILE
        raise CliError(f"{where}: {e.message()}") from None
    try:
        config.prepare_data_dir(folder)
    except OSError:
        raise CliError(tr("cli_errors.folder_not_writable", path=str(folder))) from None
    login.set_up_new_village(folder, data).close()
    print(tr("cli_errors.init_done", village=data.village_name.strip(), folder=str(folder)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="fhdesk", description=tr("cli.description"))
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {app_version()}", help=tr("cli_errors.help_version")
    )
    parser.add_argument("--data-dir", help=tr("cli.help_data_dir"))
    parser.add_argument("--demo", action="store_true", help=tr("cli_errors.help_demo_folder"))
    parser.add_argument("--user", metavar="USERNAME", help=tr("cli_security.help_user"))
    parser.add_argument("--lang", choices=list(LANGUAGES), help=tr("cli.help_lang"))
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", title=tr("cli_errors.commands_title")
    )
    init = sub.add_parser(
        "init", help=tr("cli_errors.help_init"), description=tr("cli_errors.init_description")
    )
    init.add_argument("--village-name", help=tr("cli_errors.help_village_name"))
    init.add_argument("--village-code", help=tr("cli_errors.help_village_code"))
    init.add_argument("--township-name", help=tr("cli_errors.help_township_name"))
    init.add_argument("--township-code", help=tr("cli_errors.help_township_code"))
    init.add_argument("--group", action="append", metavar="NAME", help=tr("cli_errors.help_group_name"))
    init.add_argument("--officer-name", help=tr("cli_errors.help_officer_name"))
    init.add_argument("--username", help=tr("cli_errors.help_username"))
    init.add_argument("--officer-phone", help=tr("cli_errors.help_officer_phone"))
    init.set_defaults(func=cmd_init)
    demo = sub.add_parser("demo", help=tr("cli.help_demo"))
    demo.add_argument("--people", type=whole_number, help=tr("cli_errors.help_people"))
    demo.add_argument("--seed", type=whole_number, default=1, help=tr("cli_errors.help_seed"))
    demo.add_argument("--quiet", action="store_true", help=tr("cli_errors.help_quiet"))
    demo.add_argument("--village-code", help=tr("sync_ui.help_demo_code"))
    demo.add_argument("--village-name", help=tr("sync_ui.help_demo_name"))
    demo.add_argument("--township", action="store_true", help=tr("township_ui.help_demo_township"))
    demo.add_argument("--villages", type=whole_number, default=20, help=tr("township_ui.help_demo_villages"))
    demo.add_argument("--db", metavar="URL", help=tr("township_ui.help_db"))
    demo.set_defaults(func=cmd_demo)
    keys_cmd = sub.add_parser("keys", help=tr("sync_ui.help_keys"))
    keys_sub = keys_cmd.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    keys_sub.add_parser("show", help=tr("sync_ui.help_keys_show")).set_defaults(func=cmd_keys_show)
    keys_export = keys_sub.add_parser("export", help=tr("sync_ui.help_keys_export"))
    keys_export.add_argument("--out", required=True, metavar="DIR", help=tr("sync_ui.help_out"))
    keys_export.set_defaults(func=cmd_keys_export)
    keys_import = keys_sub.add_parser("import-township", help=tr("sync_ui.help_keys_import"))
    keys_import.add_argument("file", metavar="FILE", help=tr("sync_ui.help_key_file"))
    keys_import.set_defaults(func=cmd_keys_import_township)
    package_cmd = sub.add_parser("package", help=tr("sync_ui.help_package"))
    package_sub = package_cmd.add_subparsers(dest="package_command", required=True, metavar="ACTION")
    package_export = package_sub.add_parser("export", help=tr("sync_ui.help_package_export"))
    package_export.add_argument("--out", required=True, metavar="DIR", help=tr("sync_ui.help_out"))
    package_export.add_argument("--month", type=parse_month, metavar="YYYY-MM", help=tr("sync_ui.help_month"))
    package_export.add_argument("--full", action="store_true", help=tr("sync_ui.help_full"))
    package_export.add_argument("--unencrypted", action="store_true", help=tr("sync_ui.help_unencrypted"))
    package_export.add_argument("--quiet", action="store_true", help=tr("cli_errors.help_quiet"))
    package_export.set_defaults(func=cmd_package_export)
    from app import cli_township

    cli_township.add_commands(sub, package_sub)
    sub.add_parser("info", help=tr("cli.help_info")).set_defaults(func=cmd_info)
    sub.add_parser("check", help=tr("cli.help_check")).set_defaults(func=cmd_check)
    backup = sub.add_parser("backup", help=tr("backups.help_backup"))
    backup.add_argument("--to", metavar="DIR", help=tr("backups.help_to"))
    backup.set_defaults(func=cmd_backup)
    sub.add_parser("backups", help=tr("backups.help_backups")).set_defaults(func=cmd_backups)
    restore_cmd = sub.add_parser("restore", help=tr("backups.help_restore"))
    restore_cmd.add_argument("file", metavar="FILE", help=tr("backups.help_restore_file"))
    restore_cmd.add_argument("--yes", action="store_true", help=tr("backups.help_yes"))
    restore_cmd.set_defaults(func=cmd_restore)
    audit_cmd = sub.add_parser("audit", help=tr("cli_security.help_audit"))
    audit_sub = audit_cmd.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    audit_sub.add_parser("verify", help=tr("cli_security.help_audit_verify")).set_defaults(
        func=cmd_audit_verify
    )
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
    export.add_argument("--group", type=group_number, help=tr("registers.cli_help_group"))
    export.add_argument("--out", type=output_file, required=True, help=tr("registers.cli_help_out"))
    export.add_argument("--quiet", action="store_true", help=tr("registers.cli_help_quiet"))
    export.set_defaults(func=cmd_export)
    cards = sub.add_parser("cards", help=tr("cli.help_cards"))
    cards.add_argument("--group", type=group_number, help=tr("cli.help_cards_group"))
    cards.add_argument("--household", action="append", metavar="NUMBER", help=tr("cli.help_cards_household"))
    cards.add_argument("--layout", choices=CARD_LAYOUTS, default="a5", help=tr("cli.help_cards_layout"))
    cards.add_argument("--full-ids", action="store_true", help=tr("cli.help_cards_full_ids"))
    cards.add_argument("--methods", action="store_true", help=tr("cli.help_cards_methods"))
    cards.add_argument("--out", type=output_file, required=True, help=tr("cli.help_cards_out"))
    cards.add_argument("--quiet", action="store_true", help=tr("cli.help_cards_quiet"))
    cards.set_defaults(func=cmd_cards)
    import_excel = sub.add_parser("import-excel", help=tr("import.cli_help"))
    import_excel.add_argument("file", metavar="FILE", help=tr("import.cli_help_file"))
    import_excel.add_argument("--sheet", metavar="NAME", help=tr("import.cli_help_sheet"))
    import_excel.add_argument("--dry-run", action="store_true", help=tr("import.cli_help_dry_run"))
    import_excel.add_argument(
        "--refused", type=output_file, metavar="FILE", help=tr("import.cli_help_refused")
    )
    import_excel.add_argument("--quiet", action="store_true", help=tr("registers.cli_help_quiet"))
    import_excel.set_defaults(func=cmd_import_excel)
    return parser


def _log_unexpected(args: argparse.Namespace, error: BaseException) -> Path | None:
    """Write what went wrong (without personal data) to the village's log, if its folder can take it."""
    from app.logs import log_exception

    folder = _folder(args)
    if not config.has_database(folder):
        return None
    try:
        return log_exception(config.logs_dir(folder), f"fhdesk {args.command} failed", error)
    except OSError:
        return None


def _restore_hint(args: argparse.Namespace, damaged: DamagedDatabase) -> str:
    """What to do about a damaged database: the command that restores the newest good backup."""
    from app.backups import newest

    good = getattr(damaged, "good_backup", None) or newest(config.backups_dir(_folder(args)))
    if good is None:
        return tr("storage.no_backup_to_restore")
    return tr("storage.restore_command", command=f"fhdesk restore {good.path}")


def _storage_sentence(args: argparse.Namespace, error: BaseException) -> str | None:
    """A damaged file or a storage fault (a full disk, a read-only folder, an I/O error) in one sentence with
    what to do; None for any other error."""
    if is_damage(error):
        damaged = DamagedDatabase(config.database_path(_folder(args)))
        return f"{damaged.message()} {_restore_hint(args, damaged)}"
    fault = storage.fault_of(error)
    return fault.message(_folder(args)) if fault is not None else None


def _run(args: argparse.Namespace) -> int:
    try:
        command: Callable[[argparse.Namespace], int] = args.func  # the subcommand's set_defaults(func=...)
        return command(args)
    except storage.StorageFailed as e:
        print(f"fhdesk: {e}", file=sys.stderr)
        return 1
    except (CliError, DomainError) as e:
        print(f"fhdesk: {e}", file=sys.stderr)
        return 2
    except DatabaseProblem as e:
        text = e.message()
        if isinstance(e, DamagedDatabase):
            text += " " + _restore_hint(args, e)
        print(f"fhdesk: {text}", file=sys.stderr)
        return 1
    except (sa.exc.DatabaseError, OSError) as e:
        sentence = _storage_sentence(args, e)
        if sentence is not None:
            print(f"fhdesk: {sentence}", file=sys.stderr)
            return 1
        if isinstance(e, sa.exc.DatabaseError):
            print(f"fhdesk: {tr('cli.failed', reason=str(e).splitlines()[0])}", file=sys.stderr)
            return 1
        where = f" ({e.filename})" if e.filename else ""
        print(f"fhdesk: {tr('cli.failed', reason=(e.strerror or type(e).__name__) + where)}", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"fhdesk: {tr('cli.failed', reason=(str(e).splitlines() or [''])[0])}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)
        print(f"fhdesk: {tr('cli_errors.interrupted')}", file=sys.stderr)
        return 130
    except Exception as e:  # a fault of the app: one calm line here, the details in the log
        sentence = _storage_sentence(args, e)  # a driver's own error (a backup's raw connection) included
        if sentence is not None:
            print(f"fhdesk: {sentence}", file=sys.stderr)
            return 1
        log = _log_unexpected(args, e)
        text = tr("cli_errors.unexpected", kind=type(e).__name__)
        if log is not None:
            text += tr("cli_errors.unexpected_log", log=str(log))
        print(f"fhdesk: {text}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    lang = language_from(argv)
    if lang:
        set_language(lang)
    args = build_parser().parse_args(argv)
    return _run(args)


if __name__ == "__main__":
    sys.exit(main())
