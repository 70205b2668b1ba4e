"""Help and argument errors in the person's language, argparse's own words included, and a help text for every
option of every command (issue 12, item 20)."""

from __future__ import annotations

import argparse
import re
import sys

import pytest

from app import cli
from app.__main__ import parse_args as gui_parse_args
from app.i18n import DEFAULT_LANGUAGE, catalogue, set_language

CJK = re.compile(r"[\u4e00-\u9fff]")
# what argparse says in English when nobody translated it
ARGPARSE_ENGLISH = re.compile(
    r"usage:|error:|options:|positional arguments|the following arguments are required|invalid choice"
    r"|show this help message|unrecognized arguments|expected one argument|invalid \w+ value",
)


@pytest.fixture(autouse=True)
def default_language():
    set_language(DEFAULT_LANGUAGE)
    yield
    set_language(DEFAULT_LANGUAGE)


def walk(parser: argparse.ArgumentParser):
    yield parser.prog, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from walk(child)
                assert any(c.dest == name and c.help for c in action._choices_actions), name


def helps(lang: str) -> dict[tuple[str, str], str | None]:
    """(command, option) -> its help text, for every option of every command, built in `lang`."""
    set_language(lang)
    found = {}
    for prog, parser in walk(cli.build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            found[prog, "/".join(action.option_strings) or action.dest] = action.help
    return found


def test_every_option_of_every_command_has_a_help_text_in_both_languages():
    zh, en = helps("zh_CN"), helps("en")
    assert zh.keys() == en.keys()
    commands = {prog for prog, _ in zh}
    assert {
        "fhdesk",
        "fhdesk init",
        "fhdesk demo",
        "fhdesk report",
        "fhdesk cards",
        "fhdesk export",
    } <= commands
    assert ("fhdesk demo", "--people") in zh and ("fhdesk demo", "--quiet") in zh
    ids = set(catalogue("zh_CN"))
    missing = [key for key in zh if not zh[key] or not en[key] or zh[key] == argparse.SUPPRESS]
    assert missing == []
    for key in zh:
        assert zh[key] not in ids and en[key] not in ids, key  # a message id shown as text
        assert CJK.search(zh[key]), (key, zh[key])
        assert zh[key] != en[key], key
        assert not ARGPARSE_ENGLISH.search(zh[key]), key


def test_the_desktop_apps_options_have_help_too(capsys):
    with pytest.raises(SystemExit):
        gui_parse_args(["--help"])
    out = capsys.readouterr().out
    assert "--lang" in out and "--demo" in out and "--data-dir" in out
    assert not ARGPARSE_ENGLISH.search(out)
    assert "用法" in out


@pytest.mark.parametrize(
    "argv",
    [
        [],  # no command
        ["frobnicate"],  # no such command
        ["export", "--out", "x.xlsx"],  # a required option missing
        ["export", "--register", "people", "--out", "x.xlsx"],  # not one of the choices
        ["report", "--month"],  # an option without its value
        ["demo", "--people", "many"],  # not a number
        ["info", "--verbose"],  # no such option
        ["--lang", "fr", "info"],
    ],
)
def test_argument_errors_are_one_chinese_line(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "错误" in lines[0] and "--help" in lines[0]
    assert not ARGPARSE_ENGLISH.search(err), err


@pytest.mark.parametrize("argv", [["--help"], ["report", "--help"], ["init", "-h"]])
def test_help_is_chinese(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：fhdesk")
    assert "显示本帮助并退出" in out
    assert not ARGPARSE_ENGLISH.search(out), out


def test_english_help_and_errors_with_lang_en(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--lang", "en", "export", "--register", "people", "--out", "x.xlsx"])
    err = capsys.readouterr().err
    assert "invalid choice" in err and not CJK.search(err)
    with pytest.raises(SystemExit):
        cli.main(["--lang=en", "demo", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: fhdesk demo") and "--people" in out and not CJK.search(out)


def test_other_users_of_argparse_keep_its_own_words(capsys):
    """The translation is in place only while the app's parser works: a library's parser stays English."""
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    capsys.readouterr()
    other = argparse.ArgumentParser(prog="other")
    assert other.format_help().startswith("usage: other")
    with pytest.raises(SystemExit):
        other.parse_args(["--nope"])
    assert "error: unrecognized arguments" in capsys.readouterr().err
    assert sys.modules["argparse"]._("usage: ") == "usage: "
