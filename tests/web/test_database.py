"""The request's transaction on SQLite: savepoints that read before they write."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, text

from app.extensions import db
from app.org.models import Unit
from tests.factories import make_unit


def test_a_savepoint_that_reads_then_writes_survives_another_writers_commit(app):
    """A savepoint opened before any write (a conflict resolved, a sync batch) used to start a
    deferred transaction: another request's commit between its reads and its first write made
    that write fail at once with "database is locked". It now starts as a writer."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's transaction modes")
    unit = make_unit("Før")
    db.session.commit()
    other = create_engine(db.engine.url)
    try:
        savepoint = db.session.begin_nested()
        db.session.scalar(select(Unit.name).where(Unit.id == unit.id))  # a read in the savepoint
        # Another connection writes while the savepoint is open: it waits for the write lock
        # this transaction holds (a short timeout here), so it cannot slip in between.
        with other.connect() as connection:
            connection.exec_driver_sql("PRAGMA busy_timeout=100")
            with pytest.raises(Exception, match="locked"):
                connection.execute(
                    text("UPDATE unit SET name = 'Anden' WHERE id = :id"), {"id": unit.id}
                )
        db.session.get(Unit, unit.id).name = "Efter"
        db.session.flush()
        savepoint.commit()
        db.session.commit()
    finally:
        other.dispose()
    assert db.session.scalar(select(Unit.name).where(Unit.id == unit.id)) == "Efter"
