"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from app import create_app
from app.config import TestConfig
from app.extensions import db
from tests.conftest import DEFAULT_PG


@pytest.fixture
def migration_db_url(tmp_path, db_kind):
    if db_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    import os

    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)
    schema = "opspor_migrations_" + os.environ.get("PYTEST_XDIST_WORKER", "main")
    try:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"PostgreSQL not reachable at {url}: {exc.__class__.__name__}")
    sep = "&" if "?" in url else "?"
    yield f"{url}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def test_migrations_match_the_models_and_downgrade_cleanly(migration_db_url):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = migration_db_url
    app = create_app(config)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
