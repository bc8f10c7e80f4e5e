"""Database setup: SQLite pragmas for the embedded default, model registration."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db


def import_models() -> None:
    """Import every model module so metadata (and Alembic) sees all tables."""
    from app import AREAS

    for package in ("org", *AREAS):
        if find_spec(f"app.{package}.models") is not None:
            import_module(f"app.{package}.models")


# How long a SQLite write waits for the database's single write lock before giving up.
BUSY_TIMEOUT_MS = 15_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Reads map the file instead of copying each page through read(), and each connection keeps
    # 16 MB of pages rather than 2 MB: the database is ~400 MB at 40,000 children.
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.execute("PRAGMA cache_size=-16000")
    cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_as_writer(connection, name) -> None:
    """SQLite: a savepoint opened outside a transaction starts it as a writer (BEGIN IMMEDIATE).

    The sqlite3 module opens a transaction only before an INSERT/UPDATE/DELETE, so reads before
    the first write run outside one. A SAVEPOINT, though, starts a deferred transaction of its
    own: its reads fix a snapshot, and its first write then fails at once with "database is
    locked" if another request committed in the meantime (WAL cannot upgrade a stale snapshot;
    the busy timeout does not apply). BEGIN IMMEDIATE waits the busy timeout for the write lock
    and reads a fresh snapshot after it. Savepoints are only used on paths that write.
    """
    if connection.dialect.name != "sqlite":
        return
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def upsert(table, rows: list[dict] | dict, key: str, update: tuple[str, ...], dialect: str):
    """INSERT ... ON CONFLICT (key) DO UPDATE SET update: one statement, so two requests that
    both found no row cannot both insert one (SQLite and PostgreSQL)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table).values(rows)
    return stmt.on_conflict_do_update(
        index_elements=[key], set_={c: stmt.excluded[c] for c in update}
    )


# A form shown again with its errors (or a conflict) rather than an error page.
SHOWN_AGAIN = frozenset({409, 422})


def init_app(app: Flask) -> None:
    import_models()
    db.init_app(app)

    # One commit per request: services add and flush; the request boundary commits once and
    # rolls back on any error, so an action never leaves half a change behind.
    @app.after_request
    def _commit(response):
        from app.audit.services import drop_pending, keep_reads_only, write_pending

        if response.status_code < 400:
            write_pending()
            db.session.commit()
        elif response.status_code in SHOWN_AGAIN:
            # The changes are rolled back, but the page went out with the child's data on it:
            # its reads stay in the access log.
            db.session.rollback()
            keep_reads_only()
            write_pending()
            db.session.commit()
        else:
            drop_pending()
            db.session.rollback()
        return response

    # A request context without a response (services called from a shell or a test) still
    # leaves its access-log rows in the session for whoever commits it.
    @app.teardown_request
    def _leave_access_log(exc):
        if exc is None:
            from app.audit.services import leave_pending

            leave_pending()
