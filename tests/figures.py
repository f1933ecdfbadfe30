"""Figures for docs/reliability.md, recorded by the tests that produce them.

A test records what it tried (cases fuzzed, routes by roles checked, races run,
faults survived) with `count` and `note`. At the end of a pytest session the
figures are written to build/reliability/<database>.json, merged section by
section into what an earlier run left there, so a partial run (`-k ...`)
replaces only the sections it recorded. `scripts/reliability_report.py`
turns these files, the load test's and bandit's results into the report.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "build" / "reliability"

_sections: dict[str, dict[str, Any]] = {}
_counters: set[tuple[str, str]] = set()  # which figures are counts (summed across test workers)


def count(section: str, key: str, n: int = 1) -> None:
    """Add n to a counter (cases tried, checks made)."""
    bucket = _sections.setdefault(section, {})
    bucket[key] = int(bucket.get(key, 0)) + n
    _counters.add((section, key))


def note(section: str, key: str, value: Any) -> None:
    """Record one outcome (a race's effect, a fault survived)."""
    _sections.setdefault(section, {})[key] = value


def export() -> str:
    """This process's figures, for the process that writes them (a pytest-xdist worker's)."""
    return json.dumps({"sections": _sections, "counters": sorted(_counters)}, ensure_ascii=False)


def merge(exported: str) -> None:
    """Add a worker's figures: its counts to the counts, its notes over the notes."""
    data = json.loads(exported)
    counters = {tuple(pair) for pair in data["counters"]}
    for section, values in data["sections"].items():
        for key, value in values.items():
            if (section, key) in counters:
                count(section, key, int(value))
            else:
                note(section, key, value)


def database_name() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or ""
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def write(output_dir: Path = OUTPUT_DIR) -> Path | None:
    """Merge this session's figures into build/reliability/<database>.json."""
    if not _sections:
        return None
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / f"{database_name()}.json"
    try:
        existing = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        existing = {}
    sections = existing.get("sections", {})
    sections.update(_sections)
    path.write_text(
        json.dumps(
            {
                "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": database_name(),
                "sections": sections,
            },
            indent=2,
            ensure_ascii=False,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    return path
