"""Lift the database's append-only guard on audit_events, as someone with direct
access to the database could (the tests that play a forger, and the cleanup
between tests on SQLite, where emptying a table is a DELETE)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from app.audit import APPEND_ONLY_GUARD, APPEND_ONLY_GUARD_DROP
from app.extensions import db


@contextmanager
def guard_lifted() -> Iterator[None]:
    dialect = db.engine.dialect.name
    for statement in APPEND_ONLY_GUARD_DROP.get(dialect, []):
        db.session.execute(sa.text(statement))
    try:
        yield
    finally:
        for statement in APPEND_ONLY_GUARD.get(dialect, []):
            db.session.execute(sa.text(statement))
