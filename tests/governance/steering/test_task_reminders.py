"""Reminders of overdue follow-up tasks (issue "Several hosts"): to the secretaries of the owning
body, the day after the due date and then weekly while the task is open; each once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail import OutboxMessage
from governance.steering.reminders import overdue_week, send_overdue_task_reminders
from tests import factories
from tests.support.races import at_once

DUE = date(2027, 2, 1)


@pytest.mark.parametrize(("late", "week"), [(-3, None), (0, None), (1, 0), (7, 0), (8, 1), (14, 1), (15, 2)])
def test_the_overdue_week(late, week):
    assert overdue_week(DUE, DUE + timedelta(days=late)) == week


@pytest.fixture()
def body_with_secretary(people):
    body = factories.BodyFactory(code="JT", level="tactical")
    factories.MembershipFactory(body=body, user=people["secretary"], role="secretary", voting=False)
    factories.MembershipFactory(body=body, user=people["body_member"], role="member")
    former = factories.UserFactory(email="entinen.sihteeri@example.com")
    factories.MembershipFactory(body=body, user=former, role="secretary", term_end=date(2026, 6, 30))
    return body


def _mails() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def _task(body, confidential: bool = False, **fields):
    case = factories.CaseFactory(awaiting_body=body, confidential=confidential, legal_basis="JulkL 24 § 1 mom. 17 k")
    decision = factories.DecisionFactory(item__meeting__body=body, item__case=case, case=case)
    return factories.TaskFactory(decision=decision, due_on=DUE, description="Päivitetään sopimusmalli.", **fields)


def test_the_secretary_is_reminded_once_a_week_while_the_task_is_open(app, people, body_with_secretary):
    task = _task(body_with_secretary)
    with app.test_request_context():
        assert send_overdue_task_reminders(DUE) == 0  # due today: not late yet
        assert send_overdue_task_reminders(DUE + timedelta(days=3)) == 1
        assert send_overdue_task_reminders(DUE + timedelta(days=3)) == 0  # the hourly job again
        assert send_overdue_task_reminders(DUE + timedelta(days=7)) == 0  # the same week
    db.session.commit()
    mails = _mails()
    assert [m.recipient for m in mails] == [people["secretary"].email]  # not members, not a former secretary
    mail = mails[0]
    assert mail.subject == f"Päätöksen {task.decision.reference} seurantatehtävä on myöhässä"
    assert "3 päivää sitten" in mail.body and "Päivitetään sopimusmalli." in mail.body
    assert f"http://127.0.0.1:5000/tasks/{task.id}" in mail.body
    with app.test_request_context():
        assert send_overdue_task_reminders(DUE + timedelta(days=8)) == 1  # a week later
        task.status = "done"
        db.session.flush()
        assert send_overdue_task_reminders(DUE + timedelta(days=15)) == 0  # done: no more
    db.session.commit()
    assert len(_mails()) == 2


def test_a_confidential_tasks_text_stays_out_of_the_mail(app, people, body_with_secretary):
    _task(body_with_secretary, confidential=True)
    with app.test_request_context():
        assert send_overdue_task_reminders(DUE + timedelta(days=2)) == 1
    db.session.commit()
    (mail,) = _mails()
    assert "Päivitetään sopimusmalli." not in mail.body and "/tasks/" in mail.body


def test_jobs_on_several_hosts_at_once_send_a_weeks_reminder_once(app, people, body_with_secretary):
    _task(body_with_secretary)
    results = at_once(app, 4, lambda: send_overdue_task_reminders(DUE + timedelta(days=2)))
    assert sorted(results) == [0, 0, 0, 1]
    assert [m.recipient for m in _mails()] == [people["secretary"].email]
