"""Three-level steering: quorum, conflicts of interest, votes, mandate and referral,
minutes, corrections, optimistic locking, follow-up."""

import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.audit import AuditEvent
from app.clock import HELSINKI, helsinki_today
from app.extensions import db, utcnow
from app.mail import OutboxMessage
from app.services import ServiceError
from governance.steering import services
from governance.steering.models import (
    AgendaItem,
    Case,
    Decision,
    Meeting,
    Minutes,
    Resolution,
    Role,
    Task,
)
from tests import factories
from tests.support.steering import meeting_in_session

# --- quorum -------------------------------------------------------------------------------------------


def test_quorum_counts_voting_seats_with_deputies_and_recusals(app, bodies):
    seats, actor = bodies["seats"], bodies["users"]["Secretary"]
    with app.test_request_context():
        meeting = meeting_in_session(bodies["jt"], actor, ["chair", "bertta", "secretary"], seats)
        q = services.quorum(meeting)
        assert (q.present, q.seats, q.needed, q.quorate) == (2, 4, 3, False)  # the secretary has no vote
        services.record_attendance(
            actor, meeting, {seats[k].id for k in ("chair", "bertta", "deputy")}, {seats["deputy"].id: seats["anna"].id}
        )
        assert services.quorum(meeting).quorate  # the deputy stands in for Anna: 3 of 4
        item = meeting.items[0]
        services.declare_conflict(actor, item, seats["bertta"], "Osakas palveluntarjoajassa.")
        q = services.quorum(meeting, item)
        assert (q.present, q.quorate) == (2, False)  # Bertta is out of this item's quorum
        with pytest.raises(ServiceError):
            services.decide(actor, item, Resolution.APPROVED, "Hyväksytään.")


def test_a_deputy_stands_in_only_for_their_own_absent_member(app, bodies):
    seats, actor = bodies["seats"], bodies["users"]["Secretary"]
    with app.test_request_context():
        meeting = meeting_in_session(bodies["jt"], actor, ["chair"], seats)
        with pytest.raises(ServiceError):  # Anna is present herself
            services.record_attendance(
                actor, meeting, {seats["anna"].id, seats["deputy"].id}, {seats["deputy"].id: seats["anna"].id}
            )
        with pytest.raises(ServiceError):  # not Bertta's deputy
            services.record_attendance(actor, meeting, {seats["deputy"].id}, {seats["deputy"].id: seats["bertta"].id})


def test_a_deputy_without_standing_in_has_no_vote(app, bodies):
    seats, actor = bodies["seats"], bodies["users"]["Secretary"]
    with app.test_request_context():
        meeting = meeting_in_session(bodies["jt"], actor, ["chair", "anna", "deputy"], seats)
        assert {m.id for m in services.voters(meeting)} == {seats["chair"].id, seats["anna"].id}


# --- votes ----------------------------------------------------------------------------------------------


def test_vote_is_counted_with_names_and_a_tie_goes_the_chairs_way(app, bodies):
    seats, actor = bodies["seats"], bodies["users"]["Secretary"]
    with app.test_request_context():
        meeting = meeting_in_session(bodies["jt"], actor, ["chair", "anna", "bertta", "cecilia"], seats)
        item = meeting.items[0]
        vote = services.open_vote(actor, item, "Palautetaan valmisteluun.", seats["anna"], seats["bertta"])
        for key, choice in (("chair", "proposal"), ("anna", "counter"), ("bertta", "counter"), ("cecilia", "proposal")):
            services.cast_ballot(actor, vote, seats[key], choice)
        outcome = services.close_vote(actor, vote)
        assert (outcome.proposal, outcome.counter, outcome.blank, outcome.winner, outcome.by_chair) == (
            2,
            2,
            0,
            "proposal",
            True,
        )
        decision = services.decide(actor, item, Resolution.APPROVED_AFTER_VOTE, "Hyväksyttiin äänestyksen jälkeen.")
        assert decision.reference == f"JT {meeting.number}/2026 § 1"


