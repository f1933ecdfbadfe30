import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from app import mail
from app.actions import attempt
from app.audit import AuditEvent
from app.extensions import db, utcnow
from app.mail import OutboxMessage
from app.services import ServiceError
from tests import factories
from tests.support import PROJECT_ROOT


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


# --- delivered once, however many senders (issue "Several hosts") -----------------------------------------------


def _sent_subjects(sink) -> list[str]:
    return sorted(sink.subjects())


def test_overlapping_senders_deliver_each_message_once(app, smtp_sink):
    """Four senders at once (two overlapping `flask mail send` runs on each of two hosts): every
    message reaches the relay exactly once, and no attempt is counted twice or lost."""
    app.config.update(smtp_sink.config())
    smtp_sink.delay = 0.01
    expected = sorted(factories.OutboxMessageFactory(subject=f"Kutsu {i:02}").subject for i in range(40))
    results: list[tuple[int, int]] = []

    def sender() -> None:
        with app.app_context():
            try:
                results.append(mail.send_due(limit=100, echo=lambda text: None))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 4, "a sender failed"
    assert _sent_subjects(smtp_sink) == expected, "a message was sent twice or not at all"
    assert sum(sent for sent, _failed in results) == 40
    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboxMessage)).all()
    assert {(m.attempts, m.sent_at is not None) for m in rows} == {(1, True)}


def test_a_sender_killed_half_way_loses_nothing_and_resends_nothing_it_recorded(app, database_url, smtp_sink):
    """`kill -9` of a sender in the middle of a run: what it claimed but did not record as sent
    is due again when its lease runs out, and the next run sends it; what it recorded as sent is
    never sent again. (A message the relay accepted in the instant before the kill can go out
    twice, with the same Message-ID.)"""
    smtp_sink.delay = 0.3
    messages = [factories.OutboxMessageFactory(subject=f"Muistutus {i:02}") for i in range(12)]
    env = smtp_sink.cli_env(database_url, MAIL_LEASE_SECONDS="2")
    sender = subprocess.Popen(
        [sys.executable, "-m", "flask", "mail", "send"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while len(smtp_sink.subjects()) < 4 and time.monotonic() < deadline and sender.poll() is None:
        time.sleep(0.02)
    sender.send_signal(signal.SIGKILL)
    sender.wait(10)
    assert sender.returncode == -signal.SIGKILL, "the sender had finished before it could be killed"
    db.session.expire_all()
    recorded = {
        m.subject for m in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.sent_at.is_not(None)))
    }
    assert 3 <= len(recorded) < 12
    before = len(smtp_sink.subjects())

    time.sleep(2.1)  # the killed sender's lease runs out
    smtp_sink.delay = 0
    again = subprocess.run(
        [sys.executable, "-m", "flask", "mail", "send"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    db.session.expire_all()
    assert all(m.sent_at is not None for m in db.session.scalars(sa.select(OutboxMessage))), "a message was lost"
    after = smtp_sink.received[before:]
    assert not recorded & {m["subject"] for m in after}, "a message recorded as sent went out again"
    counts = Counter(m["subject"] for m in smtp_sink.received)
    assert set(counts) == {m.subject for m in messages}
    twice = [subject for subject, n in counts.items() if n > 1]
    assert len(twice) <= 1, f"sent twice: {twice}"
    for subject in twice:  # the one in flight at the kill: the same Message-ID both times
        ids = {m["message_id"] for m in smtp_sink.received if m["subject"] == subject}
        assert len(ids) == 1


def test_a_failing_relay_is_retried_later_and_later_then_given_up(app, smtp_sink):
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=_closed_port(),
        MAIL_USE_TLS=False,
        MAIL_MAX_ATTEMPTS=3,
        MAIL_RETRY_SECONDS=60,
    )
    message = factories.OutboxMessageFactory(subject="Kokouskutsu")
    waits = []
    for number in (1, 2, 3):
        started = utcnow()
        assert mail.send_due(echo=lambda text: None) == (0, 1)
        db.session.expire_all()
        saved = db.session.get(OutboxMessage, message.id)
        assert saved.attempts == number and saved.last_error and saved.sent_at is None
        assert mail.send_due(echo=lambda text: None) == (0, 0), "tried again before its time"
        if number < 3:
            waits.append(round((saved.next_attempt_at - started).total_seconds()))
            # Time passes: the next attempt is due.
            db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
            db.session.commit()
    assert waits == [60, 120]  # doubled after each failure
    assert saved.dead_at is not None and saved.status == "failed"
    db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=None))
    db.session.commit()
    assert mail.send_due(echo=lambda text: None) == (0, 0), "a message given up was tried again"


def test_the_coordinator_sees_given_up_mail_and_queues_it_again_once(app, people, login_as, smtp_sink):
    message = factories.OutboxMessageFactory(given_up=True, subject="Esityslista julkaistu")
    coordinator = login_as("coordinator")
    page = coordinator.get("/admin/mail").get_data(as_text=True)
    assert "Esityslista julkaistu" in page and "550 5.1.1 mailbox unavailable" in page
    assert "Luovuttu" in page  # Finnish first
    response = coordinator.post_form(f"/admin/mail/{message.id}/retry", page="/admin/mail", follow_redirects=True)
    assert "on taas jonossa" in response.get_data(as_text=True)
    again = coordinator.post_form(f"/admin/mail/{message.id}/retry", page="/admin/mail", follow_redirects=True)
    assert "ei odota uutta yritystä" in again.get_data(as_text=True)
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "mail.queued_again")).all()
    assert len(events) == 1 and events[0].data["attempts"] == 10
    app.config.update(smtp_sink.config())
    assert mail.send_due(echo=lambda text: None) == (1, 0)
    assert smtp_sink.subjects() == ["Esityslista julkaistu"]


def test_a_change_rolled_back_leaves_no_mail(app, people):
    """Mail is queued in the transaction of the change that causes it: no change, no mail."""

    def change_then_refuse():
        buyer = people["buyer"]
        mail.queue_mail(buyer.email, "Salasana", "password_reset", user=buyer, link="https://x.example/", minutes=60)
        raise ServiceError("Hyväksyntä peruttiin.")

    with app.test_request_context():
        outcome = attempt(change_then_refuse)
    assert not outcome.done
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
