"""A stalled or locked database answers the 503 page within the configured timeouts, never hangs.

Real faults: a PostgreSQL "server" that accepts the TCP connection and never answers (the TCP proxy's
stall mode), a table locked by another session, and on SQLite a write lock held by another
connection on the same file (WAL: reads go on meanwhile). Each app gets short timeouts through
create_app overrides; the elapsed time is measured and must stay below three times the timeout
(behaviour, not a benchmark). A safety timer releases each fault after SAFETY seconds, so that the
code before these settings fails the time assertion instead of hanging the suite.

Not covered, by design: a server that stops answering on a connection already open (a SIGSTOPped
backend): the kernel still acknowledges, so only a client-side timeout would end the wait.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from markupsafe import escape
from sqlalchemy.engine import make_url

from app import backup, create_app, services
from app.errors import DB_BUSY, DB_MESSAGES, DB_RETRY_AFTER, DB_UNAVAILABLE, database_fault
from app.extensions import db
from app.models import User
from app.sessions import UserSession
from config import TestConfig
from tests import figures
from tests.conftest import BrowserLikeClient
from tests.support.faults import TITLE_FI, note_on_sqlite, postgres_only, published_service
from tests.tcp_proxy import TcpProxy

#: Seconds after which a fault is released whatever happens (a hanging request then fails the test).
SAFETY = 20
SIGNUP = {
    "name": "Kaisa Katkos",
    "email": "kaisa.katkos@example.com",
    "password": "Pitkä salasana 2026!",
    "confirm": "Pitkä salasana 2026!",
    "accept_terms": "y",
}


def timed_app(url: str, **timeouts) -> Flask:
    """An app on `url` with the project's own engine options and the given DATABASE_* timeouts."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, **timeouts)
    app.test_client_class = BrowserLikeClient
    return app


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def assert_503(app: Flask, response, fault: str, what: str) -> None:
    assert response.status_code == 503, f"{what} answered {response.status_code}"
    # (On rate-limited routes such as /signup, Flask-Limiter raises it to the end of the limit's window.)
    assert int(response.headers.get("Retry-After", "x")) >= DB_RETRY_AFTER[fault], what
    body = response.get_data(as_text=True)
    if response.is_json:
        assert response.get_json()["error"] == 503, what
        return
    with app.test_request_context(headers={"Accept-Language": "fi"}):
        assert TITLE_FI in body and str(escape(str(DB_MESSAGES[fault]))) in body, what
    for leak in ("Traceback", "psycopg", "sqlalchemy", "locked", "timeout", "canceling"):
        assert leak not in body, f"{what} shows {leak!r}"


@pytest.fixture()
def dispose() -> Iterator[list[Flask]]:
    apps: list[Flask] = []
    yield apps
    for app in apps:
        with app.app_context():
            db.engine.dispose()


# --- PostgreSQL -----------------------------------------------------------------------------------


@postgres_only
def test_server_that_accepts_and_never_answers_is_503_within_the_connect_timeout(app, database_url, dispose):
    timeout = 2  # libpq's smallest
    parsed = make_url(database_url)
    with TcpProxy((parsed.host or "127.0.0.1", parsed.port or 5432)) as proxy:
        url = parsed.set(host=proxy.host, port=proxy.port).render_as_string(hide_password=False)
        stalled = timed_app(url, DATABASE_CONNECT_TIMEOUT=timeout)
        dispose.append(stalled)
        client = stalled.test_client()
        proxy.stall()
        release = threading.Timer(SAFETY, proxy.resume)
        release.start()
        try:
            for path in ("/catalogue", "/api/v1/providers", "/healthz"):
                response, elapsed = timed(lambda: client.get(path, headers={"Accept-Language": "fi"}))
                if path == "/healthz":
                    assert response.status_code == 503 and response.get_json()["database"] == "unavailable"
                else:
                    assert_503(stalled, response, DB_UNAVAILABLE, path)
                assert elapsed < 3 * timeout, f"{path} took {elapsed:.1f} s"
        finally:
            release.cancel()
            proxy.resume()
        assert proxy.stalled >= 3  # every attempt really reached a server that said nothing
        assert client.get("/catalogue").status_code == 200  # and the app recovers by itself
    figures.note(
        "faults",
        "PostgreSQL accepts the connection and never answers",
        f"503 'unavailable' with Retry-After after {elapsed:.1f} s (connect timeout {timeout} s); recovered: yes",
    )


def _holder(database_url: str) -> psycopg.Connection:
    conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(conninfo)