def test_recused_absent_and_repeated_votes_are_refused(app, bodies):
    seats, actor = bodies["seats"], bodies["users"]["Secretary"]
    with app.test_request_context():
        meeting = meeting_in_session(bodies["jt"], actor, ["chair", "anna", "bertta", "cecilia"], seats)
        item = meeting.items[0]
        services.declare_conflict(actor, item, seats["cecilia"], "Puoliso palveluntarjoajan palveluksessa.")
        vote = services.open_vote(actor, item, "Hylätään.", seats["anna"], seats["bertta"])
        with pytest.raises(ServiceError, match=r"esteellinen|conflict|jäävi|ristiriita|intressi"):
            services.cast_ballot(actor, vote, seats["cecilia"], "counter")
        with pytest.raises(ServiceError):  # the deputy is not present
            services.cast_ballot(actor, vote, seats["deputy"], "counter")
        services.cast_ballot(actor, vote, seats["anna"], "counter")
        with pytest.raises(ServiceError):
            services.cast_ballot(actor, vote, seats["anna"], "proposal")
        with pytest.raises(ServiceError):  # a recused member cannot move a counter-proposal either
            services.open_vote(actor, meeting.items[0], "x", seats["cecilia"], seats["anna"])


def test_member_votes_for_themselves_on_the_item_page(app, bodies, login_as):
    seats, actor = bodies["seats"], bodies["users"]["Secretary"]
    with app.test_request_context():
        meeting = meeting_in_session(bodies["jt"], actor, ["chair", "anna", "bertta"], seats)
        item = meeting.items[0]
        vote = services.open_vote(actor, item, "Hylätään.", seats["anna"], seats["bertta"])
        db.session.commit()
    client = app.test_client()
    client.login("anna@example.com")
    assert 'name="choice"' in client.get(f"/items/{item.id}").get_data(as_text=True)
    client.post_form(f"/votes/{vote.id}/ballots", {"choice": "counter"}, page=f"/items/{item.id}")
    again = client.post_form(f"/votes/{vote.id}/ballots", {"choice": "proposal"}, page=f"/items/{item.id}")
    assert again.status_code == 302
    ballots = [(b.membership_id, b.choice) for b in db.session.get(type(vote), vote.id).ballots]
    assert ballots == [(seats["anna"].id, "counter")]
    outsider = login_as("buyer").post_form(f"/votes/{vote.id}/ballots", {"choice": "proposal"}, page="/")
    assert outsider.status_code == 403


# --- mandate and referral ----------------------------------------------------------------------------------


def test_a_decision_outside_the_mandate_can_only_be_referred_up(app, bodies):
    seats, actor = bodies["seats"], bodies["users"]["Secretary"]
    with app.test_request_context():
        meeting = meeting_in_session(
            bodies["jt"], actor, ["chair", "anna", "bertta"], seats, kinds=("provider_termination",)
        )
        item = meeting.items[0]
        with pytest.raises(ServiceError, match="JT"):
            services.decide(actor, item, Resolution.APPROVED, "Päätetään sopimus.")
        decision = services.decide(actor, item, Resolution.REFERRED_UP, "Siirretään ohjausryhmän päätettäväksi.")
        db.session.commit()
        assert decision.referred_to.code == "OR"
        awaiting = services.cases_awaiting(bodies["or"])
        assert [c.id for c in awaiting] == [item.case_id]

        or_seats = bodies["or_seats"]
        or_actor = bodies["users"]["OrSecretary"]
        or_meeting = services.create_meeting(
            or_actor, bodies["or"], 1, datetime(2026, 6, 20, 10, tzinfo=HELSINKI), "Pasila", ""
        )
        or_item = services.add_item(or_actor, or_meeting, awaiting[0], "provider_termination", "Päätetään.", None)
        services.publish_agenda(or_actor, or_meeting)
        services.start_session(or_actor, or_meeting)
        db.session.flush()
        services.record_attendance(or_actor, or_meeting, {or_seats["chair"].id, or_seats["member"].id}, {})
        final = services.decide(or_actor, or_item, Resolution.APPROVED, "Sopimus päätetään.")
        db.session.commit()
    case = db.session.get(Case, item.case_id)
    assert case.closed and case.awaiting_body_id is None
    assert [i.reference for i in case.items] == [item.reference, or_item.reference]
    assert final.reference.startswith("OR 1/2026")


def test_the_top_body_cannot_refer_up(app, bodies):
    seats, actor = bodies["or_seats"], bodies["users"]["OrSecretary"]
    with app.test_request_context():
        meeting = meeting_in_session(bodies["or"], actor, ["chair", "member"], seats)
        with pytest.raises(ServiceError):
            services.decide(actor, meeting.items[0], Resolution.REFERRED_UP, "Ylös.")


