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
3. ``--clients`` threads, each with its own ``requests`` session (cookies, keep-alive), for ``--seconds``.
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
import html
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import sqlalchemy as sa

from app.demo import DEMO_PASSWORD
from bench.run import FACET_MARKER, PG_SERVER, env_for, flask, log
from bench.throughput import _stop, _tail, _wait_until_up

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
#: Production configuration; only what plain http on loopback needs is overridden.
APP_FACTORY = 'app:create_app(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False, PREFERRED_URL_SCHEME="http")'
REQUEST_TIMEOUT_S = 30.0
#: Share of each kind of step in a client's loop (a write step is a GET of the form page and a POST).
MIX = {"catalogue": 0.35, "register": 0.25, "signed-in": 0.25, "write": 0.15}
KINDS = ("login", "catalogue", "register", "signed-in", "write")
MAX_EXAMPLES = 12
SLOWEST = 8

_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)


# --- the database ------------------------------------------------------------------------------------


def fresh_database(kind: str, workdir: Path) -> tuple[str, str | None]:
    """A new empty database; returns its URL and, for PostgreSQL, the name to drop afterwards."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'load.sqlite'}", None
    name = f"digione_load_{os.getpid()}"
    engine = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return f"{PG_SERVER}/{name}", name


def drop_database(name: str) -> None:
    engine = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def make_app(url: str):
    from app import create_app
    from config import DevelopmentConfig

    return create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url)


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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def login_rate_limit(clients: int) -> str:
    """Room for every client to sign in once from 127.0.0.1 (production: 10 per minute;50 per hour)."""
    return f"{max(10, 2 * clients)} per minute;{max(50, 5 * clients)} per hour"


def start_gunicorn(url: str, port: int, workers: int, threads: int, login_limit: str, log_path: Path):
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
        str(GUNICORN),
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
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, command


# --- the clients -------------------------------------------------------------------------------------


def form_fields(page: str, action_contains: str) -> dict[str, str]:
    """The hidden inputs (the CSRF token among them) of the first form whose action contains the text."""
    for attrs, body in _FORM.findall(page):
        action = html.unescape(dict(_ATTR.findall(attrs)).get("action", ""))
        if action_contains in action:
            fields = {}
            for tag in _INPUT.findall(body):
                a = {k: html.unescape(v) for k, v in _ATTR.findall(tag)}
                if a.get("type") == "hidden" and "name" in a:
                    fields[a["name"]] = a.get("value", "")
            return fields
    return {}


@dataclass
class Tally:
    """What one client saw; merged after the run."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    counts: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    error_types: Counter = field(default_factory=Counter)
    examples: list[dict[str, Any]] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)  # write tokens whose POST got no success answer
    slowest: list[tuple[float, str, str, str, float]] = field(default_factory=list)  # a heap of the slowest
    logins: int = 0


