"""Changes that take effect once when several requests make them at the same moment.

Services that move something from one state to another first `lock()` what they change, then
check its state, then change it: of two requests doing the same thing at once, the second waits
for the first to finish and then sees what it did, so its own checks refuse it with their usual
message ("The agenda has already been published"). Numbers handed out in sequence (record numbers,
sections) are allocated under `lock_sequence()`. The database's unique constraints stand behind
both: a race that slips past a check meets a constraint, and app/errors.py answers it with a clear
message instead of an error page.

How each database is made to serialise:

- PostgreSQL: row locks (`SELECT ... FOR UPDATE`) held to the end of the transaction, and
  transaction-scoped advisory locks for sequences. Locks are taken before the first audit event
  of the transaction (app.audit takes its own advisory lock), always in the same order, so two
  requests never wait for each other in a circle.
- SQLite: one writer at a time. Every request that may change something (any method but GET,
  HEAD and OPTIONS) begins its transaction with BEGIN IMMEDIATE, so it holds the write lock from its
  first statement, reads included, and the next one waits its turn (the busy timeout). Reads
  (GET, the command line) keep the driver's own handling and never wait for writers, and so do
  the few writing views marked `late_write_lock` (signing in) until their first write.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db

F = TypeVar("F", bound=Callable[..., Any])


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def lock(*objects: Any) -> None:
    """Hold these rows until the transaction ends, and read afresh what others committed before.

    Pending changes are flushed first; afterwards every object of the session is expired, so
    the checks that follow (statuses, collections such as a meeting's items) see the rows as they
    are now, not as the request found them before it waited."""
    session = db.session
    session.flush()
    if _postgresql():
        rows = {(sa.inspect(o).mapper.local_table, o.id) for o in map(_unproxied, objects) if o is not None}
        for table, ident in sorted(rows, key=lambda row: (row[0].name, row[1])):
            session.execute(sa.select(table.c.id).where(table.c.id == ident).with_for_update())
    session.expire_all()


def _unproxied(obj: Any) -> Any:
    """The object behind a proxy such as Flask-Login's current_user."""
    getter = getattr(obj, "_get_current_object", None)
    return getter() if getter is not None else obj


def lock_sequence(name: str) -> None:
    """Serialise the allocation of one sequence of numbers (e.g. case record numbers) until the
    transaction ends. On SQLite the write lock of the request already does."""
    if _postgresql():
        key = zlib.crc32(f"digione:{name}".encode()) & 0x7FFFFFFF
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


#: Marks a view function as taking SQLite's write lock at its first write (`late_write_lock`).
_LATE = "_sqlite_write_lock_late"


def late_write_lock(view: F) -> F:
    """A writing view whose slow part only reads and whose writes need no waiting for one
    another: on SQLite it takes the write lock at its first write, not its first statement.
    Signing in checks a password hash (scrypt: slow on purpose) and then only adds rows (a
    session, an audit event, which takes the lock before it reads the chain's end); holding
    the lock during the check would make every other writer wait for each sign-in of a
    burst, and the busy timeout end their wait. Put it right under the route decorator."""
    setattr(view, _LATE, True)
    return view


def _writing_request() -> bool:
    if not has_request_context() or request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, _LATE, False)


@sa.event.listens_for(sa.Engine, "begin")
def _sqlite_begin(connection: sa.Connection) -> None:
    """A writing request takes SQLite's write lock with its first statement. Anything else keeps
    the driver's own handling (reads outside a transaction, BEGIN just before a write)."""
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if not isinstance(raw, sqlite3.Connection):  # pragma: no cover - another SQLite driver
        return
    if _writing_request():
        raw.isolation_level = None  # the driver begins nothing itself: the transaction is ours
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        raw.isolation_level = ""


def insert_once(table: sa.Table, key: list[str], **values: Any) -> bool:
    """Insert a row unless one with the same `key` columns exists (a unique constraint), and say
    whether this call inserted it: of several transactions doing it at once, exactly one gets
    True (INSERT ... ON CONFLICT DO NOTHING ... RETURNING, on PostgreSQL and on SQLite). For
    work that must be done once, such as a reminder: record it, and do it only on True."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(table).values(**values).on_conflict_do_nothing(index_elements=key).returning(*table.primary_key.columns)
    )
    return db.session.execute(stmt).first() is not None
