"""Fixtures: a fresh app and database per test, on SQLite or (with --db=postgresql) PostgreSQL."""

from __future__ import annotations

import os
import re
import shutil
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


@pytest.fixture(scope="session")
def sqlite_template(db_kind, tmp_path_factory):
    """An empty SQLite database with the schema, built once per worker and copied per test."""
    if db_kind != "sqlite":
        return None
    path = tmp_path_factory.mktemp("template") / "schema.db"
    app = create_app({**_config(TestConfig), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()  # checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def pg_schema_ready(db_kind, pg_schema_url):
    """Create the PostgreSQL tables once per worker; each test then starts from empty tables."""
    if db_kind != "postgresql":
        return None
    app = create_app({**_config(TestConfig), "SQLALCHEMY_DATABASE_URI": pg_schema_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return pg_schema_url


def _empty_tables() -> None:
    """Delete every row (children first) and restart the id sequences that moved."""
    db.create_all()  # a test may have dropped tables (e.g. the generator's determinism test)
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        conn.execute(
            text(
                "SELECT setval(s.oid, 1, false) FROM pg_class s "
                "JOIN pg_namespace n ON n.oid = s.relnamespace "
                "WHERE s.relkind = 'S' AND n.nspname = current_schema()"
            )
        )


@pytest.fixture
def app(tmp_path, db_kind, sqlite_template, pg_schema_ready):
    if db_kind == "postgresql":
        uri = pg_schema_ready
    else:
        shutil.copyfile(sqlite_template, tmp_path / "test.db")
        uri = f"sqlite:///{tmp_path / 'test.db'}"
    app = create_app({**_config(TestConfig), "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        yield app
        db.session.remove()
        if db_kind == "postgresql":
            _empty_tables()
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
