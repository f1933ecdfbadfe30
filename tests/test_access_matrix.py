"""Route-by-role access matrix.

Every route of the app must have an entry here: a new route without one makes
`test_every_route_is_in_the_matrix` fail. Each entry names the method, how to
build the URL from the test's objects, and what each kind of user gets:

- OK: allowed (any answer below 400, or a 400 for an empty form);
- LOGIN: sent to the sign-in page;
- DENY: 403 with an explanation;
- REDIRECT: allowed but sent elsewhere (302 that is not the sign-in page).
"""

from __future__ import annotations

import pytest

from tests import figures
from tests.matrix import DENY, IGNORED, LOGIN, MATRIX, NOT_FOUND, OK, REDIRECT, ROLES


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - IGNORED
    missing = sorted(endpoints - set(MATRIX))
    stale = sorted(set(MATRIX) - endpoints)
    assert not missing, f"routes without an access-matrix entry: {missing}"
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


def test_matrix_methods_match_the_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in MATRIX:
            assert MATRIX[rule.endpoint].method in rule.methods, rule.endpoint


def _check(endpoint: str, role: str, client, objects) -> str | None:
    """None when the role gets what the matrix expects, else what went wrong."""
    rule = MATRIX[endpoint]
    url = rule.url(objects)
    if rule.method == "GET":
        response = client.get(url)
    elif rule.method == "OPTIONS":
        response = client.options(url)
    else:
        response = client.post_form(url, {})
    status, location = response.status_code, response.headers.get("Location", "")
    expected = rule.expected(role)
    if status >= 500:
        return f"{endpoint} as {role}: server error {status}"
    if expected == LOGIN and not (status == 302 and location.startswith("/login")):
        return f"{endpoint} as {role}: expected the sign-in page, got {status} {location}"
    if expected == DENY and status != 403:
        return f"{endpoint} as {role}: expected 403, got {status} {location}"
    if expected == NOT_FOUND and status != 404:
        return f"{endpoint} as {role}: expected 404, got {status}"
    if expected == REDIRECT and not (status == 302 and not location.startswith("/login")):
        return f"{endpoint} as {role}: expected a redirect, got {status} {location}"
    if expected == OK and (status not in (200, 204, 302, 400) or (status == 302 and location.startswith("/login"))):
        return f"{endpoint} as {role}: expected access, got {status} {location}"
    return None


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(endpoint, objects, login_as):
    """Every kind of user against one route (the objects are built once per route)."""
    failures = [
        problem
        for role in ROLES
        if (problem := _check(endpoint, role, login_as(None if role == "anonymous" else role), objects))
    ]
    figures.count("access", "route and role pairs checked", len(ROLES))
    figures.count(
        "access",
        "refusals expected (403 or sign-in)",
        sum(MATRIX[endpoint].expected(role) in (DENY, LOGIN) for role in ROLES),
    )
    figures.note("access", "routes", len(MATRIX))
    figures.note("access", "kinds of user", len(ROLES))
    assert not failures, "\n".join(failures)
