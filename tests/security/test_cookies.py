"""The remember-me and signed-in session cookies of the production config."""

from __future__ import annotations

import re

from app import create_app
from app.extensions import db
from config import Config
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.security.checks import PRODUCTION_KEY, assert_headers


def _cookie(response, name: str) -> str:
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert found, f"no {name} cookie set; cookies: {response.headers.getlist('Set-Cookie')}"
    return found[-1]


def test_production_session_and_remember_me_cookies_are_secure_httponly_and_samesite(app, database_url):
    """test_security checks the session cookie of an anonymous visit; here: signing in with "keep me
    signed in", and signing out, over HTTPS with the production configuration."""
    production = create_app(
        Config, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=PRODUCTION_KEY, PUBLIC_BASE_URL="https://localhost"
    )
    assert production.config["REMEMBER_COOKIE_DURATION"] <= 60 * 60 * 24 * 31
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/login"}}
    with production.app_context():
        try:
            user = factories.UserFactory(email="muistava@example.com")
            client = production.test_client()
            page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
            token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)
            response = client.post(
                "/login",
                data={"email": user.email, "password": TEST_PASSWORD, "remember": "y", "csrf_token": token},
                **https,
            )
            assert response.status_code == 302, response.get_data(as_text=True)[:300]
            assert_headers(response, "production sign-in")
            assert "max-age=" in response.headers.get("Strict-Transport-Security", "")
            for name in ("session", "remember_token"):
                cookie = _cookie(response, name)
                flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
                assert {"secure", "httponly"} <= flags, f"{name}: {cookie}"
                assert "SameSite=Lax" in cookie or "SameSite=Strict" in cookie, f"{name}: {cookie}"
                assert "Domain=" not in cookie, f"{name} is sent to other hosts: {cookie}"
            assert "Expires=" in _cookie(response, "remember_token")
            page = client.get("/profile", base_url="https://localhost")
            assert page.status_code == 200
            token = re.search(
                r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page.get_data(as_text=True)
            ).group(1)
            response = client.post("/logout", data={"csrf_token": token}, **https)
            assert response.status_code == 302
            cleared = _cookie(response, "remember_token")
            assert "Expires=Thu, 01 Jan 1970" in cleared or "Max-Age=0" in cleared, cleared
            assert client.get("/profile", base_url="https://localhost").status_code == 302
        finally:
            db.session.remove()
            db.engine.dispose()
