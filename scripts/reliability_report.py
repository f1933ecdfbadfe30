"""Write docs/reliability.md from the figures the last runs left in build/reliability/.

- sqlite.json and postgresql.json: what the test suite tried on each database
  (tests/figures.py: access matrix, fuzzing, numbers in query strings, Schemathesis, races, faults,
  audit, security checks, backup);
- load-sqlite.json and load-postgresql.json: the load test (bench/load.py);
- bandit.json: the static security scan (scripts/bandit_check.py).

`make reliability` runs all of them and then this script; `make check` runs the
load test and bandit and then this script on whatever test figures are there.
A part without figures is reported as not run, never as passed.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "build" / "reliability"
OUTPUT = ROOT / "docs" / "reliability.md"
DATABASES = ("sqlite", "postgresql")
TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

#: Sections of the suite's figures, in the order of the issue, with what each proves.
SECTIONS = [
    (
        "access",
        "Access matrix",
        "Every route of the app (enumerated from `app.url_map`: a route without an entry fails the suite) "
        "against every kind of user, including users of another provider, another municipality and another "
        "body, who must not reach the objects of the first (`tests/test_access_matrix.py`).",
    ),
    (
        "fuzz",
        "Fuzzing of forms and query strings (Hypothesis)",
        "Random and hostile values posted to every form and sent to every GET route: never a server error, "
        "never a stored script (`tests/fuzz/`).",
    ),
    (
        "query",
        "Numbers in query strings",
        "Every GET route of `app.url_map` (the access matrix's URL), anonymously and as a user who may use it, "
        "with hostile numbers in every parameter it reads and in `page`, `cursor`, `year`, `organisation`, "
        "`limit`, `per_page`, `sort` and junk names: past 32 and 64 bits, signs, exponents, fractions, "
        "superscripts, Arabic-Indic digits, NaN, booleans, base64 cursors of these and of JSON, 10 000 digits, "
        "repeated keys, plus random integers and strings (Hypothesis): never a server error, never an English "
        "error on a Finnish page (`tests/test_query_strings.py`).",
    ),
    (
        "schemathesis",
        "API against its OpenAPI document (Schemathesis)",
        "Every operation of `/api/v1/openapi.json`: no server errors, and answers that conform to the schema "
        "(`tests/marketplace/api/test_api_schema.py`).",
    ),
    (
        "races",
        "Races",
        "Two real requests or transactions, each on its own connection, doing the same thing at once: exactly "
        "one effect (`tests/test_races.py`, `tests/marketplace/procurement/test_procurement.py`). Run on PostgreSQL.",
    ),
    (
        "race_matrix",
        "Race matrix",
        "Every state-changing route (from `app.url_map`) with its plausible form, ten requests at the same moment "
        "against one request in a world built alike: the same rows, audit events and mails. A double-click (the "
        "same form ten times) must match for every route, ten separate forms for every route whose effect is a "
        "state change; the collision is forced by holding the audit trail's lock until all ten wait "
        "(`tests/test_race_matrix.py`). On SQLite the ten run one after another.",
    ),
    (
        "confidentiality",
        "Confidentiality matrix",
        "Markers planted in every confidential field (proposals, decision texts, counter-proposals, recusal "
        "reasons, dissents, attachments, remote links, draft and whole minutes, application files and internal "
        "review notes), then every GET route and every page linked from it requested by every kind of user and "
        "anonymously, and the queued mail read by recipient: a marker appears only to those entitled "
        "(`tests/test_confidentiality.py`).",
    ),
    (
        "faults",
        "Database faults",
        "Real faults: a TCP proxy between the app and PostgreSQL that refuses or cuts connections, a server "
        "stopped and restarted, a locked SQLite file (`tests/app/test_db_faults.py`).",
    ),
    (
        "audit",
        "Audit integrity",
        "The hash chain finds edited, deleted, inserted and rehashed events (`flask audit verify`), and neither "
        "the ORM nor SQL sent by the app can change an event (`tests/app/test_audit.py`).",
    ),
    (
        "security",
        "Security checks",
        "CSRF on every state-changing route, headers on every response, cookie flags, login throttling, "
        "single-use reset tokens, open redirects, uploads, rich text and error pages "
        "(`tests/security/`, `tests/app/test_security.py`).",
    ),
    (
        "backup",
        "Backup and restore",
        "`flask backup` and `flask restore` round-trip the database (`tests/app/test_backup.py`).",
    ),
]

CONFIDENTIALITY_REQUESTS = "requests (every GET route and the pages it links to, by every kind of user)"


def _load(name: str) -> dict[str, Any] | None:
    try:
        return json.loads((FIGURES / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _cell(value: Any) -> str:
    if value is None:
        return "not run"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _section(key: str, title: str, intro: str, suites: dict[str, dict | None]) -> list[str]:
    lines = [f"## {title}", "", intro, ""]
    per_db = {db: ((suites.get(db) or {}).get("sections") or {}).get(key) for db in DATABASES}
    names: list[str] = []
    for figures in per_db.values():
        for name in figures or {}:
            if name not in names:
                names.append(name)
    if not names:
        return [*lines, "Not run: no figures were recorded for this part.", ""]
    lines += [
        "| | " + " | ".join(TITLES[db] for db in DATABASES) + " |",
        "| --- | " + " | ".join("---" for _ in DATABASES) + " |",
    ]
    for name in names:
        cells = [_cell((per_db[db] or {}).get(name)) if per_db[db] is not None else "not run" for db in DATABASES]
        lines.append(f"| {_cell(name)} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _load_section(loads: dict[str, dict | None]) -> list[str]:
    lines = [
        "## Load",
        "",
        "`bench/load.py`: a production-configured gunicorn on loopback, with clients that sign in through "
        "the real form and mix catalogue, register and signed-in pages with writes (comments on the rules "
        "version in consultation). Every acknowledged write is looked for in the database afterwards, and "
        "the audit trail must have grown by exactly as many events and still verify.",
        "",
    ]
    if not any(loads.values()):
        return [*lines, "Not run.", ""]
    rows = [
        ("clients × seconds", lambda d: f"{d['clients']} × {d['seconds']:.0f}"),
        ("requests", lambda d: d["requests"]),
        ("requests per second", lambda d: d["requests_per_second"]),
        ("errors (5xx, refused, timed out, unexpected answer)", lambda d: d["errors"]["count"]),
        (
            "p50 / p95 / max latency, ms",
            lambda d: "{p50_ms:.0f} / {p95_ms:.0f} / {max_ms:.0f}".format(**d["latency_ms"]),
        ),
        ("writes acknowledged", lambda d: d["writes"]["acknowledged"]),
        ("rows found for them", lambda d: d["writes"]["rows_found"]),
        ("writes lost", lambda d: d["writes"]["lost"]),
        ("audit events added (expected)", lambda d: f"{d['audit']['events_added']} ({d['audit']['expected_events']})"),
        ("audit chain after the run", lambda d: d["audit"]["verify"]["output"]),
        ("server tracebacks in the log", lambda d: d["server_log"]["tracebacks"]),
        ("held", lambda d: "yes" if d["ok"] else "NO"),
        ("run", lambda d: d["started"]),
    ]
    lines += [
        "| | " + " | ".join(TITLES[db] for db in DATABASES) + " |",
        "| --- | " + " | ".join("---" for _ in DATABASES) + " |",
    ]
    for label, get in rows:
        cells = []
        for db in DATABASES:
            data = loads.get(db)
            try:
                cells.append(_cell(get(data)) if data else "not run")
            except (KeyError, TypeError):
                cells.append("–")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    machine = next((d.get("machine") for d in loads.values() if d), None) or {}
    lines += [
        "",
        f"Machine: {machine.get('cpu', '?')}, {machine.get('cpu_count', '?')} cores; the clients, the "
        "server and the database share them, so latency here is mostly queueing (see the load average "
        "in the JSON).",
        "",
    ]
    return lines


def _multihost_section(run: dict | None) -> list[str]:
    lines = [
        "## Several hosts",
        "",
        "`bench/multihost.py` on PostgreSQL and Redis: two app hosts (gunicorn, 2 workers each, production "
        "configuration, rate limits in Redis), two job workers on one huey queue, a local SMTP server. "
        "Wrong passwords for one account alternate between the hosts; the demo's queued mail is sent by one "
        "worker, which is killed with SIGKILL half-way, and the other sends the rest after the lease.",
        "",
    ]
    if not run:
        return [*lines, "Not run.", ""]
    mail, limits = run.get("mail", {}), run.get("limits", {})
    rows = [
        (
            "hosts × web workers, job workers",
            f"{run.get('hosts')} × {run.get('web_workers_per_host')}, {run.get('job_workers')}",
        ),
        (
            "wrong passwords across the hosts (answers)",
            f"{limits.get('attempts')} ("
            + ", ".join(f"{n} × {code}" for code, n in sorted((limits.get("answered") or {}).items()))
            + ")",
        ),
        ("limit held across hosts", "yes" if limits.get("held") else "NO"),
        ("mails queued", mail.get("queued")),
        ("sent before the worker was killed", mail.get("sent_before_the_kill")),
        ("mails delivered (distinct)", mail.get("delivered")),
        ("duplicates", mail.get("duplicates")),
        ("lost", mail.get("lost")),
        ("held", "yes" if run.get("ok") else "NO"),
    ]
    lines += ["| | |", "| --- | --- |", *(f"| {label} | {_cell(value)} |" for label, value in rows), ""]
    return lines


def _bandit_section(bandit: dict | None) -> list[str]:
    lines = [
        "## Static security scan (bandit)",
        "",
        "`scripts/bandit_check.py` runs bandit over `app`, `governance`, `marketplace`, `config.py` and "
        "`wsgi.py`; any high-severity finding fails `make check`.",
        "",
    ]
    if not bandit:
        return [*lines, "Not run.", ""]
    totals = bandit.get("metrics", {}).get("_totals", {})
    by_severity = {level: 0 for level in ("HIGH", "MEDIUM", "LOW")}
    for result in bandit.get("results", []):
        by_severity[result.get("issue_severity", "LOW")] = by_severity.get(result.get("issue_severity", "LOW"), 0) + 1
    lines += [
        f"- Lines of code scanned: {_cell(totals.get('loc'))}",
        f"- Findings by severity: high {by_severity['HIGH']}, medium {by_severity['MEDIUM']}, low {by_severity['LOW']}",
        f"- Findings marked `# nosec` with a reason: {_cell(totals.get('nosec', 0))}",
        "",
    ]
    for result in bandit.get("results", []):
        if result.get("issue_severity") in ("HIGH", "MEDIUM"):
            lines.append(
                f"  - {result['issue_severity'].lower()}: {result['test_id']} {result['issue_text']} "
                f"({result['filename']}:{result['line_number']})"
            )
    return [*lines, ""]


def _headline(suites: dict[str, dict | None], loads: dict[str, dict | None]) -> list[str]:
    def total(db: str, section: str, key: str) -> Any:
        return ((suites.get(db) or {}).get("sections") or {}).get(section, {}).get(key)

    def count(db: str, section: str) -> int | None:
        figures = ((suites.get(db) or {}).get("sections") or {}).get(section)
        return None if figures is None else len(figures)

    rows = [
        ("route and role pairs checked", lambda db: total(db, "access", "route and role pairs checked")),
        ("cases fuzzed (forms, query strings, API)", lambda db: total(db, "fuzz", "cases")),
        ("query strings: requests with hostile numbers", lambda db: total(db, "query", "requests sent")),
        ("Schemathesis cases", lambda db: total(db, "schemathesis", "cases")),
        ("races with exactly one effect", lambda db: count(db, "races")),
        (
            "race matrix: routes once from 10 identical requests",
            lambda db: total(db, "race_matrix", "race matrix (double-click): routes with one effect from 10 requests"),
        ),
        (
            "confidentiality: requests, leaks found",
            lambda db: (
                None
                if total(db, "confidentiality", "leaks found") is None
                else f"{total(db, 'confidentiality', CONFIDENTIALITY_REQUESTS)}"
                f", {total(db, 'confidentiality', 'leaks found')} leaks"
            ),
        ),
        ("database faults survived", lambda db: count(db, "faults")),
        (
            "load: requests without error, writes lost",
            lambda db: (
                None
                if not loads.get(db)
                else f"{loads[db]['requests'] - loads[db]['errors']['count']} of {loads[db]['requests']}, "
                f"{loads[db]['writes']['lost']} lost"
            ),
        ),
    ]
    lines = [
        "| figure | " + " | ".join(TITLES[db] for db in DATABASES) + " |",
        "| --- | " + " | ".join("---" for _ in DATABASES) + " |",
    ]
    for label, get in rows:
        lines.append(f"| {label} | " + " | ".join(_cell(get(db)) for db in DATABASES) + " |")
    return [*lines, ""]


def render() -> str:
    suites = {db: _load(f"{db}.json") for db in DATABASES}
    loads = {db: _load(f"load-{db}.json") for db in DATABASES}
    bandit = _load("bandit.json")
    written = {db: (suites[db] or {}).get("written_at", "not run") for db in DATABASES}
    lines = [
        "# Reliability and security: figures",
        "",
        "Written by `make reliability` (the suite on both databases, the load test and bandit) through "
        "`scripts/reliability_report.py`; do not edit by hand. Each figure comes from a test that fails when "
        "the behaviour breaks. Test figures as of: "
        + ", ".join(f"{TITLES[db]} {written[db]}" for db in DATABASES)
        + f"; report written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        *_headline(suites, loads),
    ]
    for key, title, intro in SECTIONS:
        lines += _section(key, title, intro, suites)
    lines += _load_section(loads)
    lines += _multihost_section(_load("multihost.json"))
    lines += _bandit_section(bandit)
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
