import socket

import sqlalchemy as sa

from app.extensions import db
from app.mail import OutboxMessage
from tests import factories


def test_mail_send_prints_in_development_and_marks_sent(runner):
    message = factories.OutboxMessageFactory(recipient="vastaanottaja@example.com", subject="Tervehdys", body="Hei!")
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0
    assert "To: vastaanottaja@example.com" in result.output and "Subject: Tervehdys" in result.output
    assert "sent 1, failed 0" in result.output
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).sent_at is not None
    again = runner.invoke(args=["mail", "send"])
    assert "sent 0, failed 0" in again.output


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_smtp_server_keeps_the_message_queued(app, runner):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_USE_TLS=False)
    message = factories.OutboxMessageFactory()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 1
    db.session.expire_all()
    saved = db.session.get(OutboxMessage, message.id)
    assert saved.sent_at is None and saved.attempts == 1 and saved.last_error
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1
