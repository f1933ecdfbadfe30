"""Client addresses behind proxies, and limits shared by every worker (issue "Several hosts").

The client's address is read in one place (app.security.client_address). With TRUSTED_PROXY_COUNT
proxies in front (a load balancer: 1) it is the address the nearest trusted proxy saw, so one
stranger's failed sign-ins behind the load balancer lock out only that stranger, and a rules
acceptance records the signatory's own address as evidence. With 0 (the default), X-Forwarded-For
is ignored: anyone can send it, and a limit keyed on it could be dodged by changing it."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.extensions import db
from app.sessions import UserSession
from config import Config, TestConfig
from governance.rules.models import RulesAcceptance
from tests import factories
from tests.conftest import TEST_PASSWORD, BrowserLikeClient
from tests.support import PROJECT_ROOT

BALANCER = "10.0.0.5"  # the load balancer's address: what the app's socket sees behind it


@pytest.fixture()
def behind_balancer(app: Flask, database_url: str):
    """The app as deployed behind one load balancer (TRUSTED_PROXY_COUNT=1), on the test's database."""
    proxied = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, TRUSTED_PROXY_COUNT=1)
    proxied.test_client_class = BrowserLikeClient
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def _via_balancer(client, method: str, url: str, forwarded_for: str, **kwargs):
    # Over HTTPS a browser sends its Referer, which Flask-WTF's CSRF check compares with the site.
    headers = {"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https", "Referer": f"https://localhost{url}"}
    return client.open(url, method=method, headers=headers, environ_base={"REMOTE_ADDR": BALANCER}, **kwargs)


def _login(client, email: str, password: str, forwarded_for: str):
    token = client.csrf_token("/login")
    data = {"email": email, "password": password, "csrf_token": token}
    return _via_balancer(client, "POST", "/login", forwarded_for, data=data)


def _session_addresses() -> list[str]:
    return list(db.session.scalars(sa.select(UserSession.ip_address).order_by(UserSession.id)))


def test_behind_the_balancer_the_session_records_the_clients_address(behind_balancer, people):
    client = behind_balancer.test_client()
    # The client sent a made-up X-Forwarded-For itself; the balancer appended the address it saw.
    response = _login(client, people["coordinator"].email, TEST_PASSWORD, "192.0.2.1, 198.51.100.23")
    assert response.status_code == 302
    assert _session_addresses() == ["198.51.100.23"]


def test_without_trusted_proxies_x_forwarded_for_is_ignored(app, client, people):
    assert app.config["TRUSTED_PROXY_COUNT"] == 0
    response = _login(client, people["coordinator"].email, TEST_PASSWORD, "198.51.100.23")
    assert response.status_code == 302
    assert _session_addresses() == [BALANCER]


def test_one_strangers_guesses_behind_the_balancer_lock_out_only_the_stranger(app, behind_balancer, people):
    behind_balancer.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    behind_balancer.config["LOGIN_ADDRESS_RATE_LIMIT"] = "5 per minute"
    stranger, owner = behind_balancer.test_client(), behind_balancer.test_client()
    codes = [_login(stranger, f"arvaus{i}@example.com", "arvaus ei osu", "203.0.113.66").status_code for i in range(5)]
    assert codes == [200] * 5
    assert _login(stranger, people["coordinator"].email, TEST_PASSWORD, "203.0.113.66").status_code == 429
    # Everyone else comes through the same balancer, from their own addresses: not locked out.
    response = _login(owner, people["coordinator"].email, TEST_PASSWORD, "198.51.100.23")
    assert response.status_code == 302, "one stranger's guesses locked out everyone behind the balancer"


def test_without_trusted_proxies_a_made_up_header_does_not_dodge_the_limit(app, client, people):
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "3 per minute"
    codes = [_login(client, f"arvaus{i}@example.com", "väärin", f"203.0.113.{i}").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_rules_acceptance_behind_the_balancer_records_the_signatorys_address(behind_balancer, people):
    version = factories.RulesVersionFactory(label="1.0", in_force=True)
    client = behind_balancer.test_client()
    client.sign_in_as(people["provider_admin"])
    form = {
        "signatory_name": "Pia Palveluntarjoaja",
        "signatory_title": "toimitusjohtaja",
        "authority": "y",
        "sha256": version.body_sha256,
        "csrf_token": client.csrf_token("/rules/1.0/accept"),
    }
    response = _via_balancer(client, "POST", "/rules/1.0/accept", "198.51.100.77", data=form)
    assert response.status_code == 302
    assert db.session.scalar(sa.select(RulesAcceptance.ip_address)) == "198.51.100.77"


def test_only_app_security_reads_the_clients_address():
    """A view reading request.remote_addr or Flask-Limiter's get_remote_address itself would bypass
    the trusted-proxy setting (or trust a header anyone can send)."""
    pattern = re.compile(r"remote_addr|get_remote_address|X-Forwarded-For|HTTP_X_FORWARDED", re.IGNORECASE)
    found = []
    for package in ("app", "governance", "marketplace"):
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            if path == PROJECT_ROOT / "app" / "security.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line) and not line.lstrip().startswith("#"):
                    found.append(f"{path.relative_to(PROJECT_ROOT)}:{number}")
    assert found == [], f"read the client's address with app.security.client_address: {found}"


# --- limits shared by the workers --------------------------------------------------------------------------------


def _production(database_url: str, **overrides) -> Flask:
    return create_app(
        Config,
        SECRET_KEY="production-test-key-" + "x" * 40,
        SQLALCHEMY_DATABASE_URI=database_url,
        PUBLIC_BASE_URL="https://hub.digione.example",
        **overrides,
    )


def test_production_refuses_limits_in_memory_for_several_workers(database_url):
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        _production(database_url, WEB_CONCURRENCY=4, RATELIMIT_STORAGE_URI="memory://")
    single = _production(database_url, WEB_CONCURRENCY=1, RATELIMIT_STORAGE_URI="memory://")
    shared = _production(database_url, WEB_CONCURRENCY=4, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0")
    for made in (single, shared):
        with made.app_context():
            db.engine.dispose()


def test_redis_url_puts_the_rate_limits_in_redis():
    """REDIS_URL alone is enough for every worker and host to count the same limits."""
    code = "from config import Config; print(Config.RATELIMIT_STORAGE_URI)"
    env = {"PATH": "/usr/bin:/bin", "REDIS_URL": "redis://redis.internal:6379/2"}
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "redis://redis.internal:6379/2", out.stderr
    env.pop("REDIS_URL")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "memory://", out.stderr
