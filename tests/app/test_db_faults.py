"""Database faults, made real: PostgreSQL stopped, connections cut while idle or half-way through
a transaction. Pages answer 503 with a translated message (JSON under /api/), /healthz says the
database is unavailable, nothing half-written stays behind, and the app recovers by itself as
soon as the database is back (pool pre-ping), without a restart.

The faults come from a TCP proxy between the app and the suite's PostgreSQL (tests/tcp_proxy.py)
and, for "the server stopped", from a throwaway PostgreSQL cluster stopped and started with pg_ctl.
These are PostgreSQL only: SQLite has no server to lose. SQLite's own faults (a database file
that cannot be opened) get the same 503, tested at the end on every run; SQLite's other
OperationalErrors (no such table, syntax) are bugs and stay 500. Stalls and locks (a server that
never answers, a locked table, another SQLite writer) are in tests/app/test_db_timeouts.py.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from markupsafe import escape
from sqlalchemy.engine import make_url

from app import create_app
from app.audit import verify_chain
from app.errors import DB_MESSAGES, DB_UNAVAILABLE
from app.extensions import db
from app.models import User
from config import TestConfig
from marketplace.procurement.models import ProcurementRequest, RequestLine
from tests import figures
from tests.conftest import BrowserLikeClient
from tests.support.faults import RETRY_FI, TITLE_FI, note_on_sqlite, postgres_only, published_service
from tests.tcp_proxy import TcpProxy

#: Kept short so that each refused connection fails fast (the proxy resets them at once anyway).
CONNECT_ARGS = {"connect_timeout": 2, "prepare_threshold": None}  # no server-side prepares: SQL text on the wire


def engine_options() -> dict:
    """The app's own engine options (pool_pre_ping), with a short connect timeout."""
    return {**TestConfig.SQLALCHEMY_ENGINE_OPTIONS, "connect_args": CONNECT_ARGS}


def faulty_app(url: str) -> Flask:
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=engine_options())
    app.test_client_class = BrowserLikeClient
    return app


def db_message_fi(app: Flask) -> str:
    """The database message of the 503 page as a Finnish visitor reads it (escaped as in the HTML)."""
    with app.test_request_context(headers={"Accept-Language": "fi"}):
        return str(escape(str(DB_MESSAGES[DB_UNAVAILABLE])))


def assert_unavailable_page(app: Flask, response, url: str) -> None:
    assert response.status_code == 503, f"{url} answered {response.status_code}"
    assert response.headers.get("Retry-After", "").isdigit(), url
    html = response.get_data(as_text=True)
    assert TITLE_FI in html and RETRY_FI in html and db_message_fi(app) in html, url
    for leak in ("Traceback", "OperationalError", "psycopg", "sqlalchemy", "127.0.0.1"):
        assert leak not in html, f"{url} shows {leak!r}"


def row_counts() -> dict[str, int]:
    """Rows in every table, read directly (not through the proxy)."""
    db.session.rollback()
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


# --- through a TCP proxy to the suite's PostgreSQL ------------------------------------------------


@pytest.fixture()
def proxy(database_url: str) -> Iterator[TcpProxy]:
    parsed = make_url(database_url)
    with TcpProxy((parsed.host or "127.0.0.1", parsed.port or 5432)) as running:
        yield running


@pytest.fixture()
def proxied(app: Flask, proxy: TcpProxy, database_url: str) -> Iterator[Flask]:
    """An app on the test database, reached through the proxy (the schema is the suite's)."""
    url = make_url(database_url).set(host=proxy.host, port=proxy.port).render_as_string(hide_password=False)
    faulty = faulty_app(url)
    yield faulty
    with faulty.app_context():
        db.engine.dispose()


