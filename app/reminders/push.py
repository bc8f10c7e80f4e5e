"""Delivery by Web Push (pywebpush, VAPID, aes128gcm).

404/410 from the push service: the subscription is dead and is deleted. 429 and 5xx (and network
errors) are retried with a bounded back-off, honouring a short Retry-After. TTL and Urgency come
from the reminder's kind.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from flask import current_app
from flask_babel import force_locale
from pywebpush import WebPushException, webpush
from sqlalchemy import and_, or_, select, update

from app import clock
from app.extensions import db
from app.reminders import messages, vapid
from app.reminders.models import Notification, PushSubscription
from app.reminders.rules import KINDS, Kind

log = logging.getLogger(__name__)

VAPID_LIFETIME = 12 * 3600  # the JWT's exp: well inside the 24 h RFC 8292 allows
# A push service takes at most 4096 bytes of encrypted body (RFC 8030 §7.2); aes128gcm adds
# 86 bytes of header, 1 padding delimiter and a 16-byte tag to the plaintext (RFC 8188).
MAX_PAYLOAD = 4096 - 86 - 1 - 16
# A notification left "sending" this long (the sender crashed) is taken again by a sweep.
SENDING_STALE = timedelta(minutes=10)


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent" | "gone" | "failed"
    code: int | None
    attempts: int


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _retry_after(exc: WebPushException, cap: float) -> float | None:
    value = exc.retry_after
    if value and str(value).strip().isdigit():
        return min(float(value), cap)
    return None


def send(
    subscription: dict,
    payload: dict,
    kind: Kind,
    *,
    keys,
    subject: str,
    delays: Sequence[float] = (1.0, 5.0),
    max_delay: float = 30.0,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Send one encrypted message to one subscription; at most len(delays) + 1 attempts.

    A payload over the push services' limit is never sent (they would answer 413): "failed".
    """
    data = json.dumps(payload, ensure_ascii=False)
    if len(data.encode()) > MAX_PAYLOAD:
        log.error("push payload of %s bytes not sent (limit %s)", len(data.encode()), MAX_PAYLOAD)
        return Outcome("failed", 413, 0)
    code: int | None = None
    wait = 0.0
    for attempt in range(1, len(delays) + 2):
        if wait:
            sleep(wait)
        claims = {
            "sub": subject,
            "aud": origin(subscription["endpoint"]),
            "exp": int(time.time()) + VAPID_LIFETIME,  # real time: the push service checks it
        }
        try:
            webpush(
                subscription,
                data,
                vapid_private_key=keys,
                vapid_claims=claims,
                ttl=kind.ttl,
                headers={"Urgency": kind.urgency, "Topic": topic(payload["tag"])},
                timeout=timeout,
            )
            return Outcome("sent", 201, attempt)
        except WebPushException as exc:
            code = exc.status_code
            if code in (404, 410):
                return Outcome("gone", code, attempt)
            if code is not None and code != 429 and code < 500:
                return Outcome("failed", code, attempt)
            retry_after = _retry_after(exc, max_delay)
        except requests.RequestException:
            code, retry_after = None, None
        if attempt <= len(delays):
            wait = retry_after if retry_after is not None else delays[attempt - 1]
    return Outcome("failed", code, len(delays) + 1)


def path_for(endpoint: str, **values) -> str:
    """A URL path outside a request (the sweep runs from the CLI or a timer)."""
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return adapter.build(endpoint, values)


def topic(tag: str) -> str:
    """The Topic header: the push service collapses by it but must not read the kind from it,
    so a keyed hash of the tag, 32 characters of the URL-safe alphabet (RFC 8030 §5.4)."""
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, f"push-topic:{tag}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def _size(payload: dict) -> int:
    return len(json.dumps(payload, ensure_ascii=False).encode())


def payload_for(notification: Notification, locale: str | None) -> dict:
    """What leaves the server: kind, count, unit name and a link. Nothing about a child.

    Always within MAX_PAYLOAD: a digest too long for a push says its totals (the in-app
    notification keeps a row per unit), anything else is shortened.
    """
    with force_locale(locale or "da"):
        title = messages.title(notification.kind)
        body = messages.body(
            notification.kind, notification.count, notification.unit_name, notification.details
        )
        url = path_for("reminders.open_notification", notification_id=notification.id)
        payload = {
            "title": title,
            "body": body,
            # Collapses repeats of a kind in a unit on the device; inside the encrypted body.
            "tag": f"{notification.kind}-{notification.unit_id or 0}".replace("_", "-"),
            "url": url,
            "kind": notification.kind,
            "urgent": notification.urgent,
        }
        if _size(payload) > MAX_PAYLOAD and notification.kind == "leader_digest":
            payload["body"] = messages.digest_totals(notification.details or {})
    while _size(payload) > MAX_PAYLOAD and len(payload["body"]) > 1:
        over = _size(payload) - MAX_PAYLOAD
        payload["body"] = payload["body"][: max(0, len(payload["body"]) - over - 1)] + "…"
    return payload


def claimable(now):
    """Pending notifications, and ones left "sending" longer than SENDING_STALE by a sender
    that crashed (the claim time is kept in `pushed_at` until the outcome replaces it)."""
    return or_(
        Notification.push_state == "pending",
        and_(
            Notification.push_state == "sending",
            or_(Notification.pushed_at.is_(None), Notification.pushed_at < now - SENDING_STALE),
        ),
    )


def claim(notification_id: int) -> bool:
    """Atomically take a claimable notification for sending: one UPDATE, so only one sweep
    wins (the loser's WHERE no longer matches the row the winner changed)."""
    now = clock.now()
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, claimable(now))
        .values(push_state="sending", pushed_at=now)
        .execution_options(synchronize_session=False)  # the commit below expires the session
    )
    db.session.commit()
    return result.rowcount == 1


def deliver(notification_id: int, *, sleep: Callable[[float], None] = time.sleep) -> str:
    """Push one claimed notification to every device of its user. Commits: a job, not a request.

    Returns the final push_state: sent (at least one device), failed, or none (no device / no key).
    """
    notification = db.session.get(Notification, notification_id)
    subs = db.session.scalars(
        select(PushSubscription).where(PushSubscription.user_id == notification.user_id)
    ).all()
    keys = vapid.load()
    if not subs or keys is None:
        notification.push_state = "none"
        db.session.commit()
        return "none"
    config = current_app.config
    payload = payload_for(notification, notification.user.locale)
    kind = KINDS.get(notification.kind, KINDS["test"])
    targets = [(s.id, s.info()) for s in subs]
    db.session.commit()  # no transaction held open while talking to the push services
    outcomes = {
        sub_id: send(
            info,
            payload,
            kind,
            keys=keys,
            subject=config["VAPID_SUBJECT"],
            delays=config["REMINDERS_RETRY_DELAYS"],
            max_delay=config["REMINDERS_RETRY_MAX_DELAY"],
            sleep=sleep,
        )
        for sub_id, info in targets
    }
    for sub_id, outcome in outcomes.items():
        sub = db.session.get(PushSubscription, sub_id)
        if sub is None:
            continue
        if outcome.status == "sent":
            sub.last_success_at, sub.failures = clock.now(), 0
        elif outcome.status == "gone":
            db.session.delete(sub)
        else:
            sub.failures += 1
            log.warning("push to subscription %s failed: %s", sub_id, outcome.code)
    notification = db.session.get(Notification, notification_id)
    sent = any(o.status == "sent" for o in outcomes.values())
    notification.push_state = "sent" if sent else "failed"
    notification.pushed_at = clock.now() if sent else None
    db.session.commit()
    return notification.push_state
