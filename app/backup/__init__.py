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

The package: `files` (BackupError, the results, file names and safe writing),
`taking` (`backup`), `pgtools` (pg_dump and pg_restore), `checking`
(`inspect_file`) and `restoring` (`restore`). Everything is importable from
`app.backup`.
"""

from __future__ import annotations

from app.backup import checking, files, pgtools, restoring, taking
from app.backup.checking import CORE_TABLES, PGDUMP_MAGIC, SQLITE_MAGIC, inspect_file
from app.backup.files import (
    EXTENSIONS,
    BackupError,
    BackupFile,
    BackupResult,
    RestoreResult,
    default_path,
    describe,
    file_sha256,
)
from app.backup.pgtools import pg_command_url
from app.backup.restoring import restore
from app.backup.taking import backup

# The private helpers as well, reachable from the package as they were from the single module.
_KIND_LABELS = checking._KIND_LABELS
_SQLITE_BUSY = taking._SQLITE_BUSY
_SQLITE_LOCKED = taking._SQLITE_LOCKED
_STOP_THE_APP = restoring._STOP_THE_APP
_PG_TABLE_ENTRY = checking._PG_TABLE_ENTRY
_reserve = files._reserve
_publish = files._publish
_prepare_target = files._prepare_target
_sqlite_file = taking._sqlite_file
_sqlite_backup = taking._sqlite_backup
_LockTimeout = taking._LockTimeout
_give_up_after = taking._give_up_after
_quote = taking._quote
_sqlite_counts = taking._sqlite_counts
_without_timeouts = taking._without_timeouts
_counts = taking._counts
_pg_backup = taking._pg_backup
_tool = pgtools._tool
_first_line = pgtools._first_line
_run = pgtools._run
_read_only_uri = checking._read_only_uri
_sqlite_size_problem = checking._sqlite_size_problem
_sqlite_file_tables = checking._sqlite_file_tables
_pg_archive_tables = checking._pg_archive_tables
_pg_list = checking._pg_list
_sqlite_restore = restoring._sqlite_restore
_pg_restore = restoring._pg_restore
_BLOCKED = restoring._BLOCKED
_BLOCKERS = restoring._BLOCKERS
_run_watched = restoring._run_watched

__all__ = [
    "CORE_TABLES",
    "EXTENSIONS",
    "PGDUMP_MAGIC",
    "SQLITE_MAGIC",
    "BackupError",
    "BackupFile",
    "BackupResult",
    "RestoreResult",
    "backup",
    "default_path",
    "describe",
    "file_sha256",
    "inspect_file",
    "pg_command_url",
    "restore",
]
