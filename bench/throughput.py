"""Throughput of the catalogue under load: gunicorn with two sync workers, driven by `wrk`.

`run_throughput` starts the app once and measures three things in that same run:

* ``bare``: ``GET /ping``, a route with no database, the ceiling of this stack on this machine;
* ``first_page``: one catalogue path (the unfiltered first page) again and again;
* ``mix``: a varied mix of catalogue paths, which every wrk thread cycles through from its own offset.

Each response is checked by ``bench/wrk_paths.lua``: its status must be 200 and, for catalogue pages, the
page must contain all 10 facet sections. The peak RSS of each worker is read before gunicorn stops.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import VENV_BIN, env_for, fetch, port_in_use, start_server, stop_process, tail, wait_until_up

LUA_SCRIPT = Path(__file__).resolve().parent / "wrk_paths.lua"
WORKERS = 2
WRK_THREADS = 2
STARTUP_TIMEOUT_S = 30.0
WARMUP_PER_KIND = 50
WARMUP_MIX_PATHS = 5

_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PERCENTILE = re.compile(r"^\s*(50|75|90|99(?:\.\d+)?)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_REQUESTS = re.compile(r"^\s*(\d+) requests in ", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_CHECK = re.compile(r"^CHECK total=(\d+) bad_status=(\d+) incomplete=(\d+)", re.MULTILINE)


def ensure_wrk() -> str:
    """Return the path of `wrk`, installing the Debian package first if it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, env=env, capture_output=True, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
        subprocess.run(install, env=env, capture_output=True, check=False)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed and `apt-get install -y wrk` did not install it")
    return found


def _warm_up(base_url: str, first_page_path: str, mix_paths: list[str]) -> None:
    """Send the first page and a few mix paths to every worker (concurrently, so that both get some).

    Raises RuntimeError when the first page does not answer 200: a benchmark of error pages means nothing.
    """
    mix = mix_paths[:WARMUP_MIX_PATHS] or [first_page_path]
    paths = [first_page_path] * WARMUP_PER_KIND + [mix[i % len(mix)] for i in range(WARMUP_PER_KIND)]
    with ThreadPoolExecutor(max_workers=2 * WORKERS) as pool:
        statuses = list(pool.map(lambda path: fetch(base_url + path, timeout=120)[0], paths))
    first_statuses = statuses[:WARMUP_PER_KIND]
    if any(status != 200 for status in first_statuses):
        raise RuntimeError(
            f"the first page {first_page_path} did not answer 200 while warming up "
            f"(statuses seen: {sorted(set(first_statuses))})"
        )


def _worker_pids(master_pid: int) -> list[int]:
    """The processes whose parent is the gunicorn master (its workers), found through /proc."""
    pids = []
    for status_file in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status_file.read_text()
        except OSError:
            continue
        match = re.search(r"^PPid:\s+(\d+)", text, re.MULTILINE)
        if match and int(match.group(1)) == master_pid:
            pids.append(int(status_file.parent.name))
    return sorted(pids)


