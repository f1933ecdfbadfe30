"""Running the PostgreSQL command-line tools (pg_dump, pg_restore) found on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404 - runs pg_dump and pg_restore with argument lists, never a shell
from pathlib import Path
from urllib.parse import quote, urlencode

from sqlalchemy.engine import URL

from app.backup.files import BackupError


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
