"""Conflicts kept beside records and how they are resolved; reconciliation and offline reads.

Taking a batch from a device is app/sync/batch.py.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import Any
from uuid import uuid4

from sqlalchemy import inspect, select

from app.audit.services import log_access
from app.children.scoping import can_see_child, prefetch_visible
from app.extensions import db
from app.i18n import gettext as _
from app.models import utcnow
from app.sync import rules
from app.sync.models import Conflict, SyncReceipt
from app.sync.registry import SubmitResult, may_see, submitter

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
    if record is not None and not may_see(item["kind"], user, record):
        record = None  # never keep (or show) a record the author may not see
    child_id = _child_id(payload, record)
    if child_id is not None and not can_see_child(user, child_id):
        child_id = None
    base = payload.get("base_version") or item.get("base_version")
    db.session.flush()  # a record of the same batch gets its id and version first
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


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def log_offline_views(user, views: list[Any]) -> list[str]:
    """Write access-log rows (channel "offline") for child pages read on the device.

    Each view has an id, so a view sent twice is logged once. Returns the ids the server has
    taken (logged now, logged before, or not loggable: the device can forget them all).
    """
    wanted = [v for v in views[:1000] if isinstance(v, dict) and rules.is_uuid(v.get("id"))]
    if not wanted:
        return []
    ids = {view["id"] for view in wanted}
    done = set(db.session.scalars(select(SyncReceipt.item_id).where(SyncReceipt.item_id.in_(ids))))
    prefetch_visible(user, {_int(view.get("child_id")) for view in wanted} - {None})
    for view in wanted:
        child_id = _int(view.get("child_id"))
        at = rules.parse_time(view.get("at"))
        if view["id"] in done or child_id is None or at is None:
            continue
        if at > utcnow() + timedelta(minutes=5) or not can_see_child(user, child_id):
            continue
        done.add(view["id"])
        what = str(view.get("what") or "child")[:64]
        log_access(child_id, "view", what, user=user, channel="offline", occurred_at=at)
        db.session.add(
            SyncReceipt(
                item_id=view["id"],
                user_id=user.id,
                kind="view",
                fingerprint="",
                status="logged",
                created_on_device_at=at,
            )
        )
    db.session.flush()
    return [view["id"] for view in wanted]
