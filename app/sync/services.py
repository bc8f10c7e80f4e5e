"""Taking a batch from a device: each item through its kind's submit function, idempotently.

Every item runs in its own savepoint, so one failing item never undoes the ones before it and
one bad item never stops the queue. A receipt is written in the same transaction as the record;
the device's reconciliation pass asks which of its sent items have no receipt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from typing import Any
from uuid import uuid4

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import inspect, select, text

from app.audit.services import log_access
from app.children.scoping import can_see_child, prefetch_visible
from app.extensions import db
from app.models import utcnow
from app.sync import rules
from app.sync.models import Conflict, SyncReceipt
from app.sync.registry import SubmitResult, kinds, submitter

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


def take_write_lock() -> None:
    """SQLite: start the batch's transaction as a writer.

    Items run in savepoints; a savepoint opened before the first write would start a deferred
    transaction whose later upgrade to a writer fails at once ("database is locked") if another
    request wrote meanwhile. A no-op write first makes SQLite wait its busy timeout instead.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("UPDATE sync_receipt SET id = id WHERE 1 = 0"))


def _item_id(item: Any) -> str:
    return str(item.get("id", "")) if isinstance(item, dict) else ""


def prefetch(user, items: list) -> set[str]:
    """Ask once for the whole batch what every item would ask alone: which children the user
    may see (kept for the request, see can_see_child) and which item ids have no receipt yet
    (returned, for process_item)."""
    child_ids = set()
    for item in items:
        payload = item.get("payload") if isinstance(item, dict) else None
        value = payload.get("child_id") if isinstance(payload, dict) else None
        if isinstance(value, int | str) and str(value).isdigit():
            child_ids.add(int(value))
    prefetch_visible(user, child_ids)
    ids = {_item_id(item) for item in items} - {""}
    if not ids:
        return set()
    have = db.session.scalars(select(SyncReceipt.item_id).where(SyncReceipt.item_id.in_(ids)))
    return ids - set(have)


def process_item(user, item: Any, without_receipt: set[str] | None = None) -> ItemResult:
    """One outbox item → its result. Adds and flushes; the request commits.

    `without_receipt`: item ids known to have no receipt (from prefetch); each is taken out as
    it is used, so a second item with the same id in the batch looks its receipt up.
    """
    limit = current_app.config["SYNC_MAX_ITEM_BYTES"]
    problem = rules.check_item(item, known_kinds=kinds(), max_bytes=limit)
    if problem:
        return ItemResult(_item_id(item), "invalid", {problem.field: [_(problem.message)]})
    item_id, kind, payload = item["id"], item["kind"], item["payload"]
    fingerprint = rules.fingerprint(kind, payload)
    on_device = rules.parse_time(item.get("created_at"))

    if without_receipt is not None and item_id in without_receipt:
        without_receipt.discard(item_id)
        receipt = None
    else:
        receipt = db.session.scalar(select(SyncReceipt).where(SyncReceipt.item_id == item_id))
    if receipt is not None:
        return _repeat(user, receipt, item, fingerprint, on_device)

    savepoint = db.session.begin_nested()
    try:
        result: SubmitResult = submitter(kind)(user, dict(payload), channel="offline")
        if result.status in ("accepted", "duplicate"):
            db.session.flush()
            savepoint.commit()
        else:
            savepoint.rollback()
    except Exception:  # a bug in one kind must not stop the queue; the device retries later
        savepoint.rollback()
        log.exception("sync item %s (%s) failed", item_id, kind)
        return ItemResult(item_id, "error", message=_("Serveren kunne ikke gemme den lige nu."))

    record = result.record
    out = ItemResult(
        item_id,
        result.status,
        errors=result.errors,
        message=result.message,
        record_uuid=payload.get("uuid"),
        version=getattr(record, "version", None),
    )
    if result.status == "conflict":
        conflict = keep_conflict(user, item, record, reason=result.message, on_device=on_device)
        out.conflict_id = conflict.id
        out.message = out.message or _("Konflikt: begge versioner er gemt.")
    if result.status in HELD:
        db.session.add(
            SyncReceipt(
                item_id=item_id,
                user_id=user.id,
                kind=kind,
                record_uuid=payload.get("uuid"),
                fingerprint=fingerprint,
                status=result.status,
                record_type=record_type(record),
                record_id=getattr(record, "id", None),
                conflict_id=out.conflict_id,
                created_on_device_at=on_device,
            )
        )
        db.session.flush()
    return out


