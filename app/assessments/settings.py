"""The trivselsskema and the round configuration, per municipality.

The form definition is versioned data (`config/trivselsskema_v<N>.json`); an assessment stores
the version it was made with, so an old assessment is always shown with its own indicators.
A municipality overrides in `Municipality.settings["assessments"]`:

    {"form_version": 1,
     "labels": {"gul": "Bekymring"},             # position labels
     "position_help": {"gul": "..."},            # position help texts
     "area_help": {"social": "..."},             # help text per area
     "rounds": {"default": [{"name": "Forår", "start": "04-01", "end": "06-30",
                             "deadline": "06-30", "age_bands": ["0-1", "1-3"]}],
                "dagpleje": [...]},              # per unit kind, else "default"
     "first_assessment_months": 3,
     "min_individual": {"institution": 2, "dagpleje": 1},
     "schemas": {"2": {...a whole schema...}}}   # a municipality's own form version
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.assessments.positions import DEFAULT_LABELS, Position
from app.assessments.rules import DEFAULT_ROUNDS, RoundSpec, Schedule, validate_schedule
from app.org.models import UnitKind

CONFIG_DIR = Path(__file__).resolve().parent / "config"
DEFAULT_FORM_VERSION = 1
# Health visitors assess at visits, not in rounds (a municipality may configure rounds for them).
NO_ROUNDS_BY_DEFAULT = frozenset({UnitKind.SUNDHEDSPLEJEDISTRIKT.value})


@cache
def _file_schema(version: int) -> dict:
    path = CONFIG_DIR / f"trivselsskema_v{int(version)}.json"
    if not path.exists():
        raise LookupError(f"no trivselsskema version {version}")
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Indicator:
    code: str  # "<area>.<position>.<n>", stable within a form version
    area: str
    position: Position
    text: str


class FormSchema:
    """One version of the trivselsskema with a municipality's labels and help texts applied."""

    def __init__(self, data: dict, overrides: dict | None = None) -> None:
        overrides = overrides or {}
        self.data = data
        self.version = int(data["version"])
        self.areas = [
            {**a, "help": overrides.get("area_help", {}).get(a["code"], a.get("help", ""))}
            for a in data["areas"]
        ]
        self.area_codes = [a["code"] for a in self.areas]
        self.bands = {b["code"]: b for b in data["age_bands"]}
        self.parents_how = list(data.get("parents_how", []))
        labels, helps = overrides.get("labels", {}), overrides.get("position_help", {})
        self.positions = {
            p: {
                "label": labels.get(p.value)
                or data.get("positions", {}).get(p.value, {}).get("label")
                or DEFAULT_LABELS[p],
                "help": helps.get(p.value)
                or data.get("positions", {}).get(p.value, {}).get("help", ""),
            }
            for p in Position
        }

    def label(self, position: Position | str | None) -> str:
        return self.positions[Position(position)]["label"] if position else ""

    def position_help(self, position: Position | str) -> str:
        return self.positions[Position(position)]["help"]

    def indicators(self, band: str, area: str | None = None) -> list[Indicator]:
        found = []
        per_area = self.bands[band]["indicators"]
        for area_code in self.area_codes:
            if area and area_code != area:
                continue
            for position in Position:
                for n, text in enumerate(per_area.get(area_code, {}).get(position.value, []), 1):
                    code = f"{area_code}.{position.value}.{n}"
                    found.append(Indicator(code, area_code, position, text))
        return found

    def indicator_texts(self, band: str) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators(band)}

    def ticked(self, codes, band: str) -> dict[str, list[Indicator]]:
        """The ticked indicators per area code, in the form's order."""
        chosen = set(codes or [])
        found: dict[str, list[Indicator]] = {}
        if band in self.bands:
            for i in self.indicators(band):
                if i.code in chosen:
                    found.setdefault(i.area, []).append(i)
        return found


def assessment_settings(municipality) -> dict:
    settings = (municipality.settings or {}) if municipality is not None else {}
    return settings.get("assessments", {}) or {}


def form_version_for(municipality) -> int:
    return int(assessment_settings(municipality).get("form_version", DEFAULT_FORM_VERSION))


def schema(municipality, version: int | None = None) -> FormSchema:
    """The form definition `version` (default: the municipality's current one)."""
    own = assessment_settings(municipality)
    version = version or form_version_for(municipality)
    data = own.get("schemas", {}).get(str(version))
    if data is None:
        data = _file_schema(version)
    return FormSchema(copy.deepcopy(data), own)


def known_versions(municipality) -> set[int]:
    own = {int(v) for v in assessment_settings(municipality).get("schemas", {})}
    files = {int(p.stem.rsplit("_v", 1)[1]) for p in CONFIG_DIR.glob("trivselsskema_v*.json")}
    return own | files


def _md(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)


def _spec(raw: dict) -> RoundSpec:
    return RoundSpec(
        name=raw["name"],
        start=_md(raw["start"]),
        end=_md(raw["end"]),
        deadline=_md(raw["deadline"]) if raw.get("deadline") else None,
        age_bands=frozenset(raw["age_bands"]) if raw.get("age_bands") else None,
    )


def schedule_for(municipality, unit_kind: UnitKind | str) -> Schedule:
    """The rounds for a unit kind: the kind's own list, else "default", else the defaults."""
    own = assessment_settings(municipality)
    kind = UnitKind(unit_kind).value
    rounds_config = own.get("rounds", {})
    months = int(own.get("first_assessment_months", 3))
    if kind in rounds_config:
        specs = tuple(_spec(r) for r in rounds_config[kind])
    elif kind in NO_ROUNDS_BY_DEFAULT:
        specs = ()
    elif "default" in rounds_config:
        specs = tuple(_spec(r) for r in rounds_config["default"])
    else:
        specs = DEFAULT_ROUNDS
    return _checked(Schedule(specs, months))


@cache
def _checked(schedule: Schedule) -> Schedule:
    problems = validate_schedule(schedule)
    if problems:
        raise ValueError("; ".join(problems))
    return schedule


def minimum_config(municipality) -> dict:
    return assessment_settings(municipality).get("min_individual", {})
