"""The command line with nothing, the wrong thing or a broken thing to work on: it creates no village it was not
asked to create, and every error is one line and a non-zero exit — never a traceback (issue 12, item 19)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.db import is_plain_sqlite, open_database
from app.i18n import set_language, tr
from app.services import login
from app.services.village import set_up_village, village_info
from tests.conftest import SETUP, TODAY
from tests.readonly import reachable_folder, unwritable

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh_CN")
    yield
    set_language("zh_CN")


@pytest.fixture
def village(tmp_path, monkeypatch):
    """A set-up village (no households) in its data folder; the command line's clock reads TODAY."""
    folder = tmp_path / "village"
    folder.mkdir()
    db = open_database(folder / "fhdesk.sqlite")
    set_up_village(db, SETUP)
    db.dispose()
    monkeypatch.setattr(cli, "today", lambda: TODAY)
    return folder


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def fhdesk(*argv: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    """The command as a person runs it: its own process, what it prints and its exit status."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **(env or {})},
    )


# ---------------------------------------------------------------- no village here


@pytest.mark.parametrize(
    "command",
    [
        ["info"],
        ["check"],
        ["report", "--month", "2026-10", "--pdf", "{tmp}/r.pdf"],
        ["cards", "--out", "{tmp}/c.pdf", "--quiet"],
        ["export", "--register", "women", "--out", "{tmp}/w.xlsx", "--quiet"],
    ],
)
def test_a_folder_without_a_village_is_said_so_and_left_as_it_was(tmp_path, capsys, command):
    missing = tmp_path / "vilage"  # a mistyped --data-dir
    argv = [part.replace("{tmp}", str(tmp_path)) for part in command]
    assert cli.main(["--data-dir", str(missing), *argv]) != 0
    line = one_line(capsys.readouterr().err)
    assert line == "fhdesk: " + tr("cli_errors.no_village", folder=str(missing))
    assert list(tmp_path.iterdir()) == []  # no folder, no database, no output


def test_an_existing_folder_without_a_database_stays_empty(tmp_path, capsys):
    folder = tmp_path / "usb"
    folder.mkdir()
    assert cli.main(["--data-dir", str(folder), "info"]) != 0
    assert str(folder) in one_line(capsys.readouterr().err)
    assert list(folder.iterdir()) == []


def test_the_environment_variable_names_the_folder_like_the_option(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FHDESK_DATA_DIR", str(tmp_path / "nowhere"))
    assert cli.main(["check"]) != 0
    assert str(tmp_path / "nowhere") in one_line(capsys.readouterr().err)
    assert not (tmp_path / "nowhere").exists()


def test_a_database_without_a_village_is_no_village_for_the_report(tmp_path, capsys, monkeypatch):
    """An empty database (a first-run wizard closed before its end) holds no village to report on."""
    monkeypatch.setattr(cli, "today", lambda: TODAY)
    open_database(tmp_path / "fhdesk.sqlite").dispose()
    argv = ["--data-dir", str(tmp_path), "report", "--month", "2026-10", "--pdf", str(tmp_path / "r.pdf")]
    assert cli.main(argv) != 0
    assert one_line(capsys.readouterr().err) == "fhdesk: " + tr("cli_errors.no_village", folder=str(tmp_path))
    assert not (tmp_path / "r.pdf").exists()


# ---------------------------------------------------------------- --demo


def test_demo_option_selects_the_demo_folder_inside_the_data_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "today", lambda: TODAY)
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "--demo", "demo", "--people", "60", "--quiet"]) == 0
    assert (data / "demo" / "fhdesk.sqlite").is_file()
    assert not (data / "fhdesk.sqlite").exists()  # the real village's place is untouched
    capsys.readouterr()
    assert cli.main(["--data-dir", str(data), "--demo", "info"]) == 0
    assert str(data / "demo") in capsys.readouterr().out
    assert cli.main(["--data-dir", str(data), "info"]) != 0
    assert one_line(capsys.readouterr().err) == "fhdesk: " + tr("cli_errors.no_village", folder=str(data))


# ---------------------------------------------------------------- init


INIT = [
    "init",
    "--village-name",
    "红星村",
    "--village-code",
    "620422103201",
    "--township-name",
    "白银镇",
    "--township-code",
    "620422103000",
    "--group",
    "一组",
    "--group",
    "二组",
    "--officer-name",
    "李秀英",
    "--username",
    "lixiuying",
    "--officer-phone",
    "13912345678",
]


def test_init_sets_up_a_village_with_the_password_from_a_file(tmp_path):
    password_file = tmp_path / "pw.txt"
    password_file.write_text("correct horse\n", encoding="utf-8")
    folder = tmp_path / "new" / "village"
    done = fhdesk("--data-dir", str(folder), *INIT, env={"FHDESK_PASSWORD_FILE": str(password_file)})
    assert done.returncode == 0, done.stderr
    assert "红星村" in done.stdout and str(folder) in done.stdout
    session = login.open_village(folder, "lixiuying", "correct horse")  # the file's line, without its newline
    try:
        info = village_info(session.db)
        assert (info.name, info.code, info.township_name) == ("红星村", "620422103201", "白银镇")
        assert session.user.display_name == "李秀英" and session.user.role == "admin"
    finally:
        session.close()
    assert not is_plain_sqlite(folder / "fhdesk.sqlite")  # encrypted from the start
    again = fhdesk("--data-dir", str(folder), *INIT, env={"FHDESK_PASSWORD_FILE": str(password_file)})
    assert again.returncode != 0
    assert one_line(again.stderr) == "fhdesk: " + tr("cli_errors.village_exists", folder=str(folder))


def test_init_checks_everything_before_it_creates_anything(tmp_path, monkeypatch, capsys):
    password_file = tmp_path / "pw.txt"
    password_file.write_text("secret123", encoding="utf-8")
    monkeypatch.setenv("FHDESK_PASSWORD_FILE", str(password_file))
    folder = tmp_path / "village"
    wrong = [*INIT]
    wrong[wrong.index("620422103000")] = "620422999000"  # a township the village is not in
    assert cli.main(["--data-dir", str(folder), *wrong]) != 0
    line = one_line(capsys.readouterr().err)
    # the two codes disagree: said at the township code, where the wizard says it too
    assert line.startswith("fhdesk: --township-code: ") and "620422103" in line
    assert not folder.exists()


def test_init_never_takes_the_password_as_an_argument_and_needs_one(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FHDESK_PASSWORD_FILE", raising=False)
    folder = tmp_path / "village"
    with pytest.raises(SystemExit):
        cli.main(["--data-dir", str(folder), *INIT, "--password", "secret123"])
    assert "--password" in one_line(capsys.readouterr().err)
    done = fhdesk("--data-dir", str(folder), *INIT)  # no terminal to ask at, no file named
    assert done.returncode != 0
    assert "FHDESK_PASSWORD_FILE" in one_line(done.stderr)
    assert not folder.exists()


def test_init_without_a_terminal_names_the_missing_option(tmp_path):
    password_file = tmp_path / "pw.txt"
    password_file.write_text("secret123", encoding="utf-8")
    folder = tmp_path / "village"
    argv = ["--data-dir", str(folder), "init", "--village-name", "红星村"]
    done = fhdesk(*argv, env={"FHDESK_PASSWORD_FILE": str(password_file)})
    assert done.returncode != 0
    assert one_line(done.stderr) == "fhdesk: " + tr("cli_errors.init_missing", option="--village-code")
    assert not folder.exists()


# ---------------------------------------------------------------- bad values, broken files


def test_a_report_for_a_month_after_the_current_one_is_refused(village, tmp_path, capsys):
    out = tmp_path / "r.pdf"
    next_month = (TODAY.replace(day=28) + dt.timedelta(days=7)).strftime("%Y-%m")
    assert cli.main(["--data-dir", str(village), "report", "--month", next_month, "--pdf", str(out)]) != 0
    line = one_line(capsys.readouterr().err)
    assert line == "fhdesk: " + tr("cli_errors.future_month", month=next_month, current=f"{TODAY:%Y-%m}")
    assert not out.exists()
    this_month = f"{TODAY:%Y-%m}"  # the month under way can be looked at
    assert cli.main(["--data-dir", str(village), "report", "--month", this_month, "--pdf", str(out)]) == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--month", "9999-12", "--pdf", "{tmp}/r.pdf"],
        ["export", "--register", "followups", "--month", "0001-01", "--out", "{tmp}/f.xlsx"],
        ["cards", "--group", "9223372036854775808", "--out", "{tmp}/c.pdf"],
        ["export", "--register", "women", "--group", "-1", "--out", "{tmp}/w.xlsx"],
        ["demo", "--people", "many"],
    ],
)
def test_values_out_of_range_are_one_line_and_a_non_zero_exit(village, tmp_path, argv):
    argv = [part.replace("{tmp}", str(tmp_path)) for part in argv]
    done = fhdesk("--data-dir", str(village), *argv)
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert line.startswith("fhdesk ") and "错误" in line
    assert list(tmp_path.glob("*.pdf")) == [] and list(tmp_path.glob("*.xlsx")) == []


@pytest.mark.parametrize("command", [["info"], ["check"], ["report", "--month", "2026-10", "--pdf", "r.pdf"]])
def test_a_truncated_database_is_said_to_be_damaged(village, tmp_path, command):
    path = village / "fhdesk.sqlite"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])  # a copy to a USB stick pulled out half way
    argv = [str(tmp_path / a) if a.endswith(".pdf") else a for a in command]
    done = fhdesk("--data-dir", str(village), *argv)
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert line == "fhdesk: " + tr(
        "cli_errors.database_damaged", path=str(path), backups=str(village / "backups")
    ) + " " + tr("storage.no_backup_to_restore")  # a plain file made by a test: no backup beside it


def test_a_read_only_data_folder_is_one_sentence(capsys):
    with reachable_folder() as folder:
        folder.mkdir()
        db = open_database(folder / "fhdesk.sqlite")
        set_up_village(db, SETUP)
        db.dispose()
        for name in folder.iterdir():  # the files stay readable: only the folder takes no new file
            name.chmod(0o644)
        with unwritable(folder):
            code = cli.main(["--data-dir", str(folder), "info"])
        assert code != 0
        line = one_line(capsys.readouterr().err)
        assert line == "fhdesk: " + tr("cli_errors.folder_not_writable", path=str(folder))


def test_an_unexpected_fault_is_one_line_and_its_details_go_to_the_log(
    village, tmp_path, capsys, monkeypatch
):
    def broken(*args, **kwargs):
        raise OverflowError("date value out of range")

    monkeypatch.setattr("app.services.indicators.monthly_report_document", broken)
    argv = ["--data-dir", str(village), "report", "--month", "2026-10", "--pdf", str(tmp_path / "r.pdf")]
    assert cli.main(argv) == 1
    line = one_line(capsys.readouterr().err)
    log = village / "logs" / "fhdesk.log"
    assert "OverflowError" in line and str(log) in line
    text = log.read_text(encoding="utf-8")
    assert "OverflowError" in text and "Traceback" in text and "broken" in text


def test_interrupting_a_command_is_one_line(village, tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("app.services.indicators.monthly_report_document", interrupted)
    argv = ["--data-dir", str(village), "report", "--month", "2026-10", "--pdf", str(tmp_path / "r.pdf")]
    assert cli.main(argv) == 130
    assert one_line(capsys.readouterr().err) == "fhdesk: " + tr("cli_errors.interrupted")
