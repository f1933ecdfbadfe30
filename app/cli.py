"""Command-line tools: `flask demo load`, `flask mail send`, `flask audit verify`, `flask users ...`,
`flask backup`, `flask restore`."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app import audit, backup, demo, jobs, mail, operations, services
from app.extensions import db
from app.models import Organisation, OrgKind, OrgRole
from app.submissions import forget_submissions_older_than

demo_cli = AppGroup("demo", help="Demo data for development.")
mail_cli = AppGroup("mail", help="The outgoing mail queue.")
jobs_cli = AppGroup("jobs", help="Background work (huey): the worker and the periodic jobs.")
audit_cli = AppGroup("audit", help="The audit trail.")
users_cli = AppGroup("users", help="People and organisations.")
submissions_cli = AppGroup("submissions", help="The ids of forms already saved (each form takes effect once).")


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
    """Deliver the queued mail that is due (SMTP when MAIL_SERVER is set, else print it). Safe to
    run on several hosts at once: each message is claimed before it is sent, and sent once."""
    job = operations.start_job("mail-send")
    sent, failed = mail.send_due(limit, echo=click.echo)
    logging.getLogger("digione.jobs").info(
        "mail send: sent %d, failed %d", sent, failed, extra={"job": job, "sent": sent, "failed": failed}
    )
    click.echo(f"sent {sent}, failed {failed}")
    if failed:
        sys.exit(1)


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Jobs run at the same time (threads).")
def jobs_worker(workers: int) -> None:
    """Run the periodic jobs (and any queued) until stopped: on one host or on every host."""
    jobs.use_app(current_app._get_current_object())  # type: ignore[attr-defined]
    consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    click.echo(f"jobs worker: {', '.join(f'{j.name} ({j.schedule})' for j in jobs.JOBS.values())}")
    consumer.run()


@jobs_cli.command("run")
@click.argument("name")
def jobs_run(name: str) -> None:
    """Run one job now (its effects take place once, as from the worker)."""
    if name not in jobs.JOBS:
        raise click.BadParameter(f"no job {name!r}; the jobs are {', '.join(jobs.JOBS)}", param_hint="NAME")
    click.echo(f"{name}: {jobs.run_job(name)}")


@jobs_cli.command("enqueue")
@click.argument("name")
def jobs_enqueue(name: str) -> None:
    """Queue one job for the workers to run now."""
    if name not in jobs.JOBS:
        raise click.BadParameter(f"no job {name!r}; the jobs are {', '.join(jobs.JOBS)}", param_hint="NAME")
    jobs.run_named(name)
    click.echo(f"{name}: queued")


@jobs_cli.command("list")
def jobs_list() -> None:
    """The periodic jobs and when they run."""
    for job in jobs.JOBS.values():
        click.echo(f"{job.name:<18} {job.schedule}")


@submissions_cli.command("prune")
@click.option(
    "--days",
    default=30,
    show_default=True,
    type=click.IntRange(min=1),
    help="Keep the ids of forms saved in this many last days.",
)
def submissions_prune(days: int) -> None:
    """Forget the ids of forms saved long ago (a copy of a form that old is no double-click)."""

    removed = forget_submissions_older_than(days)
    db.session.commit()
    click.echo(f"forgot {removed} form submissions older than {days} days")


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
        user = services.register_user(email, name, password, "fi", confirmed=True)
    except services.ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    user.organisation = org
    user.org_role = OrgRole.ADMIN.value
    audit.record(None, "user.joined_organisation", user, organisation_id=org.id, role=OrgRole.ADMIN.value)
    db.session.commit()
    click.echo(f"Created coordinator {user.email} in {org.name}")


#: Tables whose row counts `flask backup` and `flask restore` print (all are counted).
KEY_TABLES = ("organisations", "users", "services", "decisions", "orders", "stored_files", "audit_events")


def _summary(row_counts: dict[str, int]) -> str:
    keys = ", ".join(f"{name} {row_counts[name]}" for name in KEY_TABLES if name in row_counts)
    return f"{len(row_counts)} tables, {sum(row_counts.values())} rows ({keys})"


def _chain_head() -> dict[str, object] | None:
    """The last audit event before a restore replaces the trail (None if there is none to read)."""
    try:
        event = db.session.scalar(sa.select(audit.AuditEvent).order_by(audit.AuditEvent.id.desc()).limit(1))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return None
    return None if event is None else {"id": event.id, "hash": event.hash}


@click.command("backup")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path: Path | None) -> None:
    """Back up the database to PATH.

    A consistent copy, taken while the app serves; without PATH a timestamped file in BACKUP_DIR.
    """
    tables = [table.name for table in db.metadata.sorted_tables]
    try:
        if path is None:
            result = backup.backup(db.engine, current_app.config["BACKUP_DIR"], tables=tables, create_directory=True)
        else:
            result = backup.backup(db.engine, path, tables=tables)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up {backup.describe(db.engine.url)} to {result.path}")
    click.echo(f"  {result.size:,} bytes, sha256 {result.sha256}, {result.seconds:.1f} s")
    click.echo(f"  {_summary(result.row_counts)}")
    try:  # a full copy of the personal data left the database: who took it, when, and which file
        audit.record(
            None,
            "database.backed_up",
            ("database", result.dialect),
            file=str(result.path),
            size=result.size,
            sha256=result.sha256,
            rows=result.rows,
        )
        db.session.commit()
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        raise click.ClickException(
            f"The backup was written, but recording it in the audit trail failed: "
            f"{str(getattr(exc, 'orig', exc)).strip()}"
        ) from exc


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Replace all data without asking.")
@click.option(
    "--lock-timeout",
    default=30.0,
    show_default=True,
    help="Seconds to wait for other connections to let go of the database before giving up.",
)
@with_appcontext
def restore_command(path: Path, yes: bool, lock_timeout: float) -> None:
    """Restore the backup in PATH, replacing ALL data.

    Stop the app first. The file is checked before anything is touched.
    """
    engine = db.engine
    try:
        checked = backup.inspect_file(engine, path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    target = backup.describe(engine.url)
    if not yes:
        if not sys.stdin.isatty():
            raise click.ClickException(
                f"Restoring replaces ALL data in {target} with {checked.path}; "
                "nothing was changed. Run again with --yes to confirm."
            )
        click.confirm(f"Replace ALL data in {target} with {checked.path}?", abort=True)
    replaced = _chain_head()
    db.session.remove()  # let go of this process's connection before the data is replaced
    try:
        result = backup.restore(
            engine, checked, tables=[table.name for table in db.metadata.sorted_tables], lock_timeout=lock_timeout
        )
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {result.path} into {target}")
    click.echo(f"  {result.size:,} bytes, sha256 {result.sha256}, {result.seconds:.1f} s")
    click.echo(f"  {_summary(result.row_counts)}")
    if result.untouched_tables:
        click.echo(
            f"  Not in the backup, kept as they were: {', '.join(result.untouched_tables)} "
            "(from a newer version? drop them, then run `flask db upgrade`)"
        )
    report = audit.verify_chain()
    if report.ok:
        click.echo(f"  Audit chain: OK, {report.checked} events, chain intact")
    else:
        click.echo(
            f"  Audit chain: BROKEN at event {report.broken_id}: {report.reason} "
            f"({report.checked} events before it are intact)"
        )
    event = audit.record(
        None,
        "database.restored",
        ("database", result.dialect),
        file=str(result.path),
        size=result.size,
        sha256=result.sha256,
        rows=result.rows,
        replaced_chain_head=replaced,
        chain_ok=report.ok,
        chain_events=report.checked,
    )
    db.session.commit()
    click.echo(f"  Recorded audit event {event.id} ({event.action})")
    if not report.ok:
        sys.exit(1)


def register_cli(app: Flask) -> None:
    for group in (demo_cli, mail_cli, jobs_cli, audit_cli, users_cli, submissions_cli):
        app.cli.add_command(group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
