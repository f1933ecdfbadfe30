"""Error pages (HTML, translated) and JSON errors under /api/.

A database that cannot be reached (stopped, restarting, the connection cut) or
is momentarily busy (locked, deadlock, statement timeout) is not a bug: such
requests answer 503 with a Retry-After header and a message that says so, and
the event is logged on one line without a stack trace. The page is rendered
without touching the database (the signed-in user is not reloaded).
"""

from __future__ import annotations

import math
import sqlite3
import time

from flask import Flask, current_app, flash, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db, limiter
from app.params import BadQuery
from app.submissions import ALREADY_SAVED, back_to_the_form, is_duplicate
from app.urls import public_url_adapter

try:  # the PostgreSQL driver; SQLite-only installations may lack it
    import psycopg
except ImportError:  # pragma: no cover
    psycopg = None  # type: ignore[assignment]

TITLES = {
    400: _l("The request could not be handled"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    413: _l("The file or form is too large"),
    409: _l("Someone else changed this at the same moment"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("The service is temporarily unavailable"),
}
MESSAGES = {
    400: _l("Check what you sent and try again."),
    403: _l("Your account does not have the rights this page needs."),
    404: _l("The address may be mistyped, or the page may have moved."),
    405: _l("Go back to the previous page and use its buttons and links."),
    413: _l("Files may be at most 16 MB. Try a smaller file."),
    409: _l("Reload the page to see what was saved, and try again if needed."),
    429: _l("Wait a moment and try again. Repeated attempts are limited to protect your account."),
    500: _l("The error has been recorded. Try again in a moment; nothing you saved before is lost."),
    503: _l("Try again in a moment."),
}
#: Kinds of database fault (see database_fault) and what the 503 page says about each.
DB_UNAVAILABLE = "unavailable"
DB_BUSY = "busy"
DB_MESSAGES = {
    DB_UNAVAILABLE: _l(
        "The database cannot be reached at the moment. "
        "If you were saving something, check afterwards whether it was saved."
    ),
    DB_BUSY: _l("The database is busy at the moment, so what you sent was not saved."),
}
#: Seconds a client should wait before trying again (the Retry-After header).
DB_RETRY_AFTER = {DB_UNAVAILABLE: 10, DB_BUSY: 2}

# PostgreSQL error codes (SQLSTATE) that mean "busy, try again": serialization
# failure and deadlock (class 40), lock not available, statement timeout.
_PG_BUSY = ("40", "55P03", "57014")
# ... and "cannot be reached": connection exceptions (class 08), server shutting
# down or starting (57P01-57P03), insufficient resources (class 53: too many
# connections, disk full, out of memory). No SQLSTATE at all is a client-side
# failure: connection refused, timed out, or closed.
_PG_UNAVAILABLE = ("08", "57P01", "57P02", "57P03", "53")
# SQLite reports both faults and bugs (no such table, syntax) as OperationalError:
# only these messages are faults.
_SQLITE_BUSY = ("database is locked", "database table is locked", "database schema is locked")
_SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error")


def database_fault(error: BaseException) -> str | None:
    """DB_UNAVAILABLE or DB_BUSY when `error` is a database fault rather than a bug, else None."""
    if isinstance(error, sa_exc.TimeoutError):  # every connection of the pool busy for the pool's timeout
        return DB_BUSY
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return DB_UNAVAILABLE
        error = error.orig
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        if text.startswith(_SQLITE_BUSY):
            return DB_BUSY
        if text.startswith(_SQLITE_UNAVAILABLE):
            return DB_UNAVAILABLE
        return None
    if psycopg is not None and isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)):
        state = getattr(error, "sqlstate", None)
        if state is None or state.startswith(_PG_UNAVAILABLE):
            return DB_UNAVAILABLE
        if state.startswith(_PG_BUSY):
            return DB_BUSY
    return None


def _summary(error: BaseException) -> str:
    """The driver's own error, first line only (SQLAlchemy's text carries the SQL and its parameters)."""
    orig = getattr(error, "orig", None) or error
    lines = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {lines[0] if lines else ''}"


def _page_without_database() -> None:
    """Make the error page render without a query: keep the language already known,
    and show the page as to a visitor, without reloading the signed-in user."""
    user = g.get("_login_user")
    if user is not None and not user.is_anonymous and {"locale", "active"} <= vars(user).keys():
        get_locale()  # the user's language, from attributes already loaded (no query)
    g._login_user = AnonymousUserMixin()
    g.database_unavailable = True


