import os

import sqlalchemy as sa

from app.audit import AuditEvent
from app.extensions import db
from app.mail import OutboxMessage
from app.models import User
from tests import factories
from tests.conftest import TEST_PASSWORD


def _register(client, **overrides):
    data = {
        "email": "Uusi.Kayttaja@Example.com",
        "name": "Uusi Käyttäjä",
        "password": "kolme sanaa riittää",
        "confirm": "kolme sanaa riittää",
    }
    data.update(overrides)
    return client.post_form("/signup", data, page="/signup")


def test_register_creates_an_unconfirmed_account_and_mails_the_link(client):
    # tests/app/test_signup.py follows the link; here: the account waits for it, nobody is signed in.
    response = _register(client)
    assert response.status_code == 200
    assert "Tarkista sähköpostisi" in response.get_data(as_text=True)
    user = db.session.scalar(sa.select(User).where(User.email == "uusi.kayttaja@example.com"))
    assert user is not None and user.organisation_id is None and user.email_confirmed_at is None
    assert client.get("/organisation/start").status_code == 302  # not signed in
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.registered"))
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    assert "/signup/confirm/" in mail.body


def test_weak_password_is_refused_and_the_form_keeps_what_was_typed(client):
    response = _register(client, password="lyhyt", confirm="lyhyt")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert 'value="Uusi Käyttäjä"' in html
    assert 'aria-invalid="true"' in html
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_common_password_is_refused(client):
    response = _register(client, password="password1234", confirm="password1234")
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_duplicate_email_creates_nothing_and_answers_as_for_a_new_address(client):
    factories.UserFactory(email="uusi.kayttaja@example.com")
    response = _register(client)
    assert response.status_code == 200
    assert "Tarkista sähköpostisi" in response.get_data(as_text=True)
    assert "Tällä sähköpostiosoitteella on jo käyttäjätili" not in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_login_and_logout(client):
    user = factories.UserFactory(email="opettaja@example.com")
    response = client.post_form("/login", {"email": "OPETTAJA@example.com", "password": TEST_PASSWORD}, page="/login")
    assert response.status_code == 302
    assert user.name in client.get("/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is not None
    response = client.logout()
    assert response.status_code == 302
    assert user.name not in client.get("/").get_data(as_text=True)


def test_wrong_password_gives_one_message_for_both_cases(client):
    factories.UserFactory(email="opettaja@example.com")
    wrong_pw = client.post_form(
        "/login", {"email": "opettaja@example.com", "password": "väärä salasana"}, page="/login"
    )
    no_user = client.post_form("/login", {"email": "ei.ole@example.com", "password": "väärä salasana"}, page="/login")
    assert wrong_pw.status_code == no_user.status_code == 200
    assert "Sähköpostiosoite tai salasana on väärä" in wrong_pw.get_data(as_text=True)
    assert "Sähköpostiosoite tai salasana on väärä" in no_user.get_data(as_text=True)


def test_inactive_account_cannot_sign_in(client):
    factories.UserFactory(email="lopettanut@example.com", active=False)
    response = client.post_form("/login", {"email": "lopettanut@example.com", "password": TEST_PASSWORD}, page="/login")
    assert response.status_code == 200


def test_remember_me_sets_a_persistent_cookie(client):
    factories.UserFactory(email="opettaja@example.com")
    response = client.post_form(
        "/login", {"email": "opettaja@example.com", "password": TEST_PASSWORD, "remember": "y"}, page="/login"
    )
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "Expires=" in remember[0]


def test_login_is_throttled(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    factories.UserFactory(email="opettaja@example.com")
    token = client.csrf_token("/login")
    codes = [
        client.post(
            "/login", data={"email": "opettaja@example.com", "password": "arvaus numero yksi", "csrf_token": token}
        ).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
    # Even the right password is refused until the window passes.
    blocked = client.post(
        "/login", data={"email": "opettaja@example.com", "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429
    assert "Liian monta yritystä" in blocked.get_data(as_text=True)


def test_next_redirect_goes_to_a_local_page(client):
    factories.UserFactory(email="opettaja@example.com")
    response = client.post_form(
        "/login?next=/profile", {"email": "opettaja@example.com", "password": TEST_PASSWORD}, page="/login"
    )
    assert response.headers["Location"] == "/profile"


def test_open_redirects_are_refused(client):
    factories.UserFactory(email="opettaja@example.com")
    for target in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
    ):
        client.get("/")  # fresh page, fresh token
        response = client.post_form(
            f"/login?next={target}", {"email": "opettaja@example.com", "password": TEST_PASSWORD}, page="/login"
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/", target
        client.logout()


def test_login_required_pages_send_anonymous_visitors_to_sign_in(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_profile_saves_name_and_language(client):
    user = factories.UserFactory(email="opettaja@example.com")
    client.login(user.email)
    response = client.post_form("/profile", {"name": "Uusi Nimi", "locale": "sv"}, page="/profile")
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert (saved.name, saved.locale) == ("Uusi Nimi", "sv")
    assert '<html lang="sv">' in client.get("/profile").get_data(as_text=True)


def test_change_password_needs_the_current_one(client):
    user = factories.UserFactory(email="opettaja@example.com")
    client.login(user.email)
    response = client.post_form(
        "/profile/password",
        {"current": "väärä nykyinen", "password": "uusi pitkä salasana", "confirm": "uusi pitkä salasana"},
        page="/profile/password",
    )
    assert response.status_code == 200
    response = client.post_form(
        "/profile/password",
        {"current": TEST_PASSWORD, "password": "uusi pitkä salasana", "confirm": "uusi pitkä salasana"},
        page="/profile/password",
    )
    assert response.status_code == 302
    client.logout()
    client.login(user.email, "uusi pitkä salasana")


def test_login_throttling_works_with_redis_storage(database_url, _schema):
    """With RATELIMIT_STORAGE_URI set to Redis the limit is shared by every worker."""
    import pytest
    import redis

    from app import create_app
    from app.extensions import limiter
    from config import TestConfig
    from tests.conftest import BrowserLikeClient

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if TestConfig.CI:  # .ci/run starts Redis: a missing one is a broken CI, not a reason to skip
            pytest.fail("no Redis server on 127.0.0.1:6379 in CI")
        pytest.skip("no Redis server on 127.0.0.1:6379")
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        LOGIN_RATE_LIMIT="2 per minute",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
        RATELIMIT_KEY_PREFIX=f"digione-test-{os.getpid()}",  # runs of the suite side by side count apart
    )
    app.test_client_class = BrowserLikeClient
    with app.app_context():
        limiter.reset()
        try:
            client = app.test_client()
            token = client.csrf_token("/login")
            codes = [
                client.post(
                    "/login", data={"email": "x@example.com", "password": "y" * 12, "csrf_token": token}
                ).status_code
                for _ in range(3)
            ]
            assert codes == [200, 200, 429]
            assert type(limiter.storage).__name__ == "RedisStorage"
        finally:
            limiter.reset()
            db.engine.dispose()