def test_meeting_number_clash_is_refused_with_the_next_free_number(app, bodies):
    actor = bodies["users"]["Secretary"]
    with app.test_request_context():
        services.create_meeting(actor, bodies["jt"], 3, datetime(2026, 3, 1, 10, tzinfo=HELSINKI), "", "")
        with pytest.raises(ServiceError, match=r"JT 3/2026.*4"):
            services.create_meeting(actor, bodies["jt"], 3, datetime(2026, 4, 1, 10, tzinfo=HELSINKI), "", "")


# --- minutes ------------------------------------------------------------------------------------------------


def _held(app, bodies):
    seats, actor = bodies["seats"], bodies["users"]["Secretary"]
    meeting = meeting_in_session(bodies["jt"], actor, ["chair", "anna", "bertta"], seats)
    services.decide(actor, meeting.items[0], Resolution.APPROVED, "Hyväksyttiin.")
    services.close_meeting(actor, meeting)
    return meeting, services.create_minutes(actor, meeting)


def test_minutes_are_approved_by_two_checkers_signed_and_then_locked(app, bodies):
    users = bodies["users"]
    with app.test_request_context():
        meeting, minutes = _held(app, bodies)
        assert "Hyväksyttiin." in minutes.body and "Anna" in minutes.body
        decision = meeting.items[0].decision
        assert not decision.effective
        services.set_checkers(users["Secretary"], meeting, users["Anna"], users["Bertta"])
        with pytest.raises(ServiceError):  # signing comes after approval
            services.sign(users["Chair"], minutes, Role.CHAIR)
        services.approve_as_checker(users["Anna"], minutes)
        with pytest.raises(ServiceError):  # approving twice
            services.approve_as_checker(users["Anna"], minutes)
        with pytest.raises(ServiceError):  # not a checker
            services.approve_as_checker(users["Cecilia"], minutes)
        services.approve_as_checker(users["Bertta"], minutes)
        services.sign(users["Chair"], minutes, Role.CHAIR)
        with pytest.raises(ServiceError):
            services.sign(users["Anna"], minutes, Role.SECRETARY)
        services.sign(users["Secretary"], minutes, Role.SECRETARY)
        assert meeting.status == "minutes_approved" and decision.effective
        with pytest.raises(ServiceError):  # locked: no silent edit
            services.edit_minutes(users["Secretary"], minutes, "Muutettu", "Muutettu")
        correction = services.correct_minutes(
            users["Secretary"],
            meeting,
            minutes.body + "\nKorjaus.",
            minutes.public_body + "\nKorjaus.",
            "Kirjoitusvirhe",
        )
        db.session.commit()
    versions = list(
        db.session.scalars(sa.select(Minutes).where(Minutes.meeting_id == meeting.id).order_by(Minutes.version))
    )
    assert [v.version for v in versions] == [1, 2] and "Korjaus." not in versions[0].body
    assert correction.note == "Kirjoitusvirhe"


def test_minutes_can_be_approved_by_the_next_meeting(app, bodies):
    users, _seats = bodies["users"], bodies["seats"]
    with app.test_request_context():
        _meeting, minutes = _held(app, bodies)
        later = services.create_meeting(
            users["Secretary"], bodies["jt"], 9, datetime(2026, 7, 1, 10, tzinfo=HELSINKI), "", ""
        )
        with pytest.raises(ServiceError):  # not in session yet
            services.approve_by_meeting(users["Secretary"], minutes, later)
        case = services.create_case(users["Secretary"], bodies["jt"], "Pöytäkirjan tarkastus", False, "")
        services.add_item(users["Secretary"], later, case, "information", "", None)
        services.publish_agenda(users["Secretary"], later)
        services.start_session(users["Secretary"], later)
        services.approve_by_meeting(users["Secretary"], minutes, later)
        with pytest.raises(ServiceError):
            services.approve_by_meeting(users["Secretary"], minutes, later)
        assert minutes.approved


# --- pages -------------------------------------------------------------------------------------------------------


def test_optimistic_locking_keeps_the_second_editors_text(app, bodies):
    item = factories.AgendaItemFactory(meeting__body=bodies["jt"], proposal="Alkuperäinen")
    first, second = app.test_client(), app.test_client()
    first.login("secretary@example.com")
    second.login("secretary@example.com")
    base = {"version": str(item.version), "decision_kind": "operational", "presenter": ""}
    assert first.post_form(f"/items/{item.id}", {**base, "proposal": "Ensimmäinen muutos"}).status_code == 302
    clash = second.post_form(f"/items/{item.id}", {**base, "proposal": "Toinen muutos"})
    assert clash.status_code == 409
    assert "Toinen muutos" in clash.get_data(as_text=True)  # nothing lost
    assert db.session.get(AgendaItem, item.id).proposal == "Ensimmäinen muutos"


