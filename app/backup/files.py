"""BackupError, the results, and backup files: timestamped names, checksums, safe writing."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL

EXTENSIONS = {"sqlite": ".sqlite", "postgresql": ".dump"}


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
