"""The catalogues: every language has every message, with the same placeholders, and every message id the
code uses exists. The ids are discovered in the source with `ast`, so new ones are checked without listing
them here."""

from __future__ import annotations

import ast
import json
import re
import string
from functools import cache
from pathlib import Path

import pytest

from app import i18n
from app.errors import DomainError

APP_DIR = Path(i18n.__file__).resolve().parent
MSG_ID = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")
LANGS = sorted(p.name for p in i18n.CATALOGUE_DIR.iterdir() if p.is_dir())
OTHER_LANGS = [lang for lang in LANGS if lang != i18n.DEFAULT_LANGUAGE]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@cache
def sources() -> tuple[tuple[Path, ast.Module], ...]:
    return tuple((p, ast.parse(p.read_text(encoding="utf-8"), str(p))) for p in sorted(APP_DIR.rglob("*.py")))


def _callee_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _message_callables() -> set[str]:
    """tr (and any alias it is imported under), DomainError, NotFound and every class derived from them."""
    names = {"tr", "DomainError", "NotFound"}
    for _, tree in sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "app.i18n":
                names |= {a.asname for a in node.names if a.name == "tr" and a.asname}
    grew = True
    while grew:
        grew = False
        for _, tree in sources():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {
                        b.id if isinstance(b, ast.Name) else getattr(b, "attr", None) for b in node.bases
                    }
                    if bases & names - {"tr"}:
                        names.add(node.name)
                        grew = True
    return names


def _str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def used_ids() -> dict[str, str]:
    """Message ids in the code -> where one use is. Collected:
    - the first argument (or msg_id=) of tr, DomainError, NotFound and their subclasses, when a literal;
    - literals in a dict's keys or values, or in a tuple/list/set, when all of them look like message ids and
      at least one is a known id (a table of rules or warnings, like quality._rules())."""
    known = i18n.catalogue(i18n.DEFAULT_LANGUAGE)
    callables = _message_callables()
    found: dict[str, str] = {}

    def add(value: str, path: Path, node: ast.AST) -> None:
        found.setdefault(value, f"{path.relative_to(APP_DIR.parent)}:{node.lineno}")

    for path, tree in sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee_name(node) in callables:
                first = _str(node.args[0]) if node.args else None
                first = first or next((_str(k.value) for k in node.keywords if k.arg == "msg_id"), None)
                if first is not None and MSG_ID.match(first):
                    add(first, path, node)
            groups: list[list[ast.expr | None]] = []
            if isinstance(node, ast.Dict):
                groups = [list(node.keys), list(node.values)]
            elif isinstance(node, ast.Tuple | ast.List | ast.Set):
                groups = [list(node.elts)]
            for group in groups:
                values = [_str(n) for n in group]
                looks_like_ids = values and all(v is not None and MSG_ID.match(v) for v in values)
                if looks_like_ids and any(v in known for v in values):
                    for v in values:
                        add(v, path, node)
    return found


def test_discovery_sees_the_ids_the_services_use():
    """Guards the finder itself: ids from each way of using them are found."""
    ids = used_ids()
    assert "id.bad_check_character" in ids  # DomainError("...", field)
    assert "person.not_found" in ids  # NotFound("...")
    assert "quality.rule.id_missing" in ids  # a key of quality._rules()
    assert "person.marriage_date_missing" in ids  # a tuple of warnings
    assert len(ids) >= 40


def test_catalogues_load_and_exist():
    assert i18n.DEFAULT_LANGUAGE in LANGS
    assert set(LANGS) == set(i18n.LANGUAGES)
    for lang in LANGS:
        assert i18n.catalogue(lang), lang  # also refuses an id defined in two files


def test_no_id_is_defined_twice_in_one_file():
    """json.load keeps the last of two equal keys: the first translation would be lost without a word."""
    for part in sorted(i18n.CATALOGUE_DIR.glob("*/*.json")):
        pairs = json.loads(part.read_text(encoding="utf-8"), object_pairs_hook=lambda kv: kv)
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), f"{part}: {sorted(k for k in keys if keys.count(k) > 1)}"


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_every_language_has_exactly_the_ids_of_chinese(lang):
    zh = set(i18n.catalogue(i18n.DEFAULT_LANGUAGE))
    other = set(i18n.catalogue(lang))
    assert sorted(zh - other) == [], f"missing in {lang}"
    assert sorted(other - zh) == [], f"only in {lang}"


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_placeholders_agree_between_languages(lang):
    zh = i18n.catalogue(i18n.DEFAULT_LANGUAGE)
    other = i18n.catalogue(lang)
    wrong = {
        k: (placeholders(zh[k]), placeholders(other[k]))
        for k in zh.keys() & other.keys()
        if placeholders(zh[k]) != placeholders(other[k])
    }
    assert wrong == {}


@pytest.mark.parametrize("lang", LANGS)
def test_no_message_is_empty(lang):
    assert [k for k, v in i18n.catalogue(lang).items() if not v.strip()] == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_id_used_in_the_code_is_in_the_catalogue(lang):
    catalogue = i18n.catalogue(lang)
    missing = sorted(
        f"{msg_id}  ({where})" for msg_id, where in used_ids().items() if msg_id not in catalogue
    )
    assert not missing, f"ids used in the code but missing in {lang}:\n" + "\n".join(missing)


def test_a_domain_error_reads_in_the_chosen_language():
    err = DomainError("id.bad_length", "id_number", length=16)
    assert err.message("zh_CN") == "身份证号码应为 18 位（旧证 15 位），现在是 16 位。"
    assert "16" in err.message("en") and err.message("en") != err.message("zh_CN")


def test_unknown_id_falls_back_to_the_id_itself():
    assert i18n.tr("no.such.message_id", lang="en") == "no.such.message_id"


@pytest.mark.parametrize("lang", LANGS)
def test_every_code_of_every_vocabulary_has_a_label(lang):
    """Stored codes are shown through tr(f"vocab.{kind}.{code}") (app.ui.labels, which does not import Qt)."""
    from app.ui.labels import VOCABS

    catalogue = i18n.catalogue(lang)
    missing = [
        f"vocab.{kind}.{member.value}"
        for kind, enum in VOCABS.items()
        for member in enum
        if f"vocab.{kind}.{member.value}" not in catalogue
    ]
    assert missing == []
