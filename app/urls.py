"""Absolute links (mail, feeds, CSV, the API's description), always on the configured site.

Every absolute address the app writes starts with PUBLIC_BASE_URL, inside a request as
well as outside one (CLI, cron): never with the Host header a client sent, which anyone
can set (a password reset link to another site would hand its token to that site).
This module is the only place that builds absolute links; tests/app/test_links.py fails on
any other `_external=True`, `request.host_url`, `request.url_root` or `request.host`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from flask import current_app
from werkzeug.routing import MapAdapter

_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"  # as flask.url_for quotes an anchor


def public_base_url() -> str:
    """The site's address without a trailing slash, e.g. https://hub.digione.fi."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def public_url_adapter() -> MapAdapter:
    """URL building bound to PUBLIC_BASE_URL (also for pages of a request whose Host was refused)."""
    base = urlsplit(public_base_url())
    return current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute address of `endpoint` on PUBLIC_BASE_URL (`_anchor` adds a #fragment)."""
    anchor = values.pop("_anchor", None)
    current_app.inject_url_defaults(endpoint, values)
    url = public_url_adapter().build(endpoint, values, force_external=True)
    if anchor:
        url += "#" + quote(anchor, safe=_ANCHOR_SAFE)
    return url
