"""`make test`: the whole suite on SQLite, then on PostgreSQL.

PostgreSQL is TEST_DATABASE_URL, or the local server on 127.0.0.1:5432. When
it cannot be reached the second run is skipped with a notice, except under
CI=true, where that is a failure. Any failing run fails the whole command, and
a run that collects no test (pytest exit 5) fails too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from config import TestConfig
from tests.pg import ensure_database


def run_pytest(label: str, database_url: str | None, extra: list[str]) -> int:
    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    if database_url:
        env["TEST_DATABASE_URL"] = database_url
    # Test files run in parallel (pytest-xdist), each file's tests together in one process.
    parallel = [] if TestConfig.TEST_WORKERS == "0" else ["-n", TestConfig.TEST_WORKERS, "--dist", "loadfile"]
    print(f"\n==== {label} ====", flush=True)
    started = time.monotonic()
    code = subprocess.call([sys.executable, "-m", "pytest", *parallel, *extra], env=env)
    print(f"==== {label}: {time.monotonic() - started:.0f} s ====", flush=True)
    return code


def main(argv: list[str]) -> int:
    failures = []
    code = run_pytest("SQLite", None, argv)
    if code != 0:
        failures.append(f"SQLite (pytest exit {code})")
    url = TestConfig.TEST_DATABASE_URL or TestConfig.DEFAULT_POSTGRES_TEST_URL
    problem = ensure_database(url)
    if problem is None:
        code = run_pytest("PostgreSQL", url, argv)
        if code != 0:
            failures.append(f"PostgreSQL (pytest exit {code})")
    elif TestConfig.CI:
        failures.append(f"PostgreSQL unreachable in CI: {problem}")
    else:
        print(f"\nNOTE: PostgreSQL not reachable ({problem}); the suite ran on SQLite only.", flush=True)
    if failures:
        print("\nFAILED: " + "; ".join(failures), flush=True)
        return 1
    print("\nAll test runs passed.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
