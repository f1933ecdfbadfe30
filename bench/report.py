"""Writes docs/benchmarks.md from the figures of `bench.run`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

GOAL_SCENARIOS = {
    "first_page_p95_ms": "catalogue: first page with facets",
    "keyword_filters_p95_ms": "catalogue: keyword + 3 filters",
}


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def write_report(
    path: Path,
    machine: dict[str, str],
    results: dict[str, dict[int, Any]],
    sizes: list[int],
    goals: dict[str, float],
    elapsed_s: float,
) -> None:
    small, large = min(sizes), max(sizes)
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py); do not edit by hand. Latency is server-side: each request runs",
        "in process through the WSGI app and is timed from call to response, with its SQL statements counted.",
        "Every catalogue answer is checked for all ten facets, and every 50th one is recomputed with plain SQL",
        "counting (`search.search_sql`); a difference fails the run.",
        "",
        f"- Date: {machine['date']}; whole run {elapsed_s / 60:.1f} min",
        f"- Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory']} memory",
        f"- Python {machine['python']}, SQLite {machine['sqlite']}, PostgreSQL {machine['postgresql']}",
        "",
        "## Data generation",
        "",
        "| database | listings | seconds |",
        "| --- | ---: | ---: |",
    ]
    for kind, by_size in results.items():
        for size in sizes:
            lines.append(f"| {kind} | {size:,} | {by_size[size]['generation_s']:.1f} |".replace(",", " "))
    lines += ["", "Each run also makes 300 municipalities, 2 000 providers (2 % suspended) and 100 000 decisions.", ""]
    for kind, by_size in results.items():
        lines += [
            f"## Latency on {kind}",
            "",
            "| request | listings | p50 ms | p95 ms | p99 ms | requests | SQL statements |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name in by_size[small]["latency"]:
            for size in sizes:
                m = by_size[size]["latency"][name]
                lines.append(
                    f"| {name} | {size} | {_ms(m['p50'])} | {_ms(m['p95'])} | {_ms(m['p99'])} | {m['n']} "
                    f"| {m['sql']:.1f} |"
                )
        lines += ["", f"Growth (p95 at {large} ÷ p95 at {small}):", ""]
        for name in by_size[small]["latency"]:
            ratio = by_size[large]["latency"][name]["p95"] / by_size[small]["latency"][name]["p95"]
            lines.append(f"- {name}: {ratio:.2f} ({_mark(ratio <= goals['growth'])})")
        lines.append("")
        through = by_size[large].get("throughput")
        if through:
            lines += [
                f"### Throughput on {kind} at {large} listings (gunicorn, 2 workers, wrk over loopback)",
                "",
                "| route | requests/s | ratio to bare | p50 ms | p99 ms | requests | errors | incomplete facets |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for key, label in (
                ("bare", "bare JSON route /ping"),
                ("first_page", "catalogue first page"),
                ("mix", f"varied mix ({through.get('mix_distinct_paths')} distinct URLs)"),
            ):
                r = through[key]
                ratio = r.get("ratio_to_bare", 1.0)
                lines.append(
                    f"| {label} | {r['rps']:.0f} | {ratio:.2f} | {_ms(r['p50_ms'])} | {_ms(r['p99_ms'])} "
                    f"| {r['requests']} | {r['errors']} | {r.get('incomplete', 0)} |"
                )
            rss = through.get("worker_peak_rss_mb") or [0]
            lines += [
                "",
                f"Peak RSS of the workers: {', '.join(f'{v:.0f} MB' for v in rss)} "
                f"({_mark(max(rss) < goals['rss_mb'])} the {goals['rss_mb']:.0f} MB goal).",
                "",
            ]
        peer = by_size[large].get("datasette")
        if peer:
            lines += [
                f"### Datasette as a peer ({large} listings, same SQLite data, HTTP, sequential)",
                "",
                "Datasette serves the visible listings as one table with JSON arrays for the multi-valued",
                "facets (`_facet_array`), FTS5 for `_search`, and time limits raised so that no facet is",
                "dropped; every answer was checked for all requested facets.",
                "",
                "| question | Datasette p50 | Datasette p95 | app p50 | app p95 | Datasette ÷ app (p95) |",
                "| --- | ---: | ---: | ---: | ---: | ---: |",
            ]
            for name, theirs in peer["datasette"].items():
                ours = peer["app"][name]
                lines.append(
                    f"| {name} | {_ms(theirs['p50_ms'])} | {_ms(theirs['p95_ms'])} | {_ms(ours['p50_ms'])} "
                    f"| {_ms(ours['p95_ms'])} | {theirs['p95_ms'] / ours['p95_ms']:.2f} |"
                )
            lines.append("")
    lines += [f"## Goals at {large} listings", ""]
    for kind, by_size in results.items():
        latency = by_size[large]["latency"]
        for goal, scenario in GOAL_SCENARIOS.items():
            value = latency[scenario]["p95"]
            lines.append(
                f"- {kind}, {scenario}: p95 {value:.1f} ms, goal < {goals[goal]:.0f} ms: {_mark(value < goals[goal])}"
            )
        through = by_size[large].get("throughput")
        if through:
            ratio = through["mix"]["ratio_to_bare"]
            lines.append(
                f"- {kind}, varied mix throughput: {ratio:.0%} of the bare route, goal ≥ 25 %: "
                f"{_mark(ratio >= goals['mix_ratio'])}"
            )
    lines.append("")
    history = Path(__file__).with_name("history.md")
    if history.exists():  # the changes made for the goals, with the figures before and after (kept by hand)
        lines += ["", history.read_text(encoding="utf-8").strip(), ""]
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    """Rewrite docs/benchmarks.md from docs/benchmarks.json (after editing bench/history.md)."""
    import json

    from bench.common import ROOT
    from bench.run import GOALS

    raw = json.loads((ROOT / "docs" / "benchmarks.json").read_text())
    run = raw.pop("_run")
    results = {kind: {int(size): value for size, value in by_size.items()} for kind, by_size in raw.items()}
    write_report(ROOT / "docs" / "benchmarks.md", run["machine"], results, run["sizes"], GOALS, run["elapsed_s"])


if __name__ == "__main__":
    main()
