"""Plain sync decisions: item shape, content fingerprints, conflict comparison and merging.

No Flask here: these are unit-tested directly.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Form fields that are transport, not content: never part of a fingerprint or a comparison.
TRANSPORT_FIELDS = frozenset({"csrf_token", "base_version"})


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(UUID_RE.match(value.lower()))


def normalise(value: Any) -> Any:
    """A payload value as a form would send it: strings, or lists of strings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "y" if value else ""
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        text = f"{value:f}" if isinstance(value, Decimal) else repr(value)
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def content(payload: dict) -> dict:
    """The payload's content: transport fields dropped, values normalised, empty values dropped."""
    out = {}
    for key, value in payload.items():
        if key in TRANSPORT_FIELDS:
            continue
        norm = normalise(value)
        if norm in ("", []):
            continue
        out[key] = norm
    return out


def fingerprint(kind: str, payload: dict) -> str:
    """sha256 of the kind and the canonical content: equal for a re-sent identical item."""
    text = json.dumps([kind, content(payload)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ItemProblem:
    field: str
    message: str


def check_item(item: Any, *, known_kinds: list[str], max_bytes: int) -> ItemProblem | None:
    """The first structural problem of one batch item, or None. Messages are Danish msgids."""
    if not isinstance(item, dict):
        return ItemProblem("item", "Elementet er ikke et objekt.")
    if not is_uuid(item.get("id")):
        return ItemProblem("id", "Elementet mangler et gyldigt id (UUID).")
    if item.get("kind") not in known_kinds:
        return ItemProblem("kind", "Ukendt type registrering.")
    payload = item.get("payload")
    if not isinstance(payload, dict):
        return ItemProblem("payload", "Elementet mangler formularens data.")
    if not is_uuid(payload.get("uuid")):
        return ItemProblem("uuid", "Registreringen mangler et gyldigt uuid.")
    size = len(json.dumps(payload, ensure_ascii=False).encode())
    if size > max_bytes:
        return ItemProblem("payload", "Registreringen er for stor til at blive sendt.")
    return None


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time from the device (UTC when no offset is given), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    field: str
    server: Any
    offline: Any

    @property
    def differs(self) -> bool:
        return self.server != self.offline


def compare(server: dict, offline: dict) -> list[Row]:
    """Field-by-field rows of the two versions, in the offline payload's field order."""
    server_c, offline_c = content(server), content(offline)
    keys = list(offline_c) + [k for k in server_c if k not in offline_c]
    return [Row(k, server_c.get(k, ""), offline_c.get(k, "")) for k in keys if k != "uuid"]


def merge(server: dict, offline: dict, take_offline: set[str]) -> dict:
    """The server's content with the chosen fields taken from the offline version."""
    merged = content(server)
    offline_c = content(offline)
    for key in take_offline:
        if key in offline_c:
            merged[key] = offline_c[key]
        else:
            merged.pop(key, None)
    return merged
