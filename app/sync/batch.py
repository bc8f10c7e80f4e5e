"""Taking a batch from a device: each item through its kind's submit function, idempotently.

One failing item never undoes the others and one bad item never stops the queue. A batch first
runs all its items inside one savepoint, with what they read asked once for the whole batch
and their records written together at the end (a fixed number of statements per batch, not a
few per item). If an item raises, or refuses after writing something, that savepoint is rolled
back and the batch runs again with a savepoint per item: the failing item answers "error" (or
its refusal) and the others are kept.

A receipt is written in the same transaction as the record; the device's reconciliation pass
asks which of its sent items have no receipt.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import event, select

from app.audit.services import drop_pending, pending_count
from app.children.scoping import prefetch_visible
from app.extensions import db
from app.i18n import gettext as _
from app.sync import rules
from app.sync.models import SyncReceipt
from app.sync.registry import SubmitResult, kinds, prefetcher, submitter
from app.sync.services import keep_conflict, load_record, record_type

log = logging.getLogger(__name__)
HELD = ("accepted", "duplicate", "conflict")


@dataclass
class ItemResult:
    id: str
    status: str  # accepted | duplicate | conflict | invalid | forbidden | error
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str = ""
    record_uuid: str | None = None
    version: int | None = None
    conflict_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "status": self.status}
        for key in ("errors", "message", "record_uuid", "version", "conflict_id"):
            value = getattr(self, key)
            if value:
                out[key] = value
        return out


class _Isolate(Exception):
    """An item refused after writing: only a savepoint of its own can take that back."""


@dataclass
class _Batch:
    user: Any
    receipts: dict[str, SyncReceipt]  # item id → receipt: read for the batch, or made by it
    known: dict[str, Any]  # kind → what its prefetch read (the one-savepoint pass only)
    isolated: bool  # a savepoint per item
    records: dict[str, Any] = field(default_factory=dict)  # item id → its record
    unflushed: list[SyncReceipt] = field(default_factory=list)
    versions: list[tuple[ItemResult, Any]] = field(default_factory=list)  # read at next flush

    def take_versions(self, *_flush) -> None:
        for out, record in self.versions:
            out.version = getattr(record, "version", None)
        self.versions.clear()


def _item_id(item: Any) -> str:
    return str(item.get("id", "")) if isinstance(item, dict) else ""


def _payloads(items: list) -> dict[str, list[dict]]:
    """The batch's payloads by kind."""
    out: dict[str, list[dict]] = {}
    for item in items:
        kind = item.get("kind") if isinstance(item, dict) else None
        if isinstance(kind, str) and isinstance(item.get("payload"), dict):
            out.setdefault(kind, []).append(item["payload"])
    return out


def _small_id(value) -> bool:
    """Ids the database can hold ("²".isdigit() too, but int() refuses it; 10**30 overflows)."""
    text = str(value) if isinstance(value, int | str) else ""
    return text.isascii() and text.isdigit() and len(text) <= 9


def _prefetch(user, items: list) -> tuple[dict[str, SyncReceipt], dict[str, Any]]:
    """Ask once for the whole batch what every item would ask alone: which children the user
    may see (kept for the request, see can_see_child), the receipts of its item ids, and what
    each kind's prefetch reads."""
    payloads = _payloads(items)
    child_ids = {
        int(p["child_id"])
        for group in payloads.values()
        for p in group
        if _small_id(p.get("child_id"))
    }
    prefetch_visible(user, child_ids)
    ids = {_item_id(item) for item in items} - {""}
    receipts = db.session.scalars(select(SyncReceipt).where(SyncReceipt.item_id.in_(ids)))
    known = {
        kind: prefetch(user, group)
        for kind, group in payloads.items()
        if (prefetch := prefetcher(kind)) is not None
    }
    return {r.item_id: r for r in receipts}, known


def take_batch(user, items: list) -> list[ItemResult]:
    """The items' results, in order. Adds and flushes; the request commits."""
    if not items:
        return []
    receipts, known = _prefetch(user, items)
    batch = _Batch(user, dict(receipts), known, isolated=False)
    logged = pending_count()
    savepoint = db.session.begin_nested()
    session = db.session()
    event.listen(session, "after_flush_postexec", batch.take_versions)
    try:
        with _writes() as writes:
            results = [process_item(batch, item, writes) for item in items]
        _flush_together(batch)
        savepoint.commit()
        return results
    except Exception as exc:  # noqa: BLE001 (the isolated pass answers for each item)
        log.info("sync batch taken again item by item: %r", exc)
        savepoint.rollback()
        drop_pending(keep=logged)
    finally:
        event.remove(session, "after_flush_postexec", batch.take_versions)
    batch = _Batch(user, dict(receipts), {}, isolated=True)
    return [process_item(batch, item) for item in items]


