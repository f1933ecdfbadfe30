"""A bounded load test over loopback: many signed-in and anonymous clients at once, with writes.

    .venv/bin/python -m bench.load --database sqlite|postgresql [--clients 50] [--seconds 60]
                                   [--output build/reliability/load-<database>.json]

What it does, in order:

1. a fresh database (SQLite: a file in a temporary directory; PostgreSQL: a throwaway database on
   ``BENCH_POSTGRES``, default ``postgresql+psycopg://postgres@127.0.0.1:5432``), ``flask db upgrade`` and
   ``flask demo load`` (the demo data is loaded by the command line in development mode, as always);
2. gunicorn on a free loopback port, serving the *production* configuration (``Config``) with a random
   ``SECRET_KEY`` from the environment. Only three settings are overridden, through the factory's keyword
   arguments, because the test speaks plain http on loopback: the session and remember cookies are not
   ``Secure`` (a browser, like ``requests``, would not send them back over http) and URLs are built with
   http. The login rate limits are raised with ``LOGIN_RATE_LIMIT`` and ``LOGIN_ADDRESS_RATE_LIMIT``, the
   variables the configuration already reads: every client comes from 127.0.0.1, so the per-address limit
   (30 a minute in production) would refuse all but thirty sign-ins; each client still signs in exactly
   once, and a 429 counts as an error;
3. ``--clients`` threads (bench/load_clients.py), each with its own ``requests`` session (cookies,
   keep-alive), for ``--seconds``.
   Each client signs in once through the real /login form (the CSRF token read from the page) as one of the
   demo people who may comment on rules, then loops without pause over a mix of
   catalogue pages (/catalogue with keywords and facet filters, service pages),
   register pages (/register with keywords and filters, decision and case pages, Atom feeds),
   signed-in pages (/procurement, /procurement/orders, /organisation, /profile, the rules under consultation)
   and writes: a comment on the rules version under consultation, posted through its form like a browser
   (GET the page, read the CSRF token from the comment form, POST). A write creates one ``rules_comments``
   row and one ``rules.comment_added`` audit event; every comment carries a unique token;
4. afterwards (gunicorn stopped): the comments found in the database are compared, token by token, with the
   writes the server acknowledged (a 302 back to the rules page); the audit trail must have grown by one
   ``rules.comment_added`` per acknowledged write and one ``user.logged_in`` per sign-in; and
   ``flask audit verify`` must pass.

Any answer other than the expected one (every page 200, sign-in and write 302 to the right place), any 5xx,
connection error or timeout is an error; nothing is retried. Exit code 1 when there are errors, lost writes
or a broken audit trail. gunicorn is stopped and the database removed in every case.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import platform
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import (
    ROOT,
    VENV_BIN,
    cpu_model,
    drop_database,
    env_for,
    flask,
    free_port,
    fresh_database,
    log,
    make_app,
    percentile,
    server_version,
    start_server,
    stop_process,
    tail,
    wait_until_up,
)
from bench.load_clients import KINDS, REQUEST_TIMEOUT_S, SLOWEST, Client

#: Production configuration; only what plain http on loopback needs is overridden.
APP_FACTORY = 'app:create_app(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False, PREFERRED_URL_SCHEME="http")'


# --- the database ------------------------------------------------------------------------------------


def vocabulary(url: str) -> dict[str, Any]:
    """Paths and people taken from the demo data just loaded."""
    from app.extensions import db
    from app.models import Organisation, OrgKind, OrgStatus, User
    from governance.register import services as register
    from governance.rules import services as rules
    from governance.steering.models import Body, DecisionKind, Level, Resolution
    from marketplace.catalogue.models import CatalogueEntry
    from marketplace.catalogue.search import visible_providers
    from marketplace.catalogue.vocab import FACETS

    app = make_app(url)
    with app.app_context():
        entries = list(
            db.session.execute(
                sa.select(CatalogueEntry.slug, CatalogueEntry.name)
                .where(CatalogueEntry.organisation_id.in_(visible_providers()))
                .order_by(CatalogueEntry.slug)
            )
        )
        decisions = list(db.session.scalars(register.register_query(register.Filters())))
        consultations = [v.label for v in rules.open_consultations()]
        people = list(
            db.session.execute(
                sa.select(User.email, Organisation.kind)
                .join(Organisation, User.organisation_id == Organisation.id)
                .where(
                    User.active.is_(True),
                    Organisation.status == OrgStatus.ACTIVE.value,
                    Organisation.kind.in_([OrgKind.MUNICIPALITY.value, OrgKind.PROVIDER.value]),
                )
                .order_by(User.id)
            )
        )
        body_codes = list(db.session.scalars(sa.select(Body.code).order_by(Body.code)))
        vocab = {
            "slugs": [slug for slug, _name in entries],
            "catalogue_words": sorted({w for _slug, name in entries for w in re.findall(r"\w{4,}", name)}),
            "facets": {name: [str(v) for v in values] for name, (_label, values) in FACETS.items()},
            "decisions": [d.slug for d in decisions],
            "cases": sorted({d.case.record_number for d in decisions if d.case is not None}),
            "register_words": sorted({w for d in decisions for w in re.findall(r"\w{4,}", d.title)}),
            "years": sorted({d.decided_on.year for d in decisions}),
            "bodies": body_codes,
            "levels": [v.value for v in Level],
            "resolutions": [v.value for v in Resolution],
            "kinds": [v.value for v in DecisionKind],
            "consultations": consultations,
            "people": [(email, kind) for email, kind in people],
        }
        db.engine.dispose()
    if not vocab["consultations"]:
        raise RuntimeError("the demo data has no rules version under consultation to comment on")
    if not vocab["people"] or not vocab["slugs"] or not vocab["decisions"]:
        raise RuntimeError("the demo data lacks people, listings or decisions")
    return vocab


def database_counts(url: str, run_id: str) -> dict[str, Any]:
    """What is in the database: the comments of this run (their tokens) and the audit trail by action."""
    from app.audit import AuditEvent
    from app.extensions import db
    from governance.rules.models import RulesComment

    app = make_app(url)
    with app.app_context():
        bodies = list(
            db.session.scalars(sa.select(RulesComment.body).where(RulesComment.body.like(f"Load test {run_id}:%")))
        )
        by_action = dict(
            db.session.execute(sa.select(AuditEvent.action, sa.func.count()).group_by(AuditEvent.action)).all()
        )
        comments = db.session.scalar(sa.select(sa.func.count()).select_from(RulesComment))
        db.engine.dispose()
    return {
        "tokens": [b.rsplit(" ", 1)[-1] for b in bodies],
        "audit_by_action": by_action,
        "audit_total": sum(by_action.values()),
        "comments_total": comments,
    }


def database_settings(url: str) -> dict[str, Any]:
    """How the database was set up, as the app left it (for SQLite: journal mode and sync level)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                return {
                    "journal_mode": conn.exec_driver_sql("PRAGMA journal_mode").scalar(),
                    "synchronous": conn.exec_driver_sql("PRAGMA synchronous").scalar(),
                }
            return {
                "default_transaction_isolation": conn.exec_driver_sql("SHOW default_transaction_isolation").scalar(),
                "max_connections": conn.exec_driver_sql("SHOW max_connections").scalar(),
            }
    finally:
        engine.dispose()


