"""The engine's timeouts, chosen per database by the URL (one SQLALCHEMY_ENGINE_OPTIONS cannot
carry psycopg's options to SQLite).

PostgreSQL: a connect timeout (a server that accepts the connection and never answers), server-side
statement, lock and idle-in-transaction timeouts, and TCP keepalives plus tcp_user_timeout for a
network that drops. SQLite: WAL for file databases (readers never wait for a writer) and a busy
timeout (a writer waits that long for another writer, then gives up). The errors they raise are
database faults (app.errors.database_fault): the 503 page with Retry-After.

Not covered: a server that stops answering on a connection already open (say, a SIGSTOPped
backend or postmaster) while the kernel still acknowledges what is sent: the statement timeout
is enforced by that same server and TCP sees nothing wrong, so only a client-side timeout could
end the wait. gunicorn's worker timeout does, by restarting the worker.

Connection arguments given in SQLALCHEMY_ENGINE_OPTIONS["connect_args"] or in the URL's query
win over these defaults.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from app.extensions import db


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def postgres_connect_args(config: Mapping[str, Any]) -> dict[str, Any]:
    settings = {
        "statement_timeout": _ms(config["DATABASE_STATEMENT_TIMEOUT"]),
        "lock_timeout": _ms(config["DATABASE_LOCK_TIMEOUT"]),
        "idle_in_transaction_session_timeout": _ms(config["DATABASE_IDLE_IN_TRANSACTION_TIMEOUT"]),
    }
    args: dict[str, Any] = {}
    connect = config["DATABASE_CONNECT_TIMEOUT"]
    if connect:
        args["connect_timeout"] = max(2, math.ceil(connect))  # libpq's own minimum
    if any(settings.values()):  # all 0: send no startup options (e.g. behind PgBouncer)
        args["options"] = " ".join(f"-c {name}={value}" for name, value in settings.items())
    network = config["DATABASE_NETWORK_TIMEOUT"]
    if network:
        args.update(
            keepalives=1,
            keepalives_idle=max(1, int(network // 2)),
            keepalives_interval=max(1, int(network // 4)),
            keepalives_count=2,
            tcp_user_timeout=_ms(network),
        )
    return args


def sqlite_connect_args(config: Mapping[str, Any]) -> dict[str, Any]:
    return {"timeout": config["DATABASE_BUSY_TIMEOUT"]}  # sqlite3's busy timeout, in seconds


def engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """SQLALCHEMY_ENGINE_OPTIONS with the timeouts of the URL's database added."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    backend = url.get_backend_name()
    if backend == "postgresql":
        defaults = postgres_connect_args(config)
    elif backend == "sqlite":
        defaults = sqlite_connect_args(config)
    else:
        return options
    given = dict(options.get("connect_args") or {})
    defaults = {name: value for name, value in defaults.items() if name not in url.query}
    options["connect_args"] = {**defaults, **given}
    return options


def is_sqlite_file(url: sa.engine.URL) -> bool:
    database = url.database or ""
    return url.get_backend_name() == "sqlite" and database not in ("", ":memory:") and "mode=memory" not in database


def _use_wal(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


def configure_engine_options(app: Flask) -> None:
    """Before db.init_app: the engine is made from these."""
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)


def register_engine_events(app: Flask) -> None:
    """After db.init_app: WAL on every new connection to a SQLite file (a no-op once the file is in WAL)."""

    with app.app_context():
        engine = db.engine
    if is_sqlite_file(engine.url):
        sa.event.listen(engine, "connect", _use_wal)
