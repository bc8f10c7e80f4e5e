"""The contract between the sync endpoint and the areas whose forms work offline.

An area registers one submit function per record kind. The same function serves the HTML form's
POST and the sync endpoint, so a record made offline is validated and stored exactly like one
made online. It must be idempotent on the client-generated `uuid`:

- new uuid, valid → ``accepted`` (the record is added and flushed)
- same uuid, same content → ``duplicate`` (the original record, nothing new)
- same uuid, different content → ``conflict`` (never applied)
- an edit whose ``base_version`` is older than the record's version → ``conflict`` (both kept)
- invalid data → ``invalid`` with Danish field errors
- a child outside the user's scope → ``forbidden``
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["accepted", "duplicate", "conflict", "invalid", "forbidden"]


@dataclass
class SubmitResult:
    status: Status
    record: Any = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("accepted", "duplicate")


# submit(user, payload: dict, *, channel: "online" | "offline") -> SubmitResult
SubmitFn = Callable[..., SubmitResult]
_KINDS: dict[str, SubmitFn] = {}


def register_record_kind(kind: str, submit: SubmitFn) -> None:
    _KINDS[kind] = submit


def submitter(kind: str) -> SubmitFn | None:
    return _KINDS.get(kind)


def kinds() -> list[str]:
    return sorted(_KINDS)
