"""Security headers (header_problems in tests/security/checks.py) on every response: every GET route
of the access matrix for anonymous and signed-in people, error pages, API JSON, files, static files,
redirects."""

from __future__ import annotations

from pathlib import Path

from tests.matrix import MATRIX
from tests.security.checks import assert_headers

HEADER_ROLES = ("anonymous", "coordinator", "provider_admin", "buyer")


def test_security_headers_on_every_response(app, objects, login_as):
    clients = {role: login_as(None if role == "anonymous" else role) for role in HEADER_ROLES}
    gets = {name: rule for name, rule in MATRIX.items() if rule.method in ("GET", "OPTIONS")}
    statuses = set()
    for endpoint, rule in sorted(gets.items()):
        url = rule.url(objects)
        for role, client in clients.items():
            response = client.options(url) if rule.method == "OPTIONS" else client.get(url)
            statuses.add(response.status_code)
            assert_headers(response, f"{endpoint} as {role}")
            response.close()
    anonymous, buyer = clients["anonymous"], clients["buyer"]
    extra = {
        "404 page": anonymous.get("/ei-ole-olemassa"),
        "404 API JSON": anonymous.get("/api/v1/ei-ole"),
        "403 page": buyer.get("/admin/organisations"),
        "405 page": anonymous.delete("/"),
        "400 page (NUL)": anonymous.get("/catalogue?q=%00"),
        "400 page (CSRF)": anonymous.post("/login", data={"email": "x@example.com", "password": "y"}),
        "400 API JSON": anonymous.get("/api/v1/decisions?limit=ei-numero"),
        "redirect to sign in": anonymous.get("/profile"),
        "redirect after a form": buyer.post_form("/language", {"lang": "fi", "next": "/rules"}),
        "HEAD": anonymous.head("/"),
        "413 page": anonymous.post(
            "/login",
            data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
            content_type="application/x-www-form-urlencoded",
        ),
    }
    for path in sorted(Path(app.static_folder).rglob("*")):
        if path.is_file():
            extra[f"static {path.name}"] = anonymous.get(f"/static/{path.relative_to(app.static_folder).as_posix()}")
    expected = {
        "404 page": 404,
        "404 API JSON": 404,
        "403 page": 403,
        "405 page": 405,
        "400 page (NUL)": 400,
        "400 page (CSRF)": 400,
        "400 API JSON": 400,
        "redirect to sign in": 302,
        "redirect after a form": 302,
        "413 page": 413,
    }
    for name, response in extra.items():
        assert response.status_code == expected.get(name, 200), f"{name}: {response.status_code}"
        assert_headers(response, name)
        response.close()
    assert {200, 302, 403, 404} <= statuses  # the matrix's pages, sign-in redirects and refusals all checked
