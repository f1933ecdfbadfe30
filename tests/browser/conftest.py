"""Real Chromium (Debian's, driven by Playwright) against a live server.

In CI a browser that cannot start is a failure; on a developer machine
without Chromium the browser tests are skipped with a clear reason.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from config import TestConfig

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(config, items):
    missing = [
        what
        for what, path in (("chromium", Path(CHROMIUM)), ("axe-core (make test installs it)", AXE))
        if not path.exists()
    ]
    if not missing:
        return
    if TestConfig.CI:
        return  # let the tests run and fail loudly
    skip = pytest.mark.skip(reason=f"browser tests need {', '.join(missing)}")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Finnish browser, as most of the platform's users have.
    # bypass_csp lets the test inject axe-core; the app itself never runs inline script.
    return {**browser_context_args, "locale": "fi-FI", "timezone_id": "Europe/Helsinki", "bypass_csp": True}


@pytest.fixture(scope="session")
def live_server(_schema, database_url) -> Iterator[str]:
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture()
def site(live_server, app) -> str:
    """The live server's address; `app` gives the test a fresh database and its own context."""
    return live_server


@pytest.fixture()
def axe():
    """Run axe-core on the page and return its WCAG 2.1 A/AA violations."""

    def _check(page) -> list[dict]:
        page.wait_for_load_state("load")  # after a click that navigates, check the new page, not the old one
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]

    return _check


@pytest.fixture(autouse=True)
def _short_timeouts(page):
    page.set_default_timeout(10_000)
    yield
