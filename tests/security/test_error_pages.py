"""Error pages and API errors reveal no internals.

tests/app/test_errors.py proves the pages exist in three languages and that a 500 hides the exception
text. Here: nothing that helps an attacker (stack trace, exception, SQL, paths, secrets, settings)
reaches any error page or API error, in the test and the production configuration."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.errors import MESSAGES, TITLES
from app.extensions import db
from config import BASE_DIR, Config, TestConfig
from tests import figures
from tests.security.checks import PRODUCTION_KEY, assert_headers, fi

BOOM = "kaboom-b6e1c0"


def _leaks(body: str, secrets: list[str]) -> list[str]:
    markers = [
        "Traceback",
        'File "',
        "site-packages",
        "werkzeug",
        "sqlalchemy",
        "psycopg",
        "RuntimeError",
        "OperationalError",
        "ProgrammingError",
        "no_such_table_b6e1c0",
        "SELECT salaisuus",
        str(BASE_DIR),
        BOOM,
        *secrets,
    ]
    return [marker for marker in markers if marker and marker.lower() in body.lower()]


def _error_app(config, database_url: str, **overrides) -> Flask:
    app = create_app(config, SQLALCHEMY_DATABASE_URI=database_url, PROPAGATE_EXCEPTIONS=False, **overrides)
    secret = app.config["SECRET_KEY"]

    def fail():
        raise RuntimeError(f"{BOOM} secret={secret} db={database_url} at {Path(__file__).resolve()}")

    def fail_in_sql():
        db.session.execute(sa.text("SELECT salaisuus FROM no_such_table_b6e1c0 WHERE avain = :k"), {"k": secret})

    def busy():
        import sqlite3

        raise sa.exc.OperationalError(
            f"SELECT salaisuus /* {BOOM} */", {"k": secret}, sqlite3.OperationalError("database is locked")
        )

    for path, view in (
        ("/boom", fail),
        ("/boom-sql", fail_in_sql),
        ("/boom-busy", busy),
        ("/api/v1/boom", fail),
        ("/api/v1/boom-sql", fail_in_sql),
    ):
        app.add_url_rule(path, f"boom{path.replace('/', '_')}", view)
    return app


@pytest.mark.parametrize("configuration", ["test", "production"])
def test_error_pages_and_api_errors_reveal_no_internals(database_url, _schema, configuration):
    if configuration == "test":
        app = _error_app(TestConfig, database_url)
        base = "http://localhost"
    else:
        app = _error_app(Config, database_url, SECRET_KEY=PRODUCTION_KEY, PUBLIC_BASE_URL="https://localhost")
        base = "https://localhost"
    secrets = [
        app.config["SECRET_KEY"],
        database_url,
        urlsplit(database_url).path or "",
        "test-secret-key",
        PRODUCTION_KEY,
    ]
    secrets = [s for s in secrets if len(s) > 4]
    cases = [
        ("GET", "/boom", 500, "html"),
        ("GET", "/boom-sql", 500, "html"),
        ("GET", "/boom-busy", 503, "html"),
        ("GET", "/api/v1/boom", 500, "json"),
        ("GET", "/api/v1/boom-sql", 500, "json"),
        ("GET", "/ei-ole-olemassa/../../etc/passwd", 404, "html"),
        ("GET", "/api/v1/ei-ole", 404, "json"),
        ("DELETE", "/", 405, "html"),
        ("GET", "/catalogue?q=%00", 400, "html"),
        ("POST", "/login", 400, "html"),
        ("GET", "/api/v1/decisions?limit=-1", 400, "json"),
        ("GET", "/api/v1/decisions?cursor=%27%3B--", 400, "json"),
    ]
    with app.app_context():
        try:
            client = app.test_client()
            for method, url, status, kind in cases:
                response = client.open(url, method=method, base_url=base)
                body = response.get_data(as_text=True)
                where = f"{configuration} {method} {url}"
                assert response.status_code == status, f"{where}: {response.status_code}"
                assert not _leaks(body, secrets), f"{where} shows {_leaks(body, secrets)}"
                assert not _leaks(str(response.headers), secrets), f"{where}: headers show internals"
                assert_headers(response, where)
                if kind == "json":
                    payload = response.get_json()
                    assert payload["error"] == status and payload["message"], where
                    if status >= 500:
                        assert payload["message"] == str(MESSAGES[status]), where
                else:
                    assert response.mimetype == "text/html", where
                    if status in TITLES:
                        assert fi(TITLES[status]) in body, f"{where}: no Finnish title"
                    if status == 500:
                        assert fi(MESSAGES[500]) in body, f"{where}: no Finnish explanation"
            figures.count("security", "error responses checked for leaks", len(cases))
        finally:
            db.session.remove()
            db.engine.dispose()