# --- gunicorn ----------------------------------------------------------------------------------------


def login_rate_limit(clients: int) -> str:
    """Room for every client to sign in once from 127.0.0.1 (production: 10 per minute;50 per hour)."""
    return f"{max(10, 2 * clients)} per minute;{max(50, 5 * clients)} per hour"


def start_gunicorn(
    url: str, port: int, workers: int, threads: int, login_limit: str, log_path: Path
) -> tuple[subprocess.Popen[bytes], list[str]]:
    """gunicorn in production configuration on the database at `url` (not yet waited for) and its command."""
    env = {
        **os.environ,
        "DIGIONE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": url,
        "LOGIN_RATE_LIMIT": login_limit,
        "LOGIN_ADDRESS_RATE_LIMIT": login_limit,
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    env.pop("FLASK_APP", None)
    command = [
        str(VENV_BIN / "gunicorn"),
        "-w",
        str(workers),
        "-k",
        "gthread",
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "--graceful-timeout",
        "20",
        APP_FACTORY,
    ]
    return start_server(command, env, log_path), command


# --- results -----------------------------------------------------------------------------------------


def latency_summary(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"requests": 0, "p50_ms": 0.0, "p95_ms": 0.0, "max_ms": 0.0}
    return {
        "requests": len(values),
        "p50_ms": round(percentile(values, 0.50), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "max_ms": round(max(values), 1),
    }


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def server_log_findings(log_path: Path) -> dict[str, Any]:
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    return {
        "tracebacks": text.count("Traceback (most recent call last)"),
        "database_is_locked": text.count("database is locked"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
        "tail": tail(log_path, 40) if "Traceback" in text or "WORKER TIMEOUT" in text else "",
    }


def run(database: str, clients: int, seconds: float, output: Path, workers: int, threads: int) -> int:
    wall_started = time.perf_counter()
    run_id = secrets.token_hex(4)
    workdir = Path(tempfile.mkdtemp(prefix="digione-load-"))
    log_path = workdir / "gunicorn.log"
    url = None
    proc = None
    result: dict[str, Any] = {
        "database": database,
        "clients": clients,
        "seconds": seconds,
        "run_id": run_id,
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "machine": machine(),
    }
    ok = False
    try:
        url = fresh_database(database, f"digione_load_{os.getpid()}", workdir)
        if database == "postgresql":
            result["machine"]["postgresql"] = server_version(url)
        log(f"{database}: flask db upgrade, flask demo load")
        setup_started = time.perf_counter()
        flask(url, "db", "upgrade")
        flask(url, "demo", "load")
        vocab = vocabulary(url)
        before = database_counts(url, run_id)
        result["setup_s"] = round(time.perf_counter() - setup_started, 1)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        login_limit = login_rate_limit(clients)
        proc, command = start_gunicorn(url, port, workers, threads, login_limit, log_path)
        result["server"] = {
            "command": " ".join(command[1:]).replace(str(ROOT), "."),
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "config": "production (config.Config, DIGIONE_ENV=production, SECRET_KEY from the environment) "
            "with SESSION_COOKIE_SECURE, REMEMBER_COOKIE_SECURE off and PREFERRED_URL_SCHEME http "
            "for plain http on loopback",
            "login_rate_limit": login_limit,
            "login_rate_limit_note": "LOGIN_RATE_LIMIT and LOGIN_ADDRESS_RATE_LIMIT raised for this run only: "
            "all clients sign in from 127.0.0.1, once each (production defaults: "
            "10 per minute;50 per hour per address and account, 30 per minute;"
            "300 per hour per address)",
        }
        wait_until_up(proc, f"{base}/ping", log_path)
        log(
            f"{database}: gunicorn up on {base} ({workers} workers x {threads} threads); "
            f"{clients} clients for {seconds:g} s"
        )

        people = vocab["people"]
        clock: dict[str, float] = {}

        def start_clock() -> None:  # run by one client once all are ready: the load starts now
            clock["started"] = time.monotonic()
            clock["deadline"] = clock["started"] + seconds

        gate = threading.Barrier(clients, action=start_clock)
        lock = threading.Lock()
        examples: list[dict[str, Any]] = []
        pool = [
            Client(i, base, *people[i % len(people)], vocab, run_id, clock, gate, lock, examples)
            for i in range(clients)
        ]
        cpu_before, load_before = time.process_time(), os.getloadavg()
        for client in pool:
            client.start()
        for client in pool:
            client.join(timeout=seconds + REQUEST_TIMEOUT_S + 90)
        duration = time.monotonic() - clock.get("started", time.monotonic())
        client_cpu_s = time.process_time() - cpu_before
        load_after = os.getloadavg()
        stuck = [c.name for c in pool if c.is_alive()]
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn died during the run; log tail:\n{tail(log_path)}")
        stop_process(proc)
        proc = None

        # Merge what the clients saw.
        latencies: dict[str, list[float]] = defaultdict(list)
        counts, errors, error_types = Counter(), Counter(), Counter()
        acknowledged, unanswered, logins = [], [], 0
        for client in pool:
            for kind, values in client.tally.latencies.items():
                latencies[kind].extend(values)
            counts.update(client.tally.counts)
            errors.update(client.tally.errors)
            error_types.update(client.tally.error_types)
            acknowledged += client.tally.acknowledged
            unanswered += client.tally.unanswered
            logins += client.tally.logins
        if stuck:
            error_types["client did not finish"] += len(stuck)
        all_latencies = [x for values in latencies.values() for x in values]
        slowest = heapq.nlargest(SLOWEST, (s for client in pool for s in client.tally.slowest))
        total = sum(counts.values())
        error_count = sum(errors.values()) + len(stuck)

        # What was written.
        after = database_counts(url, run_id)
        stored = Counter(after["tokens"])
        acked = set(acknowledged)
        lost = sorted(acked - set(stored))
        duplicated = sorted(t for t, n in stored.items() if n > 1)
        unacknowledged_stored = sorted(set(stored) - acked)
        audit_added = {
            action: after["audit_by_action"].get(action, 0) - before["audit_by_action"].get(action, 0)
            for action in sorted(set(after["audit_by_action"]) | set(before["audit_by_action"]))
        }
        audit_added = {k: v for k, v in audit_added.items() if v}
        comment_events = audit_added.get("rules.comment_added", 0)
        login_events = audit_added.get("user.logged_in", 0)
        total_added = after["audit_total"] - before["audit_total"]
        verify = subprocess.run(
            [str(VENV_BIN / "flask"), "audit", "verify"],
            cwd=ROOT,
            env=env_for(url),
            capture_output=True,
            text=True,
            check=False,
        )
        audit_ok = (
            comment_events == len(acknowledged) and login_events == logins and total_added == len(acknowledged) + logins
        )
        writes_ok = not lost and not duplicated and len(stored) == len(acknowledged) + len(unacknowledged_stored)
        writes_equal = sum(stored.values()) == len(acknowledged)
        findings = server_log_findings(log_path)
        ok = error_count == 0 and writes_ok and writes_equal and audit_ok and verify.returncode == 0

        rps = total / duration if duration else 0.0
        overall = latency_summary(all_latencies)
        result.update(
            {
                "ok": ok,
                "duration_s": round(duration, 1),
                "requests": total,
                "requests_per_second": round(rps, 1),
                "latency_ms": {k: overall[k] for k in ("p50_ms", "p95_ms", "max_ms")},
                "per_kind": {
                    kind: {**latency_summary(latencies.get(kind, [])), "errors": errors.get(kind, 0)} for kind in KINDS
                },
                "slowest": [
                    {"ms": round(ms, 1), "kind": kind, "request": f"{method} {path}", "started_at_s": round(at, 1)}
                    for ms, kind, method, path, at in slowest
                ],
                "errors": {
                    "count": error_count,
                    "by_type": dict(error_types),
                    "examples": examples,
                    "stuck_clients": stuck,
                },
                "signed_in_clients": logins,
                "writes": {
                    "action": "POST /rules/<label>/comments (a comment on the rules version under consultation)",
                    "table": "rules_comments",
                    "acknowledged": len(acknowledged),
                    "rows_found": sum(stored.values()),
                    "lost": len(lost),
                    "lost_examples": lost[:10],
                    "duplicated": len(duplicated),
                    "attempted_without_success_answer": len(unanswered),
                    "stored_without_success_answer": len(unacknowledged_stored),
                    "equal": writes_equal and writes_ok,
                },
                "audit": {
                    "comment_events_added": comment_events,
                    "expected_comment_events": len(acknowledged),
                    "login_events_added": login_events,
                    "expected_login_events": logins,
                    "events_added": total_added,
                    "expected_events": len(acknowledged) + logins,
                    "added_by_action": audit_added,
                    "ok": audit_ok,
                    "verify": {"ok": verify.returncode == 0, "output": (verify.stdout + verify.stderr).strip()[-500:]},
                },
                "server_log": findings,
                "noise": {
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in load_after],
                    "load_generator_cpu_s": round(client_cpu_s, 1),
                    "note": "the clients, gunicorn and the database share this machine's cores",
                },
                "database_settings": database_settings(url),
            }
        )
        result["summary"] = (
            f"{database}: {clients} clients for {duration:.0f} s, {total} requests ({rps:.1f}/s), "
            f"p95 {overall['p95_ms']:.0f} ms, max {overall['max_ms']:.0f} ms, {error_count} errors; "
            f"writes acknowledged {len(acknowledged)} = rows {sum(stored.values())}"
            f"{'' if writes_equal and writes_ok else ' (MISMATCH)'}; audit +{total_added} "
            f"({'as expected' if audit_ok else 'UNEXPECTED'}), audit verify "
            f"{'passes' if verify.returncode == 0 else 'FAILS'}: {'OK' if ok else 'FAILED'}"
        )
    except Exception as exc:
        result["ok"] = False
        result["failure"] = f"{type(exc).__name__}: {exc}"
        result["summary"] = f"{database}: the load test could not run: {type(exc).__name__}: {str(exc)[:200]}"
        result["server_log"] = server_log_findings(log_path)
        raise
    finally:
        if proc is not None:
            stop_process(proc)
        if url is not None:
            try:
                drop_database(url)
            except sa.exc.SQLAlchemyError as exc:
                log(f"could not drop the database {sa.make_url(url).database}: {exc}")
        shutil.rmtree(workdir, ignore_errors=True)
        result["wall_time_s"] = round(time.perf_counter() - wall_started, 1)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str) + "\n")
        print(result.get("summary", ""), flush=True)
        print(f"results: {output}", flush=True)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--output", type=Path, help="default: build/reliability/load-<database>.json")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients and --seconds must be positive")
    output = args.output or ROOT / "build" / "reliability" / f"load-{args.database}.json"
    return run(args.database, args.clients, args.seconds, output, args.workers, args.threads)


if __name__ == "__main__":
    sys.exit(main())
