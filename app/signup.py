"""Public sign-up with e-mail confirmation, answering alike whether the address has an account.

A sign-up does the same work for every address: the password is hashed, then either a new,
unconfirmed account is created and a confirmation link mailed to it, or, for an address that
already has an account, its owner is told by mail (sign in or reset the password) and nothing
is created. The visitor gets the same page either way. The link is signed, expires
(EMAIL_CONFIRMATION_MAX_AGE) and works once: it names the account and its address and stops
working when the address is confirmed. Two sign-ups with one address at the same moment make one
account: the loser meets the unique e-mail in a savepoint and is treated as the taken case.

Plain typed functions that add and flush, never commit, never read ``request``.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit
from app.extensions import db
from app.mail import queue_mail
from app.models import User
from app.services import find_user_by_email, hash_password, normalise_email
from app.tokens import TokenError, make_token, read_token
from app.urls import external_url

#: How long the form's "send the link again" button stays valid after the password was given.
RESEND_MAX_AGE = 60 * 60


def sign_up(email: str, name: str, password: str, locale: str) -> User | None:
    """The new unconfirmed account, or None when the address already had one (its owner was mailed)."""
    email = normalise_email(email)
    password_hash = hash_password(password)  # in both cases: the time taken must not tell
    existing = find_user_by_email(email)
    if existing is None:
        user = User(email=email, name=name.strip(), password_hash=password_hash, locale=locale, email_confirmed_at=None)
        try:
            with db.session.begin_nested():
                db.session.add(user)
                db.session.flush()
        except IntegrityError:  # the same address signed up at the same moment in another request
            existing = find_user_by_email(email)
        else:
            audit.record(None, "user.registered", user, email=email, confirmed=False)
            _mail_confirmation(user)
            return user
    if existing is not None:
        queue_mail(
            existing.email,
            _l("Someone tried to create a DigiOne Hub account with your address"),
            "signup_existing",
            existing.locale,
            user=existing,
            login_link=external_url("auth.login"),
            reset_link=external_url("auth.forgot_password"),
        )
        audit.record(None, "user.signup_for_existing_account", existing)
    return None


def _mail_confirmation(user: User) -> None:
    hours = current_app.config["EMAIL_CONFIRMATION_MAX_AGE"] // 3600
    link = external_url("auth.confirm_email", token=make_confirmation_token(user))
    queue_mail(
        user.email,
        _l("Confirm your e-mail address for DigiOne Hub"),
        "signup_confirm",
        user.locale,
        user=user,
        link=link,
        hours=hours,
    )


def make_confirmation_token(user: User, now: datetime | None = None) -> str:
    return make_token("confirm-email", {"u": user.id, "e": user.email}, now=now)


def user_for_confirmation_token(token: str, now: datetime | None = None) -> User:
    """The unconfirmed account a link belongs to. Raises TokenExpired, or TokenError when the link is
    forged or already used (the address is confirmed)."""
    data = read_token("confirm-email", token, current_app.config["EMAIL_CONFIRMATION_MAX_AGE"], now=now)
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active or user.email != data.get("e") or user.email_confirmed_at is not None:
        raise TokenError("used or unknown")
    return user


def make_resend_token(user: User) -> str:
    """For the "send the link again" button, shown only to whoever gave the account's password."""
    return make_token("confirm-resend", {"u": user.id})


def resend_confirmation(token: str) -> User | None:
    """Mail a new confirmation link for the button's account; None when the button is stale or the
    address is already confirmed."""
    try:
        data = read_token("confirm-resend", token, RESEND_MAX_AGE)
    except TokenError:
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active or user.email_confirmed_at is not None:
        return None
    _mail_confirmation(user)
    audit.record(None, "user.confirmation_resent", user)
    return user
