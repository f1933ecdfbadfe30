"""Races on PostgreSQL: two real requests, each on its own connection, do the same
thing at the same moment, and exactly one has an effect.

To make the collision certain rather than lucky, the test holds a SHARE lock on
the target table from a third connection: both requests read, find nothing,
and then wait at their INSERT. When both are seen waiting in pg_locks, the lock
is released and they insert at once; the database's unique constraint must
settle it, and the loser must get a clear message, not a 500.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit import AuditEvent, verify_chain
from app.extensions import db
from config import TestConfig
from governance.rules.models import RulesAcceptance
from governance.steering import services as steering
from governance.steering.models import Ballot
from tests import factories, figures
from tests.support.races import collide
from tests.support.steering import meeting_in_session

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not (TestConfig.TEST_DATABASE_URL or "").startswith("postgresql"),
        reason="races are run on PostgreSQL (TEST_DATABASE_URL)",
    ),
]


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_two_votes_by_the_same_member_at_once_count_once(app, bodies):
    seats, secretary = bodies["seats"], bodies["users"]["Secretary"]
    with app.test_request_context():
        meeting = meeting_in_session(bodies["jt"], secretary, ["chair", "anna", "bertta"], seats)
        item = meeting.items[0]
        vote = steering.open_vote(secretary, item, "Hylätään.", seats["anna"], seats["bertta"])
        db.session.commit()
        item_id, vote_id = item.id, vote.id  # the threads touch no object of this session
    tabs = []
    for choice in ("counter", "proposal"):  # Anna in two browser tabs, a different choice in each
        client = app.test_client()
        client.login("anna@example.com")
        token = client.csrf_token(f"/items/{item_id}")
        tabs.append(
            lambda client=client, token=token, choice=choice: (
                client.post(f"/votes/{vote_id}/ballots", data={"choice": choice, "csrf_token": token}).status_code
            )
        )
    statuses = collide("ballots", tabs)
    assert statuses == [302, 302], statuses  # both answered: one recorded, one told it already was
    assert _count(Ballot, Ballot.round_id == vote_id) == 1
    assert _count(AuditEvent, AuditEvent.action == "vote.ballot_cast") == 1
    assert verify_chain().ok
    figures.note(
        "races",
        "two votes by the same member at once",
        "1 ballot and 1 audit event from 2 requests; the other answered with a message",
    )


def test_two_admins_accepting_the_rules_at_once_make_one_acceptance(app, people):
    version = factories.RulesVersionFactory(label="1.0", in_force=True)
    second_admin = factories.UserFactory(organisation=people["provider"], org_role="admin", email="padmin2@example.com")
    sha = version.body_sha256
    db.session.commit()
    tabs = []
    for email, name in ((people["provider_admin"].email, "Pia Palveluntarjoaja"), (second_admin.email, "Paavo")):
        client = app.test_client()
        client.login(email)
        token = client.csrf_token("/rules/1.0/accept")
        tabs.append(
            lambda client=client, token=token, name=name: (
                client.post(
                    "/rules/1.0/accept",
                    data={
                        "signatory_name": name,
                        "signatory_title": "toimitusjohtaja",
                        "authority": "y",
                        "sha256": sha,
                        "csrf_token": token,
                    },
                ).status_code
            )
        )
    statuses = collide("rules_acceptances", tabs)
    assert statuses == [302, 302], statuses
    assert (
        _count(
            RulesAcceptance,
            RulesAcceptance.version_id == version.id,
            RulesAcceptance.organisation_id == people["provider"].id,
        )
        == 1
    )
    assert _count(AuditEvent, AuditEvent.action == "rules.accepted") == 1
    assert verify_chain().ok
    figures.note(
        "races",
        "two admins of one provider accepting the rules at once",
        "1 acceptance and 1 audit event from 2 requests; the other answered with a message",
    )
