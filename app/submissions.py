"""Each form takes effect once, however many times it is sent.

Every form a page renders carries a fresh submission id (`submission_field()` in the templates).
The transaction that saves what the form asked for also saves its id, in a table whose primary
key is the id (`form_submissions`): of two copies of one form sent at the same moment (a
double-click on a slow line, a browser that resends), whichever commits second meets the key and
is rolled back whole, nothing of it saved; a copy that arrives after the first was saved is
answered at once. Either way the person is told that the form was already saved and is sent back
to the page they came from.

A refused or failed attempt saves nothing, its id included, so the same form can be corrected and
sent again. Signing in, signing out and choosing the language are not deduplicated (`EXEMPT`):
they change no records of the domain, and a second click must not turn into an error.

Two *different* submissions (two tabs, two people) are a matter of the services: their state
changes are guarded by row locks and conditional updates (app/concurrency.py) and the database's
unique constraints; a lost race is answered by `lost_race_response` in app/errors.py.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, flash, g, has_request_context, redirect, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import UTCDateTime, db, utcnow
from app.security import is_safe_local_path

#: The name of the hidden field.
FIELD = "submission_id"
_VALID = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: Endpoints whose forms are not deduplicated, and why.
EXEMPT = {
    "auth.login": "signing in changes no records of the domain; a second click must still sign in",
    "auth.logout": "signing out ends the session only",
    "main.set_language": "choosing the language is idempotent",
}
ALREADY_SAVED = _l("This form was already sent, and it was saved once. Here is the result.")


class FormSubmission(db.Model):
    """The id of a form whose effect was saved (in the same transaction as the effect)."""

    __tablename__ = "form_submissions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    endpoint: Mapped[str] = mapped_column(sa.String(80))
    user_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def new_submission_id() -> str:
    return secrets.token_urlsafe(16)


def submission_field() -> Markup:
    """The hidden field for a form's template (a new id each time a page is rendered)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, new_submission_id())


def _requested() -> str | None:
    """The submission id this request carries, if it is a form that takes effect once."""
    if request.method != "POST" or request.endpoint in EXEMPT:
        return None
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return None
    value = request.form.get(FIELD, "")
    return value if _VALID.fullmatch(value) else None


def back_to_the_form():
    """Where a person goes after a form that was already saved or lost a race: the page the form
    was on (the path of the Referer, on this site whatever host the header names: a GET of one of
    our own pages), else the site's front page."""
    referrer = urlsplit(request.referrer or "")
    target = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return redirect(target if is_safe_local_path(target) else "/", 303)


def already_saved_response():
    flash(str(ALREADY_SAVED), "info")
    return back_to_the_form()


def is_duplicate(error: BaseException) -> bool:
    """Whether an IntegrityError is a second copy of a form meeting the first one's id."""
    orig = getattr(error, "orig", error)
    constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)
    if constraint is not None:
        return constraint == "pk_form_submissions"
    return "form_submissions.id" in str(orig)


def register_submissions(app: Flask) -> None:
    app.jinja_env.globals["submission_field"] = submission_field

    @app.before_request
    def _seen_before():
        token = _requested()
        if token is None:
            return None
        g.submission_id = token
        if db.session.get(FormSubmission, token) is not None:
            db.session.rollback()
            return already_saved_response()
        return None


@sa.event.listens_for(Session, "before_commit")
def _claim(session: Session) -> None:
    """Save the request's submission id with the first commit of the request's changes."""
    if not has_request_context() or g.get("submission_claimed") or not g.get("submission_id"):
        return
    if session is not db.session():  # another session (a CLI helper, a test's own)
        return

    user_id = current_user.id if current_user and current_user.is_authenticated else None
    session.add(FormSubmission(id=g.submission_id, endpoint=(request.endpoint or "")[:80], user_id=user_id))
    g.submission_pending = True


@sa.event.listens_for(Session, "after_commit")
def _claimed(session: Session) -> None:
    if has_request_context() and g.get("submission_pending"):
        g.submission_claimed = True
        g.submission_pending = False


def forget_submissions_older_than(days: int) -> int:
    """Delete ids older than `days` (a copy of a form that old is not a double-click); `flask
    submissions prune`. Not audited: the ids are bookkeeping, not records of the domain."""
    cutoff = utcnow() - timedelta(days=days)
    result = db.session.execute(sa.delete(FormSubmission).where(FormSubmission.created_at < cutoff))
    return result.rowcount