@postgres_only
@pytest.mark.parametrize(
    ("timeouts", "limit"),
    [
        ({"DATABASE_LOCK_TIMEOUT": 1, "DATABASE_STATEMENT_TIMEOUT": 30}, 1),
        ({"DATABASE_LOCK_TIMEOUT": 0, "DATABASE_STATEMENT_TIMEOUT": 1}, 1),
    ],
    ids=["lock timeout", "statement timeout"],
)
def test_table_locked_by_another_session_is_503_busy_within_the_timeout(
    app, database_url, people, dispose, timeouts, limit
):
    published_service(people)
    locked = timed_app(database_url, **timeouts)
    dispose.append(locked)
    client = locked.test_client()
    assert client.get("/catalogue").status_code == 200
    holder = _holder(database_url)
    release = threading.Timer(SAFETY, holder.rollback)
    try:
        holder.execute("LOCK TABLE catalogue_entries IN ACCESS EXCLUSIVE MODE")  # a migration, say
        release.start()
        response, elapsed = timed(lambda: client.get("/catalogue", headers={"Accept-Language": "fi"}))
        assert_503(locked, response, DB_BUSY, "/catalogue")
        assert limit <= elapsed < 3 * limit, f"waited {elapsed:.1f} s"
        api, api_elapsed = timed(lambda: client.get("/api/v1/services"))
        assert_503(locked, api, DB_BUSY, "/api/v1/services")
        assert api_elapsed < 3 * limit
        assert client.get("/bodies").status_code == 200  # what does not need the table goes on
    finally:
        release.cancel()
        holder.rollback()
        holder.close()
    assert client.get("/catalogue").status_code == 200
    kind = "lock" if timeouts["DATABASE_LOCK_TIMEOUT"] else "statement"
    figures.note(
        "faults",
        f"table locked by another session ({kind} timeout {limit} s)",
        f"503 'busy' with Retry-After after {elapsed:.1f} s; recovered: yes",
    )


@postgres_only
def test_sessions_carry_the_configured_timeouts(app, database_url, dispose):
    configured = timed_app(
        database_url, DATABASE_STATEMENT_TIMEOUT=7, DATABASE_LOCK_TIMEOUT=3, DATABASE_IDLE_IN_TRANSACTION_TIMEOUT=90
    )
    dispose.append(configured)
    with configured.app_context():
        shown = {
            name: db.session.execute(sa.text(f"SHOW {name}")).scalar()
            for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")
        }
        db.session.rollback()
        raw = db.engine.raw_connection()
        try:  # the client side of the connection (libpq's own parameters)
            client_side = raw.driver_connection.info.get_parameters()
        finally:
            raw.close()
    assert shown == {"statement_timeout": "7s", "lock_timeout": "3s", "idle_in_transaction_session_timeout": "90s"}
    assert {name: client_side.get(name) for name in ("connect_timeout", "keepalives", "tcp_user_timeout")} == {
        "connect_timeout": "5",
        "keepalives": "1",
        "tcp_user_timeout": "20000",
    }


@postgres_only
def test_a_session_left_idle_in_a_transaction_is_ended_and_counts_as_unavailable(app, database_url, dispose):
    idle = timed_app(database_url, DATABASE_IDLE_IN_TRANSACTION_TIMEOUT=1)
    dispose.append(idle)
    with idle.app_context():
        db.session.execute(sa.select(sa.func.count()).select_from(User))
        time.sleep(1.5)  # e.g. a request waiting on another service inside its transaction
        with pytest.raises(sa.exc.DBAPIError) as caught:
            db.session.execute(sa.select(sa.func.count()).select_from(User))
        db.session.rollback()
    assert database_fault(caught.value) == DB_UNAVAILABLE  # the 503 page, not a 500


@postgres_only
def test_backup_is_not_cut_by_the_apps_timeouts(app, database_url, tmp_path, dispose):
    """pg_dump waits for a lock while the backup's own transaction (whose snapshot it reads) sits
    idle: the app's idle-in-transaction and statement timeouts must not end that transaction."""
    short = timed_app(database_url, DATABASE_IDLE_IN_TRANSACTION_TIMEOUT=1, DATABASE_STATEMENT_TIMEOUT=1)
    dispose.append(short)
    holder = _holder(database_url)
    holder.execute("CREATE SCHEMA IF NOT EXISTS slow")
    holder.execute("CREATE TABLE IF NOT EXISTS slow.archive (id integer)")
    holder.commit()
    release = threading.Timer(2.5, holder.rollback)
    try:
        holder.execute("LOCK TABLE slow.archive IN ACCESS EXCLUSIVE MODE")
        release.start()
        with short.app_context():
            result, elapsed = timed(lambda: backup.backup(db.engine, tmp_path / "backup.dump", lock_timeout=15))
        assert elapsed > 2, "pg_dump did not wait for the lock: the test proves nothing"
        assert result.path.read_bytes().startswith(backup.PGDUMP_MAGIC) and result.row_counts["users"] >= 0
        with short.app_context():
            restored = backup.restore(db.engine, result.path, lock_timeout=15)
        assert restored.row_counts == result.row_counts
    finally:
        release.cancel()
        holder.rollback()
        holder.execute("DROP SCHEMA slow CASCADE")
        holder.commit()
        holder.close()


