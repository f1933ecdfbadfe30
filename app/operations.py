"""Running the service: a request id on every request and log line, JSON logs, and readiness.

- **Request id:** taken from the `X-Request-ID` header when it is a plausible id (a proxy or the
  load balancer made it), otherwise generated; echoed in the response's `X-Request-ID` and carried
  by every log line written while the request runs. A command-line job (`flask mail send`) gets
  one of its own, so its lines can be told apart from another host's run.
- **Logs:** one JSON object per line on standard error (LOG_FORMAT=json, the default outside
  development) with the time, level, logger, message and request id, plus one line per request
  (method, path, endpoint, status, milliseconds).
- **Readiness** (`/readyz`): the database answers, its schema is at the migrations' head, and the
  outgoing mail waiting is below READY_MAX_MAIL_BACKLOG; `/healthz` stays the cheap liveness probe.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, g, has_request_context, request
from sqlalchemy.exc import SQLAlchemyError

from app import mail, metrics
from app.extensions import db

REQUEST_ID_HEADER = "X-Request-ID"
#: What an incoming request id may look like (a UUID, a load balancer's trace id); anything else
#: (too long, spaces, control characters that could forge log lines) is replaced by a new one.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

_job_request_id: str | None = None

log = logging.getLogger("digione.requests")


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id() -> str:
    """The id of the request (or command-line job) running now; "-" outside both."""
    if has_request_context():
        return g.get("request_id") or "-"
    return _job_request_id or "-"


def start_job(name: str) -> str:
    """A command-line job's own id for its log lines ("mail-send-<hex>")."""
    global _job_request_id
    _job_request_id = f"{name}-{new_request_id()}"
    return _job_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; extra fields given to the logger (`extra={...}`) are kept."""

    _STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in self._STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


_HANDLER_MARK = "_digione_handler"


def register_logging(app: Flask) -> None:
    """Log lines to standard error in the configured format, each with its request id. The suite
    keeps pytest's own capture (no handler is added under TESTING)."""
    if not app.testing:
        root = logging.getLogger()
        if not any(getattr(handler, _HANDLER_MARK, False) for handler in root.handlers):
            handler = logging.StreamHandler(sys.stderr)
            setattr(handler, _HANDLER_MARK, True)
            handler.addFilter(RequestIdFilter())
            if app.config["LOG_FORMAT"] == "json":
                handler.setFormatter(JsonFormatter())
            else:
                handler.setFormatter(
                    logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
                )
            root.addHandler(handler)
            root.setLevel(app.config["LOG_LEVEL"])
            logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # its start-up chatter
    app.before_request(_begin)
    app.after_request(_end)


def _begin() -> None:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if _REQUEST_ID.fullmatch(given) else new_request_id()
    g.request_started = time.perf_counter()


def _end(response: Response) -> Response:
    rid = g.get("request_id")
    if rid:
        response.headers[REQUEST_ID_HEADER] = rid
    started = g.get("request_started")
    if started is not None:
        seconds = time.perf_counter() - started
        metrics.observe_request(request.endpoint, request.method, response.status_code, seconds)
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "endpoint": request.endpoint or "",
                "status": response.status_code,
                "ms": round(seconds * 1000, 1),
            },
        )
    return response


# --- readiness --------------------------------------------------------------------------------------------------

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
_REVISION = re.compile(r"^revision\s*=\s*['\"](\w+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*=\s*(.+)$", re.MULTILINE)


def migration_heads(folder: Path = MIGRATIONS) -> set[str]:
    """The head revisions of the migrations, read from their files (web workers never import
    Alembic; tests compare this with Alembic's own reading)."""
    revisions, parents = set(), set()
    for path in folder.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found = _REVISION.search(text)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN.search(text)
        if down is not None:
            parents |= set(re.findall(r"['\"](\w+)['\"]", down.group(1)))
    return revisions - parents


@dataclass
class Readiness:
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(check["ok"] for check in self.checks.values())

    def as_json(self) -> dict[str, Any]:
        return {"status": "ready" if self.ready else "not ready", "checks": self.checks}


def readiness(max_backlog: int) -> Readiness:
    """Whether this host should get traffic: never raises (a failing check is reported)."""
    result = Readiness()
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        result.checks["database"] = {"ok": False}
        return result
    result.checks["database"] = {"ok": True}
    try:
        current = set(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError:
        db.session.rollback()
        current = set()
    heads = migration_heads()
    result.checks["migrations"] = {"ok": current == heads, "database": sorted(current), "code": sorted(heads)}
    waiting = mail.pending_count()
    result.checks["mail_backlog"] = {"ok": waiting <= max_backlog, "waiting": waiting, "limit": max_backlog}
    db.session.rollback()
    return result
