"""Error pages (HTML, translated) and JSON errors under /api/."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db

TITLES = {
    400: _l("The request could not be handled"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    413: _l("The file or form is too large"),
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
    429: _l("Wait a moment and try again. Repeated attempts are limited to protect your account."),
    500: _l("The error has been recorded. Try again in a moment; nothing you saved before is lost."),
    503: _l("Try again in a moment."),
}
CSRF_MESSAGE = _l(
    "The form had expired or was sent from another site, so it was not saved. "
    "Go back, reload the page and send the form again."
)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(code: int, detail: str | None = None):
    if _wants_json():
        return jsonify(error=code, title=str(TITLES.get(code, "")), message=detail or str(MESSAGES.get(code, ""))), code
    return (
        render_template("errors/error.html", code=code, title=TITLES.get(code, TITLES[400]),
                        message=MESSAGES.get(code, MESSAGES[400]), detail=detail),
        code,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _render(400, str(CSRF_MESSAGE))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        code = error.code or 500
        # Werkzeug's own English descriptions are replaced by our translated ones;
        # a description given with abort(403, description=...) by our code is kept.
        default = type(error).description
        detail = error.description if error.description and error.description != default else None
        response = _render(code, detail)
        if code == 405 and getattr(error, "valid_methods", None):
            body, status = response
            return body, status, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):  # pragma: no cover - handled above
            return _http(error)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the database itself may be what failed
            app.logger.warning("rollback failed after an error")
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _render(InternalServerError.code)