# --- SQLite ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("begin", ["BEGIN IMMEDIATE", "BEGIN EXCLUSIVE"])
def test_sqlite_write_locked_by_another_writer_is_503_busy_while_reads_go_on(tmp_path, dispose, begin):
    """In WAL mode an EXCLUSIVE transaction is the same as IMMEDIATE: it keeps other writers out, not
    readers (with the old rollback journal, BEGIN EXCLUSIVE kept every page from loading)."""
    busy = 2.0  # long beside a read under load (~0.05-0.6 s), so "not held up" is clear
    path = tmp_path / "digione.sqlite"
    app = timed_app(f"sqlite:///{path}", DATABASE_BUSY_TIMEOUT=busy)
    dispose.append(app)
    with app.app_context():
        db.create_all()
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    client.csrf_token("/signup")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        assert holder.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        holder.execute(begin)  # another process writing
        holder.execute(
            "INSERT INTO outbox_messages (recipient, subject, body, created_at, attempts, last_error) "
            "VALUES ('a@example.com', 's', 'b', '2026-01-01 00:00:00', 0, '')"
        )
        response, elapsed = timed(lambda: client.post_form("/signup", SIGNUP, headers={"Accept-Language": "fi"}))
        assert_503(app, response, DB_BUSY, "POST /signup")
        assert busy <= elapsed < 3 * busy, f"waited {elapsed:.2f} s"
        for url in ("/catalogue", "/register", "/signup", "/healthz"):  # reads are not held up
            read, read_elapsed = timed(lambda: client.get(url))
            assert read.status_code == 200, url
            assert read_elapsed < busy, f"{url} waited {read_elapsed:.2f} s"
        holder.execute("ROLLBACK")
        retry = client.post_form("/signup", SIGNUP, headers={"Accept-Language": "en"})
        assert retry.status_code == 200 and "Check your e-mail" in retry.get_data(as_text=True)
    finally:
        holder.close()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    note_on_sqlite(
        f"database locked by another writer ({begin})",
        f"writes 503 'busy' with Retry-After after {elapsed:.2f} s (busy timeout {busy} s), "
        "pages that read answer 200 meanwhile (WAL); recovered: yes, the retry saved once",
    )


def test_sqlite_sign_in_checks_the_password_without_holding_up_other_writers(tmp_path, dispose):
    """Signing in takes SQLite's write lock at its first write (a session row), not while it checks
    the password hash: a wrong password is answered at once while another request writes, and a
    burst of sign-ins does not keep every other writer waiting (the load test's 503s on /login)."""
    busy = 2.0
    path = tmp_path / "digione.sqlite"
    app = timed_app(f"sqlite:///{path}", DATABASE_BUSY_TIMEOUT=busy)
    dispose.append(app)
    password = "a long enough passphrase 7"
    with app.app_context():
        db.create_all()
        services.register_user("anna@example.com", "Anna", password, "fi", confirmed=True)
        db.session.commit()
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    client.csrf_token("/login")
    english = {"Accept-Language": "en"}
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another request writing
        holder.execute("UPDATE users SET name = 'Anna A.' WHERE email = 'anna@example.com'")
        wrong, elapsed = timed(
            lambda: client.post_form("/login", {"email": "anna@example.com", "password": "not it"}, headers=english)
        )
        assert wrong.status_code == 200, wrong.status_code
        assert "The e-mail address or the password is wrong." in wrong.get_data(as_text=True)
        assert elapsed < busy, f"the wrong password waited {elapsed:.2f} s for the writer"
        right, elapsed = timed(lambda: client.post_form("/login", {"email": "anna@example.com", "password": password}))
        assert_503(app, right, DB_BUSY, "POST /login")  # it must write, so it waits its turn
        assert elapsed >= busy
        holder.execute("ROLLBACK")
        retry = client.post_form("/login", {"email": "anna@example.com", "password": password}, headers=english)
        assert retry.status_code == 302, retry.status_code
    finally:
        holder.close()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 1


def test_sqlite_in_memory_and_the_suite_keep_working_without_wal(dispose):
    app = timed_app("sqlite://", DATABASE_BUSY_TIMEOUT=1)
    dispose.append(app)
    with app.app_context():
        db.create_all()
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "memory"
        db.session.rollback()
    assert app.test_client().get("/catalogue").status_code == 200
