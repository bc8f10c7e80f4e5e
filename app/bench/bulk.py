"""Bulk inserts with ids chosen here, so no row needs a round trip (fast on SQLite and PostgreSQL).

Rows are plain dicts. `fill()` adds the columns a model requires that the caller did not know
about (another area may add a NOT NULL column later): the generator keeps working, with a dull
but valid value.
"""

from __future__ import annotations

import enum
import json
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from operator import itemgetter

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKeyConstraint,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from app.extensions import db


@contextmanager
def sqlite_load():
    """SQLite, for one bulk load into an empty database: one explicit transaction (sqlite3
    would begin only at the first INSERT, after the first index drops), a big page cache (the
    unique uuid indexes get random inserts), the rollback journal in memory and no fsync (after
    a crash the database is generated again); the connection's own settings afterwards.
    Elsewhere it does nothing."""
    if db.engine.dialect.name != "sqlite":
        yield
        return
    load = {"cache_size": -262144, "journal_mode": "MEMORY", "synchronous": "OFF"}
    own = {name: db.session.execute(text(f"PRAGMA {name}")).scalar() for name in load}

    def use(pragmas: dict) -> None:
        for name, value in pragmas.items():
            db.session.execute(text(f"PRAGMA {name} = {value}"))

    use(load)  # journal_mode can change only outside a transaction
    db.session.execute(text("BEGIN"))
    try:
        yield
    finally:
        db.session.rollback()  # nothing left after the caller's commit
        use(own)


