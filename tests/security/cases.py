"""One plausible form per state-changing route (CASES), the people and things those forms need
(build_csrf_world), and how to send one; also used by tests/test_race_matrix.py."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask

from app import services as core_services
from app import signup
from app.extensions import csrf, db, utcnow
from app.tokens import make_token
from governance.steering.models import Membership
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.onboarding_data import PDF, STEP_DATA

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
NEW_PASSWORD = "neljä uutta sanaa riittää"


def state_changing_rules(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) of every route that accepts a state-changing method."""
    return sorted(
        (rule.endpoint, rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods & STATE_CHANGING
    )


def csrf_exempt(app: Flask, endpoint: str) -> bool:
    """Whether Flask-WTF's CSRFProtect skips this endpoint (the same test it makes per request)."""
    view = app.view_functions[endpoint]
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0]) if "." in endpoint else None
    return (blueprint is not None and blueprint in csrf._exempt_blueprints) or (
        f"{view.__module__}.{view.__name__}" in csrf._exempt_views
    )


@dataclass(frozen=True)
class Case:
    endpoint: str
    role: str  # a key of `people` or of the extras in csrf_world
    data: Callable[[dict], dict]
    url: Callable[[dict], str] | None = None  # default: the access matrix's URL
    matrix_role: str | None = None  # whose matrix expectation applies (extras are not in the matrix)
    multipart: bool = False
    fresh_client: bool = False  # a client of its own (anonymous visitors, signing out)


def _png() -> tuple[io.BytesIO, str]:
    return io.BytesIO(factories.png_bytes()), "kuva.png"


LISTING_FORM = {
    "name": "Murtolukupaja",
    "summary": "Murtoluvut ja prosentit harjoituksin.",
    "summary_sv": "",
    "summary_en": "",
    "description": "## Ominaisuudet\n\n- palaute",
    "category": "learning_materials",
    "levels": ["grades_7_9"],
    "roles": ["teacher"],
    "subjects": ["MA"],
    "languages": ["fi"],
    "standards": ["mpassid"],
    "accessibility": "full",
    "accessibility_statement_url": "https://murtoluku.example.fi/saavutettavuus",
    "hosting": "finland",
    "personal_data": "yes",
    "support_url": "https://murtoluku.example.fi/tuki",
    "privacy_url": "https://murtoluku.example.fi/tietosuoja",
}
PLAN_FORM = {
    "name": "Koululisenssi",
    "model": "per_school_year",
    "unit_price": "900,00",
    "vat_rate": "25,5",
    "min_quantity": "1",
    "notes": "",
}