@postgres_only
def test_database_stopped_pages_answer_503_and_the_app_recovers(proxied, proxy, people, caplog):
    visitor: BrowserLikeClient = proxied.test_client()  # type: ignore[assignment]
    buyer: BrowserLikeClient = proxied.test_client()  # type: ignore[assignment]
    buyer.login(people["buyer"].email)
    assert visitor.get("/catalogue").status_code == 200
    assert buyer.get("/procurement").status_code == 200

    proxy.stop()
    caplog.set_level(logging.WARNING)
    for url in ("/rules", "/catalogue", "/register"):
        assert_unavailable_page(proxied, visitor.get(url, headers={"Accept-Language": "fi"}), url)
    signed_in = buyer.get("/procurement")
    assert_unavailable_page(proxied, signed_in, "/procurement (signed in)")
    # The page cannot know who is signed in, so it does not offer to sign in either.
    assert 'href="/login"' not in signed_in.get_data(as_text=True)

    health = visitor.get("/healthz")
    assert health.status_code == 503 and health.get_json() == {"status": "error", "database": "unavailable"}
    api = visitor.get("/api/v1/providers")
    assert api.status_code == 503 and api.is_json and api.headers.get("Retry-After", "").isdigit()
    assert api.get_json()["error"] == 503 and api.get_json()["message"]
    assert proxy.refused > 0
    logged = [r.getMessage() for r in caplog.records if "Database unavailable" in r.getMessage()]
    assert any("GET /catalogue" in line for line in logged), logged
    assert all(r.exc_info is None for r in caplog.records if "Database unavailable" in r.getMessage())

    proxy.resume()
    # The very next request succeeds: no restart, the pool reconnects by itself.
    assert buyer.get("/procurement").status_code == 200
    assert visitor.get("/").status_code == 200
    assert visitor.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    figures.note(
        "faults",
        "database stopped",
        "pages 503 with the translated message and Retry-After, API 503 JSON, /healthz 503 "
        "database unavailable; recovered: yes, the first request after it returned answered 200",
    )


@postgres_only
def test_form_sent_while_the_database_is_down_is_not_saved(proxied, proxy, people):
    visitor: BrowserLikeClient = proxied.test_client()  # type: ignore[assignment]
    visitor.csrf_token("/signup")
    before = row_counts()

    proxy.stop()
    response = visitor.post_form(
        "/signup",
        {
            "name": "Kaisa Katkos",
            "email": "kaisa.katkos@example.com",
            "password": "Pitkä salasana 2026!",
            "confirm": "Pitkä salasana 2026!",
            "accept_terms": "y",
        },
    )
    assert_unavailable_page(proxied, response, "POST /signup")

    proxy.resume()
    assert visitor.get("/").status_code == 200
    assert row_counts() == before
    assert db.session.scalar(sa.select(User).where(User.email == "kaisa.katkos@example.com")) is None
    figures.note(
        "faults",
        "form sent while the database is down",
        "503 with the translated message; nothing saved; recovered: yes",
    )


@postgres_only
def test_connections_cut_while_idle_are_replaced_unnoticed(proxied, proxy, people):
    buyer: BrowserLikeClient = proxied.test_client()  # type: ignore[assignment]
    buyer.login(people["buyer"].email)
    assert buyer.get("/procurement").status_code == 200
    assert proxy.live >= 1  # the pool keeps its connection open between requests
    cut = proxy.cut_all()
    assert cut >= 1

    # pool_pre_ping finds the dead connection at checkout and opens a new one.
    assert buyer.get("/procurement").status_code == 200
    assert buyer.get("/healthz").status_code == 200
    figures.note(
        "faults",
        "connections cut while idle",
        f"{cut} pooled connection(s) cut; the next request answered 200 (pool pre-ping); recovered: yes",
    )


@postgres_only
@pytest.mark.parametrize(
    ("pattern", "nth", "name"),
    [
        (b"INSERT INTO", 3, "connection cut mid-transaction"),
        (b"COMMIT", 1, "connection cut at COMMIT"),
    ],
)
def test_connection_cut_half_way_leaves_no_partial_rows(proxied, proxy, people, pattern, nth, name):
    service = published_service(people)
    buyer: BrowserLikeClient = proxied.test_client()  # type: ignore[assignment]
    buyer.login(people["buyer"].email)
    page = buyer.get(f"/catalogue/{service.slug}").get_data(as_text=True)
    plan_id = re.findall(r'name="plan" value="(\d+)"', page)[0]
    form = {"service": service.id, "plan": plan_id}
    before = row_counts()

    # What the request sends: several INSERTs in one transaction (the request, its line, their audit events).
    statements: list[str] = []
    with proxied.app_context():
        engine = db.engine
    record = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", record)
    proxy.cut_on(pattern, nth)
    try:
        response = buyer.post_form("/procurement/add", form, page=f"/catalogue/{service.slug}")
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert proxy.triggered.is_set(), "the proxy never saw the message to cut at"
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    written_before_cut = len(inserts) - (1 if pattern == b"INSERT INTO" else 0)
    assert written_before_cut >= 2, statements
    assert_unavailable_page(proxied, response, "POST /procurement/add")

    assert row_counts() == before  # none of the transaction's rows, in any table
    # Trying again, as the page says, saves it once.
    retry = buyer.post_form("/procurement/add", form, page=f"/catalogue/{service.slug}")
    assert retry.status_code == 302
    after = row_counts()
    assert after[ProcurementRequest.__tablename__] == before[ProcurementRequest.__tablename__] + 1
    assert after[RequestLine.__tablename__] == before[RequestLine.__tablename__] + 1
    assert verify_chain().ok
    figures.note(
        "faults",
        name,
        f"{written_before_cut} INSERTs sent before the cut; the user saw 503; no rows of the transaction "
        "left in any table; the retry saved it once; recovered: yes",
    )


