"""What the benchmarks (bench/run.py, bench/dashboards.py, bench/throughput.py, bench/datasette_peer.py) and
the load test (bench/load.py) share, written once:

* where things are: `ROOT` (the repository) and `VENV_BIN` (the executables of its ``.venv``);
* a log line with the time (`log`);
* throwaway databases: `PG_SERVER` (the PostgreSQL server from ``BENCH_POSTGRES``), `postgres_url`,
  `fresh_database` and `drop_database` for ``"sqlite"`` and ``"postgresql"``, `server_version`;
* the app: `env_for` (the environment of its command line and of gunicorn), `flask` (one ``flask``
  command), `make_app` (the development app in process), `FACET_MARKER` (one facet section of a catalogue
  page: a complete page has 10);
* server processes on loopback: `free_port`, `port_in_use`, `start_server`, `fetch`, `wait_until_up`,
  `stop_process`, `tail` (of a server's log);
* figures: `percentile` (the one method every report uses) and `cpu_model` (for the machine line).
"""

from __future__ import annotations

import math
import os
import platform
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
#: The PostgreSQL server the throwaway databases are made on: a URL without a database name.
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
#: One facet section of a catalogue page; a complete page has 10.
FACET_MARKER = re.compile(r'<section class="facet" aria-labelledby="facet-')
DATABASE_KINDS = ("sqlite", "postgresql")


def log(message: str) -> None:
    """Print a line with the time of day, at once (the runs take minutes)."""
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# --- databases ---------------------------------------------------------------------------------------


def postgres_url(database: str) -> str:
    """The URL of a database on `PG_SERVER`."""
    return f"{PG_SERVER}/{database}"


def _on_maintenance_database(server: sa.URL, *statements: str) -> None:
    """Run statements outside a transaction (CREATE and DROP DATABASE need that) on the server's ``postgres``."""
    engine = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def _sqlite_files(path: Path) -> list[Path]:
    """A SQLite database file and the journal, WAL and shared-memory files that go with it."""
    return [path, *(path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm"))]


def fresh_database(kind: str, name: str, directory: Path) -> str:
    """A new, empty database called `name`; returns its SQLAlchemy URL.

    ``"sqlite"``: the file ``directory/<name>.sqlite`` (the directory is made if missing; an earlier file of
    that name, with its journal and WAL, is removed). ``"postgresql"``: the database `name` on `PG_SERVER`,
    dropped first if it exists (its connections closed). Any other kind raises ValueError.
    """
    if kind == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{name}.sqlite"
        for stale in _sqlite_files(path):
            stale.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if kind == "postgresql":
        _on_maintenance_database(
            sa.make_url(PG_SERVER), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
        )
        return postgres_url(name)
    raise ValueError(f"unknown database kind {kind!r}; expected one of {', '.join(DATABASE_KINDS)}")


def drop_database(url: str) -> None:
    """Remove a database `fresh_database` made: the SQLite file (with its journal and WAL) or the PostgreSQL
    database (its connections closed first). Nothing happens when it is already gone."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            for path in _sqlite_files(Path(parsed.database)):
                path.unlink(missing_ok=True)
        return
    _on_maintenance_database(parsed, f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def server_version(url: str) -> str:
    """The version a PostgreSQL server reports (``SHOW server_version``) through the database at `url`."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(sa.text("SHOW server_version")).scalar())
    finally:
        engine.dispose()


# --- the app -----------------------------------------------------------------------------------------


def env_for(url: str) -> dict[str, str]:
    """The environment of the app's command line (and of a development gunicorn) on the database at `url`."""
    return {**os.environ, "DIGIONE_ENV": "development", "DATABASE_URL": url, "FLASK_APP": "wsgi"}


def flask(url: str, *args: str) -> str:
    """Run ``flask ARGS`` on the database at `url`; its output, or RuntimeError with its tail when it fails."""
    result = subprocess.run(
        [str(VENV_BIN / "flask"), *args], cwd=ROOT, env=env_for(url), capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def make_app(url: str) -> Flask:
    """The app in development configuration on the database at `url` (for measuring in process)."""
    from app import create_app
    from config import DevelopmentConfig

    return create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url)


# --- server processes --------------------------------------------------------------------------------


def free_port() -> int:
    """A loopback TCP port nothing listens on now (the system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    """Whether something accepts connections on the loopback port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_server(command: Sequence[str], env: Mapping[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start a server process in the repository, its output and errors written to `log_path`.

    It is not waited for: see `wait_until_up`; stop it with `stop_process`.
    """
    with open(log_path, "wb") as out:
        return subprocess.Popen(list(command), cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT)


def fetch(url: str, timeout: float) -> tuple[int, bytes]:
    """The status and body of a GET; status 0 (and no body) when nothing answered in time."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()
    except (OSError, urllib.error.URLError):
        return 0, b""


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file ("" when it cannot be read)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_until_up(
    proc: subprocess.Popen[bytes], url: str, log_path: Path, timeout: float = 30.0, name: str = "gunicorn"
) -> None:
    """Return once a GET of `url` answers 200; RuntimeError (with the tail of the server's log) when the process
    exits first or `timeout` seconds pass. `name` names the server in the message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"{name} exited with code {proc.returncode} before answering {url}; log tail:\n{tail(log_path)}"
            )
        if fetch(url, timeout=2)[0] == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer {url} within {timeout:.0f} s; log tail:\n{tail(log_path)}")


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM the process (gunicorn's master then shuts its workers down gracefully); SIGKILL when it has not
    exited after `timeout` seconds. Nothing happens when it has already exited."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


# --- figures -----------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile of `values` (0.5 the median, 0.95 p95), in any order.

    One method for every report: linear interpolation between the closest ranks, i.e. the value at position
    ``fraction * (n - 1)`` of the values sorted ascending (counted from 0), interpolated between its two
    neighbours. It is ``statistics.quantiles(values, n=100, method="inclusive")[k - 1]`` for ``fraction = k/100``
    and ``statistics.median`` for 0.5 (equal up to floating-point rounding), numpy's default ``"linear"``
    method and Excel's PERCENTILE.INC. It never goes outside the measured values: 0 gives the minimum, 1 the
    maximum, and one value is every percentile of itself. No values, or a fraction outside [0, 1], raise
    ValueError.
    """
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction {fraction!r} is not between 0 and 1")
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values to take a percentile of")
    # The position as an exact fraction (0.95 is 19/20, not the float just below it), so that a position
    # that is a whole rank gives that rank's value exactly.
    position = Fraction(fraction).limit_denominator(1_000_000) * (len(ordered) - 1)
    low = math.floor(position)
    if low == len(ordered) - 1:
        return float(ordered[low])
    return float(ordered[low] + (ordered[low + 1] - ordered[low]) * float(position - low))


def cpu_model() -> str:
    """The processor's model name (from /proc/cpuinfo where there is one)."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        lines = []
    return next(
        (line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.processor()
    )
