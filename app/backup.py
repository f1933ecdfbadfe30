"""Backups of the database and restoring them (`flask backup`, `flask restore`).

SQLite uses its online backup API: the copy is one consistent snapshot even
while the app is writing, and a restore writes the pages into the live file
under SQLite's own lock, so every open connection sees the restored data.
PostgreSQL uses `pg_dump --format=custom` and `pg_restore`, found on PATH; the
password travels in PGPASSWORD, never on the command line.

Plain functions that raise BackupError with a message for the operator for
everything that can be expected to go wrong (missing tool, unwritable path,
unreachable database, wrong or damaged file). The caller records the audit
event and commits.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404 - runs pg_dump and pg_restore with argument lists, never a shell
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
#: Every DigiOne Hub database has had these tables since the first migration.
CORE_TABLES = ("organisations", "users", "audit_events")
EXTENSIONS = {"sqlite": ".sqlite", "postgresql": ".dump"}
_KIND_LABELS = {"sqlite": "a SQLite database", "postgresql": "a PostgreSQL (pg_dump custom-format) archive"}
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_STOP_THE_APP = "Stop the app (web workers, cron jobs) and retry, or allow a longer --lock-timeout."
_PG_TABLE_ENTRY = re.compile(r"^\d+;\s+\d+\s+\d+\s+TABLE\s+(\S+)\s+(\S+)\s", re.MULTILINE)


class BackupError(Exception):
    """An expected failure, with a message meant for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    dialect: str
    size: int
    sha256: str
    row_counts: dict[str, int]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(self.row_counts.values())


@dataclass(frozen=True)
class BackupFile:
    """A backup file that has been checked and may be restored into a database of `dialect`."""

    path: Path
    dialect: str
    size: int
    sha256: str
    tables: frozenset[str]


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    dialect: str
    size: int
    sha256: str
    row_counts: dict[str, int]
    seconds: float
    #: Tables the database has but the backup does not (PostgreSQL keeps their current rows).
    untouched_tables: tuple[str, ...] = field(default=())

    @property
    def rows(self) -> int:
        return sum(self.row_counts.values())


# --- paths and files --------------------------------------------------------------------------


