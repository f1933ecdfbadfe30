"""Pytest fixtures: a real localstripe process and the `StripeFake` in front of it.

`stripe_servers` (session) starts both once; `stripe_config` (per test) wipes their data
and points the app's Stripe settings at the fake for the test. Use them through
`pytest_plugins = ["tests.stripe_servers"]` in the root conftest, or import both names
into a test module.

If localstripe cannot start, the tests that need it fail when the `CI` environment
variable is set (a silent skip would hide a broken pipeline) and skip otherwise.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from flask import Flask

from tests.stripe_fake import StripeFake

SECRET_KEY = "sk_test_digione"
WEBHOOK_SECRET = "whsec_test_digione"
_START_TIMEOUT = 30.0  # seconds; the machine may be busy


@dataclass
class StripeServers:
    """The running servers: point the app at `api_base`; `fake` holds the invoices."""

    api_base: str
    localstripe_url: str
    fake: StripeFake
    process: subprocess.Popen[bytes]

    def reset(self) -> None:
        self.fake.reset()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _localstripe_command(port: int) -> list[str]:
    """The venv's `localstripe` script, or `python -m localstripe` with this interpreter."""
    script = Path(sys.executable).with_name("localstripe")
    if script.exists():
        return [str(script), "--port", str(port), "--from-scratch"]
    found = shutil.which("localstripe")
    if found:
        return [found, "--port", str(port), "--from-scratch"]
    return [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"]


def _answers(url: str) -> bool:
    """Whether an HTTP server answers at `url` (any status will do)."""
    try:
        urllib.request.urlopen(url, timeout=1).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"localstripe is required in CI: {reason}", pytrace=False)
    pytest.skip(f"localstripe unavailable: {reason}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def stripe_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StripeServers]:
    """localstripe on a free port and the fake in a thread, for the whole session."""
    workdir = tmp_path_factory.mktemp("localstripe")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = workdir / "localstripe.log"
    with log_path.open("wb") as log:
        try:
            process = subprocess.Popen(
                _localstripe_command(port), cwd=workdir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        except OSError as exc:
            _unavailable(f"cannot run it: {exc}")
    deadline = time.monotonic() + _START_TIMEOUT
    while not _answers(url + "/v1/customers"):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            tail = log_path.read_text(errors="replace")[-2000:]
            _unavailable(f"it did not answer on port {port} (exit code {process.returncode}):\n{tail}")
        time.sleep(0.1)
    fake = StripeFake(url).start()
    try:
        yield StripeServers(api_base=fake.url, localstripe_url=url, fake=fake, process=process)
    finally:
        fake.stop()
        _stop(process)


@pytest.fixture()
def stripe_config(app: Flask, stripe_servers: StripeServers) -> Iterator[StripeServers]:
    """Empty servers and the app's Stripe settings pointed at the fake, for one test."""
    stripe_servers.reset()
    settings = {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": stripe_servers.api_base,
        "STRIPE_MAX_NETWORK_RETRIES": 0,
    }
    missing = object()
    saved = {name: app.config.get(name, missing) for name in settings}
    app.config.update(settings)
    try:
        yield stripe_servers
    finally:
        for name, value in saved.items():
            if value is missing:
                app.config.pop(name, None)
            else:
                app.config[name] = value