def test_member_lists_are_public_and_confidential_items_show_only_title_and_basis(app, bodies, login_as):
    case = factories.CaseFactory(
        title="Palveluntarjoajan asia", confidential=True, legal_basis="JulkL 24 § 1 (20)", awaiting_body=None
    )
    item = factories.AgendaItemFactory(
        meeting__body=bodies["jt"], meeting__status="agenda_published", case=case, proposal="Salainen ehdotus"
    )
    public = login_as(None)
    assert "Anna" in public.get("/bodies/JT").get_data(as_text=True)
    page = public.get(f"/items/{item.id}").get_data(as_text=True)
    assert "Palveluntarjoajan asia" in page and "JulkL 24 § 1 (20)" in page and "Salainen ehdotus" not in page
    member = app.test_client()
    member.login("anna@example.com")
    assert "Salainen ehdotus" in member.get(f"/items/{item.id}").get_data(as_text=True)


def test_planned_meetings_are_hidden_from_outsiders(app, bodies, login_as):
    meeting = factories.MeetingFactory(body=bodies["jt"], status="planned")
    assert login_as(None).get(f"/meetings/{meeting.id}").status_code == 404
    member = app.test_client()
    member.login("anna@example.com")
    assert member.get(f"/meetings/{meeting.id}").status_code == 200


def test_overdue_tasks_are_listed_for_the_body(app, bodies, login_as):
    decision = factories.DecisionFactory(item__meeting__body=bodies["jt"])
    overdue = factories.TaskFactory(
        decision=decision, due_on=helsinki_today() - timedelta(days=1), description="Myöhässä oleva tehtävä"
    )
    factories.TaskFactory(decision=decision, due_on=helsinki_today() + timedelta(days=10), description="Tuleva tehtävä")
    page = login_as(None).get("/bodies/JT").get_data(as_text=True)
    assert "Myöhässä oleva tehtävä" in page and "Tuleva tehtävä" not in page
    secretary = app.test_client()
    secretary.login("secretary@example.com")
    secretary.post_form(f"/tasks/{overdue.id}", {"status": "done", "note": "Valmis."}, page=f"/tasks/{overdue.id}")
    assert db.session.get(Task, overdue.id).status == "done"
    assert "Myöhässä oleva tehtävä" not in login_as(None).get("/bodies/JT").get_data(as_text=True)


def test_publishing_the_agenda_mails_the_members(app, bodies):
    actor = bodies["users"]["Secretary"]
    with app.test_request_context():
        meeting = services.create_meeting(actor, bodies["jt"], 1, datetime(2026, 6, 1, 10, tzinfo=HELSINKI), "", "")
        case = services.create_case(actor, bodies["jt"], "Tiedotettava asia", False, "")
        services.add_item(actor, meeting, case, "information", "", None)
        services.publish_agenda(actor, meeting)
        db.session.commit()
    recipients = set(db.session.scalars(sa.select(OutboxMessage.recipient)))
    assert {"anna@example.com", "chair@example.com", "deputy@example.com"} <= recipients
    assert "orchair@example.com" not in recipients


