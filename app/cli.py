"""Command-line tools: `flask demo load`, `flask mail send`, `flask audit verify`, `flask users ...`."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from app import audit, demo, mail, services
from app.extensions import db
from app.models import Organisation, OrgKind, OrgRole

demo_cli = AppGroup("demo", help="Demo data for development.")
mail_cli = AppGroup("mail", help="The outgoing mail queue.")
audit_cli = AppGroup("audit", help="The audit trail.")
users_cli = AppGroup("users", help="People and organisations.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the demo organisations and accounts (idempotent)."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        click.echo("Demo data is never loaded in production (set DIGIONE_ENV=development).", err=True)
        sys.exit(1)
    accounts = demo.load()
    for loader in current_app.extensions.get("demo_loaders", []):
        loader()
    db.session.commit()
    click.echo(f"Demo accounts (password: {demo.DEMO_PASSWORD}):")
    for account in accounts:
        click.echo(f"  {account.email:<34} {account.description}")


@mail_cli.command("send")
@click.option("--limit", default=100, show_default=True, help="Most messages to send in one run.")
def mail_send(limit: int) -> None:
    """Deliver queued mail (SMTP when MAIL_SERVER is set, else print it)."""
    sent = failed = 0
    for message in mail.pending(limit):
        if mail.deliver(message, echo=click.echo):
            sent += 1
        else:
            failed += 1
        db.session.commit()
    click.echo(f"sent {sent}, failed {failed}")
    if failed:
        sys.exit(1)


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the hash chain of the audit trail."""
    report = audit.verify_chain()
    if report.ok:
        click.echo(f"OK: {report.checked} events, chain intact")
        return
    click.echo(f"BROKEN at event {report.broken_id}: {report.reason} ({report.checked} events before it are intact)")
    sys.exit(1)


@users_cli.command("create-coordinator")
@click.argument("email")
@click.argument("name")
@click.option("--organisation", default="DigiOne-koordinaatio", show_default=True)
@click.option("--business-id", default=None, help="Y-tunnus of the coordinator organisation, if new.")
@click.password_option()
def create_coordinator(email: str, name: str, organisation: str, business_id: str | None, password: str) -> None:
    """Create a coordinator admin (and the coordinator organisation if missing)."""
    problems = services.password_problems(password, email, name)
    if problems:
        raise click.ClickException(" ".join(problems))
    org = db.session.scalar(sa.select(Organisation).where(Organisation.kind == OrgKind.COORDINATOR.value))
    if org is None:
        org = services.create_organisation(None, OrgKind.COORDINATOR, organisation, business_id)
    try:
        user = services.register_user(email, name, password, "fi")
    except services.ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    user.organisation = org
    user.org_role = OrgRole.ADMIN.value
    audit.record(None, "user.joined_organisation", user, organisation_id=org.id, role=OrgRole.ADMIN.value)
    db.session.commit()
    click.echo(f"Created coordinator {user.email} in {org.name}")


bench_cli = AppGroup("bench", help="Benchmark data (see bench/ and `make bench`).")


@bench_cli.command("generate")
@click.option("--listings", default=10_000, show_default=True, help="Published listings.")
@click.option("--providers", default=2_000, show_default=True)
@click.option("--municipalities", default=300, show_default=True)
@click.option("--decisions", default=100_000, show_default=True)
@click.option("--seed", default=2026, show_default=True)
def bench_generate(listings: int, providers: int, municipalities: int, decisions: int, seed: int) -> None:
    """Fill an empty database with realistic data in bulk (never on a database with data)."""
    import time

    from bench.generate import generate

    if db.session.scalar(sa.select(sa.func.count(Organisation.id))):
        raise click.ClickException("The database is not empty; benchmark data goes into a fresh one.")
    started = time.perf_counter()
    generate(listings, providers, municipalities, decisions, seed)
    click.echo(f"generated in {time.perf_counter() - started:.1f} s")


def register_cli(app: Flask) -> None:
    for group in (demo_cli, mail_cli, audit_cli, users_cli, bench_cli):
        app.cli.add_command(group)
