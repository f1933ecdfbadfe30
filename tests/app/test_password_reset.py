import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app import services
from app.extensions import db, utcnow
from app.mail import OutboxMessage
from app.models import User
from tests import factories
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "neljä uutta sanaa tässä"


def _reset_link() -> str:
    message = db.session.scalar(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    assert message is not None, "no mail was queued"
    match = re.search(re.escape(current_app.config["PUBLIC_BASE_URL"]) + r"(/password/reset/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_reset_link_is_mailed_and_sets_a_new_password(client):
    user = factories.UserFactory(email="opettaja@example.com", locale="sv")
    response = client.post_form("/password/forgot", {"email": "opettaja@example.com"}, page="/password/forgot")
    assert response.status_code == 302
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.recipient == "opettaja@example.com"
    assert "lösenord" in message.subject.lower()  # in the recipient's language
    link = _reset_link()
    assert client.get(link).status_code == 200
    response = client.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page=link)
    assert response.status_code == 302
    client.login(user.email, NEW_PASSWORD)


def test_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post_form("/password/forgot", {"email": "ei.ole@example.com"}, page="/password/forgot")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_used_link_does_not_work_twice(client):
    factories.UserFactory(email="opettaja@example.com")
    client.post_form("/password/forgot", {"email": "opettaja@example.com"}, page="/password/forgot")
    link = _reset_link()
    client.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page=link)
    again = client.get(link)
    assert again.status_code == 302
    assert again.headers["Location"].endswith("/password/forgot")


def test_expired_link_is_refused_and_the_password_stays(app, client):
    user = factories.UserFactory(email="opettaja@example.com")
    max_age = app.config["PASSWORD_RESET_MAX_AGE"]
    with app.test_request_context():
        old = services.make_reset_token(user, now=utcnow() - timedelta(seconds=max_age + 5))
        fresh = services.make_reset_token(user, now=utcnow() - timedelta(seconds=max_age - 60))
    response = client.get(f"/password/reset/{old}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/password/forgot")
    posted = client.post_form(f"/password/reset/{old}", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert posted.status_code == 302
    db.session.expire_all()
    assert services.check_password(db.session.get(User, user.id), TEST_PASSWORD)
    assert client.get(f"/password/reset/{fresh}").status_code == 200


def test_forged_link_is_refused(client):
    factories.UserFactory(email="opettaja@example.com")
    response = client.get("/password/reset/eyJ1IjoxLCJmIjoiYWJjIiwiaWF0IjoxfQ.forged")
    assert response.status_code == 302
