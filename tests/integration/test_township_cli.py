"""`fhdesk demo --township` and `fhdesk township …` as a township's IT person types them, on the data folder's
encrypted file and on a real PostgreSQL server (`--db URL`)."""

from __future__ import annotations

from app import cli
from app.i18n import tr


def test_a_demo_township_in_one_command_then_status_keys_and_a_return_package(tmp_path, capsys):
    folder = tmp_path / "township"
    assert (
        cli.main(
            ["--data-dir", str(folder), "demo", "--township", "--villages", "3", "--people", "60", "--quiet"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "3 个村" in out and "导入了 3 个数据包" in out
    assert (folder / "demo-township" / "township.agekey").exists()
    common = ["--data-dir", str(folder), "--user", "township"]
    assert cli.main([*common, "township", "status"]) == 0
    status = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in status[:3]] == ["620422103201", "620422103202", "620422103203"]
    assert all("No.1" in line for line in status[:3])
    assert status[3] == tr("township_ui.cli_duplicates", n=0)
    keys_out = tmp_path / "keys"
    keys_out.mkdir()
    assert cli.main([*common, "township", "keys-export", "--out", str(keys_out)]) == 0
    assert "role: township" in next(keys_out.glob("*.txt")).read_text(encoding="utf-8")
    back = tmp_path / "back"
    back.mkdir()
    assert cli.main([*common, "township", "return", "--village", "620422103202", "--out", str(back)]) == 0
    assert next(back.glob("FHD_620422103202_return-1_*.fhd")).stat().st_size > 0
    # a folder with nothing new: every package was imported already
    assert cli.main([*common, "township", "import", str(tmp_path / "nothing-here.fhd")]) == 1
    err_out = capsys.readouterr().out
    assert tr("township.reject_unreadable", file="nothing-here.fhd") in err_out


def test_the_same_on_a_postgresql_server(postgres_url, tmp_path, capsys):
    folder = tmp_path / "data"
    assert (
        cli.main(
            [
                "--data-dir",
                str(folder),
                "demo",
                "--township",
                "--villages",
                "2",
                "--people",
                "40",
                "--quiet",
                "--db",
                postgres_url,
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert (
        cli.main(
            ["--data-dir", str(folder), "--user", "township", "township", "status", "--db", postgres_url]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert len([line for line in lines if line.startswith("6204221032")]) == 2
    # a village database given as a township's: said in one line
    assert cli.main(["--data-dir", str(folder), "--user", "township", "township", "status"]) != 0


def test_township_init_refuses_a_code_that_is_not_a_townships(tmp_path, capsys):
    code = cli.main(
        [
            "--data-dir",
            str(tmp_path / "t"),
            "township",
            "init",
            "--code",
            "620422103201",
            "--name",
            "白银镇",
            "--officer-name",
            "王乡干",
            "--username",
            "township",
        ]
    )
    assert code == 2
    assert capsys.readouterr().err.strip() == "fhdesk: " + tr("township.code_invalid")


def test_the_desktop_app_opens_the_demo_township_in_township_mode(tmp_path, password_file):
    import os
    import subprocess
    import sys

    folder = tmp_path / "township-demo"  # where `python -m app --demo-township` looks in the data folder
    assert (
        cli.main(
            ["--data-dir", str(folder), "demo", "--township", "--villages", "2", "--people", "40", "--quiet"]
        )
        == 0
    )
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        FHDESK_PASSWORD_FILE=str(password_file),
        FHDESK_USER="township",
    )
    shown = subprocess.run(
        [sys.executable, "-m", "app", "--demo-township", "--data-dir", str(tmp_path), "--exit-after-paint"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert shown.stdout.strip() == "painted"
