"""Open redirects are refused at every place that takes a target.

Every place that takes a target: the sign-in page's `next` (query or form, signed in or not) and the
language switch's `next` (signed in or not). tests/app/test_auth.py covers a few targets on the sign-in POST."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, quote, urljoin, urlsplit

from tests import factories, figures
from tests.conftest import TEST_PASSWORD
from tests.security.checks import login_client

EVIL_TARGETS = [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "%5C%5Cevil.example",
    "///evil.example",
    "/\t/evil.example",
    " //evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "http://localhost@evil.example",
    "//evil.example/%2e%2e",
    "data:text/html,<script>x</script>",
    "\uff0f\uff0fevil.example",
    "//evil.example\\@localhost",
]


def _lands_on_site(location: str) -> bool:
    """Whether a browser would stay on this site following the Location header."""
    browser_view = re.sub(r"[\t\n\r]", "", location).lstrip("".join(chr(c) for c in range(33)))
    browser_view = browser_view.replace("\\", "/")
    target = urlsplit(urljoin("http://localhost/login", browser_view))
    return target.scheme in ("http", "https") and target.hostname == "localhost"


def _redirect_places(app, client_for):
    """(name, callable sending a target) for every place that redirects to a given target."""

    def login_query(target):
        client = client_for(None)
        return client.post_form(
            f"/login?next={quote(target, safe='')}",
            {"email": "opettaja@example.com", "password": TEST_PASSWORD},
            page="/login",
        )

    def login_form(target):
        client = client_for(None)
        return client.post_form(
            "/login", {"email": "opettaja@example.com", "password": TEST_PASSWORD, "next": target}, page="/login"
        )

    def login_when_signed_in(target):
        return client_for("signed_in").get(f"/login?next={quote(target, safe='')}")

    def login_post_when_signed_in(target):
        return client_for("signed_in").post_form(
            f"/login?next={quote(target, safe='')}", {"email": "opettaja@example.com", "password": TEST_PASSWORD}
        )

    def language(target):
        return client_for(None).post_form("/language", {"lang": "sv", "next": target})

    def language_signed_in(target):
        return client_for("signed_in").post_form("/language", {"lang": "fi", "next": target})

    return [
        ("sign-in ?next=", login_query),
        ("sign-in form next", login_form),
        ("sign-in page when signed in", login_when_signed_in),
        ("sign-in POST when signed in", login_post_when_signed_in),
        ("language switch", language),
        ("language switch when signed in", language_signed_in),
    ]


def test_open_redirects_are_refused_everywhere(app):
    factories.UserFactory(email="opettaja@example.com")
    signed_in = login_client(app, "opettaja@example.com")

    def client_for(kind):
        return signed_in if kind == "signed_in" else app.test_client()

    refused = 0
    for place, send in _redirect_places(app, client_for):
        for target in EVIL_TARGETS:
            response = send(target)
            assert response.status_code == 302, f"{place} {target!r}: {response.status_code}"
            location = response.headers["Location"]
            assert _lands_on_site(location), f"{place} {target!r} -> {location}"
            refused += 1
        # A local target still works, so the check is not simply "always go home".
        response = send("/rules?a=1")
        assert response.headers["Location"] == "/rules?a=1", f"{place}: a local target was not kept"
    # The sign-in page never carries a foreign target on into its form.
    for target in EVIL_TARGETS:
        page = app.test_client().get(f"/login?next={quote(target, safe='')}").get_data(as_text=True)
        actions = [unescape(a) for a in re.findall(r'action="([^"]*)"', page)]
        carried = [n for a in actions for n in parse_qs(urlsplit(a).query).get("next", [])]
        assert all(_lands_on_site(a) for a in actions + carried), (target, actions)
    figures.count("security", "redirect targets refused", refused)
