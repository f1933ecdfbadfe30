"""Races on PostgreSQL made certain: requests run at once while a table is share-locked (`collide`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import sqlalchemy as sa

from app.extensions import db


def _waiting(connection: sa.Connection, others: tuple[int, ...]) -> int:
    """How many other sessions wait for a lock (a table's, a row's, an advisory one)."""
    return connection.execute(
        sa.text("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND NOT (pid = ANY(:others))"),
        {"others": list(others)},
    ).scalar_one()


def collide(table: str, requests: list[Callable[[], int]]) -> list[int]:
    """Run the requests in threads while `table` is share-locked; release when all of them wait (at the
    table, or behind one another at a row lock the app takes first); return their statuses."""
    statuses: list[int | str] = []
    with db.engine.connect() as locker, db.engine.connect() as watcher:
        locker.execute(sa.text(f'LOCK TABLE "{table}" IN SHARE MODE'))
        others = tuple(c.execute(sa.text("SELECT pg_backend_pid()")).scalar_one() for c in (locker, watcher))

        def run(request: Callable[[], int]) -> None:
            try:
                statuses.append(request())
            except Exception as exc:
                statuses.append(f"error: {exc!r}")

        threads = [threading.Thread(target=run, args=(request,), daemon=True) for request in requests]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while _waiting(watcher, others) < len(requests):
            watcher.rollback()
            assert time.monotonic() < deadline, f"the requests never reached their INSERT into {table}: {statuses}"
            time.sleep(0.02)
        locker.rollback()  # releases the lock: both inserts go at once
    for thread in threads:
        thread.join(timeout=30)
    return statuses  # type: ignore[return-value]