def test_demo_scenario_jt_refers_a_case_to_or_and_both_minutes_are_approved(app, runner):
    """The 'done when' of the steering issue, through the pages, with the demo data."""
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    jt_secretary = app.test_client()
    jt_secretary.login("secretary.jt@example.com", "digione-demo")
    jt = services.body_by_code("JT")
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.body_id == jt.id, Meeting.status == "planned"))
    kinds = {"luettelointi": "listing_policy", "päättäminen": "provider_termination", "raportti": "information"}
    # The three cases prepared for the next meeting (the demo's history also leaves a tabled case waiting).
    cases = [c for c in services.cases_awaiting(jt) if any(k in c.title for k in kinds)]
    assert len(cases) == 3
    for case in cases:
        kind = next(v for k, v in kinds.items() if k in case.title)
        r = jt_secretary.post_form(
            f"/meetings/{meeting.id}/items",
            {"case": str(case.id), "decision_kind": kind, "proposal": "Esittelijän ehdotus.", "presenter": ""},
            page=f"/meetings/{meeting.id}",
        )
        assert r.status_code == 302
    for action in ("publish", "start"):
        jt_secretary.post_form(f"/meetings/{meeting.id}/status", {"action": action}, page=f"/meetings/{meeting.id}")
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.status == "in_session"
    voting = [a.membership for a in meeting.attendances if a.membership.role in ("chair", "member")]
    jt_secretary.post_form(
        f"/meetings/{meeting.id}/attendance", {"present": [str(m.id) for m in voting]}, page=f"/meetings/{meeting.id}"
    )
    listing, termination, report = sorted(meeting.items, key=lambda i: list(kinds.values()).index(i.decision_kind))
    member = next(m for m in voting if m.user.email == "member.jt@example.com")
    chair = next(m for m in voting if m.role == "chair")
    others = [m for m in voting if m not in (member, chair)]
    # A member declares a conflict of interest on the listing item; a vote follows.
    member_client = app.test_client()
    member_client.login("member.jt@example.com", "digione-demo")
    member_client.post_form(
        f"/items/{listing.id}/conflicts",
        {"membership": str(member.id), "reason": "Sukulainen palveluntarjoajan johdossa."},
        page=f"/items/{listing.id}",
    )
    jt_secretary.post_form(
        f"/items/{listing.id}/votes",
        {"counter_proposal": "Palautetaan valmisteluun.", "mover": str(others[0].id), "seconder": str(others[1].id)},
        page=f"/items/{listing.id}",
    )
    vote = db.session.get(AgendaItem, listing.id).vote_rounds[0]
    jt_secretary.post_form(
        f"/votes/{vote.id}/ballots",
        {f"ballot_{chair.id}": "proposal", f"ballot_{others[0].id}": "counter", f"ballot_{others[1].id}": "proposal"},
        page=f"/items/{listing.id}",
    )
    jt_secretary.post_form(f"/votes/{vote.id}/close", {}, page=f"/items/{listing.id}")
    for item, resolution, text in (
        (listing, "approved_after_vote", "Hyväksyttiin äänin 2–1."),
        (termination, "referred_up", "Siirretään ohjausryhmälle."),
        (report, "noted", "Merkittiin tiedoksi."),
    ):
        r = jt_secretary.post_form(
            f"/items/{item.id}/decision",
            {"resolution": resolution, "text": text, "delegated_to": ""},
            page=f"/items/{item.id}",
        )
        assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    refused = jt_secretary.post_form(
        f"/items/{termination.id}/decision", {"resolution": "approved", "text": "x"}, page=f"/items/{termination.id}"
    )
    assert refused.status_code == 400  # already decided
    for item in (listing, termination, report):
        d = db.session.get(AgendaItem, item.id).decision
        jt_secretary.post_form(
            f"/decisions/{d.id}/tasks",
            {
                "description": f"Toimeenpano {d.reference}",
                "owner_body": str(jt.id),
                "owner_user": "",
                "due_on": "2027-01-31",
            },
            page=f"/items/{item.id}",
        )
    _close_and_approve(app, jt_secretary, meeting, voting, "secretary.jt@example.com", "chair.jt@example.com")

    # OR handles the referred case at its next meeting.
    ohjaus = services.body_by_code("OR")
    assert [c.id for c in services.cases_awaiting(ohjaus)] == [termination.case_id]
    or_secretary = app.test_client()
    or_secretary.login("secretary.or@example.com", "digione-demo")
    or_meeting = db.session.scalar(sa.select(Meeting).where(Meeting.body_id == ohjaus.id, Meeting.status == "planned"))
    or_secretary.post_form(
        f"/meetings/{or_meeting.id}/items",
        {
            "case": str(termination.case_id),
            "decision_kind": "provider_termination",
            "proposal": "Päätetään sopimus.",
            "presenter": "",
        },
        page=f"/meetings/{or_meeting.id}",
    )
    or_secretary.post_form(
        f"/meetings/{or_meeting.id}/status", {"action": "publish"}, page=f"/meetings/{or_meeting.id}"
    )
    refused = or_secretary.post_form(
        f"/meetings/{or_meeting.id}/status",
        {"action": "start"},
        page=f"/meetings/{or_meeting.id}",
        follow_redirects=True,
    )
    assert "sitä ennen" in refused.get_data(as_text=True)  # OR meets in three weeks: not started before its day
    with app.test_request_context():
        db.session.get(Meeting, or_meeting.id).starts_at = utcnow() - timedelta(minutes=5)  # the day has come
        db.session.commit()
    or_secretary.post_form(f"/meetings/{or_meeting.id}/status", {"action": "start"}, page=f"/meetings/{or_meeting.id}")
    or_meeting = db.session.get(Meeting, or_meeting.id)
    or_voting = [a.membership for a in or_meeting.attendances if a.membership.role in ("chair", "member")]
    or_secretary.post_form(
        f"/meetings/{or_meeting.id}/attendance",
        {"present": [str(m.id) for m in or_voting]},
        page=f"/meetings/{or_meeting.id}",
    )
    or_item = or_meeting.items[0]
    r = or_secretary.post_form(
        f"/items/{or_item.id}/decision",
        {"resolution": "approved", "text": "Sopimus päätetään."},
        page=f"/items/{or_item.id}",
    )
    assert r.status_code == 302
    d = db.session.get(AgendaItem, or_item.id).decision
    or_secretary.post_form(
        f"/decisions/{d.id}/tasks",
        {
            "description": "Ilmoitetaan palveluntarjoajalle.",
            "owner_body": str(ohjaus.id),
            "owner_user": "",
            "due_on": "2027-01-15",
        },
        page=f"/items/{or_item.id}",
    )
    _close_and_approve(app, or_secretary, or_meeting, or_voting, "secretary.or@example.com", "chair.or@example.com")

    decisions = list(
        db.session.scalars(
            sa.select(Decision).join(AgendaItem).where(AgendaItem.meeting_id.in_([meeting.id, or_meeting.id]))
        )
    )
    assert len(decisions) == 4 and all(d.effective and d.tasks for d in decisions)
    history = app.test_client().get(f"/cases/{db.session.get(Case, termination.case_id).record_number}")
    html = history.get_data(as_text=True)
    assert termination.reference in html and or_item.reference in html


