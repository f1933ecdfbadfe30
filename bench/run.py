"""`make bench`: generate data at 10 000 and 100 000 listings on SQLite and on
PostgreSQL, measure the catalogue and the register, throughput under gunicorn
against a bare route, Datasette as a peer, memory, and check every answer.
Writes docs/benchmarks.md.

Latency is server-side: each request runs in process through the WSGI app
(the test client), timed from the call to the response, with the SQL
statements it ran counted. Throughput goes over loopback HTTP to gunicorn.
"""

from __future__ import annotations

import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "500"))
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
FACET_MARKER = re.compile(r'<section class="facet" aria-labelledby="facet-')
COLD = "catalogue: keyword + 3 filters, words not yet remembered"
GOALS = {"keyword_filters_p95_ms": 50, "first_page_p95_ms": 30, "growth": 2.0, "mix_ratio": 0.25, "rss_mb": 150}


@dataclass
class Measure:
    times_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        q = statistics.quantiles(self.times_ms, n=100, method="inclusive")
        return {
            "p50": statistics.median(self.times_ms),
            "p95": q[94],
            "p99": q[98],
            "n": len(self.times_ms),
            "sql": statistics.mean(self.statements),
        }


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def env_for(url: str) -> dict[str, str]:
    return {**os.environ, "DIGIONE_ENV": "development", "DATABASE_URL": url, "FLASK_APP": "wsgi"}


def fresh_database(kind: str, size: int) -> str:
    name = f"digione_bench_{size}"
    if kind == "sqlite":
        path = ROOT / "instance" / f"{name}.sqlite"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    engine = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{PG_SERVER}/{name}"


