"""Taking a backup: one consistent snapshot of the database written to a new file."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from app.backup.files import (
    EXTENSIONS,
    BackupError,
    BackupResult,
    _prepare_target,
    _publish,
    _reserve,
    describe,
    file_sha256,
)
from app.backup.pgtools import _first_line, _run, _tool, pg_command_url

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


def backup(
    engine: Engine,
    path: str | Path,
    *,
    tables: Iterable[str] | None = None,
    create_directory: bool = False,
    lock_timeout: float = 30.0,
) -> BackupResult:
    """Write a consistent copy of the database to `path` (a file, or a directory for a
    timestamped file in it; `create_directory` makes a missing directory).

    `tables` are the ones whose rows are counted (in the same snapshot as the copy);
    None counts every table.
    """
    started = time.perf_counter()
    dialect = engine.dialect.name
    if dialect not in EXTENSIONS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {dialect}.")
    target = _prepare_target(Path(path), dialect, create_directory)
    wanted = None if tables is None else list(tables)
    pg_dump = _tool("pg_dump") if dialect == "postgresql" else ""  # before writing anything
    temporary = _reserve(target)
    try:
        if dialect == "sqlite":
            counts = _sqlite_backup(engine, temporary, wanted, lock_timeout)
        else:
            counts = _pg_backup(engine, pg_dump, temporary, wanted, lock_timeout)
        _publish(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return BackupResult(
        target, dialect, target.stat().st_size, file_sha256(target), counts, time.perf_counter() - started
    )


def _sqlite_file(engine: Engine) -> Path | None:
    """The database file, or None for an in-memory database."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).resolve()


def _sqlite_backup(engine: Engine, temporary: Path, tables: list[str] | None, lock_timeout: float) -> dict[str, int]:
    source_file = _sqlite_file(engine)
    if source_file is not None and not source_file.is_file():
        raise BackupError(f"The database file {source_file} does not exist.")
    try:
        raw = engine.raw_connection()
        try:
            destination = sqlite3.connect(temporary)
            try:
                # All pages in one step under one read lock: a consistent snapshot of the
                # committed data (including what is still in a WAL file), whatever other
                # connections are doing meanwhile.
                raw.driver_connection.backup(destination, progress=_give_up_after(lock_timeout))
                destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                counts = _sqlite_counts(destination, tables)
            finally:
                destination.close()
        finally:
            raw.close()
    except _LockTimeout as exc:
        raise BackupError(f"The database stayed locked for {lock_timeout:g} s; try again.") from exc
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}.") from exc
    except sa.exc.DBAPIError as exc:
        raise BackupError(f"Cannot open the database {describe(engine.url)}: {_first_line(exc.orig)}.") from exc
    return counts


class _LockTimeout(Exception):
    pass


def _give_up_after(seconds: float) -> Callable[[int, int, int], None]:
    """A backup progress callback that aborts once SQLite has been kept waiting for `seconds`."""
    deadline = time.monotonic() + seconds

    def progress(status: int, remaining: int, total: int) -> None:
        if status in (_SQLITE_BUSY, _SQLITE_LOCKED) and time.monotonic() > deadline:
            raise _LockTimeout

    return progress


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_counts(connection: sqlite3.Connection, tables: list[str] | None) -> dict[str, int]:
    present = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    names = present if tables is None else [name for name in tables if name in set(present)]
    # nosec B608: the names are the file's own tables, quoted as identifiers
    return {
        name: connection.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]  # nosec
        for name in names
    }


def _without_timeouts(connection: sa.Connection, lock_timeout: float | None = None) -> None:
    """For the rest of this PostgreSQL transaction: no statement or idle-in-transaction timeout
    (the app's, for pages, would cut a backup of a big database), and our own lock timeout."""
    settings = {"statement_timeout": "0", "idle_in_transaction_session_timeout": "0"}
    if lock_timeout is not None:
        settings["lock_timeout"] = f"{int(lock_timeout * 1000)}ms"
    for name, value in settings.items():
        connection.execute(sa.text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})


def _counts(connection: sa.Connection, tables: list[str] | None) -> dict[str, int]:
    present = set(sa.inspect(connection).get_table_names())
    names = sorted(present) if tables is None else [name for name in tables if name in present]
    return {name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name))) or 0 for name in names}


def _pg_backup(
    engine: Engine, pg_dump: str, temporary: Path, tables: list[str] | None, lock_timeout: float
) -> dict[str, int]:
    url, env = pg_command_url(engine.url, "digione-backup")
    try:
        with (
            engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
            connection.begin(),
        ):
            # The transaction stays open, idle, while pg_dump runs.
            _without_timeouts(connection, lock_timeout)
            # pg_dump reads the snapshot this transaction exports, so the row counts
            # printed are exactly those in the file.
            snapshot = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
            counts = _counts(connection, tables)
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={temporary}",
                    f"--lock-wait-timeout={int(lock_timeout * 1000)}",
                    f"--dbname={url}",
                ],
                env,
            )
    except sa.exc.OperationalError as exc:
        raise BackupError(f"Cannot reach the database {describe(engine.url)}: {_first_line(exc.orig)}.") from exc
    except sa.exc.DBAPIError as exc:
        raise BackupError(f"PostgreSQL backup failed: {_first_line(exc.orig)}.") from exc
    return counts