def _peak_rss_mb(pid: int) -> float | None:
    """VmHWM (peak resident set size) of a process in MB, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+)\s+kB", text, re.MULTILINE)
    return round(int(match.group(1)) / 1024, 1) if match else None


def parse_wrk_output(output: str) -> dict[str, Any]:
    """Pick the numbers out of the text `wrk --latency` prints (plus the CHECK line of the Lua script).

    Returns rps, p50_ms, p90_ms, p99_ms, requests, socket_errors, non_2xx, and when the CHECK line is
    there checked, bad_status and incomplete (else None for those three).
    """
    percentiles = {m.group(1): float(m.group(2)) * _UNIT_MS[m.group(3)] for m in _PERCENTILE.finditer(output)}
    rps = _RPS.search(output)
    requests = _REQUESTS.search(output)
    if rps is None or requests is None or not {"50", "90", "99"} <= percentiles.keys():
        raise RuntimeError(f"could not parse the output of wrk:\n{output}")
    socket_errors = _SOCKET_ERRORS.search(output)
    non_2xx = _NON_2XX.search(output)
    check = _CHECK.search(output)
    return {
        "rps": float(rps.group(1)),
        "p50_ms": round(percentiles["50"], 3),
        "p90_ms": round(percentiles["90"], 3),
        "p99_ms": round(percentiles["99"], 3),
        "requests": int(requests.group(1)),
        "socket_errors": sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "checked": int(check.group(1)) if check else None,
        "bad_status": int(check.group(2)) if check else None,
        "incomplete": int(check.group(3)) if check else None,
    }


def _run_wrk(
    wrk: str,
    base_url: str,
    paths: list[str],
    mode: str,
    duration_s: int,
    connections: int,
    timeout_s: int,
    workdir: Path,
    name: str,
) -> dict[str, Any]:
    """One wrk run over `paths` (cycled by the Lua script); the parsed result with `errors` and `incomplete`."""
    paths_file = workdir / f"{name}.paths"
    paths_file.write_text("".join(f"{path}\n" for path in paths))
    command = [
        wrk,
        "-t",
        str(WRK_THREADS),
        "-c",
        str(connections),
        "-d",
        f"{duration_s}s",
        "--latency",
        "--timeout",
        f"{timeout_s}s",
        "-s",
        str(LUA_SCRIPT),
        base_url,
        "--",
        str(paths_file),
        mode,
        str(WRK_THREADS),
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=duration_s + timeout_s + 60, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}) for {name}:\n{completed.stdout}\n{completed.stderr}")
    parsed = parse_wrk_output(completed.stdout)
    if parsed["checked"] is None:
        raise RuntimeError(f"the wrk script printed no CHECK line for {name}:\n{completed.stdout}")
    # wrk's "Non-2xx or 3xx" counts statuses >= 400, all of which are also in the script's bad_status.
    parsed["errors"] = parsed["socket_errors"] + max(parsed["non_2xx"], parsed["bad_status"])
    return parsed


def _summary(parsed: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "rps",
        "p50_ms",
        "p90_ms",
        "p99_ms",
        "requests",
        "errors",
        "incomplete",
        "socket_errors",
        "non_2xx",
        "bad_status",
    )
    return {key: parsed[key] for key in keys}


def run_throughput(
    database_url: str,
    mix_paths: list[str],
    first_page_path: str,
    duration_s: int = 15,
    connections: int = 8,
    port: int = 8765,
    timeout_s: int = 30,
) -> dict[str, Any]:
    """Serve the app with gunicorn (2 workers) on `database_url` and measure it with wrk three times.

    Returns ``{"bare", "first_page", "mix", "worker_peak_rss_mb", "mix_distinct_paths"}``; each of the
    three runs is a dict of rps, p50_ms, p90_ms, p99_ms, requests, errors (socket errors plus answers
    other than 200), incomplete (pages missing one of the 10 facet sections; always 0 for ``bare``), and
    the parts of errors (socket_errors, non_2xx, bad_status). ``first_page`` and ``mix`` also have
    ``ratio_to_bare`` (their rps over the bare route's). `timeout_s` is wrk's per-request timeout: a
    slower answer counts as a socket error and not in the latencies.
    """
    if not mix_paths:
        raise ValueError("mix_paths is empty")
    wrk = ensure_wrk()
    if port_in_use(port):
        raise RuntimeError(f"port {port} is already in use: stop whatever listens there or pick another port")
    base_url = f"http://127.0.0.1:{port}"
    command = [str(VENV_BIN / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "wsgi:app"]
    with tempfile.TemporaryDirectory(prefix="digione-throughput-") as tmp:
        workdir = Path(tmp)
        log_path = workdir / "gunicorn.log"
        proc = start_server(command, env_for(database_url), log_path)
        try:
            wait_until_up(proc, f"{base_url}/ping", log_path, timeout=STARTUP_TIMEOUT_S)
            _warm_up(base_url, first_page_path, mix_paths)
            runs = {
                "bare": _run_wrk(
                    wrk, base_url, ["/ping"], "status", duration_s, connections, timeout_s, workdir, "bare"
                ),
                "first_page": _run_wrk(
                    wrk,
                    base_url,
                    [first_page_path],
                    "facets",
                    duration_s,
                    connections,
                    timeout_s,
                    workdir,
                    "first_page",
                ),
                "mix": _run_wrk(wrk, base_url, mix_paths, "facets", duration_s, connections, timeout_s, workdir, "mix"),
            }
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn died during the benchmark; log tail:\n{tail(log_path)}")
            peaks = [_peak_rss_mb(pid) for pid in _worker_pids(proc.pid)]
        finally:
            stop_process(proc)
    result: dict[str, Any] = {name: _summary(parsed) for name, parsed in runs.items()}
    result["bare"]["incomplete"] = 0
    bare_rps = result["bare"]["rps"]
    for name in ("first_page", "mix"):
        result[name]["ratio_to_bare"] = round(result[name]["rps"] / bare_rps, 4) if bare_rps else 0.0
    result["worker_peak_rss_mb"] = [peak for peak in peaks if peak is not None]
    result["mix_distinct_paths"] = len(set(mix_paths))
    return result