def _repeat(user, receipt: SyncReceipt, item: dict, fingerprint: str, on_device) -> ItemResult:
    """An item id the server has seen: the original receipt, or a conflict if it changed."""
    if receipt.user_id != user.id:
        return ItemResult(receipt.item_id, "forbidden", message=_("Registreringen er ikke din."))
    if receipt.fingerprint == fingerprint:
        return ItemResult(
            receipt.item_id,
            "duplicate",
            record_uuid=receipt.record_uuid,
            conflict_id=receipt.conflict_id,
            message=_("Allerede modtaget."),
        )
    record = load_record(receipt.record_type, receipt.record_id)
    conflict = keep_conflict(
        user,
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


# -- conflicts ---------------------------------------------------------------------------------


def record_type(record) -> str | None:
    if record is None:
        return None
    cls = type(record)
    return f"{cls.__module__}:{cls.__qualname__}"


def load_record(kind_of_record: str | None, record_id: int | None):
    """A record by its stored type and id, as it is now (None if unknown or gone)."""
    if not kind_of_record or record_id is None:
        return None
    module, _sep, name = kind_of_record.partition(":")
    try:
        cls = getattr(import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return db.session.get(cls, record_id)


def snapshot(record, keys) -> dict[str, Any]:
    """The record's current values for the form fields in `keys`, as a form would send them."""
    if record is None:
        return {}
    if hasattr(record, "as_payload"):
        return dict(record.as_payload())
    columns = {attr.key for attr in inspect(record).mapper.column_attrs}
    return {k: rules.normalise(getattr(record, k)) for k in keys if k in columns}


def _child_id(payload: dict, record) -> int | None:
    value = payload.get("child_id") or getattr(record, "child_id", None)
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _labels(value: Any) -> dict[str, str]:
    """The form's field labels as the device saw them (for showing the two versions)."""
    if not isinstance(value, dict):
        return {}
    pairs = list(value.items())[:200]
    return {str(k)[:80]: str(v)[:200] for k, v in pairs if isinstance(v, str | int)}


def keep_conflict(user, item: dict, record, *, reason: str = "", on_device=None) -> Conflict:
    """Keep the offline version beside the record: nothing overwritten, nothing dropped."""
    payload = item["payload"]
    child_id = _child_id(payload, record)
    if child_id is not None and not can_see_child(user, child_id):
        child_id = None
    base = payload.get("base_version") or item.get("base_version")
    conflict = Conflict(
        kind=item["kind"],
        item_id=item["id"],
        record_uuid=str(payload.get("uuid", "")),
        record_type=record_type(record),
        record_id=getattr(record, "id", None),
        child_id=child_id,
        base_version=int(base) if str(base or "").isdigit() else None,
        server_version=getattr(record, "version", None),
        payload=dict(payload),
        server_snapshot=snapshot(record, payload.keys()),
        labels=_labels(item.get("labels")),
        reason=reason or _("Registreringen er ændret på serveren, siden den blev hentet."),
        created_on_device_at=on_device,
        created_by_id=user.id,
        updated_by_id=user.id,
    )
    db.session.add(conflict)
    db.session.flush()
    if child_id is not None:
        log_access(child_id, "create", f"conflict:{conflict.id}", user=user, channel="offline")
    return conflict


# Kinds whose corrections are new records that supersede the old one (by its uuid), rather than
# a new version of the same record.
SUPERSEDING_KINDS = frozenset({"assessment"})


def edit_payload(kind: str, record, chosen: dict, reason: str = "") -> dict:
    """The chosen content as an edit of `record`, the way the kind's own forms send one."""
    out = dict(chosen)
    out.pop("supersedes", None)
    if kind in SUPERSEDING_KINDS:
        out.update(uuid=str(uuid4()), supersedes=record.uuid, base_version=str(record.version))
    else:
        out.update(uuid=record.uuid, base_version=str(record.version))
    if reason:
        out["correction_reason"] = reason
    return out


def resolve_conflict(
    user,
    conflict: Conflict,
    choice: str,
    take_offline: set[str] | None = None,
    reason: str = "",
) -> SubmitResult | None:
    """Apply the chosen version as a normal versioned edit; None when nothing had to be applied.

    choice: "server" (keep what the server has), "offline" (apply the offline version) or
    "merged" (the server's version with the fields in `take_offline` from the offline one).
    """
    if choice != "server":
        record = load_record(conflict.record_type, conflict.record_id)
        submit = submitter(conflict.kind)
        if record is None or submit is None:
            return SubmitResult(
                "invalid", message=_("Registreringen findes ikke længere på serveren.")
            )
        current = snapshot(record, conflict.payload.keys())
        if choice == "offline":
            chosen = rules.content(conflict.payload)
        else:
            chosen = rules.merge(current, conflict.payload, take_offline or set())
        chosen["form_version"] = conflict.payload.get(
            "form_version", current.get("form_version", "")
        )
        if conflict.child_id is not None:
            chosen.setdefault("child_id", str(conflict.child_id))
        chosen = edit_payload(conflict.kind, record, chosen, reason)
        savepoint = db.session.begin_nested()
        result = submit(user, chosen, channel="online")
        if not result.ok:
            savepoint.rollback()
            return result
        db.session.flush()
        savepoint.commit()
    conflict.resolved_at = utcnow()
    conflict.resolved_by_id = user.id
    conflict.updated_by_id = user.id
    conflict.resolution = choice
    db.session.flush()
    return None


# -- reconciliation and offline reads ----------------------------------------------------------


def missing_item_ids(user, item_ids: list[str]) -> list[str]:
    """Of the ids the device sent, those the server does not hold for this user."""
    wanted = [i for i in dict.fromkeys(item_ids) if rules.is_uuid(i)]
    held: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        held.update(
            db.session.scalars(
                select(SyncReceipt.item_id).where(
                    SyncReceipt.item_id.in_(chunk), SyncReceipt.user_id == user.id
                )
            )
        )
    return [i for i in wanted if i not in held]


def log_offline_views(user, views: list[Any]) -> list[str]:
    """Write access-log rows (channel "offline") for child pages read on the device.

    Each view has an id, so a view sent twice is logged once. Returns the ids the server has
    taken (logged now, logged before, or not loggable: the device can forget them all).
    """
    taken: list[str] = []
    for view in views[:1000]:
        if not isinstance(view, dict) or not rules.is_uuid(view.get("id")):
            continue
        view_id = view["id"]
        taken.append(view_id)
        if db.session.scalar(select(SyncReceipt.id).where(SyncReceipt.item_id == view_id)):
            continue
        try:
            child_id = int(view.get("child_id"))
        except (TypeError, ValueError):
            continue
        at = rules.parse_time(view.get("at"))
        if at is None or at > utcnow() + timedelta(minutes=5) or not can_see_child(user, child_id):
            continue
        what = str(view.get("what") or "child")[:64]
        log_access(child_id, "view", what, user=user, channel="offline", occurred_at=at)
        db.session.add(
            SyncReceipt(
                item_id=view_id,
                user_id=user.id,
                kind="view",
                fingerprint="",
                status="logged",
                created_on_device_at=at,
            )
        )
    db.session.flush()
    return taken
