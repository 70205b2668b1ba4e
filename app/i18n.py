"""The translation catalogue: every string a person sees (UI, PDF, Excel, errors) is looked up here.

Messages are keyed by a stable id. Each language is a folder `resources/i18n/<lang>/` (app.assets) of JSON files (one
per area of the app, merged; an id defined twice is an error). Chinese (zh_CN) is the default. A test
checks that every id used in the code exists in every catalogue.
"""

from __future__ import annotations

import json
from functools import cache

from app.assets import resource

CATALOGUE_DIR = resource("i18n")
LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"

_current = DEFAULT_LANGUAGE


@cache
def catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for part in sorted((CATALOGUE_DIR / lang).glob("*.json")):
        with open(part, encoding="utf-8") as f:
            entries = json.load(f)
        twice = merged.keys() & entries.keys()
        if twice:
            raise ValueError(f"{part}: ids already defined in another file: {sorted(twice)}")
        merged.update(entries)
    return merged


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    _current = lang


def language() -> str:
    return _current


def tr(msg_id: str, /, lang: str | None = None, **params: object) -> str:
    """The text of `msg_id` in the current language, with {placeholders} filled from params.

    A missing id falls back to Chinese, then to the id itself, so a gap shows up on screen as an
    id a tester will notice rather than a crash.
    """
    text = catalogue(lang or _current).get(msg_id)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(msg_id, msg_id)
    return text.format(**params) if params else text