class Client(threading.Thread):
    def __init__(
        self,
        number: int,
        base: str,
        email: str,
        org_kind: str,
        vocab: dict[str, Any],
        run_id: str,
        clock: dict[str, float],
        start_gate: threading.Barrier,
        examples_lock: threading.Lock,
        shared_examples: list[dict[str, Any]],
    ):
        super().__init__(name=f"client-{number}", daemon=True)
        self.number, self.base, self.email, self.org_kind = number, base, email, org_kind
        self.vocab, self.run_id, self.clock = vocab, run_id, clock
        self.rng = random.Random(f"{run_id}-{number}")
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "digione-bench-load"
        self.tally = Tally()
        self.gate = start_gate
        self.examples_lock, self.shared_examples = examples_lock, shared_examples
        self.signed_in = False
        self.writes = 0

    # One request: timed, checked, never retried.
    def call(
        self,
        kind: str,
        method: str,
        path: str,
        expect: int,
        data: dict[str, str] | None = None,
        location: str | None = None,
        facets: bool = False,
    ) -> requests.Response | None:
        started = time.perf_counter()
        problem = None
        response = None
        try:
            response = self.session.request(
                method, self.base + path, data=data, allow_redirects=False, timeout=REQUEST_TIMEOUT_S
            )
            response.content  # noqa: B018 - read the whole body inside the timing
        except requests.Timeout as exc:
            problem = ("timeout", repr(exc)[:300])
        except requests.RequestException as exc:
            problem = ("connection", repr(exc)[:300])
        elapsed = (time.perf_counter() - started) * 1000
        self.tally.counts[kind] += 1
        self.tally.latencies[kind].append(elapsed)
        slow = (elapsed, kind, method, path, time.monotonic() - self.clock["started"] - elapsed / 1000)
        if len(self.tally.slowest) < SLOWEST:
            heapq.heappush(self.tally.slowest, slow)
        elif elapsed > self.tally.slowest[0][0]:
            heapq.heapreplace(self.tally.slowest, slow)
        if response is not None:
            got_location = urlsplit(response.headers.get("Location", "")).path
            if response.status_code != expect:
                label = "5xx" if response.status_code >= 500 else f"status {response.status_code}"
                snippet = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))[:300]
                problem = (
                    label,
                    f"expected {expect}, got {response.status_code} "
                    f"{'-> ' + got_location if got_location else ''}: {snippet}",
                )
            elif location is not None and got_location != location:
                problem = ("wrong redirect", f"expected a redirect to {location}, got {got_location or 'none'}")
            elif facets and len(FACET_MARKER.findall(response.text)) != 10:
                problem = ("page content", "a catalogue page without its 10 facet sections")
        if problem is None:
            return response
        self.tally.errors[kind] += 1
        self.tally.error_types[problem[0]] += 1
        example = {
            "client": self.number,
            "user": self.email,
            "kind": kind,
            "method": method,
            "path": path,
            "error": problem[0],
            "detail": problem[1],
            "ms": round(elapsed, 1),
            "at": datetime.now(UTC).strftime("%H:%M:%S.%f")[:-3],
        }
        with self.examples_lock:
            if len(self.shared_examples) < MAX_EXAMPLES:
                self.shared_examples.append(example)
        return None

    def sign_in(self) -> None:
        page = self.call("login", "GET", "/login", 200)
        if page is None:
            return
        fields = form_fields(page.text, "/login")
        if "csrf_token" not in fields:
            self.call_failed("login", "/login", "no CSRF token in the sign-in form")
            return
        data = {**fields, "email": self.email, "password": DEMO_PASSWORD}
        if self.call("login", "POST", "/login", 302, data=data, location="/") is not None:
            self.signed_in = True
            self.tally.logins += 1

    def call_failed(self, kind: str, path: str, detail: str) -> None:
        self.tally.errors[kind] += 1
        self.tally.error_types["page content"] += 1
        with self.examples_lock:
            if len(self.shared_examples) < MAX_EXAMPLES:
                self.shared_examples.append(
                    {
                        "client": self.number,
                        "user": self.email,
                        "kind": kind,
                        "path": path,
                        "error": "page content",
                        "detail": detail,
                    }
                )

    def catalogue_path(self) -> str:
        v, r = self.vocab, self.rng
        roll = r.random()
        if roll < 0.3:
            return f"/catalogue/{r.choice(v['slugs'])}"
        parts = []
        if roll < 0.75 and v["catalogue_words"]:
            parts.append(f"q={r.choice(v['catalogue_words'])}")
        for name in r.sample(sorted(v["facets"]), r.randint(0, 3)):
            parts.append(f"{name}={r.choice(v['facets'][name])}")
        return quote("/catalogue" + ("?" + "&".join(parts) if parts else ""), safe="/?&=")

    def register_path(self) -> str:
        v, r = self.vocab, self.rng
        choices = [
            lambda: "/register",
            lambda: f"/register?q={r.choice(v['register_words'] or ['päätös'])}",
            lambda: f"/register?body={r.choice(v['bodies'])}&year={r.choice(v['years'])}",
            lambda: f"/register?resolution={r.choice(v['resolutions'])}&level={r.choice(v['levels'])}",
            lambda: f"/register?kind={r.choice(v['kinds'])}",
            lambda: f"/register/{r.choice(v['decisions'])}",
            lambda: f"/register/{r.choice(v['decisions'])}",
            lambda: f"/register/cases/{r.choice(v['cases'])}" if v["cases"] else "/register",
            lambda: "/register/feed.atom",
            lambda: f"/register/feed/{r.choice(v['bodies'])}.atom",
        ]
        return quote(r.choice(choices)(), safe="/?&=")

    def signed_in_path(self) -> str:
        pages = ["/organisation", "/profile", "/procurement/orders", f"/rules/{self.vocab['consultations'][0]}"]
        if self.org_kind == "municipality":
            pages.append("/procurement")
        return self.rng.choice(pages)

    def write(self) -> None:
        label = self.vocab["consultations"][0]
        page = self.call("signed-in", "GET", f"/rules/{label}", 200)
        if page is None:
            return
        fields = form_fields(page.text, f"/rules/{label}/comments")
        if "csrf_token" not in fields:
            self.call_failed("write", f"/rules/{label}", "no comment form with a CSRF token on the page")
            return
        self.writes += 1
        token = f"{self.run_id}-{self.number:03d}-{self.writes:05d}"
        data = {
            **fields,
            "section": "",
            "body": f"Load test {self.run_id}: a comment from client {self.number}, write {self.writes}, token {token}",
        }
        if (
            self.call("write", "POST", f"/rules/{label}/comments", 302, data=data, location=f"/rules/{label}")
            is not None
        ):
            self.tally.acknowledged.append(token)
        else:
            self.tally.unanswered.append(token)

    def run(self) -> None:
        try:
            self.steps()
        except Exception as exc:  # a fault of this script, not of the server: still an error of the run
            self.call_failed("client", "-", f"the client stopped: {type(exc).__name__}: {exc}")
        finally:
            self.session.close()

    def steps(self) -> None:
        self.gate.wait(timeout=120)
        deadline = self.clock["deadline"]
        self.sign_in()
        kinds, weights = list(MIX), list(MIX.values())
        while time.monotonic() < deadline:
            kind = self.rng.choices(kinds, weights)[0]
            if kind == "catalogue":
                path = self.catalogue_path()
                self.call("catalogue", "GET", path, 200, facets=not path.startswith("/catalogue/"))
            elif kind == "register":
                self.call("register", "GET", self.register_path(), 200)
            elif not self.signed_in:
                continue  # the failed sign-in is already an error; keep the anonymous part of the mix going
            elif kind == "signed-in":
                self.call("signed-in", "GET", self.signed_in_path(), 200)
            else:
                self.write()