def _close_and_approve(app, secretary, meeting, voting, secretary_email, chair_email):
    secretary.post_form(f"/meetings/{meeting.id}/status", {"action": "close"}, page=f"/meetings/{meeting.id}")
    secretary.post_form(f"/meetings/{meeting.id}/status", {"action": "minutes"}, page=f"/meetings/{meeting.id}")
    checkers = [m for m in voting if m.role != "chair"][:2]
    secretary.post_form(
        f"/meetings/{meeting.id}/checkers",
        {"first": str(checkers[0].user_id), "second": str(checkers[1].user_id)},
        page=f"/meetings/{meeting.id}/minutes",
    )
    minutes = db.session.get(Meeting, meeting.id).current_minutes
    for checker in checkers:
        client = app.test_client()
        client.login(checker.user.email, "digione-demo")
        client.post_form(f"/minutes/{minutes.id}/approve", {}, page=f"/meetings/{meeting.id}/minutes")
    chair = app.test_client()
    chair.login(chair_email, "digione-demo")
    chair.post_form(f"/minutes/{minutes.id}/sign", {"as": "chair"}, page=f"/meetings/{meeting.id}/minutes")
    secretary.post_form(f"/minutes/{minutes.id}/sign", {"as": "secretary"}, page=f"/meetings/{meeting.id}/minutes")
    assert db.session.get(Meeting, meeting.id).status == "minutes_approved", secretary_email


def test_coordinator_creates_a_body_with_parent_and_mandate(bodies, login_as):
    client = login_as("coordinator")
    response = client.post_form(
        "/bodies",
        {
            "code": "t-03",
            "name": "Yhteentoimivuustiimi",
            "level": "operational",
            "parent": str(bodies["jt"].id),
            "mandate": ["operational", "information"],
        },
        page="/bodies",
    )
    assert response.status_code == 302
    body = services.body_by_code("T-03")
    assert (body.parent_id, body.mandate, body.level) == (
        bodies["jt"].id,
        ["information", "operational"],
        "operational",
    )
    clash = client.post_form(
        "/bodies",
        {"code": "T-03", "name": "Kopio", "level": "operational", "parent": str(bodies["jt"].id)},
        page="/bodies",
    )
    assert clash.status_code == 400 and 'value="Kopio"' in clash.get_data(as_text=True)
    orphan = client.post_form("/bodies", {"code": "T-04", "name": "Orpo", "level": "operational"}, page="/bodies")
    assert orphan.status_code == 400 and services.body_by_code("T-04") is None


def test_coordinator_ends_a_term_once(bodies, login_as):
    seat = bodies["seats"]["cecilia"]
    client = login_as("coordinator")
    assert "Cecilia" in client.get("/bodies/JT").get_data(as_text=True)
    client.post_form(f"/memberships/{seat.id}/end", page="/bodies/JT")
    db.session.expire_all()
    assert db.session.get(type(seat), seat.id).term_end == helsinki_today()
    again = client.post_form(f"/memberships/{seat.id}/end", page="/bodies/JT", follow_redirects=True)
    assert again.status_code == 200
    assert db.session.get(type(seat), seat.id).term_end == helsinki_today()


