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
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from bench.common import (
    FACET_MARKER,
    ROOT,
    VENV_BIN,
    cpu_model,
    env_for,
    flask,
    fresh_database,
    log,
    make_app,
    percentile,
    postgres_url,
    server_version,
    start_server,
    stop_process,
    wait_until_up,
)

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "500"))
COLD = "catalogue: keyword + 3 filters, words not yet remembered"
GOALS = {"keyword_filters_p95_ms": 50, "first_page_p95_ms": 30, "growth": 2.0, "mix_ratio": 0.25, "rss_mb": 150}


@dataclass
class Measure:
    times_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        return {
            "p50": percentile(self.times_ms, 0.50),
            "p95": percentile(self.times_ms, 0.95),
            "p99": percentile(self.times_ms, 0.99),
            "n": len(self.times_ms),
            "sql": statistics.mean(self.statements),
        }


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
    # Kept after the run (instance/ and PostgreSQL), for a look; the next run replaces them.
    url = fresh_database(kind, f"digione_bench_{size}", ROOT / "instance")
    generation = generate(url, size)
    app = make_app(url)
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
    with tempfile.TemporaryDirectory(prefix="digione-http-latency-") as tmp:
        log_path = Path(tmp) / "gunicorn.log"
        command = [str(VENV_BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"]
        process = start_server(command, env_for(url), log_path)
        try:
            wait_until_up(process, f"http://127.0.0.1:{port}/ping", log_path)
            return _time_paths(port, paths, repeat)
        finally:
            stop_process(process)


def _time_paths(port: int, paths: dict[str, list[str]], repeat: int) -> dict[str, Any]:
    """Each group of paths `repeat` times, one request at a time, after up to ten unmeasured ones."""
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
        out[name] = {
            "p50_ms": percentile(times, 0.50),
            "p95_ms": percentile(times, 0.95),
            "p99_ms": percentile(times, 0.99),
            "requests": repeat,
        }
    return out


def machine() -> dict[str, str]:
    memory = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "?",
    )
    try:
        pg = server_version(postgres_url("postgres"))
    except sa.exc.SQLAlchemyError:
        pg = "unavailable"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
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
