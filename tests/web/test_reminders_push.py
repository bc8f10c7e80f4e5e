"""The sending side of Web Push, for real: our own subscription (a P-256 key pair and an auth
secret) whose endpoint is an HTTP receiver on 127.0.0.1. The app encrypts and signs; the test
decrypts with http_ece (aes128gcm, RFC 8291) and verifies the VAPID JWT (RFC 8292)."""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from py_vapid import Vapid
from sqlalchemy import select
from sqlalchemy import update as sa_update

from app.auth.roles import Role
from app.extensions import db
from app.reminders import push, vapid
from app.reminders.models import Notification, PushSubscription
from app.reminders.rules import KINDS
from tests.factories import make_user


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Receiver:
    """A stand-in push service: records every request and answers from a script of statuses."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.retry_after: str | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 201
                self.send_response(status)
                if status == 429 and receiver.retry_after:
                    self.send_header("Retry-After", receiver.retry_after)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # keep the test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class Device:
    """What a browser holds for one subscription: an ECDH key pair and a 16-byte auth secret."""

    def __init__(self, receiver: Receiver, name: str = "device") -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = f"{receiver.origin}/push/{name}-{b64url(os.urandom(6))}"
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.json = {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def push_app(app):
    return configure_push(app)


def configure_push(app):
    """The app with its own VAPID key, loopback endpoints allowed and quick retries."""
    keys = Vapid()
    keys.generate_keys()
    app.config.update(
        VAPID_PRIVATE_KEY=vapid.private_raw(keys),
        VAPID_SUBJECT="mailto:drift@opspor.dk",
        REMINDERS_ALLOW_HTTP_LOOPBACK=True,
        REMINDERS_RETRY_DELAYS=(0.5, 1.0),
        REMINDERS_RETRY_MAX_DELAY=3.0,
    )
    app.extensions.pop("reminders.vapid", None)
    return app


def subscribe(client, auth, device: Device, user=None):
    user = user or make_user(Role.LEDER)
    auth.login(user)
    response = client.post(
        "/paamindelser/enheder",
        json=device.json,
        headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537"},
    )
    assert response.status_code == 201, response.data
    return user


def notify(user, kind="red_concern", count=2, unit_name="Solsikken") -> Notification:
    n = Notification(
        user_id=user.id,
        kind=kind,
        count=count,
        unit_name=unit_name,
        url="/notifikationer",
        urgent=KINDS[kind].urgent,
    )
    db.session.add(n)
    db.session.commit()
    return n


def deliver(n: Notification, sleeps: list | None = None) -> str:
    assert push.claim(n.id)
    return push.deliver(n.id, sleep=(sleeps.append if sleeps is not None else lambda s: None))


def verify_vapid(header: str, app_public_key: str, audience: str) -> dict:
    """Parse `vapid t=<jwt>,k=<key>`, check the key is the app's and the ES256 signature."""
    scheme, _, params = header.partition(" ")
    assert scheme == "vapid"
    parts = dict(p.split("=", 1) for p in params.split(","))
    assert parts["k"] == app_public_key
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    assert json.loads(unb64url(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    claims = json.loads(unb64url(claims_b64))
    signature = unb64url(signature_b64)
    assert len(signature) == 64
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):  # and a tampered token does not verify
        public.verify(der, f"{header_b64}.{claims_b64}x".encode(), ec.ECDSA(hashes.SHA256()))
    assert claims["aud"] == audience
    assert claims["sub"] == "mailto:drift@opspor.dk"
    return claims


def test_a_red_reminder_arrives_encrypted_signed_and_without_personal_data(
    push_app, client, auth, receiver
):
    """The device decrypts kind, count, unit and a link; TTL, Urgency and VAPID are right."""
    device = Device(receiver)
    user = subscribe(client, auth, device)
    n = notify(user, "red_concern", count=2)

    assert deliver(n) == "sent"

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert request["path"] == device.endpoint.removeprefix(receiver.origin)
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["ttl"] == str(KINDS["red_concern"].ttl) == "86400"
    assert headers["urgency"] == "high"
    # The push service collapses by Topic but cannot read the kind from it (RFC 8030 §5.4:
    # at most 32 characters of the URL-safe alphabet); the tag inside the payload can.
    topic = headers["topic"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,32}", topic)
    assert "red" not in topic.lower() and "concern" not in topic.lower()
    assert topic == push.topic("red-concern-0") != push.topic("red-concern-1")
    payload = device.decrypt(request["body"])
    assert payload == {
        "title": "Rød position",
        "body": "2 børn er vurderet i rød position i Solsikken",
        "tag": "red-concern-0",
        "url": f"/notifikationer/{n.id}",
        "kind": "red_concern",
        "urgent": True,
    }
    before = int(time.time())
    claims = verify_vapid(headers["authorization"], vapid.public_key_for_app(), receiver.origin)
    assert before < claims["exp"] <= before + 24 * 3600

    db.session.expire_all()
    assert db.session.get(Notification, n.id).push_state == "sent"
    sub = db.session.scalar(select(PushSubscription))
    assert sub.last_success_at is not None and sub.label == "Chrome på Android"


def test_a_weekly_reminder_is_low_urgency_with_a_longer_ttl(push_app, client, auth, receiver):
    device = Device(receiver)
    user = subscribe(client, auth, device)
    n = notify(user, "assessments_due", count=2)
    n.details = {"overdue": 2, "soon": 0, "days": 14}
    db.session.commit()

    deliver(n)

    headers = {k.lower(): v for k, v in receiver.requests[0]["headers"].items()}
    assert headers["urgency"] == "low"
    assert headers["ttl"] == str(3 * 24 * 3600)
    payload = device.decrypt(receiver.requests[0]["body"])
    assert payload["body"] == "2 trivselsvurderinger er forfaldne i Solsikken"


def test_every_device_of_the_user_gets_it(push_app, client, auth, receiver):
    phone, tablet = Device(receiver, "phone"), Device(receiver, "tablet")
    user = subscribe(client, auth, phone)
    subscribe(client, auth, tablet, user=user)

    deliver(notify(user))

    assert sorted(r["path"] for r in receiver.requests) == sorted(
        d.endpoint.removeprefix(receiver.origin) for d in (phone, tablet)
    )
    assert phone.decrypt(receiver.requests[0]["body"]) or tablet.decrypt(
        receiver.requests[0]["body"]
    )


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted(push_app, client, auth, receiver, status):
    """404/410: the browser dropped the subscription; we forget it and do not retry."""
    user = subscribe(client, auth, Device(receiver))
    receiver.statuses = [status]

    assert deliver(notify(user)) == "failed"

    assert len(receiver.requests) == 1
    assert db.session.scalar(select(PushSubscription)) is None


def test_429_is_retried_after_the_retry_after_delay(push_app, client, auth, receiver):
    user = subscribe(client, auth, Device(receiver))
    receiver.statuses, receiver.retry_after = [429], "2"
    sleeps: list[float] = []

    assert deliver(notify(user), sleeps) == "sent"

    assert len(receiver.requests) == 2
    assert sleeps == [2.0]  # the push service's Retry-After (capped at 3 s here)


def test_5xx_is_retried_with_back_off_then_given_up(push_app, client, auth, receiver):
    """Bounded: three attempts (0.5 s, then 1 s back-off); the device is kept for next time."""
    user = subscribe(client, auth, Device(receiver))
    receiver.statuses = [500, 503, 502]
    sleeps: list[float] = []

    assert deliver(notify(user), sleeps) == "failed"

    assert len(receiver.requests) == 3
    assert sleeps == [0.5, 1.0]
    sub = db.session.scalar(select(PushSubscription))
    assert sub is not None and sub.failures == 1


def test_500_then_success_is_sent(push_app, client, auth, receiver):
    user = subscribe(client, auth, Device(receiver))
    receiver.statuses = [500]

    assert deliver(notify(user), []) == "sent"
    assert len(receiver.requests) == 2


def test_a_notification_is_claimed_once(push_app, client, auth, receiver):
    """Two senders racing for the same notification: only one may push it."""
    user = subscribe(client, auth, Device(receiver))
    n = notify(user)
    assert push.claim(n.id) is True
    assert push.claim(n.id) is False


def test_without_a_device_the_notification_stays_in_app(push_app, client, auth):
    user = make_user(Role.LEDER)
    n = notify(user)
    assert deliver(n) == "none"


def test_the_test_button_pushes_right_after_the_commit(push_app, client, auth, receiver):
    device = Device(receiver)
    subscribe(client, auth, device)

    response = client.post("/paamindelser/test")

    assert response.status_code == 303
    assert len(receiver.requests) == 1
    payload = device.decrypt(receiver.requests[0]["body"])
    assert payload["title"] == "Testnotifikation"
    assert payload["url"].startswith("/notifikationer/")


def test_the_topic_is_keyed_by_the_apps_secret(push_app):
    """Another installation (another secret) gives the same kind and unit another topic."""
    mine = push.topic("leader-digest-0")
    push_app.secret_key = "another installation"
    assert push.topic("leader-digest-0") != mine
    assert len(mine) == 32


def test_a_notification_left_sending_by_a_crash_is_sent_by_a_later_sweep(
    push_app, client, auth, receiver
):
    """A sender that died after its claim leaves "sending": a sweep minutes later takes it
    again (one claim only, also then), a fresh claim is left alone."""
    from datetime import UTC, datetime, timedelta

    from app import clock
    from app.reminders import sweep

    user = subscribe(client, auth, Device(receiver))
    n = notify(user)
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    clock.freeze(start)
    try:
        assert push.claim(n.id)  # ... and the process crashes here
        clock.freeze(start + timedelta(minutes=2))
        assert sweep.deliver_pending(clock.now()) == 0  # a claim that young may still be busy
        assert receiver.requests == []

        clock.freeze(start + push.SENDING_STALE + timedelta(seconds=1))
        assert push.claim(n.id) is True
        assert push.claim(n.id) is False  # taken again atomically: one winner
        db.session.execute(
            sa_update(Notification).where(Notification.id == n.id).values(pushed_at=start)
        )
        db.session.commit()
        assert sweep.deliver_pending(clock.now()) == 1
    finally:
        clock.freeze(None)
    assert len(receiver.requests) == 1
    db.session.expire_all()
    assert db.session.get(Notification, n.id).push_state == "sent"


def test_a_digest_too_big_for_a_push_sends_its_totals(push_app, client, auth, receiver):
    """60 units of rows would pass the 4 KB a push service takes: the push says the totals, the
    in-app notification keeps a row per unit."""
    device = Device(receiver)
    user = subscribe(client, auth, device)
    units = [
        {
            "name": f"Daginstitutionen Mælkebøtten og Solsikken afdeling {i}",
            "children": 40,
            "assessed": 20,
            "overdue": 1,
            "soon": 2,
            "without_plan": i % 2,
        }
        for i in range(60)
    ]
    n = notify(user, "leader_digest", count=60)
    n.details = {"days": 14, "units": units}
    db.session.commit()

    assert deliver(n) == "sent"

    body = receiver.requests[0]["body"]
    assert len(body) <= 4096
    payload = device.decrypt(body)
    assert payload["body"] == (
        "60 enheder: 60 forfaldne, 120 inden for 14 dage, 30 uden handleplan"
    )
    auth.login(user)
    page = client.get("/notifikationer").get_data(as_text=True)
    assert "afdeling 59: 20 af 40 vurderet, 1 forfaldne, 2 inden for 14 dage" in page


def test_a_small_digest_keeps_its_rows_in_the_push(push_app, client, auth, receiver):
    device = Device(receiver)
    user = subscribe(client, auth, device)
    n = notify(user, "leader_digest", count=1)
    n.details = {
        "days": 14,
        "units": [
            {"name": "Solsikken", "children": 30, "assessed": 12, "overdue": 3, "soon": 2},
        ],
    }
    db.session.commit()
    deliver(n)
    assert device.decrypt(receiver.requests[0]["body"])["body"] == (
        "Solsikken: 12 af 30 vurderet, 3 forfaldne, 2 inden for 14 dage, 0 uden handleplan"
    )


def test_no_payload_over_the_limit_is_ever_sent(push_app, client, auth, receiver):
    """Every kind: a payload that would not fit is shortened by the app, and the sender itself
    refuses anything over the limit rather than have the push service answer 413."""
    user = subscribe(client, auth, Device(receiver))
    for i, kind in enumerate(KINDS):
        # Not stored (a unit name is at most 120 characters there): only the words are made.
        n = Notification(
            id=900 + i,
            user_id=user.id,
            kind=kind,
            count=3,
            unit_name="Ø" * 3000,
            details={"units": [{"name": "Å" * 200}] * 40, "overdue": 1, "soon": 1, "days": 14},
            urgent=KINDS[kind].urgent,
        )
        payload = push.payload_for(n, "da")
        assert len(json.dumps(payload, ensure_ascii=False).encode()) <= push.MAX_PAYLOAD
        assert payload["url"] == f"/notifikationer/{n.id}"

    sub = db.session.scalar(select(PushSubscription))
    huge = {"title": "x", "body": "y" * (push.MAX_PAYLOAD + 1), "tag": "test-0"}
    keys = vapid.load()
    outcome = push.send(sub.info(), huge, KINDS["test"], keys=keys, subject="mailto:a@b.dk")
    assert (outcome.status, outcome.attempts) == ("failed", 0)
    assert receiver.requests == []
    fits = {"title": "x", "body": "y" * (push.MAX_PAYLOAD - 50), "tag": "test-0"}
    outcome = push.send(sub.info(), fits, KINDS["test"], keys=keys, subject="mailto:a@b.dk")
    assert outcome.status == "sent" and len(receiver.requests[0]["body"]) <= 4096