def default_path(directory: str | Path, dialect: str, now: datetime | None = None) -> Path:
    """A timestamped file name (UTC) in `directory`, e.g. digione-20261130T021500Z.sqlite."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(directory) / f"digione-{stamp}{EXTENSIONS.get(dialect, '.backup')}"


def describe(url: URL) -> str:
    """The database, for messages (never the password)."""
    return url.render_as_string(hide_password=True)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _reserve(target: Path) -> Path:
    """Create an empty, owner-only temporary file next to `target` (backups hold personal data)."""
    if target.exists():
        raise BackupError(f"{target} already exists; choose another path or remove it first.")
    parent = target.parent
    if not parent.exists():
        raise BackupError(f"Cannot write {target}: directory {parent} does not exist.")
    if not parent.is_dir():
        raise BackupError(f"Cannot write {target}: {parent} is not a directory.")
    temporary = parent / f".{target.name}.{uuid.uuid4().hex[:8]}.partial"
    try:
        os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise BackupError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    return temporary


def _publish(temporary: Path, target: Path) -> None:
    """Make the finished file durable, then give it its name (never a half-written backup there)."""
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    try:
        directory = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory)
    except OSError:
        pass
    finally:
        os.close(directory)


def _prepare_target(path: Path, dialect: str, create_directory: bool) -> Path:
    path = Path(path).expanduser()
    if create_directory and not path.exists():
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise BackupError(f"Cannot create the backup directory {path}: {exc.strerror or exc}.") from exc
    if path.is_dir():
        path = default_path(path, dialect)
    return path.resolve()


# --- backup -----------------------------------------------------------------------------------


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


# --- PostgreSQL command-line tools ------------------------------------------------------------


def pg_command_url(url: URL, application_name: str | None = None) -> tuple[str, dict[str, str]]:
    """A libpq URL for pg_dump/pg_restore (no driver, no password) and the environment to
    run them in (the password, if any, in PGPASSWORD)."""
    netloc = ""
    if url.username:
        netloc = quote(url.username, safe="") + "@"
    if url.host:
        netloc += f"[{url.host}]" if ":" in url.host else quote(url.host, safe="")
    if url.port:
        netloc += f":{url.port}"
    pairs = [
        (key, item)
        for key, value in url.query.items()
        if not (application_name and key == "application_name")
        for item in (value if isinstance(value, tuple) else (value,))
    ]
    if application_name:
        pairs.append(("application_name", application_name))
    rendered = f"postgresql://{netloc}/{quote(url.database or '', safe='')}"
    if pairs:
        rendered += "?" + urlencode(pairs, quote_via=quote)
    # The child gets this process's environment unchanged (PATH, PGSSL*), plus the password.
    env = os.environ.copy()
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return rendered, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH; install the PostgreSQL client tools "
            "(the same major version as the server or newer)."
        )
    return found


def _first_line(error: object) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _run(command: list[str], env: dict[str, str]) -> str:
    name = Path(command[0]).name
    try:
        completed = subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,  # nosec B603
            check=False,
        )
    except OSError as exc:
        raise BackupError(f"Cannot run {name}: {exc.strerror or exc}.") from exc
    if completed.returncode != 0:
        lines = [line for line in completed.stderr.strip().splitlines() if line.strip()]
        detail = "\n".join(lines[-5:]) or f"exit status {completed.returncode}"
        raise BackupError(f"{name} failed:\n{detail}")
    return completed.stdout


# --- checking a file before restoring it ------------------------------------------------------


def inspect_file(engine: Engine, path: str | Path, required: Iterable[str] = CORE_TABLES) -> BackupFile:
    """Check that `path` is an intact backup of the kind this database restores, with the
    `required` tables, without touching the database."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if head == SQLITE_MAGIC:
        kind = "sqlite"
    elif head.startswith(PGDUMP_MAGIC):
        kind = "postgresql"
    else:
        raise BackupError(
            f"{path} is not a backup: it is neither {_KIND_LABELS['sqlite']} nor {_KIND_LABELS['postgresql']}."
        )
    dialect = engine.dialect.name
    if kind != dialect:
        raise BackupError(
            f"{path} is {_KIND_LABELS[kind]}, but this database is {dialect}; "
            f"a backup restores only into the kind of database it was taken from."
        )
    tables = _sqlite_file_tables(path) if kind == "sqlite" else _pg_archive_tables(path)
    missing = [name for name in required if name not in tables]
    if missing:
        raise BackupError(f"{path} is not a DigiOne Hub backup: it has no {', '.join(missing)} table.")
    return BackupFile(path.resolve(), kind, path.stat().st_size, file_sha256(path), frozenset(tables))


def _read_only_uri(path: Path) -> str:
    # immutable: nobody writes a backup file, so no locks or -wal/-shm files are needed to read it.
    return path.resolve().as_uri() + "?mode=ro&immutable=1"


def _sqlite_size_problem(path: Path) -> str | None:
    """Whether the file is shorter or longer than its header says (a cut-off copy)."""
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100:
        return f"only {len(header)} bytes"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    size = path.stat().st_size
    if page_size < 512 or size % page_size:
        return f"{size} bytes is not a whole number of {page_size}-byte pages"
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[24:28] == header[92:96] and pages > 0
    if header_valid and size != pages * page_size:
        return f"{size} bytes where its header says {pages * page_size}"
    return None


def _sqlite_file_tables(path: Path) -> set[str]:
    problem = _sqlite_size_problem(path)
    if problem:
        raise BackupError(f"{path} is damaged (truncated or padded: {problem}).")
    try:
        connection = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            problems = [row[0] for row in connection.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise BackupError(f"{path} is damaged (SQLite quick_check: {'; '.join(problems[:3])}).")
            return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} is damaged: {exc}.") from exc


def _pg_archive_tables(path: Path) -> set[str]:
    listing = _pg_list(path)
    return {name for _schema, name in _PG_TABLE_ENTRY.findall(listing)}


def _pg_list(path: Path) -> str:
    try:
        return _run([_tool("pg_restore"), "--list", str(path)], os.environ.copy())
    except BackupError as exc:
        if "not found on PATH" in str(exc):
            raise
        raise BackupError(f"{path} is damaged or not a pg_dump custom-format archive:\n{exc}") from exc


# --- restore ----------------------------------------------------------------------------------


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
