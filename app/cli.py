"""CLI commands grouped by topic: `flask demo …`, `flask users …`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app import clock
from app.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")
users_cli = AppGroup("users", help="Staff users.")


@demo_cli.command("seed")
@click.option("--reset", is_flag=True, help="Drop all data first.")
@click.option("--children", "n_children", default=300, show_default=True)
def demo_seed(reset: bool, n_children: int) -> None:
    """Fill the database with the invented demo municipality (only if it is empty)."""
    from sqlalchemy import select

    from app.demo.seed import seed_demo
    from app.org.models import Municipality

    if reset:
        db.drop_all()
        db.create_all()
    if db.session.scalar(select(Municipality.id).limit(1)) is not None:
        click.echo("Database already has data; use --reset to start over.")
        return
    context = seed_demo(clock.today(), n_children=n_children)
    db.session.commit()
    click.echo(f"Demo seeded: {len(context['children'])} children.")


@users_cli.command("create-admin")
@click.argument("email")
@click.argument("name")
def create_admin(email: str, name: str) -> None:
    """Create an administrator and print a one-time invitation link."""
    from flask import current_app, url_for

    from app.auth.models import Invitation, User

    user = User(email=email.lower(), name=name, is_admin=True)
    db.session.add(user)
    db.session.flush()
    _, token = Invitation.issue(user, current_app.config["INVITATION_DAYS"])
    db.session.commit()
    with current_app.test_request_context():
        click.echo(url_for("auth.accept_invitation", token=token, _external=True))


def init_app(app: Flask) -> None:
    from app.bench.cli import synthetic

    demo_cli.add_command(synthetic)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