def flask(url: str, *args: str) -> str:
    result = subprocess.run(
        [str(ROOT / ".venv/bin/flask"), *args], cwd=ROOT, env=env_for(url), capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def generate(url: str, size: int) -> float:
    flask(url, "db", "upgrade")
    started = time.perf_counter()
    output = flask(url, "bench", "generate", "--listings", str(size))
    elapsed = time.perf_counter() - started
    log(output.strip().splitlines()[-1])
    return elapsed


def vocabulary(app) -> dict[str, Any]:
    from app.extensions import db
    from bench.generate import TOPICS
    from marketplace.catalogue.models import CatalogueEntry
    from marketplace.catalogue.search import visible_providers

    with app.app_context():
        slugs = list(
            db.session.scalars(
                sa.select(CatalogueEntry.slug)
                .where(CatalogueEntry.organisation_id.in_(visible_providers()))
                .order_by(sa.func.random())
                .limit(300)
            )
        )
        total = db.session.scalar(sa.select(sa.func.count(CatalogueEntry.service_id)))
    return {"topics": [t.split()[0] for t in TOPICS], "slugs": slugs, "total": total}


def scenarios(vocab: dict[str, Any], rng: random.Random) -> dict[str, list[str]]:
    topics = vocab["topics"]
    levels = ["pre_primary", "grades_1_6", "grades_7_9", "upper_secondary"]
    standards = ["mpassid", "lti13", "oneroster12", "qti30", "xapi"]
    deep = max(1, int(vocab["total"] / 20 * 0.9))
    return {
        "catalogue: first page with facets": ["/catalogue"],
        "catalogue: keyword": [f"/catalogue?q={t}" for t in topics],
        "catalogue: keyword + 3 filters": [
            f"/catalogue?q={rng.choice(topics)}&level={rng.choice(levels)}&standard={rng.choice(standards)}&language=fi"
            for _ in range(100)
        ],
        COLD: [
            f"/catalogue?q={rng.choice(topics)}&level={rng.choice(levels)}&standard={rng.choice(standards)}&language=fi"
            for _ in range(100)
        ],
        "catalogue: deep page": [f"/catalogue?page={deep - i}" for i in range(20)],
        "catalogue: service page": [f"/catalogue/{slug}" for slug in vocab["slugs"]],
        "register: list": ["/register"],
        "register: keyword": [f"/register?q={t}" for t in topics],
        "register: filtered": [
            f"/register?body={b}&year={y}&resolution=approved" for b in ("OR", "JT", "T-01") for y in range(2015, 2027)
        ],
    }


def mix_paths(vocab: dict[str, Any], rng: random.Random, count: int = 1200) -> list[str]:
    """At least 1 000 different keyword and filter combinations."""
    from marketplace.catalogue.vocab import FACETS

    paths: set[str] = set()
    facets = list(FACETS.items())
    while len(paths) < count:
        parts = []
        if rng.random() < 0.7:
            parts.append(f"q={rng.choice(vocab['topics'])}")
        for name, (_label, values) in rng.sample(facets, rng.randint(0, 3)):
            parts.append(f"{name}={rng.choice(list(values))}")
        if rng.random() < 0.2:
            parts.append(f"page={rng.randint(2, 5)}")
        paths.add(quote("/catalogue" + ("?" + "&".join(parts) if parts else ""), safe="/?&="))
    return sorted(paths)


def check_counts(app, path: str) -> None:
    """The served counts must equal direct SQL counts (the reference implementation)."""
    from urllib.parse import parse_qs, urlsplit

    from werkzeug.datastructures import MultiDict

    from marketplace.catalogue import search

    split = urlsplit(path)
    args = MultiDict([(k, v) for k, vs in parse_qs(split.query).items() for v in vs])
    with app.test_request_context(path):
        query, _errors = search.parse(args)
        fast, reference = search.search(query), search.search_sql(query)
        shown = [(f.name, [(v.value, v.count) for v in f.values]) for f in fast.facets]
        truth = [(f.name, [(v.value, v.count) for v in f.values]) for f in reference.facets]
        if fast.total != reference.total or shown != truth:
            raise AssertionError(f"facet counts differ from SQL for {path}")


def measure(app, paths: list[str], count: int, cold: bool = False) -> Measure:
    """Serve the paths in turn, `count` requests in all. With `cold`, every request comes as the
    first search of its words since the catalogue changed: the remembered keyword bitmaps and
    rendered cards are dropped before it (outside the timed part)."""
    from app.extensions import db
    from marketplace.catalogue import facet_index

    client = app.test_client()
    statements = [0]

    def counter(*_args):
        statements[0] += 1

    with app.app_context():
        engine = db.engine
    for path in paths[:20]:
        client.get(path)
    result = Measure()
    sa.event.listen(engine, "before_cursor_execute", counter)
    try:
        for i in range(count):
            path = paths[i % len(paths)]
            if cold:
                facet_index.forget_remembered()
            statements[0] = 0
            started = time.perf_counter()
            response = client.get(path)
            result.times_ms.append((time.perf_counter() - started) * 1000)
            result.statements.append(statements[0])
            if response.status_code != 200:
                raise AssertionError(f"{path} answered {response.status_code}")
            if path.startswith("/catalogue") and not path.startswith("/catalogue/"):
                if len(FACET_MARKER.findall(response.get_data(as_text=True))) != 10:
                    raise AssertionError(f"{path}: incomplete facets")
                if i % 50 == 0:
                    check_counts(app, path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", counter)
    return result


def run_one(kind: str, size: int) -> dict[str, Any]:
    log(f"{kind}, {size} listings: generating")
    url = fresh_database(kind, size)
    generation = generate(url, size)
    from app import create_app
    from config import DevelopmentConfig

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url)
    rng = random.Random(size)
    vocab = vocabulary(app)
    results: dict[str, Any] = {"generation_s": generation, "latency": {}}
    for name, paths in scenarios(vocab, rng).items():
        results["latency"][name] = measure(app, paths, REQUESTS, cold=name == COLD).summary()
        log(f"{kind} {size} {name}: {results['latency'][name]}")
    if size == max(SIZES):
        from bench import throughput

        mix = mix_paths(vocab, rng)
        log(f"{kind} {size}: throughput with gunicorn")
        results["throughput"] = throughput.run_throughput(url, mix, "/catalogue")
        if kind == "sqlite":
            log("Datasette peer")
            results["datasette"] = run_peer(app, url, vocab, rng)
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    return results


def run_peer(app, url: str, vocab: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The same two questions to Datasette and to the app, over HTTP, in the same run."""

    from bench import datasette_peer

    path = str(ROOT / "instance" / "listings.db")
    Path(path).unlink(missing_ok=True)
    datasette_peer.build_datasette_db(url, path)
    cases = [
        (
            rng.choice(vocab["topics"]),
            {"level": rng.choice(["grades_1_6", "grades_7_9"]), "standard": "mpassid", "language": "fi"},
        )
        for _ in range(20)
    ]
    first, _ = datasette_peer.datasette_paths(cases[0][0], cases[0][1])
    peer_paths = {
        "first page with facets": [first],
        "keyword + 3 filters + facets": [datasette_peer.datasette_paths(k, f)[1] for k, f in cases],
    }
    peer = datasette_peer.run_datasette(path, peer_paths, repeat=20)  # Datasette needs seconds per faceted page
    ours_paths = {
        "first page with facets": ["/catalogue"],
        "keyword + 3 filters + facets": [
            f"/catalogue?q={k}&" + "&".join(f"{n}={v}" for n, v in f.items()) for k, f in cases
        ],
    }
    ours = http_latency(url, ours_paths)
    return {"datasette": peer, "app": ours}


def http_latency(url: str, paths: dict[str, list[str]], repeat: int = 200, port: int = 8767) -> dict[str, Any]:
    """Sequential requests over loopback to one gunicorn worker (as Datasette is measured)."""
    import signal
    import urllib.request

    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env_for(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        out: dict[str, Any] = {}
        for name, group in paths.items():
            for p in group[:10]:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{quote(p, safe='/?&=')}").read()
            times = []
            for i in range(repeat):
                started = time.perf_counter()
                path = quote(group[i % len(group)], safe="/?&=")
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").read().decode()
                times.append((time.perf_counter() - started) * 1000)
                if len(FACET_MARKER.findall(body)) != 10:
                    raise AssertionError("incomplete facets over HTTP")
            q = statistics.quantiles(times, n=100, method="inclusive")
            out[name] = {"p50_ms": statistics.median(times), "p95_ms": q[94], "p99_ms": q[98], "requests": repeat}
        return out
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "?",
    )
    try:
        engine = sa.create_engine(f"{PG_SERVER}/postgres")
        with engine.connect() as conn:
            pg = conn.execute(sa.text("SHOW server_version")).scalar()
        engine.dispose()
    except sa.exc.SQLAlchemyError:
        pg = "unavailable"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg,
    }


def main() -> None:
    started = time.perf_counter()
    results: dict[str, dict[int, Any]] = {}
    import json

    from bench.report import write_report

    raw = ROOT / "docs" / "benchmarks.json"
    if raw.exists():  # a run of one database keeps the other's last figures
        earlier = json.loads(raw.read_text())
        results.update(
            {
                kind: {int(size): value for size, value in by_size.items()}
                for kind, by_size in earlier.items()
                if kind not in DATABASES and kind != "_run"
            }
        )
    for kind in DATABASES:
        by_size = {size: run_one(kind, size) for size in SIZES}
        results[kind] = by_size
        raw.parent.mkdir(exist_ok=True)
        run = {"machine": machine(), "elapsed_s": time.perf_counter() - started, "sizes": SIZES}
        raw.write_text(json.dumps({**results, "_run": run}, indent=1, default=str))
        # Written after each database, so a run cut short still leaves what it measured.
        write_report(ROOT / "docs" / "benchmarks.md", run["machine"], results, SIZES, GOALS, run["elapsed_s"])
    log(f"done in {time.perf_counter() - started:.0f} s; see docs/benchmarks.md")


if __name__ == "__main__":
    sys.exit(main())