#: One plausible form per state-changing route, in an order in which each, sent with its token, still
#: does what it says (the second pass sends them all again with the token).
CASES: list[Case] = [
    # Accounts.
    Case(
        "auth.register",
        "anonymous",
        lambda o: {
            "email": "uusi.ihminen@example.com",
            "name": "Uusi Ihminen",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        fresh_client=True,
    ),
    Case(
        "auth.confirm_email",
        "anonymous",
        lambda o: {},
        url=lambda o: f"/signup/confirm/{o['confirm_token']}",
        fresh_client=True,
    ),
    Case("auth.resend_confirmation", "anonymous", lambda o: {"token": o["resend_token"]}, fresh_client=True),
    Case("auth.forgot_password", "anonymous", lambda o: {"email": o["buyer"].email}, fresh_client=True),
    Case(
        "auth.reset_password",
        "anonymous",
        lambda o: {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        url=lambda o: f"/password/reset/{o['reset_token']}",
        fresh_client=True,
    ),
    Case(
        "auth.login",
        "anonymous",
        lambda o: {"email": o["other_provider_user"].email, "password": TEST_PASSWORD},
        fresh_client=True,
    ),
    Case(
        "auth.invitation",
        "invitee",
        lambda o: {},
        url=lambda o: f"/invitations/{o['invitation_token']}",
        matrix_role="no_org",
    ),
    Case("account.profile", "buyer", lambda o: {"name": "Bertta Ostaja", "locale": "fi"}),
    Case(
        "account.change_password",
        "other_approver",
        lambda o: {"current": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    ),
    Case("account.sign_out_everywhere", "approver", lambda o: {}),
    Case("main.set_language", "provider_user", lambda o: {"lang": "en", "next": "/"}),
    # Organisations.
    Case(
        "orgs.join_municipality",
        "no_org",
        lambda o: {"organisation": str(o["municipality"].id), "message": "Opettaja Koivukylän koulusta."},
    ),
    Case("orgs.start_provider", "no_org", lambda o: {"name": "Uusi Oppi Oy", "business_id": "0920632-0"}),
    Case("orgs.invite", "municipality_admin", lambda o: {"email": "kutsuttu@example.com", "role": "buyer"}),
    Case("orgs.revoke_invitation", "municipality_admin", lambda o: {}),
    Case(
        "orgs.set_role",
        "municipality_admin",
        lambda o: {"role": "approver"},
        url=lambda o: (
            f"/organisation/members/{factories.UserFactory(organisation=o['municipality'], org_role='member').id}/role"
        ),
    ),
    Case("orgs.remove_member", "municipality_admin", lambda o: {}),
    Case(
        "orgs.decide_join_request", "municipality_admin", lambda o: {"decision": "accept", "role": "member", "note": ""}
    ),
    Case(
        "admin.new_municipality",
        "coordinator",
        lambda o: {"name": "Lahti", "municipality_code": "398", "business_id": ""},
    ),
    Case("admin.pupil_count", "coordinator", lambda o: {"pupil_count": "32000"}),
    Case(
        "admin.retry_mail",
        "coordinator",
        lambda o: {},
        url=lambda o: f"/admin/mail/{factories.OutboxMessageFactory(given_up=True).id}/retry",
    ),
    # Rules.
    Case("rules.new", "coordinator", lambda o: {"label": "2.0", "title": "Uudet säännöt", "body": "# Luku\n\nTeksti."}),
    Case(
        "rules.edit",
        "coordinator",
        lambda o: {"label": o["rules_draft"].label, "title": "Muokattu", "body": "# Luku\n\nMuokattu teksti."},
    ),
    Case(
        "rules.open_consultation",
        "coordinator",
        lambda o: {"closes_on": (date.today() + timedelta(days=30)).isoformat()},
    ),
    Case("rules.comment", "buyer", lambda o: {"section": "", "body": "Kohta 2 on epäselvä."}),
    Case("rules.respond", "coordinator", lambda o: {"response": "Kiitos, korjataan."}),
    Case(
        "rules.adopt",
        "coordinator",
        lambda o: {"decision": str(o["decision"].id), "effective_date": date.today().isoformat()},
    ),
    Case(
        "rules.accept",
        "provider_admin",
        lambda o: {
            "signatory_name": "Paula Pääkäyttäjä",
            "signatory_title": "toimitusjohtaja",
            "authority": "y",
            "sha256": o["rules_in_force"].body_sha256,
        },
    ),
    # Provider onboarding and its review.
    Case(
        "join.step",
        "applicant",
        lambda o: dict(STEP_DATA["organisation"]),
        url=lambda o: "/join/step/organisation",
        matrix_role="provider_admin",
    ),
    Case("join.submit", "applicant", lambda o: {}, matrix_role="provider_admin"),
    Case("join.withdraw", "applicant", lambda o: {}, matrix_role="provider_admin"),
    Case("review.comment", "coordinator", lambda o: {"body": "Tarkistakaa liitteet.", "visible": "y"}),
    Case("review.decide", "coordinator", lambda o: {"action": "start", "message": ""}),
    Case(
        "review.provider_status",
        "coordinator",
        lambda o: {"status": "active", "reason": "Puutteet korjattu.", "decision": ""},
        url=lambda o: f"/admin/providers/{o['suspended_provider'].id}/status",
    ),
    # Listings and their review.
    Case("listings.new", "provider_admin", lambda o: dict(LISTING_FORM)),
    Case("listings.edit", "provider_admin", lambda o: {**LISTING_FORM, "name": "Murtolukupaja 2"}),
    Case("listings.plan", "provider_admin", lambda o: dict(PLAN_FORM)),
    Case(
        "listings.plan",
        "provider_admin",
        lambda o: {**PLAN_FORM, "name": "Kuntalisenssi"},
        url=lambda o: f"/listings/{o['listing'].id}/plans/{o['listing'].plans[0].id}",
    ),
    Case(
        "listings.screenshots",
        "provider_admin",
        lambda o: {"alt_text": "Tehtävänäkymä", "image": _png()},
        multipart=True,
    ),
    Case("listings.delete_screenshot", "provider_admin", lambda o: {}),
    Case("listings.delete_plan", "provider_admin", lambda o: {}),
    Case("listings.submit", "provider_admin", lambda o: {}),
    Case(
        "listing_review.return_listing",
        "coordinator",
        lambda o: {"comment": "Lisätkää saavutettavuusseloste."},
        url=lambda o: f"/admin/listings/{o['listing'].id}/return",
    ),
    Case("listing_review.publish", "coordinator", lambda o: {"comment": ""}),
    # Steering bodies.
    Case(
        "steering.create_body",
        "coordinator",
        lambda o: {
            "code": "T-09",
            "name": "Testiryhmä",
            "level": "operational",
            "parent": str(o["body"].id),
            "mandate": ["operational"],
        },
    ),
    Case("steering.create_case", "secretary", lambda o: {"title": "Uusi asia", "legal_basis": ""}),
    Case(
        "steering.create_meeting",
        "secretary",
        lambda o: {"number": "42", "starts_at": "2026-11-02T10:00", "place": "Espoo", "remote_link": ""},
    ),
    Case(
        "steering.add_member",
        "coordinator",
        lambda o: {
            "email": o["approver"].email,
            "role": "member",
            "voting": "y",
            "term_start": "2026-01-01",
            "term_end": "",
            "deputy_of": "",
            "organisation": "",
        },
    ),
    Case("steering.end_membership", "coordinator", lambda o: {}),
    Case(
        "steering.add_item",
        "secretary",
        lambda o: {
            "case": str(o["case"].id),
            "decision_kind": "operational",
            "presenter": "",
            "proposal": "Ehdotetaan hyväksyttäväksi.",
        },
    ),
    Case(
        "steering.edit_item",
        "secretary",
        lambda o: {
            "version": str(o["item"].version),
            "decision_kind": "operational",
            "presenter": "",
            "proposal": "Muutettu ehdotus.",
        },
    ),
    Case(
        "steering.attach",
        "secretary",
        lambda o: {"title": "Liite", "public": "y", "file": (io.BytesIO(PDF), "liite.pdf")},
        multipart=True,
    ),
    Case("steering.meeting_status", "secretary", lambda o: {"action": "start"}),
    Case("steering.attendance", "secretary", lambda o: {"present": [str(m.id) for m in o["body"].memberships]}),
    Case(
        "steering.conflict",
        "body_member",
        lambda o: {"membership": str(o["member_seat"].id), "reason": "Olen hankkeen osakas."},
        url=lambda o: f"/items/{o['item3'].id}/conflicts",
    ),
    Case(
        "steering.open_vote",
        "secretary",
        lambda o: {
            "counter_proposal": "Vastaehdotus.",
            "mover": str(o["member_seat"].id),
            "seconder": str(o["voter_seat"].id),
        },
        url=lambda o: f"/items/{o['item2'].id}/votes",
    ),
    Case("steering.ballots", "secretary", lambda o: {f"ballot_{o['member_seat'].id}": "proposal"}),
    Case("steering.close_vote", "secretary", lambda o: {}),
    Case(
        "steering.decide",
        "secretary",
        lambda o: {"resolution": "approved", "text": "Hyväksyttiin.", "delegated_to": "", "redacted_text": ""},
    ),
    Case(
        "steering.dissent",
        "body_member",
        lambda o: {"membership": str(o["member_seat"].id), "text": "Jätän eriävän mielipiteen."},
        url=lambda o: f"/decisions/{o['open_decision'].id}/dissents",
    ),
    Case(
        "steering.add_task",
        "secretary",
        lambda o: {
            "description": "Päivitetään ohje.",
            "due_on": "2026-12-31",
            "owner_body": "",
            "owner_user": str(o["secretary"].id),
        },
    ),
    Case("steering.task", "secretary", lambda o: {"status": "in_progress", "note": "Työ on alkanut."}),
    Case(
        "steering.minutes",
        "secretary",
        lambda o: {
            "body": "# Pöytäkirja\n\nKorjattu.",
            "public_body": "# Pöytäkirja\n\nKorjattu.",
            "note": "Korjattu kirjoitusvirhe.",
        },
    ),
    Case(
        "steering.set_checkers",
        "secretary",
        lambda o: {"first": str(o["body_member"].id), "second": str(o["secretary"].id)},
        url=lambda o: f"/meetings/{o['held_unchecked'].id}/checkers",
    ),
    Case(
        "steering.approve_minutes",
        "secretary",
        lambda o: {},
        url=lambda o: f"/minutes/{o['unchecked_minutes'].id}/approve",
    ),
    Case(
        "steering.sign_minutes",
        "secretary",
        lambda o: {"as": "secretary"},
        url=lambda o: f"/minutes/{o['checked_minutes'].id}/sign",
    ),
    # Procurement.
    Case("procurement.new", "buyer", lambda o: {}),
    Case(
        "procurement.add",
        "buyer",
        lambda o: {"service": str(o["published_listing"].id), "plan": str(o["published_listing"].plans[0].id)},
    ),
    Case("procurement.details", "buyer", lambda o: {"purpose": "Yläkoulujen matematiikka.", "cost_centre": "4100"}),
    Case(
        "procurement.line",
        "buyer",
        lambda o: {
            "plan": str(o["published_listing"].plans[0].id),
            "quantity": "30",
            "term_start": "1.8.2026",
            "term_end": "31.7.2027",
        },
    ),
    Case("procurement.send", "buyer", lambda o: {}),
    Case(
        "procurement.remove_line",
        "buyer",
        lambda o: {},
        url=lambda o: f"/procurement/{o['second_draft'].id}/lines/{o['second_line_id']}/remove",
    ),
    Case("procurement.cancel", "buyer", lambda o: {}, url=lambda o: f"/procurement/{o['second_draft'].id}/cancel"),
    Case("procurement.decide", "approver", lambda o: {"decision": "reject", "comment": "Ei määrärahaa."}),
    Case("procurement.answer", "provider_admin", lambda o: {"decision": "accept", "reason": ""}),
    Case("procurement.mark_paid", "coordinator", lambda o: {"note": "Maksettu 1.9."}),
    Case("procurement.retry_invoice", "coordinator", lambda o: {}),
    # After procurement, which needs the published listing.
    Case(
        "listings.withdraw",
        "provider_admin",
        lambda o: {"reason": "Tuote poistuu."},
        url=lambda o: f"/listings/{o['published_listing'].id}/withdraw",
    ),
    # Last: signing out (the session ends: its record is revoked).
    Case("auth.logout", "municipality_admin", lambda o: {}, fresh_client=True),
]


def build_csrf_world(objects: dict, app: Flask) -> dict:
    """The access matrix's objects plus the people and things a plausible form needs (`csrf_world`)."""
    o = dict(objects)
    o["applicant"] = factories.UserFactory(
        organisation=factories.ProviderFactory(status="applicant", name="Hakija Oy"),
        org_role="admin",
        email="hakija@example.com",
    )
    o["invitee"] = factories.UserFactory(organisation=None, org_role=None, email="kutsuttu.opettaja@example.com")
    invitation = factories.InvitationFactory(
        organisation=o["municipality"], email=o["invitee"].email, invited_by=o["municipality_admin"]
    )
    resetter = factories.UserFactory(email="unohtaja@example.com")
    unconfirmed = [factories.UserFactory(organisation=None, org_role=None, email_confirmed_at=None) for _ in range(2)]
    with app.test_request_context():
        o["invitation_token"] = make_token("invite", {"i": invitation.id})
        o["reset_token"] = core_services.make_reset_token(resetter)
        o["confirm_token"] = signup.make_confirmation_token(unconfirmed[0])
        o["resend_token"] = signup.make_resend_token(unconfirmed[1])
    o["suspended_provider"] = factories.ProviderFactory(status="suspended", name="Tauolla Oy")
    seats = {m.user_id: m for m in db.session.scalars(sa.select(Membership).where(Membership.body_id == o["body"].id))}
    o["secretary_seat"], o["member_seat"] = seats[o["secretary"].id], seats[o["body_member"].id]
    o["voter_seat"] = factories.MembershipFactory(body=o["body"], role="member")
    o["item2"] = factories.AgendaItemFactory(meeting=o["meeting"])
    o["item3"] = factories.AgendaItemFactory(meeting=o["meeting"])
    o["open_decision"] = factories.DecisionFactory(item=factories.AgendaItemFactory(meeting=o["meeting"]))
    o["held_unchecked"] = factories.MeetingFactory(body=o["body"], status="held")
    for seat in (o["secretary_seat"], o["member_seat"]):
        factories.AttendanceFactory(meeting=o["held_unchecked"], membership=seat)
    o["unchecked_minutes"] = factories.MinutesFactory(meeting=o["held_unchecked"])
    o["checked_minutes"] = factories.MinutesFactory(
        meeting=factories.MeetingFactory(body=o["body"], status="held"),
        checker1_approved_at=utcnow(),
        checker2_approved_at=utcnow(),
    )
    o["second_draft"] = factories.ProcurementRequestFactory(organisation=o["municipality"], requester=o["buyer"])
    o["second_line_id"] = factories.RequestLineFactory(
        request=o["second_draft"], service_id=o["published_listing"].id, plan_id=o["published_listing"].plans[0].id
    ).id
    db.session.commit()
    return o


def send_case(client, case: Case, url: str, data: dict, with_token: bool):
    """Post a case's form with its CSRF token (as the page would) or without it."""
    kwargs = {"content_type": "multipart/form-data"} if case.multipart else {}
    if with_token:
        return client.post_form(url, data, **kwargs)
    return client.post(url, data=data, **kwargs)
