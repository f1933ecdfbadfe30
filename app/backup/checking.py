"""Checking a file before restoring it: the right kind, intact, with the core tables."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.engine import Engine

from app.backup.files import BackupError, BackupFile, file_sha256
from app.backup.pgtools import _run, _tool

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
#: Every DigiOne Hub database has had these tables since the first migration.
CORE_TABLES = ("organisations", "users", "audit_events")


_KIND_LABELS = {"sqlite": "a SQLite database", "postgresql": "a PostgreSQL (pg_dump custom-format) archive"}


_PG_TABLE_ENTRY = re.compile(r"^\d+;\s+\d+\s+\d+\s+TABLE\s+(\S+)\s+(\S+)\s", re.MULTILINE)


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
