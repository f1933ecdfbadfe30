"""Several hosts on one PostgreSQL and one Redis (issue "Several hosts"): `python -m bench.multihost`.

Two app hosts (separate gunicorn processes, 2 workers each, production configuration, rate limits
in Redis), two job workers (`flask jobs worker`, one huey queue in Redis) and a local SMTP server,
on a fresh PostgreSQL database with the demo data (which queues a few hundred mails):

1. **Limits across hosts:** wrong passwords for one account, alternating between the hosts, are
   refused after LOGIN_RATE_LIMIT (10 per minute) whatever host answers.
2. **Mail once across workers, with a kill:** the mail job is queued on both workers while the SMTP
   server answers slowly; one worker is killed with SIGKILL half-way. After its lease runs out the
   other worker sends the rest. Every queued message must reach the server; none may go out twice
   but the one the server may have accepted in the instant before the kill (same Message-ID).

Results in build/reliability/multihost.json (and a line per figure); exit 1 when a property fails.
`make check` (and so `.ci/run`) runs it, about 40 s.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import redis
import requests
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bench.common import (
    ROOT,
    VENV_BIN,
    drop_database,
    flask,
    free_port,
    fresh_database,
    log,
    postgres_url,
    start_server,
    stop_process,
    wait_until_up,
)

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
OUTPUT = ROOT / "build" / "reliability" / "multihost.json"
_CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


class SlowRelay:
    """An SMTP server that waits before accepting each recipient (so a sender can be killed while
    no message is half-accepted) and keeps every Message-ID it accepts."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.accepted: list[str] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        found = re.search(rb"^Message-ID: (\S+)", envelope.content, re.MULTILINE | re.IGNORECASE)
        with self._lock:
            self.accepted.append(found.group(1).decode() if found else "?")
        return "250 Message accepted for delivery"


