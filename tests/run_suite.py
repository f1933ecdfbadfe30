"""`make test`: the whole suite on SQLite and on PostgreSQL, side by side.

PostgreSQL is TEST_DATABASE_URL, or the local server on 127.0.0.1:5432. When
it cannot be reached the second run is skipped with a notice, except under
CI=true, where that is a failure. Any failing run fails the whole command, and
a run that collects no test (pytest exit 5) fails too.

The two runs start together, each in TEST_WORKERS processes (pytest-xdist, one
per core by default; 0 for a single process): many tests wait on a database,
a browser or a timeout, so the cores stay busy. Each run writes its output to
build/test-<database>.log, printed in full when the run ends.

The browser tests (tests/browser/: Chromium, axe-core, keyboard, journeys) run in the SQLite run
only: what they check is the page in the browser, which is the same HTML whichever database is
behind it, and every route is requested on PostgreSQL too by the HTTP-level sweeps (access,
query strings, fuzzing, confidentiality, races). They are the costliest tests per second of CPU,
so running them once keeps `make test` within its time (`make test-postgres` runs them on
PostgreSQL when wanted).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from config import TestConfig
from tests.pg import ensure_database

LOGS = Path(__file__).resolve().parent.parent / "build"


@dataclass
class Run:
    label: str
    process: subprocess.Popen
    log: Path
    started: float


def start(label: str, database_url: str | None, extra: list[str]) -> Run:
    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    if database_url:
        env["TEST_DATABASE_URL"] = database_url
    parallel = [] if TestConfig.TEST_WORKERS == "0" else ["-n", TestConfig.TEST_WORKERS, "--dist", "worksteal"]
    # The slowest tests at the end of each log: where the next speed-up is.
    durations = [] if any(arg.startswith("--durations") for arg in extra) else ["--durations=25"]
    LOGS.mkdir(exist_ok=True)
    log = LOGS / f"test-{label.lower()}.log"
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest", *parallel, *durations, *extra],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    print(f"started the {label} run (output: {log.relative_to(LOGS.parent)})", flush=True)
    return Run(label, process, log, time.monotonic())


def finish(runs: list[Run]) -> list[str]:
    """Wait for every run; print each one's output as it ends. The failures, by label."""
    failures, waiting = [], list(runs)
    while waiting:
        for run in list(waiting):
            code = run.process.poll()
            if code is None:
                continue
            waiting.remove(run)
            print(f"\n==== {run.label} ====", flush=True)
            sys.stdout.write(run.log.read_text(encoding="utf-8", errors="replace"))
            print(f"==== {run.label}: exit {code} after {time.monotonic() - run.started:.0f} s ====", flush=True)
            if code != 0:
                failures.append(f"{run.label} (pytest exit {code})")
        time.sleep(0.5)
    return failures


def main(argv: list[str]) -> int:
    started = time.monotonic()
    runs, failures = [start("SQLite", None, argv)], []
    url = TestConfig.TEST_DATABASE_URL or TestConfig.DEFAULT_POSTGRES_TEST_URL
    problem = ensure_database(url)
    if problem is None:
        runs.append(start("PostgreSQL", url, [*argv, "--ignore=tests/browser"]))
    elif TestConfig.CI:
        failures.append(f"PostgreSQL unreachable in CI: {problem}")
    else:
        print(f"\nNOTE: PostgreSQL not reachable ({problem}); the suite runs on SQLite only.", flush=True)
    try:
        failures += finish(runs)
    except KeyboardInterrupt:
        for run in runs:
            run.process.terminate()
        raise
    print(f"\nThe test runs took {time.monotonic() - started:.0f} s in all.", flush=True)
    if failures:
        print("\nFAILED: " + "; ".join(failures), flush=True)
        return 1
    print("\nAll test runs passed.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
