"""Configuration read from the environment; every variable is listed in the README."""

from __future__ import annotations

import os
from datetime import timedelta


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    # Empty means: SQLite file in the instance folder (set in create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    DEMO_MODE = _bool("OPSPOR_DEMO")
    PERMANENT_SESSION_LIFETIME = timedelta(
        minutes=int(os.environ.get("OPSPOR_IDLE_TIMEOUT_MINUTES", str(8 * 60)))
    )
    # Not every response re-sends the session cookie: one that started before a login or a
    # flash message would undo it. Pages and forms of the user's own slide the idle timeout
    # instead (app/web.py).
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("OPSPOR_SECURE_COOKIES")
    REMEMBER_COOKIE_DURATION = timedelta(0)
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead; offline replays fetch a fresh token
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_FAILURE_LIMIT = os.environ.get("OPSPOR_LOGIN_FAILURE_LIMIT", "5 per 10 minutes")
    BABEL_DEFAULT_LOCALE = "da"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("OPSPOR_TIMEZONE", "Europe/Copenhagen")
    LANGUAGES = ("da", "en")
    FORCE_HTTPS = _bool("OPSPOR_FORCE_HTTPS")
    INVITATION_DAYS = int(os.environ.get("OPSPOR_INVITATION_DAYS", "7"))
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "application/javascript",
        "text/javascript",
        "application/json",
        "application/manifest+json",
        "image/svg+xml",
    ]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIN_SIZE = 500
    COMPRESS_STREAMS = False
    SEND_FILE_MAX_AGE_DEFAULT = timedelta(days=365)  # static URLs carry a content hash
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"  # noqa: S105
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    DEMO_MODE = False