def _env(url: str, port: int, relay_port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "DIGIONE_ENV": "production",
        "SECRET_KEY": _SECRET,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "WEB_CONCURRENCY": "2",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "LOGIN_RATE_LIMIT": "10 per minute",
        "LOGIN_ADDRESS_RATE_LIMIT": "1000 per minute",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(relay_port),
        "MAIL_USE_TLS": "0",
        "MAIL_LEASE_SECONDS": "5",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("FLASK_APP", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


_SECRET = secrets.token_urlsafe(48)


def _wrong_passwords(ports: list[int], attempts: int) -> list[int]:
    """Wrong passwords for one account from one client, alternating hosts; the status of each answer.
    (Production cookies are Secure; over plain HTTP on loopback the client sends its session cookie
    by hand.)"""
    codes = []
    for i in range(attempts):
        port = ports[i % len(ports)]
        page = requests.get(f"http://127.0.0.1:{port}/login", timeout=10)
        token = _CSRF.search(page.text)
        cookie = "; ".join(f"{name}={value}" for name, value in page.cookies.items())
        data = {
            "email": "coordinator@example.com",
            "password": "väärä salasana",
            "csrf_token": token[1] if token else "",
        }
        response = requests.post(
            f"http://127.0.0.1:{port}/login", data=data, headers={"Cookie": cookie}, timeout=10, allow_redirects=False
        )
        codes.append(response.status_code)
    return codes


def _count(url: str, where: str = "TRUE") -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(sa.text(f"SELECT count(*) FROM outbox_messages WHERE {where}")) or 0)
    finally:
        engine.dispose()


def _unsent(url: str) -> int:
    return _count(url, "sent_at IS NULL AND dead_at IS NULL")


def run() -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="digione-multihost-"))
    url = fresh_database("postgresql", f"digione_multihost_{os.getpid()}", workdir)
    redis.Redis.from_url(REDIS_URL).flushdb()
    relay = SlowRelay(delay=0.03)
    relay_port = free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=relay_port, ready_timeout=10)
    controller.start()
    processes: dict[str, subprocess.Popen[bytes]] = {}
    result: dict[str, Any] = {"hosts": 2, "web_workers_per_host": 2, "job_workers": 2}
    try:
        log("multihost: flask db upgrade, flask demo load")
        flask(url, "db", "upgrade")
        flask(url, "demo", "load")
        ports = [free_port(), free_port()]
        for name, port in zip(("host-a", "host-b"), ports, strict=True):
            command = [
                str(VENV_BIN / "gunicorn"),
                "-w",
                "2",
                "-k",
                "gthread",
                "--threads",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ]
            processes[name] = start_server(command, _env(url, ports[0], relay_port), workdir / f"{name}.log")
        for name, port in zip(("host-a", "host-b"), ports, strict=True):
            wait_until_up(processes[name], f"http://127.0.0.1:{port}/readyz", workdir / f"{name}.log", timeout=60)
        log(f"multihost: two hosts up on ports {ports}")

        codes = _wrong_passwords(ports, 15)
        result["limits"] = {"attempts": len(codes), "answered": dict(Counter(map(str, codes)))}
        result["limits"]["held"] = codes[:10] == [200] * 10 and all(code == 429 for code in codes[10:])

        messages = _count(url)
        result["mail"] = {"queued": messages}
        env = _env(url, ports[0], relay_port)
        flask_cmd = [str(VENV_BIN / "flask"), "--app", "wsgi", "jobs"]
        # Worker A takes the mail job and is killed half-way; worker B runs beside it from then on.
        processes["worker-a"] = start_server([*flask_cmd, "worker", "--workers", "1"], env, workdir / "worker-a.log")
        time.sleep(2)
        subprocess.run([*flask_cmd, "enqueue", "mail"], cwd=ROOT, env=env, check=True, capture_output=True)
        deadline = time.monotonic() + 60
        while len(relay.accepted) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        processes["worker-b"] = start_server([*flask_cmd, "worker", "--workers", "1"], env, workdir / "worker-b.log")
        processes["worker-a"].send_signal(signal.SIGKILL)
        processes["worker-a"].wait(10)
        killed_at = len(relay.accepted)
        log(f"multihost: worker-a killed with SIGKILL after {killed_at} of {messages} messages")
        time.sleep(5.5)  # worker-a's lease runs out
        deadline = time.monotonic() + 120
        while _unsent(url) and time.monotonic() < deadline:
            subprocess.run([*flask_cmd, "enqueue", "mail"], cwd=ROOT, env=env, check=True, capture_output=True)
            time.sleep(3)
        counts = Counter(relay.accepted)
        result["mail"].update(
            {
                "sent_before_the_kill": killed_at,
                "delivered": len(counts),
                "duplicates": sum(n - 1 for n in counts.values()),
                "lost": messages - len(counts),
                "left_unsent": _unsent(url),
            }
        )
        # A message the relay accepted in the instant before the kill, not yet recorded as sent, goes
        # out again with the same Message-ID (SMTP cannot do better); at most that one.
        mail = result["mail"]
        result["ok"] = bool(
            result["limits"]["held"] and 0 < killed_at < messages and mail["lost"] == 0 and mail["duplicates"] <= 1
        )
        return result
    finally:
        for proc in processes.values():
            stop_process(proc, timeout=15)
        controller.stop()
        drop_database(url)


def _unavailable() -> str | None:
    """Why the run cannot happen here (no PostgreSQL or Redis), or None."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_URL} is not reachable ({exc})"
    try:
        engine = sa.create_engine(postgres_url("postgres"))
        with engine.connect():
            pass
        engine.dispose()
    except sa.exc.SQLAlchemyError as exc:
        return f"PostgreSQL is not reachable ({type(exc).__name__})"
    return None


def main() -> int:
    problem = _unavailable()
    if problem:
        if os.environ.get("CI") == "true":
            print(f"multihost: {problem}; in CI that is a failure", file=sys.stderr)
            return 1
        print(f"NOTE: the several-hosts run needs PostgreSQL and Redis: {problem}")
        return 0
    result = run()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0 if result.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
