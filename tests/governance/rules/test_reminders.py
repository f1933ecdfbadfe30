"""Re-acceptance reminders (issue "Several hosts"): providers that have not accepted a version are
reminded 30, 7 and 1 days before its deadline, each reminder once, however many hosts run the job."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.audit import AuditEvent
from app.extensions import db
from app.mail import OutboxMessage
from governance.rules import reminders
from governance.rules.reminders import RulesReminder, send_reacceptance_reminders, stage_due
from tests import factories
from tests.support.races import at_once

DEADLINE = date(2027, 3, 31)


@pytest.mark.parametrize(
    ("days_left", "stage"),
    [(45, None), (31, None), (30, 30), (29, 30), (8, 30), (7, 7), (5, 7), (2, 7), (1, 1), (0, 1), (-1, None)],
)
def test_the_stage_due_is_the_nearest_at_or_above_the_days_left(days_left, stage):
    assert stage_due(DEADLINE, DEADLINE - timedelta(days=days_left)) == stage


@pytest.fixture()
def new_version(people):
    """Version 2.0 in force since March with a re-acceptance deadline at the end of the month; the
    provider has not accepted it, the other provider has."""
    version = factories.RulesVersionFactory(label="2.0", in_force=True, reacceptance_deadline=DEADLINE)
    factories.RulesAcceptanceFactory(
        version=version,
        organisation=people["other_provider"],
        user=factories.UserFactory(organisation=people["other_provider"], org_role="admin"),
    )
    return version


def _reminder_mails() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_the_admins_of_a_provider_that_has_not_accepted_are_reminded_once(app, people, new_version):
    second_admin = factories.UserFactory(organisation=people["provider"], org_role="admin", locale="sv")
    with app.test_request_context():
        assert send_reacceptance_reminders(DEADLINE - timedelta(days=7)) == 1
    db.session.commit()
    mails = _reminder_mails()
    assert sorted(m.recipient for m in mails) == sorted([people["provider_admin"].email, second_admin.email])
    finnish = next(m for m in mails if m.recipient == people["provider_admin"].email)
    assert finnish.subject == "Hyväksykää DigiOne-pelisääntöjen versio 2.0 viimeistään 31.3.2027"
    assert "7 päivän kuluttua" in finnish.body and "http://127.0.0.1:5000/rules/2.0/accept" in finnish.body
    swedish = next(m for m in mails if m.recipient == second_admin.email)
    assert "Godkänn version 2.0" in swedish.subject and "om 7 dagar" in swedish.body
    # The provider's members and the provider that accepted get nothing.
    assert people["provider_user"].email not in {m.recipient for m in mails}
    # The job runs every hour: the same stage is not sent again, the next one in its time.
    with app.test_request_context():
        assert send_reacceptance_reminders(DEADLINE - timedelta(days=7)) == 0
        assert send_reacceptance_reminders(DEADLINE - timedelta(days=5)) == 0
        assert send_reacceptance_reminders(DEADLINE - timedelta(days=1)) == 1
        assert send_reacceptance_reminders(DEADLINE + timedelta(days=1)) == 0
    db.session.commit()
    assert len(_reminder_mails()) == 4
    stages = db.session.scalars(sa.select(RulesReminder.days_before).order_by(RulesReminder.id)).all()
    assert stages == [7, 1]
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "rules.reminder_sent")).all()
    assert [(int(e.object_id), e.data["days_before"]) for e in events] == [
        (people["provider"].id, 7),
        (people["provider"].id, 1),
    ]


def test_a_provider_that_accepts_is_not_reminded_again(app, people, new_version):
    with app.test_request_context():
        assert send_reacceptance_reminders(DEADLINE - timedelta(days=30)) == 1
        factories.RulesAcceptanceFactory(
            version=new_version, organisation=people["provider"], user=people["provider_admin"]
        )
        assert send_reacceptance_reminders(DEADLINE - timedelta(days=7)) == 0
    db.session.commit()
    assert len(_reminder_mails()) == 1


def test_jobs_on_several_hosts_at_once_remind_each_provider_once(app, people, new_version):
    """Four workers run the hourly job at the same moment (four hosts): one reminder, one mail."""
    results = at_once(app, 4, lambda: send_reacceptance_reminders(DEADLINE - timedelta(days=7)))
    assert sorted(results) == [0, 0, 0, 1]
    assert [m.recipient for m in _reminder_mails()] == [people["provider_admin"].email]


def test_the_job_is_registered_and_runs_from_the_command_line(app, people, new_version, runner):
    from app import jobs

    assert {"mail", "rules_activate", "rules_reminders"} <= set(jobs.JOBS)
    assert reminders.REMINDER_DAYS == (30, 7, 1)
    result = runner.invoke(args=["jobs", "run", "rules_reminders"])
    assert result.exit_code == 0, result.output
    assert "providers reminded" in result.output
    listed = runner.invoke(args=["jobs", "list"]).output
    assert "rules_reminders" in listed and "every hour" in listed
