"""Password reset links are single use and expire.

tests/app/test_password_reset.py proves: a used link no longer opens (GET), an expired link is refused on GET and
POST, a forged link is refused. Here: the rest of "single use and expiring"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from app import services as core_services
from app.extensions import db, utcnow
from app.models import User
from app.tokens import TokenError, TokenExpired, make_token
from tests import factories, figures
from tests.conftest import TEST_PASSWORD
from tests.security.cases import NEW_PASSWORD


def _reset_link(app, user) -> str:
    with app.test_request_context():
        return f"/password/reset/{core_services.make_reset_token(user)}"


def _password_is(user_id: int, password: str) -> bool:
    db.session.expire_all()
    return core_services.check_password(db.session.get(User, user_id), password)


def _refused(response) -> None:
    assert response.status_code == 302 and response.headers["Location"].endswith("/password/forgot")


def test_a_used_reset_link_cannot_set_a_password_again_and_kills_the_other_links(app, client):
    user = factories.UserFactory(email="opettaja@example.com")
    first, second = _reset_link(app, user), _reset_link(app, user)
    assert client.post_form(first, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page=first).status_code == 302
    assert _password_is(user.id, NEW_PASSWORD)
    again = "toinen uusi salasana tähän"
    for link in (first, second):
        _refused(client.post_form(link, {"password": again, "confirm": again}, page="/"))
        _refused(client.get(link))
    assert _password_is(user.id, NEW_PASSWORD) and not _password_is(user.id, again)
    figures.count("security", "reset link cases refused", 4)


def test_changing_the_password_kills_outstanding_reset_links(app, client):
    user = factories.UserFactory(email="opettaja@example.com")
    link = _reset_link(app, user)
    client.login(user.email)
    assert (
        client.post_form(
            "/profile/password",
            {"current": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            page="/profile/password",
        ).status_code
        == 302
    )
    client.logout()
    _refused(client.get(link))
    _refused(client.post_form(link, {"password": "kolmas salasana tähän", "confirm": "kolmas salasana tähän"}))
    assert _password_is(user.id, NEW_PASSWORD)
    figures.count("security", "reset link cases refused", 2)


def test_reset_links_of_inactive_accounts_other_purposes_and_other_keys_are_refused(app, client):
    user = factories.UserFactory(email="opettaja@example.com")
    link = _reset_link(app, user)
    user.active = False
    db.session.commit()
    _refused(client.get(link))
    _refused(client.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}))
    user.active = True
    db.session.commit()
    invitation = factories.InvitationFactory(email=user.email)
    with app.test_request_context():
        wrong_purpose = make_token("invite", {"u": user.id, "i": invitation.id, "f": user.password_hash[-12:]})
    other = Flask("other")
    other.config["SECRET_KEY"] = "another-deployment-key"
    with other.app_context():
        wrong_key = make_token("reset", {"u": user.id, "f": user.password_hash[-12:]})
    for token in (wrong_purpose, wrong_key):
        _refused(client.get(f"/password/reset/{token}"))
        _refused(client.post_form(f"/password/reset/{token}", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}))
    assert _password_is(user.id, TEST_PASSWORD)
    figures.count("security", "reset link cases refused", 6)


def test_reset_links_expire_exactly_at_their_age_limit(app):
    user = factories.UserFactory(email="opettaja@example.com")
    max_age = app.config["PASSWORD_RESET_MAX_AGE"]
    assert max_age <= 60 * 60 * 24, "reset links must not live for days"
    issued = utcnow().replace(microsecond=0)
    with app.test_request_context():
        token = core_services.make_reset_token(user, now=issued)
        assert core_services.user_for_reset_token(token, now=issued + timedelta(seconds=max_age)).id == user.id
        with pytest.raises(TokenExpired):
            core_services.user_for_reset_token(token, now=issued + timedelta(seconds=max_age + 1))
        with pytest.raises(TokenExpired):  # issued "in the future": a clock trick, not a link we sent
            core_services.user_for_reset_token(token, now=issued - timedelta(seconds=120))
        with pytest.raises(TokenError):
            core_services.user_for_reset_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), now=issued)
    figures.count("security", "reset link cases refused", 3)
