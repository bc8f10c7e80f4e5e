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

A kind may register a `may_see(user, record)` function: whether the user may still see a stored
record of the kind. The conflict view shows the live record only when it says yes; without one,
the record's child must be visible to the user (app.children.scoping).

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

from app.children.scoping import can_see_child

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
# may_see(user, record) -> bool
MaySeeFn = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class RecordKind:
    submit: SubmitFn
    prefetch: PrefetchFn | None = None
    may_see: MaySeeFn | None = None


_KINDS: dict[str, RecordKind] = {}


def register_record_kind(
    kind: str,
    submit: SubmitFn,
    *,
    prefetch: PrefetchFn | None = None,
    may_see: MaySeeFn | None = None,
) -> None:
    _KINDS[kind] = RecordKind(submit, prefetch, may_see)


def submitter(kind: str) -> SubmitFn | None:
    found = _KINDS.get(kind)
    return found.submit if found else None


def prefetcher(kind: str) -> PrefetchFn | None:
    found = _KINDS.get(kind)
    return found.prefetch if found else None


def may_see(kind: str, user, record) -> bool:
    """Whether `user` may see the stored `record` of `kind` (see the module docstring)."""
    found = _KINDS.get(kind)
    if found is not None and found.may_see is not None:
        return bool(found.may_see(user, record))
    child_id = getattr(record, "child_id", None)
    return child_id is not None and can_see_child(user, child_id)


def kinds() -> list[str]:
    return sorted(_KINDS)
