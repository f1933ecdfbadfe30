"""A peer to compare the catalogue with: the same visible listings served by Datasette.

`build_datasette_db` copies the visible published listings of the app database into a SQLite file laid out
the way Datasette facets and searches it (JSON arrays for the multi-valued facets, an FTS5 table it detects);
`datasette_paths` builds the Datasette URLs equivalent to the catalogue's first page and a filtered search;
`run_datasette` serves the file with `datasette serve` and times those URLs sequentially, checking every answer.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import sqlalchemy as sa

from bench.common import VENV_BIN, fetch, percentile, port_in_use, start_server, stop_process, wait_until_up

DATASETTE = VENV_BIN / "datasette"
STARTUP_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 120.0
CHUNK = 5_000

#: The app's facets in the order the catalogue shows them, with the column of each in `listings`.
FACET_COLUMNS: dict[str, str] = {
    "category": "category",
    "level": "levels",
    "role": "roles",
    "subject": "subjects",
    "language": "languages",
    "standard": "standards",
    "accessibility": "accessibility",
    "hosting": "hosting",
    "personal_data": "personal_data",
    "model": "models",
}
#: Facets with one value a listing: plain text columns, faceted with `_facet`, filtered with `column=value`.
SINGLE_VALUED = ("category", "accessibility", "hosting", "personal_data")
#: Facets with several values a listing: JSON arrays, faceted with `_facet_array`, filtered with `__arraycontains`.
MULTI_VALUED = ("level", "role", "subject", "language", "standard", "model")

_SCHEMA = """
CREATE TABLE listings (
    id INTEGER PRIMARY KEY,
    name TEXT,
    summary TEXT,
    provider TEXT,
    category TEXT,
    levels TEXT,
    roles TEXT,
    subjects TEXT,
    languages TEXT,
    standards TEXT,
    accessibility TEXT,
    hosting TEXT,
    personal_data TEXT,
    models TEXT,
    min_price_cents INTEGER,
    search_text TEXT
)
"""
_COLUMNS = (
    "id",
    "name",
    "summary",
    "provider",
    "category",
    "levels",
    "roles",
    "subjects",
    "languages",
    "standards",
    "accessibility",
    "hosting",
    "personal_data",
    "models",
    "min_price_cents",
    "search_text",
)
# Datasette's detect_fts() finds an FTS table for `listings` by the `content="listings"` in its SQL.
_FTS = """
CREATE VIRTUAL TABLE listings_fts USING fts5(name, summary, search_text, content="listings")
"""

_entries = sa.table(
    "catalogue_entries",
    sa.column("service_id"),
    sa.column("organisation_id"),
    sa.column("name"),
    sa.column("summary"),
    sa.column("provider_name"),
    sa.column("category"),
    sa.column("accessibility"),
    sa.column("hosting"),
    sa.column("min_price_cents"),
    sa.column("search_text"),
)
_organisations = sa.table("organisations", sa.column("id"), sa.column("kind"), sa.column("status"))
_tags = sa.table("catalogue_tags", sa.column("facet"), sa.column("value"), sa.column("service_id"))
_visible = sa.and_(_organisations.c.status == "active", _organisations.c.kind == "provider")
_entries_with_org = _entries.join(_organisations, _organisations.c.id == _entries.c.organisation_id)


# --- building the database ------------------------------------------------------------------------------


def _single(values: dict[str, list[str]], facet: str, fallback: str | None = None) -> str | None:
    """The value of a single-valued facet (from the tags; the entry's own column if it has no tag)."""
    found = sorted(values.get(facet, ()))
    return found[0] if found else fallback


def _multi(values: dict[str, list[str]], facet: str) -> str:
    """The values of a multi-valued facet as a JSON array of sorted strings."""
    return json.dumps(sorted(values.get(facet, ())))


def _listing_rows(database_url: str) -> Iterator[tuple[Any, ...]]:
    """The visible listings as rows of `listings`, read as two streams (entries, tags) merged on service_id."""
    entries_query = (
        sa.select(
            _entries.c.service_id,
            _entries.c.name,
            _entries.c.summary,
            _entries.c.provider_name,
            _entries.c.category,
            _entries.c.accessibility,
            _entries.c.hosting,
            _entries.c.min_price_cents,
            _entries.c.search_text,
        )
        .select_from(_entries_with_org)
        .where(_visible)
        .order_by(_entries.c.service_id)
    )
    tags_query = (
        sa.select(_tags.c.service_id, _tags.c.facet, _tags.c.value)
        .select_from(_tags.join(_entries_with_org, _entries.c.service_id == _tags.c.service_id))
        .where(_visible)
        .order_by(_tags.c.service_id)
    )
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as entries_conn, engine.connect() as tags_conn:
            entries = entries_conn.execution_options(yield_per=CHUNK).execute(entries_query)
            tags = iter(tags_conn.execution_options(yield_per=4 * CHUNK).execute(tags_query))
            tag = next(tags, None)
            for sid, name, summary, provider, category, accessibility, hosting, price, search_text in entries:
                values: dict[str, list[str]] = {}
                while tag is not None and tag[0] <= sid:
                    if tag[0] == sid:
                        values.setdefault(tag[1], []).append(tag[2])
                    tag = next(tags, None)
                yield (
                    sid,
                    name,
                    summary,
                    provider,
                    _single(values, "category", category),
                    _multi(values, "level"),
                    _multi(values, "role"),
                    _multi(values, "subject"),
                    _multi(values, "language"),
                    _multi(values, "standard"),
                    _single(values, "accessibility", accessibility),
                    _single(values, "hosting", hosting),
                    _single(values, "personal_data"),
                    _multi(values, "model"),
                    price,
                    search_text,
                )
    finally:
        engine.dispose()


def build_datasette_db(database_url: str, path: str) -> int:
    """Write a fresh SQLite file at `path` with the visible listings of the app database; return their count.

    A listing is visible when its organisation is an active provider. The file has one table, `listings`
    (multi-valued facets as JSON arrays of sorted values, single-valued ones as text, each of those indexed)
    and an external-content FTS5 table `listings_fts` over name, summary and search_text, which Datasette
    detects, so that `?_search=` works on the table.
    """
    target = Path(path)
    for stale in (
        target,
        target.with_name(target.name + "-journal"),
        target.with_name(target.name + "-wal"),
        target.with_name(target.name + "-shm"),
    ):
        stale.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    insert = f"INSERT INTO listings ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
    count = 0
    conn = sqlite3.connect(target)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(_SCHEMA)
        chunk: list[tuple[Any, ...]] = []
        for row in _listing_rows(database_url):
            chunk.append(row)
            if len(chunk) >= CHUNK:
                conn.executemany(insert, chunk)
                count += len(chunk)
                chunk.clear()
        conn.executemany(insert, chunk)
        count += len(chunk)
        for facet in SINGLE_VALUED:
            column = FACET_COLUMNS[facet]
            conn.execute(f"CREATE INDEX idx_listings_{column} ON listings ({column})")
        conn.execute(_FTS)
        conn.execute("INSERT INTO listings_fts(listings_fts) VALUES('rebuild')")
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()
    return count


# --- URLs -----------------------------------------------------------------------------------------------


def _facet_args() -> list[tuple[str, str]]:
    return [("_facet" if facet in SINGLE_VALUED else "_facet_array", column) for facet, column in FACET_COLUMNS.items()]


def datasette_paths(
    keyword: str, filters: dict[str, str], table_path: str = "/listings/listings.json"
) -> tuple[str, str]:
    """Datasette paths equivalent to the catalogue: (the faceted first page, a keyword + filters page).

    Both facet on all 10 facets and show 20 rows. The second adds ``_search=keyword`` (if not empty) and a
    filter for each entry of `filters`, keyed by the app's parameter names (``category``, ``level``, ...):
    ``column=value`` for single-valued facets, ``column__arraycontains=value`` for multi-valued ones.
    Both set ``_nosuggest=1``: the catalogue computes no facet suggestions, so Datasette should not either.
    `table_path` must match the file name (``listings.db`` is served as database ``listings``).
    """
    common = [*_facet_args(), ("_size", "20"), ("_nosuggest", "1")]
    conditions: list[tuple[str, str]] = []
    if keyword:
        conditions.append(("_search", keyword))
    for name, value in filters.items():
        if name not in FACET_COLUMNS:
            raise ValueError(f"unknown catalogue filter {name!r}; expected one of {', '.join(FACET_COLUMNS)}")
        column = FACET_COLUMNS[name]
        conditions.append((column if name in SINGLE_VALUED else f"{column}__arraycontains", value))
    return f"{table_path}?{urlencode(common)}", f"{table_path}?{urlencode(conditions + common)}"


# --- serving and timing ---------------------------------------------------------------------------------


def _requested_facets(path: str) -> set[str]:
    """The columns a Datasette path asks facets for (its `_facet` and `_facet_array` parameters)."""
    return {value for key, value in parse_qsl(urlsplit(path).query) if key in ("_facet", "_facet_array")}


def check_answer(path: str, status: int, body: bytes) -> str | None:
    """None when a table page answered in full, else what is wrong with it.

    In full: status 200, a JSON object, no facet timed out, and every requested facet in ``facet_results``.
    Datasette 0.65 gives ``facet_results`` as ``{column: {...}}`` and keeps ``facets_timed_out`` out of the
    JSON (a timed-out facet is then simply missing); Datasette 1.0 nests them as
    ``facet_results: {"results": {...}, "timed_out": [...]}``. Both are understood.
    """
    if status != 200:
        return f"HTTP {status}"
    try:
        data = json.loads(body)
    except ValueError:
        return "not JSON"
    if not isinstance(data, dict):
        return "JSON but not an object"
    facets = data.get("facet_results") or {}
    timed_out = list(data.get("facets_timed_out") or [])
    if isinstance(facets.get("results"), dict) and "timed_out" in facets:
        timed_out += list(facets.get("timed_out") or [])
        facets = facets["results"]
    if timed_out:
        return f"facets timed out: {', '.join(map(str, timed_out))}"
    missing = sorted(_requested_facets(path) - {str(info.get("name", key)) for key, info in facets.items()})
    if missing:
        return f"facets missing: {', '.join(missing)}"
    return None


def run_datasette(
    path: str, requests: dict[str, list[str]], port: int = 8766, repeat: int = 200
) -> dict[str, dict[str, Any]]:
    """Serve the SQLite file at `path` with Datasette and time each scenario of `requests`.

    Each scenario (a name and a list of paths on the Datasette server) is requested `repeat` times,
    round-robin over its paths, one request at a time over loopback, after one unmeasured request to each
    distinct path. Every answer is checked (see `check_answer`); the ones that fail count as incomplete.
    Returns ``{name: {"p50_ms", "p95_ms", "p99_ms", "requests", "incomplete", "first_problem"}}``, the
    percentiles by `bench.common.percentile`, the method of the app's own figures beside them.
    """
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    if port_in_use(port):
        raise RuntimeError(f"port {port} is already in use: stop whatever listens there or pick another port")
    command = [
        str(DATASETTE),
        "serve",
        str(path),
        "--port",
        str(port),
        "--setting",
        "facet_time_limit_ms",
        "60000",
        "--setting",
        "sql_time_limit_ms",
        "60000",
        "--setting",
        "default_facet_size",
        "100",
        "--setting",
        "max_returned_rows",
        "1000",
        "--setting",
        "num_sql_threads",
        "2",
    ]
    base_url = f"http://127.0.0.1:{port}"
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="digione-datasette-") as tmp:
        log_path = Path(tmp) / "datasette.log"
        proc = start_server(command, os.environ, log_path)
        try:
            wait_until_up(proc, f"{base_url}/-/versions.json", log_path, timeout=STARTUP_TIMEOUT_S, name="datasette")
            for name, paths in requests.items():
                if not paths:
                    raise ValueError(f"scenario {name!r} has no paths")
                for warm in dict.fromkeys(paths):
                    fetch(base_url + warm, timeout=REQUEST_TIMEOUT_S)
                latencies: list[float] = []
                incomplete = 0
                first_problem: str | None = None
                for i in range(repeat):
                    request_path = paths[i % len(paths)]
                    started = time.perf_counter()
                    status, body = fetch(base_url + request_path, timeout=REQUEST_TIMEOUT_S)
                    latencies.append((time.perf_counter() - started) * 1000)
                    problem = check_answer(request_path, status, body)
                    if problem is not None:
                        incomplete += 1
                        first_problem = first_problem or f"{request_path}: {problem}"
                results[name] = {
                    "p50_ms": round(percentile(latencies, 0.50), 3),
                    "p95_ms": round(percentile(latencies, 0.95), 3),
                    "p99_ms": round(percentile(latencies, 0.99), 3),
                    "requests": len(latencies),
                    "incomplete": incomplete,
                    "first_problem": first_problem,
                }
        finally:
            stop_process(proc)
    return results