def _flush_together(batch: _Batch) -> None:
    """Write the batch's records (one INSERT per table), then their receipts."""
    db.session.flush()
    for receipt in batch.unflushed:
        receipt.record_id = getattr(batch.records.get(receipt.item_id), "id", None)
    db.session.add_all(batch.unflushed)
    db.session.flush()
    batch.take_versions()


@contextmanager
def _writes() -> Iterator[list[int]]:
    """Counts the statements other than SELECT run on the session's connection."""
    count = [0]

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip()[:6].upper() != "SELECT":
            count[0] += 1

    connection = db.session.connection()
    event.listen(connection, "before_cursor_execute", seen)
    try:
        yield count
    finally:
        event.remove(connection, "before_cursor_execute", seen)


def _changes() -> tuple[int, int, int]:
    session = db.session
    return len(session.new), len(session.dirty), len(session.deleted)


def _submit(batch: _Batch, kind: str, payload: dict, writes: list[int] | None) -> SubmitResult:
    """The kind's answer; in the one-savepoint pass, _Isolate if it refused after writing."""
    submit = submitter(kind)
    if not batch.isolated:
        before = (writes[0], _changes())
        known = batch.known.get(kind)
        extra = {} if known is None else {"known": known}
        result = submit(batch.user, dict(payload), channel="offline", **extra)
        if not result.ok and (writes[0], _changes()) != before:
            raise _Isolate
        return result
    savepoint = db.session.begin_nested()
    try:
        result = submit(batch.user, dict(payload), channel="offline")
        if result.ok:
            db.session.flush()
            savepoint.commit()
        else:
            savepoint.rollback()
    except Exception:  # a bug in one kind must not stop the queue; the device retries later
        savepoint.rollback()
        raise
    return result


def process_item(batch: _Batch, item: Any, writes: list[int] | None = None) -> ItemResult:
    """One outbox item → its result."""
    limit = current_app.config["SYNC_MAX_ITEM_BYTES"]
    problem = rules.check_item(item, known_kinds=kinds(), max_bytes=limit)
    if problem:
        return ItemResult(_item_id(item), "invalid", {problem.field: [_(problem.message)]})
    item_id, kind, payload = item["id"], item["kind"], item["payload"]
    fingerprint = rules.fingerprint(kind, payload)
    on_device = rules.parse_time(item.get("created_at"))

    receipt = batch.receipts.get(item_id)
    if receipt is not None:
        return _repeat(batch, receipt, item, fingerprint, on_device)
    try:
        result = _submit(batch, kind, payload, writes)
    except Exception:
        if not batch.isolated:
            raise
        log.exception("sync item %s (%s) failed", item_id, kind)
        return ItemResult(item_id, "error", message=_("Serveren kunne ikke gemme den lige nu."))

    record = result.record
    out = ItemResult(
        item_id,
        result.status,
        errors=result.errors,
        message=result.message,
        record_uuid=payload.get("uuid"),
    )
    batch.versions.append((out, record))
    if result.status == "conflict":
        conflict = keep_conflict(
            batch.user, item, record, reason=result.message, on_device=on_device
        )
        out.conflict_id = conflict.id
        out.message = out.message or _("Konflikt: begge versioner er gemt.")
    if result.status in HELD:
        receipt = SyncReceipt(
            item_id=item_id,
            user_id=batch.user.id,
            kind=kind,
            record_uuid=payload.get("uuid"),
            fingerprint=fingerprint,
            status=result.status,
            record_type=record_type(record),
            record_id=getattr(record, "id", None),
            conflict_id=out.conflict_id,
            created_on_device_at=on_device,
        )
        batch.receipts[item_id] = receipt
        batch.records[item_id] = record
        if batch.isolated:
            db.session.add(receipt)
            db.session.flush()
        else:
            batch.unflushed.append(receipt)
    if batch.isolated:
        batch.take_versions()
    return out


def _repeat(batch: _Batch, receipt: SyncReceipt, item: dict, fingerprint: str, on_device):
    """An item id the server has seen: the original receipt, or a conflict if it changed."""
    if receipt.user_id != batch.user.id:
        return ItemResult(receipt.item_id, "forbidden", message=_("Registreringen er ikke din."))
    if receipt.fingerprint == fingerprint:
        return ItemResult(
            receipt.item_id,
            "duplicate",
            record_uuid=receipt.record_uuid,
            conflict_id=receipt.conflict_id,
            message=_("Allerede modtaget."),
        )
    record = batch.records.get(receipt.item_id) or load_record(
        receipt.record_type, receipt.record_id
    )
    conflict = keep_conflict(
        batch.user,
        item,
        record,
        reason=_("Samme registrering blev sendt igen med andet indhold."),
        on_device=on_device,
    )
    return ItemResult(
        receipt.item_id,
        "conflict",
        record_uuid=receipt.record_uuid,
        conflict_id=conflict.id,
        message=_("Konflikt: begge versioner er gemt."),
    )
