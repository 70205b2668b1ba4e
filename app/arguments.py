"""Command-line parsing in the person's language: argparse's own words ("usage:", "error:", "the following
arguments are required", "show this help message and exit" …) come from the catalogue, and an argument error
is one line.

argparse looks its words up through the module-level `_` and `ngettext` it imported from gettext. While one
of `Parser`'s methods runs, those two point at the catalogue (and are put back afterwards, so argparse used by
anything else in the process — pytest, a library — is untouched).
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

from app.i18n import LANGUAGES, tr

F = TypeVar("F", bound=Callable[..., Any])

# argparse's message -> catalogue id (Python 3.11 to 3.13 wordings; a message not listed stays as it is)
ARGPARSE_MESSAGES = {
    "usage: ": "cli_errors.argparse_usage",
    "positional arguments": "cli_errors.argparse_positionals",
    "options": "cli_errors.argparse_options",
    "optional arguments": "cli_errors.argparse_options",
    "show this help message and exit": "cli_errors.argparse_help",
    "show program's version number and exit": "cli_errors.argparse_version",
    "%(prog)s: error: %(message)s\n": "cli_errors.argparse_error",
    "the following arguments are required: %s": "cli_errors.argparse_required",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli_errors.argparse_invalid_choice",
    "argument %(argument_name)s: %(message)s": "cli_errors.argparse_argument",
    "unrecognized arguments: %s": "cli_errors.argparse_unrecognized",
    "expected one argument": "cli_errors.argparse_expected_one",
    "expected at most one argument": "cli_errors.argparse_expected_at_most_one",
    "expected at least one argument": "cli_errors.argparse_expected_at_least_one",
    "expected %s argument": "cli_errors.argparse_expected_n",
    "expected %s arguments": "cli_errors.argparse_expected_n",
    "invalid %(type)s value: %(value)r": "cli_errors.argparse_invalid_value",
    "ambiguous option: %(option)s could match %(matches)s": "cli_errors.argparse_ambiguous",
    "not allowed with argument %s": "cli_errors.argparse_not_allowed_with",
    "ignored explicit argument %r": "cli_errors.argparse_ignored_explicit",
    "one of the arguments %s is required": "cli_errors.argparse_one_required",
    "unexpected option string: %s": "cli_errors.argparse_unexpected_option",
}


def translate(message: str) -> str:
    msg_id = ARGPARSE_MESSAGES.get(message)
    return tr(msg_id) if msg_id else message


def translate_n(singular: str, plural: str, n: int) -> str:
    return translate(singular if n == 1 else plural)


@contextmanager
def argparse_language() -> Iterator[None]:
    """argparse's words from the catalogue while the block runs (re-entrant: subparsers nest)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = translate, translate_n  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def _translated(method: F) -> F:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with argparse_language():
            return method(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that speaks the catalogue's language, gives -h its help text in that language, and
    reports an argument error in one line (with where to find the help) and exit status 2."""

    @_translated
    def __init__(self, *args: Any, **kwargs: Any) -> None:  # a method, so that Parser(...) is typed a Parser
        super().__init__(*args, **kwargs)

    add_argument = _translated(argparse.ArgumentParser.add_argument)
    add_subparsers = _translated(argparse.ArgumentParser.add_subparsers)
    parse_known_args = _translated(argparse.ArgumentParser.parse_known_args)
    parse_args = _translated(argparse.ArgumentParser.parse_args)
    format_usage = _translated(argparse.ArgumentParser.format_usage)
    format_help = _translated(argparse.ArgumentParser.format_help)

    @_translated
    def error(self, message: str) -> NoReturn:
        line = translate("%(prog)s: error: %(message)s\n") % {"prog": self.prog, "message": message}
        hint = tr("cli_errors.argparse_see_help", command=f"{self.prog} --help")
        self.exit(2, line.rstrip("\n") + hint + "\n")


def language_from(argv: list[str]) -> str | None:
    """--lang, read before a parser is built so that its help and errors are in that language."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGUAGES:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg.split("=", 1)[1] in LANGUAGES:
            return arg.split("=", 1)[1]
    return None
