"""Security headers and safe redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, redirect, request, url_for

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


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
