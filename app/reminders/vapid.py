"""VAPID keys (RFC 8292): the server's identity towards the push services.

From configuration (`OPSPOR_VAPID_PRIVATE_KEY`), else from a PEM file in the instance folder
(`flask reminders vapid` writes it; the demo run creates it on first use). Without a key the app
still keeps the in-app notifications; only pushing is off.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from flask import Flask, current_app
from py_vapid import Vapid
from py_vapid.utils import b64urlencode

_KEY = "reminders.vapid"


def key_file(app: Flask) -> Path:
    return Path(app.config.get("VAPID_KEY_FILE") or Path(app.instance_path) / "vapid_private.pem")


def from_text(text: str) -> Vapid:
    """A private key as PEM, as base64url DER, or as the raw 32-byte base64url number."""
    text = text.strip()
    if "-----BEGIN" in text:
        return Vapid.from_pem(text.encode())
    return Vapid.from_string(text)


def generate(path: Path, *, force: bool = False) -> Vapid:
    """Make a new key pair and store the private key (mode 0600). Refuses to overwrite."""
    if path.exists() and not force:
        raise FileExistsError(path)
    vapid = Vapid()
    vapid.generate_keys()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(vapid.private_pem())
    return vapid


def public_key(vapid: Vapid) -> str:
    """The applicationServerKey for `pushManager.subscribe`: the uncompressed point, base64url."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64urlencode(raw)


def private_raw(vapid: Vapid) -> str:
    """The private number as base64url (what `OPSPOR_VAPID_PRIVATE_KEY` takes)."""
    number = vapid.private_key.private_numbers().private_value
    return b64urlencode(number.to_bytes(32, "big"))


def load(app: Flask | None = None) -> Vapid | None:
    """The app's key pair, cached; None when push is not configured."""
    app = app or current_app._get_current_object()
    if _KEY in app.extensions:
        return app.extensions[_KEY]
    vapid = None
    configured = app.config.get("VAPID_PRIVATE_KEY")
    path = key_file(app)
    if configured:
        vapid = from_text(configured)
    elif path.exists():
        vapid = Vapid.from_file(str(path))
    elif app.config.get("DEMO_MODE"):
        try:
            vapid = generate(path)
        except FileExistsError:  # another process made it a moment ago
            vapid = Vapid.from_file(str(path))
    app.extensions[_KEY] = vapid
    return vapid


def public_key_for_app(app: Flask | None = None) -> str | None:
    vapid = load(app)
    return public_key(vapid) if vapid else None
