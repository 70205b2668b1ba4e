"""Checklist templates of the follow-up visits (resources/followups/checklists.json), versioned, and the
checking of a filled-in checklist: required items answered, numbers numbers, dates dates, choices valid."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.assets import resource
from app.errors import DomainError
from app.services.validation import optional_text, parse_date

CHECKLISTS_FILE = resource("followups", "checklists.json")
KINDS = ("yesno", "number", "choice", "text", "date")


@dataclass(frozen=True)
class Item:
    key: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()

    @property
    def label_id(self) -> str:
        return f"checklist.item.{self.key}"


@dataclass(frozen=True)
class Template:
    name: str
    version: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Templates:
    by_type: dict[str, str]  # follow-up type -> template name
    versions: dict[str, tuple[Template, ...]]  # template name -> versions, oldest first

    def current(self, followup_type: str) -> Template:
        return self.versions[self.by_type[followup_type]][-1]

    def get(self, followup_type: str, version: str | None) -> Template:
        """The version a visit was answered with (the current one when none is recorded)."""
        for t in self.versions[self.by_type[followup_type]]:
            if t.version == version:
                return t
        return self.current(followup_type)


def parse_templates(data: dict[str, Any]) -> Templates:
    if data.get("format") != "fhd-checklists":
        raise ValueError("not a checklist file")
    by_type: dict[str, str] = {}
    versions: dict[str, tuple[Template, ...]] = {}
    for name, spec in data["templates"].items():
        for ftype in spec["types"]:
            by_type[ftype] = name
        templates = []
        for v in spec["versions"]:
            items = tuple(
                Item(i["key"], i["kind"], bool(i.get("required")), tuple(i.get("choices", ())))
                for i in v["items"]
            )
            for item in items:
                if item.kind not in KINDS:
                    raise ValueError(f"{name} v{v['version']}: unknown item kind {item.kind}")
            templates.append(Template(name, str(v["version"]), items))
        versions[name] = tuple(templates)
    return Templates(by_type, versions)


@cache
def _load(path: Path) -> Templates:
    with open(path, encoding="utf-8") as f:
        return parse_templates(json.load(f))


def load_templates(path: Path | None = None) -> Templates:
    return _load(path or CHECKLISTS_FILE)


def field_of(item_key: str) -> str:
    """The form field name of a checklist item (DomainError.field)."""
    return f"item:{item_key}"


def check_answers(template: Template, answers: dict[str, Any], today: dt.date) -> dict[str, str]:
    """Answers as stored strings ('yes'/'no', digits, ISO dates, choice codes, text); DomainError names the
    first item at fault. Items left empty are not stored."""
    clean: dict[str, str] = {}
    for item in template.items:
        raw = answers.get(item.key)
        text = "" if raw is None else str(raw).strip()
        if isinstance(raw, bool):
            text = "yes" if raw else "no"
        if not text:
            if item.required:
                raise DomainError("checklist.answer_required", field_of(item.key))
            continue
        if item.kind == "yesno" and text not in ("yes", "no"):
            raise DomainError("checklist.choose_yes_no", field_of(item.key))
        if item.kind == "number":
            if not text.isdigit() or int(text) > 100_000:
                raise DomainError("checklist.whole_number", field_of(item.key))
            text = str(int(text))
        if item.kind == "choice" and text not in item.choices:
            raise DomainError("field.invalid_choice", field_of(item.key))
        if item.kind == "date":
            if isinstance(raw, dt.date):
                day = raw
            else:
                day = parse_date(text, field_of(item.key))
            text = day.isoformat()
        if item.kind == "text":
            text = optional_text(text, field_of(item.key), 500)
        clean[item.key] = text
    unknown = set(answers) - {i.key for i in template.items}
    if unknown:
        raise ValueError(f"answers for items not in the checklist: {sorted(unknown)}")
    return clean