# --- results -----------------------------------------------------------------------------------------


def latency_summary(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"requests": 0, "p50_ms": 0.0, "p95_ms": 0.0, "max_ms": 0.0}
    p95 = statistics.quantiles(values, n=100, method="inclusive")[94] if len(values) > 1 else values[0]
    return {
        "requests": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(max(values), 1),
    }


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu_count": os.cpu_count(),
        "cpu": cpu,
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
        "tail": _tail(log_path, 40) if "Traceback" in text or "WORKER TIMEOUT" in text else "",
    }


def run(database: str, clients: int, seconds: float, output: Path, workers: int, threads: int) -> int:
    wall_started = time.perf_counter()
    run_id = secrets.token_hex(4)
    workdir = Path(tempfile.mkdtemp(prefix="digione-load-"))
    log_path = workdir / "gunicorn.log"
    pg_name = None
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
        url, pg_name = fresh_database(database, workdir)
        if pg_name:
            engine = sa.create_engine(url)
            with engine.connect() as conn:
                result["machine"]["postgresql"] = conn.execute(sa.text("SHOW server_version")).scalar()
            engine.dispose()
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
        _wait_until_up(proc, base, log_path)
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
            raise RuntimeError(f"gunicorn died during the run; log tail:\n{_tail(log_path)}")
        _stop(proc)
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
            [str(ROOT / ".venv/bin/flask"), "audit", "verify"],
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
            _stop(proc)
        if pg_name:
            try:
                drop_database(pg_name)
            except sa.exc.SQLAlchemyError as exc:
                log(f"could not drop the database {pg_name}: {exc}")
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
