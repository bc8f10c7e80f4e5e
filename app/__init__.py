"""Opspor: tidlig opsporing af mistrivsel hos 0–6-årige."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from flask import Flask

from app.config import Config

ROOT = Path(__file__).resolve().parent.parent

# One package per area of the domain. Each has routes.py with `init_app(app)`; its models.py
# (if any) is imported before the database is set up.
AREAS = (
    "auth",
    "children",
    "admin",
    "audit",
    "assessments",
    "reminders",
    "transitions",
    "concerns",
    "sync",
    "visits",
)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'opspor.db'}"

    from app import assets, cli, database, errors, i18n, web
    from app.extensions import compress, csrf, db, htmx, limiter, migrate

    database.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    i18n.init_app(app)
    assets.init_app(app)
    web.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    for area in AREAS:
        import_module(f"app.{area}.routes").init_app(app)
    return app