def test_minutes_of_a_confidential_case_have_a_public_version_and_drafts_are_not_public(app, bodies, client):
    """The whole minutes are for the body and the coordinator; everyone else reads the public version,
    and only once the minutes are approved and signed."""
    users, seats, actor = bodies["users"], bodies["seats"], bodies["users"]["Secretary"]
    with app.test_request_context():
        meeting = meeting_in_session(bodies["jt"], actor, ["chair", "anna", "bertta", "cecilia"], seats)
        item = meeting.items[0]
        item.case.confidential, item.case.legal_basis = True, "JulkL 24 § 1 mom. 17 k"
        item.proposal = "Sopimus puretaan toimittajan konkurssin vuoksi."
        services.declare_conflict(actor, item, seats["bertta"], "Omistaa osakkeita.")
        services.decide(actor, item, Resolution.APPROVED, "Sopimus puretaan.")
        services.close_meeting(actor, meeting)
        minutes = services.create_minutes(actor, meeting)
        db.session.commit()
        meeting_id, minutes_id = meeting.id, minutes.id
    assert "konkurssin" in minutes.body and "Omistaa osakkeita" in minutes.body
    assert "konkurssin" not in minutes.public_body and "Omistaa osakkeita" not in minutes.public_body
    assert "JulkL 24 § 1 mom. 17 k" in minutes.public_body and "Bertta" in minutes.public_body
    url = f"/meetings/{meeting_id}/minutes"
    assert client.get(url).status_code == 404  # a draft is not public, not even its public version
    assert client.get(f"{url}?version=public").status_code == 404
    secretary = app.test_client()
    secretary.login("secretary@example.com")
    assert "konkurssin" in secretary.get(url).get_data(as_text=True)
    preview = secretary.get(f"{url}?version=public").get_data(as_text=True)
    shown = preview.split('<div class="rules-text minutes">', 1)[1].split("</div>", 1)[0]
    assert "Tämä on julkinen versio" in preview and "konkurssin" not in shown and "JulkL 24" in shown
    # The secretary edits both versions in one form.
    response = secretary.post_form(
        url,
        {"body": minutes.body + "\nLisäys sisäiseen.", "public_body": minutes.public_body + "\nLisäys julkiseen."},
        page=url,
    )
    assert response.status_code == 302
    with app.test_request_context():
        record = db.session.get(Minutes, minutes_id)
        services.set_checkers(actor, record.meeting, users["Anna"], users["Chair"])
        services.approve_as_checker(users["Anna"], record)
        services.approve_as_checker(users["Chair"], record)
        services.sign(users["Chair"], record, Role.CHAIR)
        services.sign(actor, record, Role.SECRETARY)
        db.session.commit()
    public = client.get(url).get_data(as_text=True)
    assert "Lisäys julkiseen." in public and "Lisäys sisäiseen." not in public
    assert "konkurssin" not in public and "Omistaa osakkeita" not in public and "Sopimus puretaan." not in public
    assert "konkurssin" not in client.get(f"{url}?version=internal").get_data(as_text=True)
    outsider = app.test_client()
    outsider.login("ormember@example.com")  # a member of another body
    assert "konkurssin" not in outsider.get(url).get_data(as_text=True)


def test_a_meeting_without_quorum_is_recorded_as_inquorate_and_its_items_move_to_the_next_meeting(app, bodies):
    """Without a quorum nothing can be decided, not even tabled; the secretary still has a way out."""
    _users, seats, actor = bodies["users"], bodies["seats"], bodies["users"]["Secretary"]
    with app.test_request_context():
        meeting = meeting_in_session(bodies["jt"], actor, ["chair"], seats, kinds=("operational", "information"))
        item = meeting.items[0]
        with pytest.raises(ServiceError):
            services.decide(actor, item, Resolution.TABLED, "Pannaan pöydälle.")
        with pytest.raises(ServiceError):
            services.close_meeting(actor, meeting)
        later = services.create_meeting(
            actor,
            bodies["jt"],
            services.next_meeting_number(bodies["jt"], 2026),
            datetime(2026, 7, 1, 10, tzinfo=HELSINKI),
            "Pasila",
            "",
        )
        db.session.commit()
        meeting_id, later_id = meeting.id, later.id
    secretary = app.test_client()
    secretary.login("secretary@example.com")
    page = secretary.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert 'value="inquorate"' in page
    response = secretary.post_form(
        f"/meetings/{meeting_id}/status", {"action": "inquorate"}, page=f"/meetings/{meeting_id}", follow_redirects=True
    )
    assert "päätösvaltaisuuden puuttumisen vuoksi päättyneeksi" in response.get_data(as_text=True)
    meeting, later = db.session.get(Meeting, meeting_id), db.session.get(Meeting, later_id)
    assert meeting.status == "held" and meeting.inquorate
    assert [i.case.title for i in later.items] == ["Asia 1", "Asia 2"] and [i.section for i in later.items] == [1, 2]
    assert later.items[1].decision_kind == "information" and later.items[0].proposal == "Ehdotus."
    with app.test_request_context():
        minutes = services.create_minutes(actor, meeting)
    assert "Ei käsitelty: kokous ei ollut päätösvaltainen." in minutes.body
    # A quorate meeting is not ended that way.
    with app.test_request_context():
        quorate = meeting_in_session(bodies["jt"], actor, ["chair", "anna", "bertta"], seats)
        with pytest.raises(ServiceError):
            services.record_inquorate(actor, quorate)


