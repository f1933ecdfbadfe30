"""Security headers, safe redirects, trusted hosts and proxies, and the client's address."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

UNTRUSTED_HOST_MESSAGE = _l("This service answers only at its own address. Check the address you used and try again.")
NUL_MESSAGE = _l("The request contained a control character (NUL) that no text can hold. Remove it and try again.")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


#: The app's own scripts (under static/), the only ones a page loads; nothing inline (see the CSP).
SCRIPTS = ("js/forms.js",)


def script_tags(static_prefix: str = "/static/") -> list[str]:
    """The tags that load the app's own scripts, exactly as base.html writes them."""
    return [f'<script src="{static_prefix}{path}" defer></script>' for path in SCRIPTS]


def client_address() -> str:
    """The address of the person's device: the one place that reads it (rate limits, sign-in
    sessions, acceptance evidence). Behind TRUSTED_PROXY_COUNT proxies it is what the nearest of
    them saw (register_proxies); with none, X-Forwarded-For is ignored, as anyone can send it."""
    return request.remote_addr or ""


def register_proxies(app: Flask) -> None:
    """Read the client's address and scheme from the headers of the configured number of proxies."""
    count = app.config["TRUSTED_PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def is_safe_local_path(target: str | None) -> bool:
    """True only for a path on this site: no scheme, no host, no tricks."""
    if not target or not isinstance(target, str):
        return False
    if any(ch in target for ch in ("\\", "\r", "\n", "\t")) or any(ord(ch) < 32 for ch in target):
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_redirect(target: str | None, fallback_endpoint: str = "main.index") -> Response:
    return redirect(target if is_safe_local_path(target) else url_for(fallback_endpoint))


def next_target() -> str | None:
    """The local `next` of this request, if it is safe."""
    target = request.values.get("next")
    return target if is_safe_local_path(target) else None


#: The largest id an INTEGER column holds (PostgreSQL's is 32-bit).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: a database id. A number past what the id columns hold is no page (404),
    not an overflow in the database driver (a 500)."""

    def __init__(
        self,
        map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def register_id_converter(app: Flask) -> None:
    """Before the blueprints: routes take their converters when they are added."""
    app.url_map.converters["int"] = IdConverter


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values.getlist(key)) for key in values)


def register_host_guard(app: Flask) -> None:
    """A Host header outside TRUSTED_HOSTS (Flask finds it while matching the address) is refused
    before anything else runs: no session, no rate limit, no form. The 400 page itself renders its
    links on PUBLIC_BASE_URL (app.errors)."""

    def _refuse_untrusted_host():
        if isinstance(request.routing_exception, SecurityError):
            abort(400, description=str(UNTRUSTED_HOST_MESSAGE))

    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_untrusted_host)


def register_input_guard(app: Flask) -> None:
    """Refuse NUL characters anywhere in the address or the form: no text a person
    types contains one, and PostgreSQL cannot store them (it would be a 500)."""

    @app.before_request
    def _refuse_nul():
        form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
        if form and (None in request.form or None in request.files):
            abort(400)  # a multipart part without a name: no browser sends one, and no view expects one
        if "\x00" in request.path or _has_nul(request.args) or (form and _has_nul(request.form)):
            abort(400, description=str(NUL_MESSAGE))


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
