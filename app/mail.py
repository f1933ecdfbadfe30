"""Outgoing mail. Messages are queued in the outbox table in the same transaction as the
change that caused them (a change rolled back leaves no message); `send_due` delivers them
through SMTP when MAIL_SERVER is set and prints them to the console otherwise.

Delivered once, however many senders run at once (two overlapping `flask mail send` runs, a
sender on each host): a sender first claims a message with a conditional UPDATE, which moves
its next attempt ahead by a lease (MAIL_LEASE_SECONDS), and commits the claim; only then does it
send, and it commits the result of each message as soon as the server has answered. Another
sender skips a claimed message (PostgreSQL: SKIP LOCKED, and the UPDATE's condition everywhere).
A sender killed half-way leaves its claimed messages due again when the lease runs out; a
message the server accepted and the sender recorded is never sent again. A failed attempt is
retried after MAIL_RETRY_SECONDS, doubled after each attempt; after MAIL_MAX_ATTEMPTS the
message is given up (`dead_at`) and listed for the coordinator, who may queue it again.
This module is the only one that talks to a mail server."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Mapped, mapped_column

from app import audit
from app.extensions import UTCDateTime, db, utcnow


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    #: When the message may be tried (next); NULL: at once. A claim moves it ahead by the lease.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: Delivery given up after MAIL_MAX_ATTEMPTS (the coordinator may queue it again).
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    @property
    def status(self) -> str:
        if self.sent_at is not None:
            return "sent"
        return "failed" if self.dead_at is not None else "queued"


def queue_mail(
    recipient: str,
    subject: Callable[[], str] | str,
    template: str,
    locale: str = "fi",
    **context: Any,
) -> OutboxMessage:
    """Render a mail in the recipient's language and add it to the outbox."""
    with force_locale(locale):
        subject_text = subject() if callable(subject) else str(subject)
        body = render_template(f"mail/{template}.txt", **context)
    message = OutboxMessage(recipient=recipient, subject=subject_text, body=body)
    db.session.add(message)
    db.session.flush()
    return message


def message_id(message: OutboxMessage) -> str:
    """The same Message-ID at every attempt of one message: should a sender die after the relay
    accepted a message but before it recorded so, the copy sent again can be told a duplicate."""
    domain = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "digione.invalid"
    return f"<outbox.{message.id}.{int(message.created_at.timestamp())}@{domain}>"


def _smtp_send(message: OutboxMessage) -> None:
    cfg = current_app.config
    mail = EmailMessage()
    mail["From"] = cfg["MAIL_SENDER"]
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Message-ID"] = message_id(message)
    mail.set_content(message.body)
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(mail)


def _due(now: datetime) -> list[sa.ColumnElement[bool]]:
    return [
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.dead_at.is_(None),
        sa.or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
    ]


def pending_count() -> int:
    """Messages waiting to be sent (due now or later), not those given up."""
    stmt = sa.select(sa.func.count(OutboxMessage.id)).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.dead_at.is_(None)
    )
    return db.session.scalar(stmt) or 0


def claim_due(limit: int, now: datetime | None = None) -> list[OutboxMessage]:
    """Claim up to `limit` messages that are due for this sender, and commit the claim: each
    claimed message's next attempt moves ahead by the lease and its attempts count grows by one,
    in one conditional UPDATE per message, so of two senders only one wins each message."""
    now = now or utcnow()
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    candidates = sa.select(OutboxMessage.id).where(*_due(now)).order_by(OutboxMessage.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    won = []
    for message_id in list(db.session.scalars(candidates)):
        claimed = db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, *_due(now))
            .values(next_attempt_at=now + lease, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:
            won.append(message_id)
    db.session.commit()
    if not won:
        return []
    claimed = sa.select(OutboxMessage).where(OutboxMessage.id.in_(won)).order_by(OutboxMessage.id)
    return list(db.session.scalars(claimed))


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: MAIL_RETRY_SECONDS, doubled each time, at most a day."""
    base = current_app.config["MAIL_RETRY_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 24 * 60 * 60))


def _record(message_id: int, **values: Any) -> None:
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def send_due(limit: int = 100, echo: Callable[[str], None] = print) -> tuple[int, int]:
    """The delivery job: claim what is due, send each message and commit its result at once.
    Returns (sent, failed). It commits, as a job does; services only queue (`queue_mail`)."""
    sent = failed = 0
    for message in claim_due(limit):
        error = _send(message, echo)
        now = utcnow()
        if error is None:
            _record(message.id, sent_at=now, last_error="", next_attempt_at=None)
            sent += 1
            continue
        failed += 1
        if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            _record(message.id, last_error=error, dead_at=now)
        else:
            _record(message.id, last_error=error, next_attempt_at=now + retry_delay(message.attempts))
    return sent, failed


def _send(message: OutboxMessage, echo: Callable[[str], None]) -> str | None:
    """Hand one message to the mail server (or the console); the error, or None when it went out."""
    try:
        if current_app.config.get("MAIL_SERVER"):
            _smtp_send(message)
        else:
            echo(f"To: {message.recipient}\nSubject: {message.subject}\n\n{message.body}\n{'-' * 60}")
    except (OSError, smtplib.SMTPException) as exc:
        return str(exc)[:2000] or exc.__class__.__name__
    return None


def queue_again(actor: Any, message: OutboxMessage) -> bool:
    """The coordinator's retry: a given-up message is due again with a fresh count of attempts
    (audited). False when it is not given up (any more): sent, still queued, or queued again by
    someone else a moment ago; nothing changes then."""
    again = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.dead_at.is_not(None), OutboxMessage.sent_at.is_(None))
        .values(dead_at=None, next_attempt_at=None, attempts=0)
        .execution_options(synchronize_session=False)
    )
    if again.rowcount != 1:
        return False
    audit.record(actor, "mail.queued_again", message, attempts=message.attempts, last_error=message.last_error[:200])
    db.session.expire(message)
    return True


def given_up(limit: int = 200) -> list[OutboxMessage]:
    stmt = sa.select(OutboxMessage).where(OutboxMessage.dead_at.is_not(None), OutboxMessage.sent_at.is_(None))
    return list(db.session.scalars(stmt.order_by(OutboxMessage.dead_at.desc(), OutboxMessage.id.desc()).limit(limit)))