class Bulk:
    """Allocates primary keys and writes rows in bulk; resets PostgreSQL sequences at the end."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}
        self.counts: dict[str, int] = {}
        self._later: list = []  # DDL that finish() runs: the indexes and constraints dropped

    def ids(self, model, n: int) -> range:
        table = model.__table__
        if table.name not in self._next:
            current = db.session.scalar(select(func.max(table.c.id))) or 0
            self._next[table.name] = current + 1
        start = self._next[table.name]
        self._next[table.name] = start + n
        return range(start, start + n)

    def next_id(self, model) -> int:
        return self.ids(model, 1).start

    def insert(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        table = getattr(model, "__table__", model)  # a model or a plain Table
        if table.name not in self.counts:
            self._later += _drop_checks(table)
        # One statement needs the same keys in every row (a caller builds its rows with the
        # keys in one order).
        groups: dict[tuple, list[dict]] = {}
        for row in rows:
            groups.setdefault(tuple(row), []).append(row)
        for keys, group in groups.items():
            _write(table, keys, group)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def finish(self) -> None:
        """Build the indexes and constraints again (every row is checked) and, on PostgreSQL,
        move each id sequence past the ids used here."""
        for ddl in self._later:
            db.session.execute(ddl)
        self._later = []
        if db.engine.dialect.name != "postgresql":
            return
        for name in self._next:
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "  # noqa: S608
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{name}"))'
                )
            )


def _drop_checks(table) -> list:
    """Drop the table's secondary indexes (on PostgreSQL also its foreign keys and unique
    constraints) before its first rows, and return the DDL that creates them again: an index
    built once is one sort instead of a random insert per row, and a foreign key added to a
    filled table is checked with one join instead of a trigger per row. SQLite cannot drop a
    constraint; its foreign keys are cheap primary-key lookups."""
    later = []
    if db.engine.dialect.name == "postgresql":
        for constraint in table.constraints:
            if isinstance(constraint, ForeignKeyConstraint | UniqueConstraint):
                db.session.execute(DropConstraint(constraint))
                # By default AddConstraint leaves the constraint out of later CREATE TABLEs.
                later.append(AddConstraint(constraint, isolate_from_table=False))
    for index in table.indexes:
        db.session.execute(DropIndex(index))
        later.append(CreateIndex(index))
    return later


def _write(table, keys: tuple, rows: list[dict]) -> None:
    """Write rows with each column's own bind processor (enum, JSON, dates) applied here, once
    per distinct value: SQLAlchemy's per-row parameter handling was most of the generator's
    time. PostgreSQL gets one COPY, SQLite one executemany. Columns left out get their scalar
    default; a column with a computed default that is left out sends the rows the ordinary way."""
    missing = [c for c in table.c if c.key not in keys and c.default is not None]
    if any(not c.default.is_scalar for c in missing):
        db.session.execute(insert(table), rows)
        return
    connection = db.session.connection()
    dialect = connection.dialect
    columns = [*(table.c[k] for k in keys), *missing]
    quote = dialect.identifier_preparer
    if dialect.name == "postgresql":
        names = ", ".join(quote.format_column(c) for c in columns)
        sql = f"COPY {quote.format_table(table)} ({names}) FROM STDIN"
    else:
        statement = insert(table).values({c.key: bindparam(c.key) for c in columns})
        compiled = statement.compile(dialect=dialect)
        sql = str(compiled)
        columns.sort(key=lambda c: compiled.positiontup.index(c.key))
    values = []
    for column in columns:
        if column.key in keys:
            value = map(itemgetter(column.key), rows)
        else:
            value = [column.default.arg] * len(rows)
        process = _processor(column.type, dialect)
        values.append(value if process is None else map(process, value))
    params = zip(*values, strict=True)
    if dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in params:
                copy.write_row(row)
    else:
        connection.exec_driver_sql(sql, list(params))


class _Memo(dict):
    """A bind processor's result per value: the same dates, stamps and enums recur a lot (and
    values that compare equal, such as True and 1, bind to the same)."""

    def __init__(self, process) -> None:
        super().__init__()
        self.process = process

    def __missing__(self, value):
        self[value] = result = self.process(value)
        return result


def _processor(kind, dialect):
    """The type's bind processor, remembered per value; for JSON (unhashable values) only the
    empty {} and [] are serialised once."""
    if not isinstance(kind, JSON):
        process = kind._cached_bind_processor(dialect)
        return None if process is None else _Memo(process).__getitem__
    # Text, as on SQLite, also for psycopg: its own processor wraps each value in an object that
    # COPY then serialises one by one (with the same serializer).
    process = kind._make_bind_processor(None, dialect._json_serializer or json.dumps)
    empty = {dict: process({}), list: process([])}

    def json_process(value):
        if not value and type(value) in empty:
            return empty[type(value)]
        return process(value)

    return json_process


def _dull_value(column, today: date):
    """A valid value for a required column the generator does not know."""
    kind = column.type
    if isinstance(kind, Enum):
        if kind.enum_class is not None:
            return next(iter(kind.enum_class))
        return kind.enums[0]
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, DateTime):
        return datetime.combine(today, time(9), tzinfo=UTC)
    if isinstance(kind, Date):
        return today
    if isinstance(kind, Integer | Numeric | Float):
        return 1 if column.name.endswith("version") else 0
    if isinstance(kind, JSON):
        return {}
    if isinstance(kind, String | Text):
        return ""
    return None


_FILL_PLANS: dict[tuple, tuple[list, list]] = {}


def fill(model, values: dict, today: date, refs: dict[str, int] | None = None) -> dict:
    """Keep the keys `model` has; add a value for every required column without a default.

    `refs` maps a referenced table name (e.g. "user", "child", "unit") to an id to use for a
    required foreign key the caller did not set.
    """
    table = model.__table__
    plan_key = (table.name, *values)  # a caller builds its rows with the keys in one order
    plan = _FILL_PLANS.get(plan_key)  # one lookup: hashing the long key is the cost here
    if plan is None:
        unknown = [k for k in values if k not in table.c]
        needed = [
            c
            for c in table.c
            if c.name not in values
            and not (c.primary_key or c.nullable)
            and c.default is None
            and c.server_default is None
        ]
        plan = _FILL_PLANS[plan_key] = (unknown, needed)
    unknown, needed = plan
    if not unknown and not needed:
        return values
    row = {k: v for k, v in values.items() if k not in unknown}
    for column in needed:
        value = None
        for fk in column.foreign_keys:
            value = (refs or {}).get(fk.column.table.name)
        if value is None:
            value = _dull_value(column, today)
        if value is not None:
            row[column.name] = value
    return row


def enum_value(column, wanted: str):
    """The member of the column's enum whose value or name is `wanted` (case-insensitive)."""
    kind = column.type
    if isinstance(kind, Enum) and kind.enum_class is not None:
        for member in kind.enum_class:
            if wanted.lower() in (str(member.value).lower(), member.name.lower()):
                return member
        return None
    if isinstance(kind, enum.EnumMeta):
        return None
    return wanted