LOST_RACE = _l(
    "Someone else changed this at the same moment, so what you sent was not saved. "
    "The page now shows what was saved; check it and try again if needed."
)


def is_unique_violation(error: BaseException) -> bool:
    """Whether an IntegrityError is a unique constraint meeting a second copy of something (a lost
    race), rather than a broken rule of the schema (a bug)."""
    orig = getattr(error, "orig", error)
    if getattr(orig, "sqlstate", None) == "23505":
        return True
    return isinstance(orig, sqlite3.IntegrityError) and str(orig).startswith("UNIQUE constraint failed")


def _race_response(error: BaseException):
    """A lost race or a form sent twice: a clear message and the way back, never an error page."""

    db.session.rollback()
    message = ALREADY_SAVED if is_duplicate(error) else LOST_RACE
    current_app.logger.info(
        "%s on %s %s: %s",
        "duplicate form" if message is ALREADY_SAVED else "lost race",
        request.method,
        request.path,
        _summary(error),
    )
    if _wants_json():
        return jsonify(error=409, title=str(TITLES[409]), message=str(message)), 409
    if request.method == "GET":  # nothing to go back to: say it on a page
        return _render(409, str(message))
    flash(str(message), "info" if message is ALREADY_SAVED else "error")
    return back_to_the_form()


CSRF_MESSAGE = _l(
    "The form had expired or was sent from another site, so it was not saved. "
    "Go back, reload the page and send the form again."
)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(code: int, detail: str | None = None):
    if request_ctx.url_adapter is None:  # the Host was refused (TRUSTED_HOSTS): links on the public address
        request_ctx.url_adapter = public_url_adapter()
    if _wants_json():
        return jsonify(error=code, title=str(TITLES.get(code, "")), message=detail or str(MESSAGES.get(code, ""))), code
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=TITLES.get(code, TITLES[400]),
            message=MESSAGES.get(code, MESSAGES[400]),
            detail=detail,
        ),
        code,
    )


def retry_after_text(error: RateLimitExceeded) -> str:
    """When a refused client may try again, in words (the Retry-After header says it in seconds)."""
    try:
        current = limiter.current_limit
        seconds = current.reset_at - time.time() if current is not None else error.limit.limit.get_expiry()
    except Exception:
        seconds = error.limit.limit.get_expiry()
    minutes = max(1, math.ceil(seconds / 60))
    if minutes <= 90:
        return ngettext("You can try again in %(num)d minute.", "You can try again in %(num)d minutes.", minutes)
    hours = math.ceil(minutes / 60)
    return ngettext("You can try again in %(num)d hour.", "You can try again in %(num)d hours.", hours)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _render(400, str(CSRF_MESSAGE))

    @app.errorhandler(BadQuery)
    def _bad_query(error: BadQuery):
        if _wants_json():
            return jsonify(error=400, parameter=error.parameter, message=error.message), 400
        return _render(400, error.message)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        code = error.code or 500
        # Werkzeug's own English descriptions are replaced by our translated ones;
        # a description given with abort(403, description=...) by our code is kept.
        default = type(error).description
        detail = error.description if error.description and error.description != default else None
        if isinstance(error, RateLimitExceeded):  # its description is the limit itself ("3 per 1 minute")
            detail = retry_after_text(error)
        response = _render(code, detail)
        if code == 405 and getattr(error, "valid_methods", None):
            body, status = response
            return body, status, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):  # pragma: no cover - handled above
            return _http(error)
        if isinstance(error, StaleDataError) or (
            isinstance(error, sa_exc.IntegrityError) and is_unique_violation(error)
        ):
            return _race_response(error)
        fault = database_fault(error)
        if fault is not None:
            _page_without_database()
        try:
            db.session.rollback()
        except Exception:
            app.logger.warning("rollback failed after an error")
        if fault is not None:
            log = app.logger.error if fault == DB_UNAVAILABLE else app.logger.warning
            log("Database %s on %s %s: %s", fault, request.method, request.path, _summary(error))
            body, status = _render(503, str(DB_MESSAGES[fault]))
            return body, status, {"Retry-After": str(DB_RETRY_AFTER[fault])}
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _render(InternalServerError.code)
