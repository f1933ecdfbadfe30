"""Outgoing mail. Messages are queued in the outbox table in the same
transaction as the change that caused them; `flask mail send` delivers them
through SMTP when MAIL_SERVER is set and prints them to the console otherwise.
This module is the only one that talks to a mail server."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Mapped, mapped_column

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


def _smtp_send(message: OutboxMessage) -> None:
    cfg = current_app.config
    mail = EmailMessage()
    mail["From"] = cfg["MAIL_SENDER"]
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail.set_content(message.body)
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(mail)


def deliver(message: OutboxMessage, echo: Callable[[str], None] = print) -> bool:
    """Send one message; return True when it went out. Never commits."""
    message.attempts += 1
    try:
        if current_app.config.get("MAIL_SERVER"):
            _smtp_send(message)
        else:
            echo(f"To: {message.recipient}\nSubject: {message.subject}\n\n{message.body}\n{'-' * 60}")
    except (OSError, smtplib.SMTPException) as exc:
        message.last_error = str(exc)[:2000]
        return False
    message.sent_at = utcnow()
    message.last_error = ""
    return True


def pending(limit: int = 100) -> list[OutboxMessage]:
    stmt = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < 10)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