def test_a_meeting_cannot_be_started_before_its_day(app, bodies):
    actor = bodies["users"]["Secretary"]
    with app.test_request_context():
        meeting = services.create_meeting(
            actor, bodies["jt"], 30, datetime(2026, 9, 1, 17, tzinfo=HELSINKI), "Pasila", ""
        )
        case = services.create_case(actor, bodies["jt"], "Asia", False, "")
        services.add_item(actor, meeting, case, "operational", "Ehdotus.", None)
        services.publish_agenda(actor, meeting)
        with pytest.raises(ServiceError, match=r"1\.9\.2026"):
            services.start_session(actor, meeting, today=date(2026, 8, 31))
        services.start_session(actor, meeting, today=date(2026, 9, 1))  # the same day, even before the hour
        assert meeting.status == "in_session"


def test_a_form_sent_twice_takes_effect_once(app, bodies):
    """A double-click (or a browser that resends): the second copy of one form is answered 'already
    saved' and changes nothing, here publishing an agenda (mails to every member) and opening a case."""
    actor = bodies["users"]["Secretary"]
    with app.test_request_context():
        meeting = services.create_meeting(
            actor, bodies["jt"], 31, datetime(2026, 9, 1, 17, tzinfo=HELSINKI), "Pasila", ""
        )
        services.add_item(
            actor,
            meeting,
            services.create_case(actor, bodies["jt"], "Asia", False, ""),
            "operational",
            "Ehdotus.",
            None,
        )
        db.session.commit()
        meeting_id = meeting.id
    secretary = app.test_client()
    secretary.login("secretary@example.com")
    html = secretary.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    submission = re.search(r'name="submission_id" value="([^"]+)"', html).group(1)
    form = {"action": "publish", "submission_id": submission}
    url, page = f"/meetings/{meeting_id}/status", f"/meetings/{meeting_id}"
    first = secretary.post_form(url, form, page=page, headers={"Referer": f"http://localhost{page}"})
    mails = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    again = secretary.post_form(url, form, page=page, headers={"Referer": f"http://localhost{page}"})
    assert first.status_code == 302 and again.status_code == 303 and again.headers["Location"] == page
    assert "lähetetty, ja se tallennettiin kerran" in secretary.get(page).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == mails > 0
    events = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "meeting.agenda_published")
    )
    assert events == 1
    # Two different forms (two tabs) that open cases open two; the same form twice opens one.
    cases = f"/bodies/{bodies['jt'].code}/cases"
    same = {"title": "Kaksoisnapsautus", "legal_basis": "", "submission_id": "x" * 22}
    for _ in range(3):
        assert secretary.post_form(cases, same).status_code in (302, 303)
    secretary.post_form(cases, {**same, "submission_id": "y" * 22})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(Case.title == "Kaksoisnapsautus")) == 2


def test_old_form_submission_ids_are_pruned(app, runner):
    from app.submissions import FormSubmission

    db.session.add_all(
        [
            FormSubmission(id="a" * 22, endpoint="x", created_at=utcnow() - timedelta(days=40)),
            FormSubmission(id="b" * 22, endpoint="x", created_at=utcnow() - timedelta(days=2)),
        ]
    )
    db.session.commit()
    result = runner.invoke(args=["submissions", "prune", "--days", "30"])
    assert result.exit_code == 0 and "forgot 1" in result.output
    assert db.session.scalars(sa.select(FormSubmission.id)).all() == ["b" * 22]
