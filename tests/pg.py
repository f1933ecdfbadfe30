"""Helpers for the tests' own PostgreSQL databases."""

from __future__ import annotations

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


def _admin_conninfo(url: str) -> tuple[str, str]:
    parsed = make_url(url)
    conninfo = psycopg.conninfo.make_conninfo(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or "",
        dbname="postgres",
        connect_timeout=5,
    )
    return conninfo, parsed.database or "digione_test"


def ensure_database(url: str) -> str | None:
    """Create the database if missing; return None, or why it cannot be reached."""
    conninfo, name = _admin_conninfo(url)
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def recreate_database(url: str, name: str) -> str:
    """Drop and create a sibling database of `url`; return its URL."""
    conninfo, _ = _admin_conninfo(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, name: str) -> None:
    conninfo, _ = _admin_conninfo(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
