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

A kind may also register a prefetch function: given the payloads of a sync batch, it reads
once what its submit function would read for every item (the children, records by uuid, ...)
and returns it; the sync endpoint then passes that to each call as ``known``. Given ``known``,
submit may leave its records unflushed (the batch flushes them together) and must keep
``known`` current with its own writes.
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


# submit(user, payload: dict, *, channel: "online" | "offline"[, known]) -> SubmitResult
SubmitFn = Callable[..., SubmitResult]
# prefetch(user, payloads: list[dict]) -> known
PrefetchFn = Callable[[Any, list[dict]], Any]


@dataclass(frozen=True)
class RecordKind:
    submit: SubmitFn
    prefetch: PrefetchFn | None = None


_KINDS: dict[str, RecordKind] = {}


def register_record_kind(
    kind: str, submit: SubmitFn, *, prefetch: PrefetchFn | None = None
) -> None:
    _KINDS[kind] = RecordKind(submit, prefetch)


def submitter(kind: str) -> SubmitFn | None:
    found = _KINDS.get(kind)
    return found.submit if found else None


def prefetcher(kind: str) -> PrefetchFn | None:
    found = _KINDS.get(kind)
    return found.prefetch if found else None


def kinds() -> list[str]:
    return sorted(_KINDS)
