"""Sign-in sessions can be ended (issue "Integrity", item 6).

A copy of the session cookie, or of the remember cookie on its own, works only as long as the
session it belongs to: signing out, a password change (the changing device stays signed in), a
password reset, "sign out on all other devices" and deactivating the person end it. Cookies of
the old kind (a bare user id) and forged ones give the sign-in page, never a 500.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_login.utils import encode_cookie

from app.audit import AuditEvent
from app.extensions import db, utcnow
from app.mail import OutboxMessage
from app.models import User
from app.sessions import UserSession
from tests import factories
from tests.conftest import TEST_PASSWORD, BrowserLikeClient

NEW_PASSWORD = "uusi salasana kolmella sanalla"


def _sign_in(app, email: str, remember: bool = False, agent: str = "") -> BrowserLikeClient:
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    data = {"email": email, "password": TEST_PASSWORD, **({"remember": "y"} if remember else {})}
    headers = {"User-Agent": agent} if agent else {}
    response = client.post_form("/login", data, page="/login", headers=headers)
    assert response.status_code == 302, f"sign-in of {email} failed"
    return client


def _copy(app, client, name: str) -> BrowserLikeClient:
    """A second browser that has only the named cookie of the first (a stolen or copied cookie)."""
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie to copy"
    other: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    other.set_cookie(name, cookie.value)
    return other


def _signed_in(client) -> bool:
    response = client.get("/profile")
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login"), response.headers["Location"]
        return False
    return True


def _actions(action: str) -> list[dict]:
    return [
        e.data
        for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    ]


@pytest.fixture()
def person(app):
    return factories.UserFactory(email="opettaja@example.com", name="Olli Opettaja")


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_copied_cookie_stops_working_when_the_person_signs_out(app, person, cookie):
    first = _sign_in(app, person.email, remember=True)
    phone = _sign_in(app, person.email, remember=True)
    copy = _copy(app, first, cookie)
    assert _signed_in(copy), f"the copied {cookie} does not sign in (the test would prove nothing)"
    assert first.logout().status_code == 302
    assert not _signed_in(first)
    assert not _signed_in(copy), f"a copy of the {cookie} cookie still works after signing out"
    assert _signed_in(phone), "signing out on one device signed the person out everywhere"
    assert [e["reason"] for e in _actions("user.session_revoked")] == ["logout"]


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, person, cookie):
    # Someone copied a cookie of the person's laptop; the person changes the password on the phone.
    laptop = _sign_in(app, person.email, remember=True)
    copy = _copy(app, laptop, cookie)
    phone = _sign_in(app, person.email, remember=True)
    response = phone.post_form(
        "/profile/password",
        {"current": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        page="/profile/password",
    )
    assert response.status_code == 302
    assert "Sinut kirjattiin ulos muilla laitteillasi" in phone.get("/profile").get_data(as_text=True)
    assert _signed_in(phone), "the device that changed the password was signed out"
    assert _signed_in(_copy(app, phone, "remember_token")), "the changing device's remember cookie stopped working"
    assert not _signed_in(laptop)
    assert not _signed_in(copy), f"a copy of the {cookie} cookie still works after a password change"
    events = _actions("user.sessions_revoked")
    assert [(e["reason"], e["ended"]) for e in events] == [("password_changed", 1)]


def test_a_password_reset_ends_every_session(app, person):
    browser = _sign_in(app, person.email, remember=True)
    copies = [_copy(app, browser, "session"), _copy(app, browser, "remember_token")]
    visitor = app.test_client()
    visitor.post_form("/password/forgot", {"email": person.email}, page="/password/forgot")
    mail = db.session.scalar(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    link = re.search(r"http://127\.0\.0\.1:5000(/password/reset/\S+)", mail.body).group(1)
    response = visitor.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page=link)
    assert response.status_code == 302
    assert not _signed_in(browser)
    assert not any(_signed_in(c) for c in copies)
    assert [(e["reason"], e["ended"]) for e in _actions("user.sessions_revoked")] == [("password_reset", 1)]
    visitor.login(person.email, NEW_PASSWORD)
    assert _signed_in(visitor)


def test_sign_out_on_all_other_devices(app, person):
    here = _sign_in(
        app, person.email, agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
    )
    phone = _sign_in(
        app,
        person.email,
        remember=True,
        agent="Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0 Mobile Safari/537.36",
    )
    copies = [_copy(app, phone, "session"), _copy(app, phone, "remember_token")]
    page = here.get("/profile").get_data(as_text=True)
    assert "Firefox, Windows" in page and "Chrome, Android" in page
    assert page.count("(tämä laite)") == 1
    assert "Kirjaudu ulos kaikilla muilla laitteilla" in page
    response = here.post_form("/profile/sessions/sign-out-others", {}, page="/profile")
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    page = here.get("/profile").get_data(as_text=True)
    assert "Sinut kirjattiin ulos 1 muulla laitteella. Tämä laite pysyy kirjautuneena." in page
    assert "Chrome, Android" not in page
    assert not _signed_in(phone)
    assert not any(_signed_in(c) for c in copies)
    assert _signed_in(here)
    assert [(e["reason"], e["ended"]) for e in _actions("user.sessions_revoked")] == [("signed_out_elsewhere", 1)]


def test_sign_out_on_other_devices_needs_a_signed_in_person_and_the_form_token(app, person):
    anonymous = app.test_client()
    response = anonymous.post_form("/profile/sessions/sign-out-others", {})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    here = _sign_in(app, person.email)
    other = _sign_in(app, person.email)
    assert here.post("/profile/sessions/sign-out-others").status_code == 400  # no CSRF token
    assert _signed_in(other)


def test_deactivating_the_person_ends_their_sessions(app, person):
    # There is no route for deactivating a person yet: whatever sets `active` off (the database,
    # a future coordinator's page), the next request of every session of theirs is signed out.
    browser = _sign_in(app, person.email, remember=True)
    remembered = _copy(app, browser, "remember_token")
    db.session.get(User, person.id).active = False
    db.session.commit()
    assert not _signed_in(browser)
    assert not _signed_in(remembered)


def test_the_database_keeps_only_a_hash_of_the_token(app, person):
    browser = _sign_in(app, person.email)
    with browser.session_transaction() as session:
        user_id, token = session["_user_id"].split(":")
    assert int(user_id) == person.id and len(token) >= 32
    record = db.session.scalar(sa.select(UserSession))
    assert record.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr([tuple(r) for r in db.session.execute(sa.select(UserSession.__table__)).all()])


def test_a_session_older_than_its_lifetime_no_longer_signs_in(app, person):
    browser = _sign_in(app, person.email, remember=True)
    record = db.session.scalar(sa.select(UserSession))
    record.created_at = utcnow() - timedelta(seconds=app.config["USER_SESSION_MAX_AGE"] + 60)
    db.session.commit()
    assert not _signed_in(browser)
    assert not _signed_in(_copy(app, browser, "remember_token"))


FORGED_IDS = [
    "1",  # a cookie from before sessions: a bare user id
    "{id}",
    "{id}:" + "A" * 43,  # a well-formed token that no session has
    "{id}:short",
    "{id}:" + "x" * 500,
    "99999999999:" + "A" * 43,  # beyond the id column's range
    "99999999999",  # the same in the old form (a 500 on PostgreSQL before sessions)
    "{id}:{token}:extra",
    "",
    ":",
    "-1:" + "A" * 43,
    "{other}:{token}",  # someone else's id with the person's real token
]


@pytest.mark.parametrize("forged", FORGED_IDS)
def test_forged_or_old_session_ids_give_the_sign_in_page(app, person, forged):
    other = factories.UserFactory(email="toinen@example.com")
    real = _sign_in(app, person.email)
    with real.session_transaction() as session:
        token = session["_user_id"].split(":")[1]
    value = forged.format(id=person.id, other=other.id, token=token)
    # In the session cookie (signed with the app's key, as only the app could make it) ...
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = value
        session["_fresh"] = True
    assert not _signed_in(client)
    assert client.get("/").status_code == 200
    # ... and in a remember cookie (also signed).
    remembered = app.test_client()
    remembered.set_cookie("remember_token", encode_cookie(value))
    assert not _signed_in(remembered)
    assert remembered.get("/").status_code == 200
    # The person then simply signs in again.
    client.login(person.email)
    assert _signed_in(client)


def test_unsigned_or_garbled_cookies_give_the_sign_in_page(app, person):
    for name, value in (
        ("remember_token", "1"),
        ("remember_token", "1|abc"),
        ("remember_token", "\x00|"),
        ("session", "garbage"),
        ("session", "eyJfdXNlcl9pZCI6IjEifQ.forged.sig"),
    ):
        client = app.test_client()
        client.set_cookie(name, value)
        assert not _signed_in(client), (name, value)
        assert client.get("/").status_code == 200


def test_the_user_and_the_session_are_loaded_in_one_statement(app, person):
    browser = _sign_in(app, person.email)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert "Olli Opettaja" in browser.get("/").get_data(as_text=True)  # the page names the person
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    loads = [s for s in statements if "user_sessions" in s]
    assert len(loads) == 1, loads
    assert "users" in loads[0] and "JOIN" in loads[0].upper()
