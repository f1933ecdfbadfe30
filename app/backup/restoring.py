"""Restoring a backup: all the database's data replaced with the file's, or nothing changed."""

from __future__ import annotations

import sqlite3
import subprocess  # nosec B404 - runs pg_restore with an argument list, never a shell
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from app.backup.checking import _read_only_uri, inspect_file
from app.backup.files import BackupError, BackupFile, RestoreResult, describe
from app.backup.pgtools import _first_line, _tool, pg_command_url
from app.backup.taking import _counts, _give_up_after, _LockTimeout, _sqlite_file, _without_timeouts

_STOP_THE_APP = "Stop the app (web workers, cron jobs) and retry, or allow a longer --lock-timeout."


def restore(
    engine: Engine, source: BackupFile | str | Path, *, tables: Iterable[str] | None = None, lock_timeout: float = 30.0
) -> RestoreResult:
    """Replace all data in the database with the backup's.

    The file is checked first (`inspect_file`); nothing is touched if it is the wrong
    kind or damaged. Waits at most `lock_timeout` seconds for other connections to let
    go of the database, then gives up with nothing changed. The engine's pool is
    disposed afterwards, so every new connection sees the restored database.
    """
    started = time.perf_counter()
    checked = source if isinstance(source, BackupFile) else inspect_file(engine, source)
    wanted = None if tables is None else list(tables)
    if checked.dialect == "sqlite":
        untouched: tuple[str, ...] = ()
        _sqlite_restore(engine, checked, lock_timeout)
    else:
        untouched = _pg_restore(engine, checked, lock_timeout)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                _without_timeouts(connection, lock_timeout)
            counts = _counts(connection, wanted)
    except sa.exc.DBAPIError as exc:
        raise BackupError(f"Restored, but cannot read the database back: {_first_line(exc.orig)}.") from exc
    return RestoreResult(
        checked.path, checked.dialect, checked.size, checked.sha256, counts, time.perf_counter() - started, untouched
    )


def _sqlite_restore(engine: Engine, checked: BackupFile, lock_timeout: float) -> None:
    live = _sqlite_file(engine)
    if live is not None and live.exists() and live.samefile(checked.path):
        raise BackupError(f"{checked.path} is the live database itself.")
    if live is not None:
        engine.dispose()
    try:
        source = sqlite3.connect(_read_only_uri(checked.path), uri=True)
        try:
            raw = engine.raw_connection()
            try:
                live_connection = raw.driver_connection
                live_connection.execute(f"PRAGMA busy_timeout = {int(lock_timeout * 1000)}")
                # One step, in one write transaction on the live database: other
                # connections see either the old data or the restored data.
                source.backup(live_connection, progress=_give_up_after(lock_timeout))
            finally:
                raw.close()
        finally:
            source.close()
    except _LockTimeout as exc:
        raise BackupError(
            f"Other connections kept the database locked for {lock_timeout:g} s; nothing was restored. {_STOP_THE_APP}"
        ) from exc
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite restore failed: {exc}.") from exc
    except sa.exc.DBAPIError as exc:
        raise BackupError(f"Cannot open the database {describe(engine.url)}: {_first_line(exc.orig)}.") from exc
    finally:
        if live is not None:  # an in-memory database would vanish with its pool
            engine.dispose()


def _pg_restore(engine: Engine, checked: BackupFile, lock_timeout: float) -> tuple[str, ...]:
    pg_restore = _tool("pg_restore")
    application_name = f"digione-restore-{uuid.uuid4().hex[:12]}"
    url, env = pg_command_url(engine.url, application_name)
    command = [
        pg_restore,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        f"--dbname={url}",
        str(checked.path),
    ]
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as monitor:
            present = set(sa.inspect(monitor).get_table_names())
            engine.dispose()  # our own idle pooled connections: let go of them
            # One transaction: a damaged archive or giving up on a lock leaves the database as it was.
            _run_watched(command, env, monitor, application_name, lock_timeout)
    except sa.exc.OperationalError as exc:
        raise BackupError(f"Cannot reach the database {describe(engine.url)}: {_first_line(exc.orig)}.") from exc
    except sa.exc.DBAPIError as exc:
        raise BackupError(f"PostgreSQL restore failed: {_first_line(exc.orig)}.") from exc
    finally:
        engine.dispose()
    return tuple(sorted(present - checked.tables))


_BLOCKED = sa.text(
    "SELECT pid FROM pg_stat_activity WHERE application_name = :name AND wait_event_type = 'Lock' "
    "AND now() - query_start > make_interval(secs => :seconds) LIMIT 1"
)
_BLOCKERS = sa.text(
    "SELECT pid, coalesce(nullif(application_name, ''), '?') AS application, state FROM pg_stat_activity "
    "WHERE pid = ANY(pg_blocking_pids(:pid)) ORDER BY pid"
)


def _run_watched(
    command: list[str], env: dict[str, str], monitor: sa.Connection, application_name: str, lock_timeout: float
) -> None:
    """Run pg_restore, cancelling it if it waits longer than `lock_timeout` for a lock.

    (`lock_timeout` cannot be set for it: every archive begins with SET lock_timeout = 0.)
    Otherwise a forgotten open transaction elsewhere would keep it, and everyone queued
    behind its locks, waiting for ever.
    """
    try:
        process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,  # nosec B603
            stderr=subprocess.PIPE,
            text=True,
        )
    except OSError as exc:
        raise BackupError(f"Cannot run pg_restore: {exc.strerror or exc}.") from exc
    blockers: list[str] = []
    try:
        while True:
            try:
                _stdout, stderr = process.communicate(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                pass
            if blockers:
                continue  # cancelled; waiting for it to exit
            pid = monitor.scalar(_BLOCKED, {"name": application_name, "seconds": lock_timeout})
            if pid is not None:
                blockers = [
                    f"pid {row.pid} ({row.application}, {row.state})"
                    for row in monitor.execute(_BLOCKERS, {"pid": pid})
                ] or ["another session"]
                monitor.execute(sa.text("SELECT pg_cancel_backend(:pid)"), {"pid": pid})
    finally:
        if process.poll() is None:  # interrupted: do not leave its session holding locks
            process.kill()
            process.wait()
            monitor.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": application_name},
            )
    if blockers:
        raise BackupError(
            f"pg_restore waited more than {lock_timeout:g} s for locks held by "
            f"{', '.join(blockers)} and was cancelled; nothing was restored. {_STOP_THE_APP}"
        )
    if process.returncode != 0:
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        detail = "\n".join(lines[-5:]) or f"exit status {process.returncode}"
        raise BackupError(f"pg_restore failed; nothing was restored:\n{detail}")
