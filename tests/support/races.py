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


def at_once(app, count: int, job: Callable[[], int]) -> list[int]:
    """Run `job` in `count` threads released together (as on `count` hosts at the same moment), each
    in its own application and request context and database session, committing what it did; return
    their results. A job that raises fails the test with the error."""
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def worker() -> None:
        with app.app_context(), app.test_request_context():
            try:
                barrier.wait(10)
                results.append(job())
                db.session.commit()
            except BaseException as exc:
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(results) == count, "a job did not finish"
    db.session.expire_all()
    return results
