"""Sign-up does not reveal accounts (issue "Integrity", item 7): e-mail confirmation.

A sign-up answers with the same page, after the same work, whether or not the address has an
account; a new address gets a confirmation link, a taken one a note to its owner. The link works
once and expires; an unconfirmed account cannot sign in. An invitation's sign-up is confirmed at
once. Twenty sign-ups with one address at the same moment make one account and no 5xx.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app, signup
from app.audit import AuditEvent, verify_chain
from app.extensions import db, limiter, utcnow
from app.mail import OutboxMessage
from app.models import User
from app.sessions import UserSession
from app.tokens import make_token
from config import TestConfig
from tests import factories
from tests.conftest import BrowserLikeClient
from tests.support.races import collide

PASSWORD = "kolme sanaa riittää"
CSRF = re.compile(r'(name="(?:csrf_token|submission_id)"(?: type="hidden")? value=")[^"]+(")')
LINK = re.compile(r"http://127\.0\.0\.1:5000(/signup/confirm/\S+)")


def _form(email: str, name: str = "Uusi Käyttäjä") -> dict:
    return {"email": email, "name": name, "password": PASSWORD, "confirm": PASSWORD}


def _sign_up(client, email: str, **kwargs):
    return client.post_form("/signup", _form(email), page="/signup", **kwargs)


def _mails_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)
        )
    )


def _link(address: str) -> str:
    mails = _mails_to(address)
    assert mails, f"no mail to {address}"
    match = LINK.search(mails[-1].body)
    assert match, mails[-1].body
    return match.group(1)


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _signed_in(client) -> bool:
    return client.get("/profile").status_code == 200


def _without_csrf(html: str) -> str:
    """The page without its per-session CSRF token and per-page form ids (new on every page)."""
    return CSRF.sub(r"\1…\2", html)


def test_sign_up_mails_a_link_that_confirms_the_address_signs_in_and_continues(client):
    response = _sign_up(client, "Uusi.Kayttaja@Example.com")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Tarkista sähköpostisi" in page and "Lähetimme sinulle linkin" in page
    user = _user("uusi.kayttaja@example.com")
    assert user is not None and user.email_confirmed_at is None
    assert not _signed_in(client), "signed in before confirming the address"
    mail = _mails_to("uusi.kayttaja@example.com")[-1]
    assert mail.subject == "Vahvista DigiOne Hub -käyttäjätilisi sähköpostiosoite"
    link = _link(user.email)
    assert "Vahvista ja kirjaudu sisään" in client.get(link).get_data(as_text=True)
    assert not _signed_in(client), "opening the link alone signed in (mail scanners open links)"
    response = client.post_form(link, {}, page=link)
    assert response.status_code == 302 and response.headers["Location"] == "/organisation/start"
    page = client.get("/organisation/start").get_data(as_text=True)
    assert "Uusi Käyttäjä" in page and "Sähköpostiosoitteesi on vahvistettu" in page
    assert _user(user.email).email_confirmed_at is not None
    events = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert events == ["user.registered", "user.email_confirmed", "user.logged_in"]


def test_free_and_taken_addresses_get_the_same_answer_and_the_right_mail(app):
    owner = factories.UserFactory(email="omistaja@example.com", name="Olga Omistaja", locale="sv")
    hash_before = owner.password_hash
    free, taken = app.test_client(), app.test_client()
    for client in (free, taken):
        client.csrf_token("/signup")
    answers = [_sign_up(free, "vapaa@example.com"), _sign_up(taken, "Omistaja@Example.com")]
    assert answers[0].status_code == answers[1].status_code == 200
    bodies = [_without_csrf(r.get_data(as_text=True)) for r in answers]
    assert bodies[0] == bodies[1], "the page tells whether the address has an account"
    assert sorted(answers[0].headers.keys()) == sorted(answers[1].headers.keys())
    sessions = []
    for client in (free, taken):
        with client.session_transaction() as session:
            sessions.append({k: v for k, v in session.items() if k != "csrf_token"})
    assert sessions[0] == sessions[1] and "_user_id" not in sessions[0]

    # The taken address: nothing created or changed, its owner told in their own language.
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "omistaja@example.com")) == 1
    saved = _user("omistaja@example.com")
    assert (saved.name, saved.password_hash) == ("Olga Omistaja", hash_before)
    [note] = _mails_to("omistaja@example.com")
    assert note.subject == "Någon försökte skapa ett DigiOne Hub-konto med din adress"
    assert "http://127.0.0.1:5000/login" in note.body and "http://127.0.0.1:5000/password/forgot" in note.body
    assert "/signup/confirm/" not in note.body
    # The free address: an unconfirmed account and its confirmation link, nothing else.
    assert _user("vapaa@example.com").email_confirmed_at is None
    [confirmation] = _mails_to("vapaa@example.com")
    assert LINK.search(confirmation.body)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 2


def test_a_taken_address_takes_as_long_as_a_free_one(app):
    """Both cases hash the password: with a hash slow enough to measure, the times are alike."""
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:300000"
    factories.UserFactory(email="omistaja@example.com")
    times: dict[str, list[float]] = {"free": [], "taken": []}
    for i in range(4):
        for kind, email in (("free", f"vapaa{i}@example.com"), ("taken", "omistaja@example.com")):
            client = app.test_client()
            client.csrf_token("/signup")
            started = time.perf_counter()
            assert _sign_up(client, email, environ_base={"REMOTE_ADDR": f"198.51.100.{i}"}).status_code == 200
            times[kind].append(time.perf_counter() - started)
    free, taken = statistics.median(times["free"]), statistics.median(times["taken"])
    assert taken > 0.6 * free, f"a taken address answers in {taken:.3f} s, a free one in {free:.3f} s"


def test_the_confirmation_link_works_once(client):
    _sign_up(client, "kerran@example.com")
    link = _link("kerran@example.com")
    assert client.post_form(link, {}, page=link).status_code == 302
    client.logout()
    again = client.get(link)
    assert again.status_code == 302 and again.headers["Location"] == "/login"
    assert "Se on ehkä jo käytetty" in client.get("/login").get_data(as_text=True)
    posted = client.post_form(link, {})
    assert posted.status_code == 302 and posted.headers["Location"] == "/login"
    assert not _signed_in(client)


def test_the_confirmation_link_expires(app, client):
    _sign_up(client, "myohassa@example.com")
    user = _user("myohassa@example.com")
    max_age = app.config["EMAIL_CONFIRMATION_MAX_AGE"]
    with app.test_request_context():
        old = signup.make_confirmation_token(user, now=utcnow() - timedelta(seconds=max_age + 5))
        fresh = signup.make_confirmation_token(user, now=utcnow() - timedelta(seconds=max_age - 60))
    response = client.post_form(f"/signup/confirm/{old}", {}, page="/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Linkki on vanhentunut" in client.get("/login").get_data(as_text=True)
    assert not _signed_in(client)
    assert _user("myohassa@example.com").email_confirmed_at is None
    assert client.get(f"/signup/confirm/{fresh}").status_code == 200


@pytest.mark.parametrize("token", ["not-a-token", "eyJ1IjoxLCJlIjoieEB5LmZpIiwiaWF0IjoxfQ.forged"])
def test_a_forged_confirmation_link_is_refused(client, token):
    _sign_up(client, "uusi@example.com")
    response = client.get(f"/signup/confirm/{token}")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_a_link_for_another_address_or_purpose_is_refused(app, client):
    _sign_up(client, "uusi@example.com")
    user = _user("uusi@example.com")
    with app.test_request_context():
        other_address = make_token("confirm-email", {"u": user.id, "e": "joku@example.com"})
        other_purpose = make_token("reset", {"u": user.id, "e": user.email})
    for token in (other_address, other_purpose):
        assert client.post_form(f"/signup/confirm/{token}", {}, page="/login").status_code == 302
    assert _user("uusi@example.com").email_confirmed_at is None


def test_an_unconfirmed_account_cannot_sign_in_and_can_ask_for_the_link_again(app, client):
    _sign_up(client, "odottaa@example.com")
    first_link = _link("odottaa@example.com")
    wrong = client.post_form("/login", {"email": "odottaa@example.com", "password": "väärä salasana"}, page="/login")
    assert "Sähköpostiosoite tai salasana on väärä" in wrong.get_data(as_text=True)
    response = client.post_form("/login", {"email": "odottaa@example.com", "password": PASSWORD}, page="/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Vahvista ensin sähköpostiosoitteesi" in page and "Lähetä linkki uudelleen" in page
    assert not _signed_in(client)
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.logged_in")) is None
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post_form("/signup/confirm/resend", {"token": token})
    assert response.status_code == 200 and "Tarkista sähköpostisi" in response.get_data(as_text=True)
    assert len(_mails_to("odottaa@example.com")) == 2
    second_link = _link("odottaa@example.com")
    assert client.post_form(second_link, {}, page=second_link).headers["Location"] == "/organisation/start"
    assert _signed_in(client)
    client.logout()
    assert client.get(first_link).status_code == 302  # the address is confirmed: both links are spent
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.confirmation_resent"))


def test_resending_needs_the_password_and_is_rate_limited(app, client):
    app.config["CONFIRMATION_RESEND_RATE_LIMIT"] = "5 per hour"  # production's
    factories.UserFactory(email="vahvistettu@example.com")
    _sign_up(client, "odottaa@example.com")
    before = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
    with app.test_request_context():
        confirmed = make_token("confirm-resend", {"u": _user("vahvistettu@example.com").id})
    for token in ("arvattu", confirmed):  # a made-up button, and an account that needs nothing: the same page
        assert client.post_form("/signup/confirm/resend", {"token": token}).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == before
    codes = [client.post_form("/signup/confirm/resend", {"token": "arvattu"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "Liian monta yritystä" in client.post_form("/signup/confirm/resend", {"token": "x"}).get_data(as_text=True)


def test_a_password_reset_confirms_an_unconfirmed_address(client):
    _sign_up(client, "unohti@example.com")
    client.post_form("/password/forgot", {"email": "unohti@example.com"}, page="/password/forgot")
    reset = re.search(r"http://127\.0\.0\.1:5000(/password/reset/\S+)", _mails_to("unohti@example.com")[-1].body).group(
        1
    )
    client.post_form(
        reset, {"password": "aivan uusi salasana tässä", "confirm": "aivan uusi salasana tässä"}, page=reset
    )
    client.login("unohti@example.com", "aivan uusi salasana tässä")
    assert _signed_in(client)


def test_sign_up_through_an_invitation_is_confirmed_and_signed_in_at_once(app, people):
    invitation = factories.InvitationFactory(organisation=people["municipality"], email="kutsuttu@example.com")
    with app.test_request_context():
        token = make_token("invite", {"i": invitation.id})
    client = app.test_client()
    url = f"/signup?invitation={token}"
    response = client.post_form(url, _form("kutsuttu@example.com"), page=url)
    assert response.status_code == 302 and response.headers["Location"] == "/organisation"
    assert _signed_in(client)
    assert _user("kutsuttu@example.com").email_confirmed_at is not None
    assert not [m for m in _mails_to("kutsuttu@example.com") if "/signup/confirm/" in m.body]


@pytest.mark.skipif(
    not (TestConfig.TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="concurrent sign-ups are run on PostgreSQL (TEST_DATABASE_URL)",
)
def test_twenty_identical_sign_ups_at_once_make_one_account(_schema, database_url):
    # Twenty requests at once need twenty connections, more than the default pool.
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 25, "max_overflow": 5, "pool_timeout": 60},
    )
    app.test_client_class = BrowserLikeClient
    with app.app_context():
        limiter.reset()
        try:
            clients = []
            for i in range(20):
                client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
                token = client.csrf_token("/signup")
                clients.append((client, token, f"203.0.113.{i + 1}"))
            answers: list[tuple[int, str]] = []
            lock = threading.Lock()

            def request(client=None, token=None, address=None) -> int:
                response = client.post(
                    "/signup",
                    data={**_form("sama@example.com"), "csrf_token": token},
                    environ_base={"REMOTE_ADDR": address},
                )
                with lock:
                    answers.append((response.status_code, _without_csrf(response.get_data(as_text=True))))
                return response.status_code

            statuses = collide("users", [lambda c=c, t=t, a=a: request(c, t, a) for c, t, a in clients])
            assert statuses == [200] * 20, statuses
            assert len({body for _status, body in answers}) == 1, "the answers differ"
            db.session.expire_all()
            assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "sama@example.com")) == 1
            mails = _mails_to("sama@example.com")
            assert len(mails) == 20
            assert sum(bool(LINK.search(m.body)) for m in mails) == 1  # one confirmation, 19 notes to the owner
            assert (
                db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "user.registered"))
                == 1
            )
            assert verify_chain().ok
        finally:
            db.session.rollback()
            from tests.conftest import _empty_all_tables

            _empty_all_tables()
            db.session.remove()
            db.engine.dispose()


@pytest.mark.skipif(
    not (TestConfig.TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="races are run on PostgreSQL (TEST_DATABASE_URL)",
)
def test_the_link_used_twice_at_once_confirms_and_signs_in_once(app):
    first = app.test_client()
    _sign_up(first, "kahdesti@example.com")
    link = _link("kahdesti@example.com")
    tabs = []
    for _ in range(2):
        client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
        token = client.csrf_token(link)
        tabs.append(lambda client=client, token=token: client.post(link, data={"csrf_token": token}))
    answers = []
    statuses = collide("users", [lambda tab=tab: answers.append(tab()) or answers[-1].status_code for tab in tabs])
    assert statuses == [302, 302], statuses
    assert sorted(a.headers["Location"] for a in answers) == ["/login", "/organisation/start"]
    db.session.expire_all()
    for action in ("user.email_confirmed", "user.logged_in"):
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == action)) == 1
    assert db.session.scalar(sa.select(sa.func.count(UserSession.id))) == 1


def test_demo_and_factory_people_are_confirmed(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert factories.UserFactory().email_confirmed_at is not None
    unconfirmed = db.session.scalars(sa.select(User.email).where(User.email_confirmed_at.is_(None))).all()
    assert unconfirmed == []
    app.test_client().login("coordinator@example.com", "digione-demo")
