"""`flask demo synthetic`: the synthetic municipality for the benchmark."""

from __future__ import annotations

import time

import click
from sqlalchemy import select, text

from app.extensions import db


@click.command("synthetic")
@click.option("--children", "n_children", default=40_000, show_default=True, type=int)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="Drop all tables and create them again first.")
@click.option("--analyze", is_flag=True, help="Gather the query planner's statistics afterwards.")
def synthetic(n_children: int, seed: int, reset: bool, analyze: bool) -> None:
    """Fill an empty database with a synthetic municipality of N children (invented data)."""
    from app.bench.bulk import sqlite_load
    from app.bench.synthetic import generate
    from app.org.models import Municipality

    started = time.perf_counter()
    if reset:
        db.drop_all()
        db.create_all()
    if db.session.scalar(select(Municipality.id).limit(1)) is not None:
        raise click.ClickException("The database already has data; use --reset to start over.")
    with sqlite_load():
        world = generate(n_children, seed)
        db.session.commit()
    if analyze:  # what PostgreSQL's autovacuum does by itself soon after a bulk load
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    counts = ", ".join(f"{table} {n}" for table, n in sorted(world.bulk.counts.items()))
    click.echo(f"Synthetic municipality: {counts}.")
    click.echo(f"Areas included: {', '.join(world.included) or 'none'}.")
    if world.skipped:
        click.echo(f"Areas not available yet (skipped): {', '.join(world.skipped)}.")
    click.echo(f"Done in {time.perf_counter() - started:.1f} s.")
