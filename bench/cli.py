"""`flask bench generate`: the benchmark data. Flask finds this group through the `flask.commands`
entry point in pyproject.toml, so the application never imports the benchmarks."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

bench_cli = AppGroup("bench", help="Benchmark data (see bench/ and `make bench`).")


@bench_cli.command("generate")
@click.option("--listings", default=10_000, show_default=True, help="Published listings.")
@click.option("--providers", default=2_000, show_default=True)
@click.option("--municipalities", default=300, show_default=True)
@click.option("--decisions", default=100_000, show_default=True)
@click.option("--seed", default=2026, show_default=True)
def bench_generate(listings: int, providers: int, municipalities: int, decisions: int, seed: int) -> None:
    """Fill an empty database with realistic data in bulk (never on a database with data)."""
    # Imported here, not above: every `flask` command loads this module to list its commands.
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Organisation
    from bench.generate import generate

    if db.session.scalar(sa.select(sa.func.count(Organisation.id))):
        raise click.ClickException("The database is not empty; benchmark data goes into a fresh one.")
    started = time.perf_counter()
    generate(listings, providers, municipalities, decisions, seed)
    click.echo(f"generated in {time.perf_counter() - started:.1f} s")
