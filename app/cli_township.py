"""`fhdesk township …`: township mode at the command line — set up, enrol villages, import their packages,
see each village's status and the cross-village duplicates, propose corrections, write return packages — on
the township's encrypted SQLite file in the data folder, or on a PostgreSQL server given with `--db URL`.
And the village's side of the return package: `fhdesk package import-return FILE`, `fhdesk package corrections`.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.actor import Actor
from app.db import Database
from app.i18n import tr


@dataclass
class TownshipSession:
    db: Database
    actor: Actor
    folder: Path  # the data folder (quarantine, default output)
    close_fn: Any

    def close(self) -> None:
        self.close_fn()


def _password() -> str:
    from app import cli

    password = cli._password_from_file()
    if password is None:
        if not cli._interactive():
            raise cli.CliError(tr("cli_security.password_needed", variable=cli.ENV_PASSWORD_FILE))
        password = getpass.getpass(f"{tr('login.password')}: ")
    return password


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[TownshipSession]:
    """The township's database: `--db URL` (a PostgreSQL server; the account checked against it), else the
    encrypted file in the data folder (the login of a village, in township mode)."""
    from app import cli
    from app.services import auth
    from app.sync.township import township_of

    folder = cli._folder(args)
    if args.db:
        from app.db import open_url

        db = open_url(args.db)
        try:
            if township_of(db) is None:
                raise cli.CliError(tr("township.not_township"))
            username = getattr(args, "user", None) or os.environ.get(cli.ENV_USER)
            if not username:
                raise cli.CliError(tr("cli_security.user_needed", variable=cli.ENV_USER))
            user = auth.login(db, str(username), _password())
            session = TownshipSession(db, Actor(user.id, user.role, db.node), folder, db.dispose)
            yield session
        finally:
            db.dispose()
        return
    logged = cli._open(args)
    try:
        if township_of(logged.db) is None:
            raise cli.CliError(tr("township.not_township"))
        yield TownshipSession(logged.db, logged.actor, folder, logged.close)
    finally:
        logged.close()


def cmd_init(args: argparse.Namespace) -> int:
    from app import cli
    from app.sync import township

    data = township.TownshipSetup(
        township_name=args.name or "",
        township_code=args.code or "",
        officer_name=args.officer_name or "",
        username=args.username or "",
        password=_password(),
    )
    if args.db:
        from app.db import open_url

        db = open_url(args.db)
        try:
            township.set_up_township(db, data)
        finally:
            db.dispose()
        where = args.db.split("@")[-1]
    else:
        folder = cli._folder(args)
        township.set_up_new_township(folder, data).close()
        where = str(folder)
    print(tr("township_ui.cli_set_up", name=data.township_name, code=data.township_code, where=where))
    return 0


def cmd_enrol(args: argparse.Namespace) -> int:
    from app import cli
    from app.sync import keys

    text = cli._read_key_text(args.file)
    with opened(args) as session:
        enrolled = keys.enrol_village(session.db, session.actor, text)
    cli._print_keys("township_ui.enrolled", enrolled)
    print(tr("sync_ui.cli_compare"))
    return 0


def cmd_keys_export(args: argparse.Namespace) -> int:
    from app import cli
    from app.sync import keys

    out = Path(args.out).expanduser()
    if not out.is_dir():
        raise cli.CliError(tr("cli.folder_missing", folder=str(out)))
    with opened(args) as session:
        own, _ = keys.read_keys(session.db)
        assert own is not None  # made at set-up
        path = keys.write_public_keys(own, out)
    cli._print_keys("sync_ui.own_keys", own)
    print(tr("sync_ui.cli_keys_written", path=str(path)))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from app import cli
    from app.sync import township

    with opened(args) as session:
        quarantine = Path(args.quarantine).expanduser() if args.quarantine else session.folder / "quarantine"
        outcomes = township.import_packages(
            session.db,
            session.actor,
            [Path(p).expanduser() for p in args.paths],
            quarantine=quarantine,
            progress=None if args.quiet else cli._text_progress,
        )
    if not args.quiet:
        print(file=sys.stderr)
    for o in outcomes:
        print(f"{o.file.name}: {o.message}")
    applied, already, rejected = (
        sum(1 for o in outcomes if o.outcome == k) for k in ("applied", "already", "rejected")
    )
    print(tr("township_ui.cli_import_summary", applied=applied, already=already, rejected=rejected))
    return 1 if rejected else 0


def cmd_status(args: argparse.Namespace) -> int:
    from app.clock import CHINA_TZ, today
    from app.sync import township

    with opened(args) as session:
        statuses = township.village_statuses(session.db, today())
        duplicates = township.cross_village_duplicates(session.db)
    for v in statuses:
        when = v.last_imported.astimezone(CHINA_TZ).strftime("%Y-%m-%d") if v.last_imported else "—"
        notes = []
        if v.late:
            notes.append(tr("township_ui.late"))
        if v.missing:
            notes.append(tr("township_ui.missing", numbers="、".join(map(str, v.missing))))
        if v.conflicts:
            notes.append(tr("township_ui.conflicts", n=v.conflicts))
        if v.needs_full:
            notes.append(tr("township_ui.needs_full"))
        if not v.audit_ok:
            notes.append(tr("township_ui.audit_broken"))
        if v.rejected:
            notes.append(tr("township_ui.rejected", n=v.rejected))
        print(
            f"{v.code} {v.name}  No.{v.last_seq or '—'}  {v.last_period or '—'}  {when}  {'；'.join(notes)}"
        )
    print(tr("township_ui.cli_duplicates", n=len(duplicates)))
    for d in duplicates:
        records = "；".join(f"{r.village} {r.name} {r.birth_date} 户{r.household_no}" for r in d.records)
        print(f"  {d.id_number[:6]}…{d.id_number[-4:]}: {records}")
    return 0


def cmd_return(args: argparse.Namespace) -> int:
    from app import cli
    from app.sync import returns

    out = Path(args.out).expanduser()
    if not out.is_dir():
        raise cli.CliError(tr("cli.folder_missing", folder=str(out)))
    with opened(args) as session:
        written = returns.write_return(session.db, session.actor, args.village, out)
    print(
        tr(
            "township_ui.cli_return_written",
            village=args.village,
            seq=written.seq,
            acked=written.acked_seq,
            corrections=written.corrections,
            path=str(written.path),
        )
    )
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    from app.sync import returns

    with opened(args) as session:
        returns.propose_correction(
            session.db,
            session.actor,
            args.village,
            args.table,
            args.record,
            args.field,
            args.value,
            args.reason,
        )
    print(tr("township_ui.cli_correction_added", village=args.village))
    return 0


def cmd_import_return(args: argparse.Namespace) -> int:
    from app import cli
    from app.sync import returns

    session = cli._open(args, set_up=True)
    try:
        result = returns.apply_return(session.db, session.actor, Path(args.file).expanduser())
    finally:
        session.close()
    print(result.message)
    return 1 if result.outcome == "rejected" else 0


def cmd_corrections(args: argparse.Namespace) -> int:
    from app import cli
    from app.sync import returns

    session = cli._open(args, set_up=True)
    try:
        if args.accept or args.decline:
            returns.decide_correction(
                session.db, session.actor, args.accept or args.decline, bool(args.accept)
            )
            print(tr("township_ui.cli_decided"))
        pending = returns.corrections(session.db)
    finally:
        session.close()
    for c in pending:
        print(f"{c.id}  {c.record_label}  {c.field}: {c.old} → {c.new}  ({c.reason})")
    if not pending:
        print(tr("township_ui.cli_no_corrections"))
    return 0


def add_commands(sub: Any, package_sub: Any) -> None:
    """The township subcommands, and the village's return-package commands under `package`."""
    township = sub.add_parser("township", help=tr("township_ui.help_township"))
    actions = township.add_subparsers(dest="township_command", required=True, metavar="ACTION")
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--db", metavar="URL", help=tr("township_ui.help_db"))
    init = actions.add_parser("init", parents=[where], help=tr("township_ui.help_init"))
    init.add_argument("--code", help=tr("township_ui.help_code"))
    init.add_argument("--name", help=tr("township_ui.help_name"))
    init.add_argument("--officer-name", help=tr("township_ui.help_officer"))
    init.add_argument("--username", help=tr("township_ui.help_username"))
    init.set_defaults(func=cmd_init)
    enrol = actions.add_parser("enrol", parents=[where], help=tr("township_ui.help_enrol"))
    enrol.add_argument("file", metavar="FILE", help=tr("township_ui.help_key_file"))
    enrol.set_defaults(func=cmd_enrol)
    keys_export = actions.add_parser("keys-export", parents=[where], help=tr("township_ui.help_keys_export"))
    keys_export.add_argument("--out", required=True, metavar="DIR", help=tr("sync_ui.help_out"))
    keys_export.set_defaults(func=cmd_keys_export)
    imports = actions.add_parser("import", parents=[where], help=tr("township_ui.help_import"))
    imports.add_argument("paths", nargs="+", metavar="FILE_OR_FOLDER", help=tr("township_ui.help_paths"))
    imports.add_argument("--quarantine", metavar="DIR", help=tr("township_ui.help_quarantine"))
    imports.add_argument("--quiet", action="store_true", help=tr("cli_errors.help_quiet"))
    imports.set_defaults(func=cmd_import)
    actions.add_parser("status", parents=[where], help=tr("township_ui.help_status")).set_defaults(
        func=cmd_status
    )
    back = actions.add_parser("return", parents=[where], help=tr("township_ui.help_return"))
    back.add_argument("--village", required=True, metavar="CODE", help=tr("township_ui.help_village"))
    back.add_argument("--out", required=True, metavar="DIR", help=tr("sync_ui.help_out"))
    back.set_defaults(func=cmd_return)
    correct = actions.add_parser("correct", parents=[where], help=tr("township_ui.help_correct"))
    correct.add_argument("--village", required=True, metavar="CODE", help=tr("township_ui.help_village"))
    correct.add_argument(
        "--table", required=True, choices=["person", "household"], help=tr("township_ui.help_table")
    )
    correct.add_argument("--record", required=True, metavar="ID", help=tr("township_ui.help_record"))
    correct.add_argument("--field", required=True, help=tr("township_ui.help_field"))
    correct.add_argument("--value", required=True, help=tr("township_ui.help_value"))
    correct.add_argument("--reason", required=True, help=tr("township_ui.help_reason"))
    correct.set_defaults(func=cmd_correct)

    import_return = package_sub.add_parser("import-return", help=tr("township_ui.help_import_return"))
    import_return.add_argument("file", metavar="FILE", help=tr("township_ui.help_return_file"))
    import_return.set_defaults(func=cmd_import_return)
    corrections = package_sub.add_parser("corrections", help=tr("township_ui.help_corrections"))
    choice = corrections.add_mutually_exclusive_group()
    choice.add_argument("--accept", metavar="ID", help=tr("township_ui.help_accept"))
    choice.add_argument("--decline", metavar="ID", help=tr("township_ui.help_decline"))
    corrections.set_defaults(func=cmd_corrections)
