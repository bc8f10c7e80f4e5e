"""The overgangsskema's field list: versioned configuration data in fields/v<N>.json.

A schema is stored with the version of the definition it was made with (form_version), so an
old schema is always shown with its own field list after the definition changes. Plain data:
no Flask.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FIELDS_DIR = Path(__file__).parent / "fields"
FIELD_TYPES = ("text", "textarea", "checkboxes")
# Names the form itself uses: a definition may not take them.
RESERVED = frozenset(
    {
        "uuid",
        "child_id",
        "form_version",
        "base_version",
        "target",
        "action",
        "csrf_token",
        "include_wellbeing",
        "receiving_name",
    }
)


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str
    help: str = ""
    required_to_finish: bool = False
    max_length: int = 4000
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[Field, ...]
    help: str = ""


@dataclass(frozen=True)
class Definition:
    version: int
    title: str
    sections: tuple[Section, ...]

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def parse(data: dict) -> Definition:
    """Build a Definition from JSON data, rejecting what would break the form."""
    sections = []
    seen: set[str] = set()
    for s in data["sections"]:
        fields = []
        for f in s["fields"]:
            name, kind = f["name"], f.get("type", "textarea")
            if kind not in FIELD_TYPES:
                raise ValueError(f"unknown field type {kind!r} for {name!r}")
            if name in RESERVED or name in seen or not name.isidentifier():
                raise ValueError(f"field name {name!r} is reserved, repeated or not an identifier")
            if kind == "checkboxes" and not f.get("options"):
                raise ValueError(f"checkboxes field {name!r} needs options")
            seen.add(name)
            fields.append(
                Field(
                    name=name,
                    type=kind,
                    label=f["label"],
                    help=f.get("help", ""),
                    required_to_finish=bool(f.get("required_to_finish", False)),
                    max_length=int(f.get("max_length", 4000)),
                    options=tuple(Option(o["value"], o["label"]) for o in f.get("options", ())),
                )
            )
        sections.append(Section(s["key"], s["title"], tuple(fields), s.get("help", "")))
    return Definition(int(data["version"]), data.get("title", ""), tuple(sections))


@cache
def versions() -> tuple[int, ...]:
    return tuple(sorted(int(p.stem[1:]) for p in FIELDS_DIR.glob("v*.json")))


@cache
def load(version: int) -> Definition:
    path = FIELDS_DIR / f"v{int(version)}.json"
    if not path.is_file():
        raise KeyError(version)
    definition = parse(json.loads(path.read_text(encoding="utf-8")))
    if definition.version != version:
        raise ValueError(f"{path.name} says version {definition.version}")
    return definition


def current() -> Definition:
    return load(versions()[-1])


def empty_answers(definition: Definition) -> dict:
    return {f.name: [] if f.type == "checkboxes" else "" for f in definition.fields}


def missing_to_finish(definition: Definition, answers: dict) -> list[str]:
    """Names of the fields that must be filled in before the schema can be finished."""
    return [
        f.name
        for f in definition.fields
        if f.required_to_finish and not _filled(answers.get(f.name))
    ]


def _filled(value) -> bool:
    if isinstance(value, list | tuple):
        return bool(value)
    return bool((value or "").strip())