# --- a real PostgreSQL server, stopped and started -----------------------------------------------


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder, run as the postgres user."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="digione-pg-"))
        shutil.chown(self.root, "postgres")
        self.data = self.root / "data"
        self.port = _free_port()

    def _run(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture()
def cluster() -> Iterator[Cluster]:
    bindir = _postgres_bin()
    if bindir is None or os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("a throwaway PostgreSQL cluster needs the server binaries and root (runuser -u postgres)")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres user to run a throwaway cluster")
    server = Cluster(bindir)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()


@postgres_only
def test_postgresql_stopped_and_started(cluster, caplog):
    app = faulty_app(cluster.url)
    with app.app_context():
        db.create_all()
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    try:
        assert client.get("/catalogue").status_code == 200

        # Restarted while idle: the pooled connection is dead; pre-ping replaces it unnoticed.
        cluster.stop()
        cluster.start()
        assert client.get("/catalogue").status_code == 200

        cluster.stop()
        caplog.set_level(logging.WARNING)
        for url in ("/rules", "/catalogue", "/register"):
            assert_unavailable_page(app, client.get(url, headers={"Accept-Language": "fi"}), url)
        health = client.get("/healthz")
        assert health.status_code == 503 and health.get_json()["database"] == "unavailable"
        assert any("Database unavailable" in r.getMessage() for r in caplog.records)

        cluster.start()
        assert client.get("/catalogue").status_code == 200
        assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    finally:
        with app.app_context():
            db.engine.dispose()
    figures.note(
        "faults",
        "PostgreSQL server stopped (pg_ctl stop)",
        "pages 503 with the translated message, /healthz 503 database unavailable; "
        "recovered: yes, the first request after pg_ctl start answered 200 without restarting the app",
    )
    figures.note(
        "faults",
        "PostgreSQL server restarted while idle",
        "the next request answered 200 (pool pre-ping); recovered: yes",
    )


# --- SQLite's own faults (every run) ------------------------------------------------------------


def sqlite_app(path: Path, **connect_args) -> Flask:
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}",
        SQLALCHEMY_ENGINE_OPTIONS={**TestConfig.SQLALCHEMY_ENGINE_OPTIONS, "connect_args": connect_args},
    )
    app.test_client_class = BrowserLikeClient
    return app


def test_sqlite_file_that_cannot_be_opened_is_503(tmp_path):
    folder = tmp_path / "volume-not-mounted-yet"
    app = sqlite_app(folder / "digione.sqlite")
    try:
        client = app.test_client()
        assert_unavailable_page(app, client.get("/catalogue", headers={"Accept-Language": "fi"}), "/catalogue")
        assert client.get("/healthz").status_code == 503
        folder.mkdir()  # the folder appears: the same app, not restarted, serves again
        with app.app_context():
            db.create_all()
        assert client.get("/catalogue").status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()
    note_on_sqlite(
        "database file cannot be opened",
        "503 with the translated message, /healthz 503; recovered: yes, 200 once the file could be opened",
    )


def test_sqlite_missing_table_is_a_bug_not_a_fault(tmp_path):
    """An OperationalError that is not a fault (here: no schema) stays a 500."""
    app = sqlite_app(tmp_path / "empty.sqlite")
    try:
        response = app.test_client().get("/catalogue")
        assert response.status_code == 500
        assert "Retry-After" not in response.headers
    finally:
        with app.app_context():
            db.engine.dispose()
