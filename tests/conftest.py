"""Fixtures: a fresh app and database per test, on SQLite or (with --db=postgresql) PostgreSQL."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest
from flask import g
from hypothesis import settings
from sqlalchemy import create_engine, event, text

from app import create_app
from app.config import TestConfig
from app.extensions import db

# A shared 2-core machine: property tests are judged by their examples, not their speed.
settings.register_profile("opspor", deadline=None)
settings.load_profile("opspor")

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        default="sqlite",
        choices=("sqlite", "postgresql"),
        help="database for the tests (postgresql uses TEST_DATABASE_URL)",
    )


def _pg_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)


@pytest.fixture(scope="session")
def db_kind(request) -> str:
    return request.config.getoption("--db")


@pytest.fixture(scope="session")
def pg_schema_url(db_kind, worker_id="master"):
    """One schema per xdist worker in the PostgreSQL test database."""
    if db_kind != "postgresql":
        return None
    url = _pg_url()
    try:
        engine = create_engine(url)
        with engine.connect():
            pass
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"PostgreSQL not reachable at {url}: {exc.__class__.__name__}")
    schema = "opspor_" + re.sub(r"\W", "", os.environ.get("PYTEST_XDIST_WORKER", "main"))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def app(tmp_path, db_kind, pg_schema_url):
    uri = pg_schema_url if db_kind == "postgresql" else f"sqlite:///{tmp_path / 'test.db'}"
    app = create_app({**_config(TestConfig), "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        if db_kind == "postgresql":
            db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        if db_kind == "postgresql":
            db.drop_all()
        db.engine.dispose()


def _config(cls) -> dict:
    return {k: getattr(cls, k) for k in dir(cls) if k.isupper()}


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    """Log in through the session (route tests); the login form is tested in test_auth."""

    def __init__(self, client):
        self.client = client

    def login(self, user):
        db.session.commit()
        g.pop("_login_user", None)  # Flask-Login caches the user per app context
        with self.client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    def logout(self):
        with self.client.session_transaction() as session:
            session.clear()
        g.pop("_login_user", None)


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def count_queries(app):
    """Counts SQL statements run inside the `with` block (catches N+1 queries)."""

    @contextmanager
    def counter():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counter
