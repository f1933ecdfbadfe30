"""What the security checks share: Finnish texts that must really be translated, a digest of every
table (to show that nothing changed), the security headers of a response, a signed-in client and a
secret key for the production configuration."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as babel_gettext
from markupsafe import escape

from app.extensions import db
from tests.conftest import BrowserLikeClient

#: Responses whose headers the running test checked (tests/security/conftest.py counts them).
HEADERS_CHECKED = {"n": 0}
PRODUCTION_KEY = "a-long-random-production-key-for-tests-0123456789"


def fi(text) -> str:
    """A message in Finnish, the language the tests' clients get; it must really be translated."""
    with force_locale("fi"):
        finnish = str(text)
    with force_locale("en"):
        english = str(text)
    assert finnish != english, f"no Finnish translation for {english!r}"
    return str(escape(finnish))


def fi_gettext(message: str) -> str:
    """A message the views translate with gettext, in Finnish (it must really be translated)."""
    with force_locale("fi"):
        finnish = babel_gettext(message)
    assert finnish != message, f"no Finnish translation for {message!r}"
    return str(escape(finnish))


def snapshot() -> dict[str, str]:
    """Every row of every table, as one digest per table (row count shown for the report)."""
    digests = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            rows = connection.execute(sa.select(table)).all()
            normal = sorted(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)) for row in rows)
            digests[table.name] = f"{len(rows)}:{hashlib.sha256(chr(10).join(normal).encode()).hexdigest()}"
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


def _csp(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        bits = part.strip().split()
        if bits:
            directives[bits[0].lower()] = [b.lower() for b in bits[1:]]
    return directives


STRICT_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
UNSAFE_SCRIPT_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:", "blob:"}


def header_problems(response) -> list[str]:
    """What is missing from or weak in the security headers of one response."""
    problems = []
    headers = response.headers
    policy = headers.get("Content-Security-Policy")
    if not policy:
        problems.append("no Content-Security-Policy")
    else:
        directives = _csp(policy)
        scripts = directives.get("script-src", directives.get("default-src"))
        if scripts is None:
            problems.append("the CSP does not restrict scripts")
        elif set(scripts) & UNSAFE_SCRIPT_SOURCES:
            problems.append(f"the CSP allows unsafe scripts: {scripts}")
        if directives.get("object-src", directives.get("default-src")) != ["'none'"]:
            problems.append("the CSP allows plugins (object-src)")
        if directives.get("frame-ancestors") != ["'none'"]:
            problems.append("the CSP lets other sites frame the page (frame-ancestors)")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") not in STRICT_REFERRER_POLICIES:
        problems.append(f"weak Referrer-Policy {headers.get('Referrer-Policy')!r}")
    if headers.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options is {headers.get('X-Frame-Options')!r}, not DENY")
    return problems


def assert_headers(response, where: str) -> None:
    HEADERS_CHECKED["n"] += 1
    problems = header_problems(response)
    assert not problems, f"{where} ({response.status_code}): {'; '.join(problems)}"


def login_client(app: Flask, email: str) -> BrowserLikeClient:
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    client.login(email)
    return client
