"""Sign-in sessions kept on the server, so that they can be ended.

Every sign-in on a device (the sign-in form, an invitation's sign-up, a confirmed
sign-up) is a row of ``user_sessions`` with a random token. The browser gets
``"<user id>:<token>"`` as Flask-Login's id, in the session cookie and, with "keep me
signed in", in the remember cookie too; the database keeps only the token's SHA-256.
A request is signed in only while its row exists, is not revoked, is younger than
USER_SESSION_MAX_AGE and its user is active (`load_user`, one statement). Signing
out revokes the row, so a copy of either cookie stops working with it; a password
change ends the person's other sessions, a password reset all of them.

Plain typed functions that add and flush, never commit, never read ``request``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import audit
from app.extensions import UTCDateTime, db, utcnow
from app.models import User

#: A session id as the cookies carry it: the user's id, a colon and the token.
_SESSION_ID = re.compile(r"([1-9][0-9]{0,9}):([A-Za-z0-9_-]{32,64})")
_MAX_USER_ID = 2**31 - 1  # the users.id column is a 32-bit integer on PostgreSQL
LABEL_LENGTH = 60


class UserSession(db.Model):
    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: SHA-256 (hex) of the token in the cookie; the token itself is never stored.
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The client's address when signing in (app.security.client_address).
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="")
    #: A short label of the browser and system ("Firefox, Windows"); "" when not recognised.
    device: Mapped[str] = mapped_column(sa.String(LABEL_LENGTH), default="")

    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


# Checked in order: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR", "Opera"),
    ("Firefox", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str) -> str:
    """A short label for the profile's list of sessions: "Firefox, Windows" (only well-known names,
    never text from the header itself), or "" when neither is recognised."""
    agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in agent), "")
    return ", ".join(part for part in (browser, system) if part)[:LABEL_LENGTH]


def start(user: User, address: str, user_agent: str) -> UserSession:
    """A new session for `user` on one device. After this, `user.get_id()` carries its token."""
    token = secrets.token_urlsafe(32)
    record = UserSession(
        user=user,
        token_sha256=_digest(token),
        created_at=utcnow(),
        ip_address=(address or "")[:45],
        device=device_label(user_agent),
    )
    db.session.add(record)
    db.session.flush()
    user.login_token = token
    user.login_session = record
    return record


def _oldest_valid() -> datetime:
    return utcnow() - timedelta(seconds=current_app.config["USER_SESSION_MAX_AGE"])


def load_user(session_id: str) -> User | None:
    """Flask-Login's user loader: the user of a session id, or None (signed out) when the id is
    malformed, of the old kind (a bare user id), unknown, revoked, too old, or its user inactive.
    One statement loads both the user and the session."""
    match = _SESSION_ID.fullmatch(session_id or "")
    if match is None or int(match.group(1)) > _MAX_USER_ID:
        return None
    user_id, token = int(match.group(1)), match.group(2)
    row = db.session.execute(
        sa.select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == user_id,
            User.active.is_(True),
            UserSession.token_sha256 == _digest(token),
            UserSession.revoked_at.is_(None),
            UserSession.created_at > _oldest_valid(),
        )
    ).first()
    if row is None:
        return None
    user, record = row
    user.login_token = token
    user.login_session = record
    return user


def active_sessions(user: User) -> list[UserSession]:
    """The person's sessions that still sign a browser in, newest first."""
    stmt = (
        sa.select(UserSession)
        .where(
            UserSession.user_id == user.id, UserSession.revoked_at.is_(None), UserSession.created_at > _oldest_valid()
        )
        .order_by(UserSession.created_at.desc(), UserSession.id.desc())
    )
    return list(db.session.scalars(stmt))


def revoke(actor: User | None, record: UserSession, reason: str) -> None:
    """End one session (signing out on this device)."""
    if record.revoked_at is not None:
        return
    record.revoked_at = utcnow()
    audit.record(actor, "user.session_revoked", record.user, session=record.id, reason=reason)


def revoke_all(actor: User | None, user: User, reason: str, keep: UserSession | None = None) -> int:
    """End every session of `user` but `keep` (the device that asked, if any); audited as one event
    with the number ended (when any). Returns that number."""
    stmt = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    ended = (
        db.session.execute(stmt.values(revoked_at=utcnow()).execution_options(synchronize_session="fetch")).rowcount
        or 0
    )
    if ended:  # nothing ended (signed out everywhere already, in another tab): nothing to record
        audit.record(
            actor, "user.sessions_revoked", user, reason=reason, ended=ended, kept=keep.id if keep is not None else None
        )
    return ended
