"""Security checks (issue "Reliability and security", item 6).

What tests/test_security.py, test_auth.py and test_password_reset.py already
prove is not repeated here; this file extends each check to *every* route,
field and response it applies to:

- CSRF on every state-changing route of app.url_map (the Stripe webhook, which
  is verified by signature, is the only exemption), with a plausible form from
  a user who may use the route: 400 with the Finnish explanation and not one
  row of any table changed; the same form with the token is then accepted;
- the remember-me and signed-in session cookies of the production config;
- security headers on every response: every GET route of the access matrix for
  anonymous and signed-in people, error pages, API JSON, files, static files,
  redirects;
- login throttling per address and account together (a stranger never locks the owner out) and,
  more broadly, per address; the 429 page says when to try again;
- password reset links: single use on POST too, one use kills the others, a
  password change kills them, inactive accounts, purposes and keys, the expiry edge;
- open redirects refused at every place that takes a target;
- every upload field checked by content and size, nothing stored when refused;
- every rich-text (Markdown) field free of script where it is shown;
- no stack traces, exception texts, paths or secrets in error pages or API errors.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as babel_gettext
from flask_babel import ngettext as babel_ngettext
from markupsafe import escape

from app import create_app, signup
from app import services as core_services
from app.errors import CSRF_MESSAGE, MESSAGES, TITLES
from app.extensions import csrf, db, utcnow
from app.files import StoredFile
from app.models import User
from app.security import script_tags
from app.tokens import TokenError, TokenExpired, make_token
from config import BASE_DIR, Config, TestConfig
from governance.steering.models import ItemAttachment, Membership
from marketplace.catalogue.models import ServiceScreenshot
from marketplace.models import ApplicationAttachment
from tests import factories, figures
from tests.conftest import TEST_PASSWORD, BrowserLikeClient
from tests.matrix import MATRIX, OK, REDIRECT
from tests.onboarding_data import PDF, STEP_DATA

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
NEW_PASSWORD = "neljä uutta sanaa riittää"
HEADERS_CHECKED = {"n": 0}


# --- helpers ---------------------------------------------------------------------------------------------


def fi(text) -> str:
    """A message in Finnish, the language the tests' clients get; it must really be translated."""
    with force_locale("fi"):
        finnish = str(text)
    with force_locale("en"):
        english = str(text)
    assert finnish != english, f"no Finnish translation for {english!r}"
    return str(escape(finnish))


def fi_gettext(message: str) -> str:
    """A message the views translate with gettext, in Finnish (it must really be translated)."""
    with force_locale("fi"):
        finnish = babel_gettext(message)
    assert finnish != message, f"no Finnish translation for {message!r}"
    return str(escape(finnish))


def snapshot() -> dict[str, str]:
    """Every row of every table, as one digest per table (row count shown for the report)."""
    digests = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            rows = connection.execute(sa.select(table)).all()
            normal = sorted(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)) for row in rows)
            digests[table.name] = f"{len(rows)}:{hashlib.sha256(chr(10).join(normal).encode()).hexdigest()}"
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


def _csp(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        bits = part.strip().split()
        if bits:
            directives[bits[0].lower()] = [b.lower() for b in bits[1:]]
    return directives


STRICT_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
UNSAFE_SCRIPT_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:", "blob:"}


def header_problems(response) -> list[str]:
    """What is missing from or weak in the security headers of one response."""
    problems = []
    headers = response.headers
    policy = headers.get("Content-Security-Policy")
    if not policy:
        problems.append("no Content-Security-Policy")
    else:
        directives = _csp(policy)
        scripts = directives.get("script-src", directives.get("default-src"))
        if scripts is None:
            problems.append("the CSP does not restrict scripts")
        elif set(scripts) & UNSAFE_SCRIPT_SOURCES:
            problems.append(f"the CSP allows unsafe scripts: {scripts}")
        if directives.get("object-src", directives.get("default-src")) != ["'none'"]:
            problems.append("the CSP allows plugins (object-src)")
        if directives.get("frame-ancestors") != ["'none'"]:
            problems.append("the CSP lets other sites frame the page (frame-ancestors)")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") not in STRICT_REFERRER_POLICIES:
        problems.append(f"weak Referrer-Policy {headers.get('Referrer-Policy')!r}")
    if headers.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options is {headers.get('X-Frame-Options')!r}, not DENY")
    return problems


def assert_headers(response, where: str) -> None:
    HEADERS_CHECKED["n"] += 1
    problems = header_problems(response)
    assert not problems, f"{where} ({response.status_code}): {'; '.join(problems)}"


@pytest.fixture(autouse=True)
def _count_header_checks():
    HEADERS_CHECKED["n"] = 0
    yield
    figures.count("security", "responses checked for headers", HEADERS_CHECKED["n"])


def login_client(app: Flask, email: str) -> BrowserLikeClient:
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    client.login(email)
    return client


# --- CSRF ----------------------------------------------------------------------------------------------


def _state_changing_rules(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) of every route that accepts a state-changing method."""
    return sorted(
        (rule.endpoint, rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods & STATE_CHANGING
    )


def _csrf_exempt(app: Flask, endpoint: str) -> bool:
    """Whether Flask-WTF's CSRFProtect skips this endpoint (the same test it makes per request)."""
    view = app.view_functions[endpoint]
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0]) if "." in endpoint else None
    return (blueprint is not None and blueprint in csrf._exempt_blueprints) or (
        f"{view.__module__}.{view.__name__}" in csrf._exempt_views
    )


def test_csrf_protects_every_state_changing_method_and_only_the_stripe_webhook_is_exempt(app):
    assert app.config["WTF_CSRF_ENABLED"] is True and app.config.get("WTF_CSRF_CHECK_DEFAULT", True) is True
    assert set(app.config.get("WTF_CSRF_METHODS") or {"POST", "PUT", "PATCH", "DELETE"}) >= STATE_CHANGING
    # TestConfig only relaxes cookies and hashing: CSRF is the same as in production.
    assert TestConfig.WTF_CSRF_ENABLED is Config.WTF_CSRF_ENABLED is True
    exempt = {endpoint for endpoint, _rule, _method in _state_changing_rules(app) if _csrf_exempt(app, endpoint)}
    assert exempt == {"stripe.webhook"}, f"state-changing routes without CSRF protection: {sorted(exempt)}"
    # The API blueprint is exempt as a whole: it must stay read-only.
    api_writes = [(e, r, m) for e, r, m in _state_changing_rules(app) if e.startswith("api.")]
    assert not api_writes, f"the CSRF-exempt API blueprint has state-changing routes: {api_writes}"


def test_stripe_webhook_without_a_valid_signature_changes_nothing(app, client):
    app.config["STRIPE_WEBHOOK_SECRET"] = "whsec_test_only"
    event = b'{"id": "evt_1", "type": "invoice.paid", "data": {"object": {"id": "in_1"}}}'
    before = snapshot()
    for headers in ({}, {"Stripe-Signature": "t=1,v1=00ff"}):
        response = client.post("/stripe/webhook", data=event, headers=headers, content_type="application/json")
        assert response.status_code == 400, headers
        assert_headers(response, "stripe webhook")
    assert changed_tables(before, snapshot()) == []


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

#: Routes whose form, sent with its token, may leave the database as it was, and why.
NO_DATABASE_EFFECT = {
    "rules.adopt": "adoption needs the steering group's decision with approved minutes; the form is refused",
    "rules.accept": "the provider of the objects has already accepted the rules in force",
    "join.submit": "the applicant's application is not complete yet; submitting is refused",
    "procurement.retry_invoice": "the order has no invoice waiting (payments are invoiced by hand without Stripe)",
    "account.sign_out_everywhere": "the person is signed in on this device only, so no other session ends "
    "(tests/test_sessions.py shows the effect)",
}


@pytest.fixture()
def csrf_world(objects, app):
    return build_csrf_world(objects, app)


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


def _send(client, case: Case, url: str, data: dict, with_token: bool):
    kwargs = {"content_type": "multipart/form-data"} if case.multipart else {}
    if with_token:
        return client.post_form(url, data, **kwargs)
    return client.post(url, data=data, **kwargs)


def test_every_state_changing_route_refuses_a_form_without_its_token(app, csrf_world):
    o = csrf_world
    adapter = app.url_map.bind("localhost")
    covered: set[tuple[str, str]] = set()
    clients: dict[str, BrowserLikeClient] = {}

    def client_for(case: Case) -> BrowserLikeClient:
        if case.role == "anonymous":
            return app.test_client()  # type: ignore[return-value]
        if case.fresh_client:
            return login_client(app, o[case.role].email)
        if case.role not in clients:
            clients[case.role] = login_client(app, o[case.role].email)
        return clients[case.role]

    for case in CASES:  # sign everyone in first: a login changes the user's row
        if case.role != "anonymous" and not case.fresh_client:
            client_for(case)

    csrf_message = fi(CSRF_MESSAGE)
    prepared = []
    for case in CASES:
        expectation = MATRIX[case.endpoint].expected(case.matrix_role or case.role)
        assert expectation in (OK, REDIRECT), f"{case.endpoint}: {case.role} may not use this route ({expectation})"
        url = (case.url or MATRIX[case.endpoint].url)(o)
        rule, _args = adapter.match(urlsplit(url).path, method="POST", return_rule=True)
        assert rule.endpoint == case.endpoint, f"{url} is {rule.endpoint}, not {case.endpoint}"
        covered.add((rule.rule, "POST"))
        client = client_for(case)
        before = snapshot()
        response = _send(client, case, url, case.data(o), with_token=False)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, f"{case.endpoint}: a form without its token got {response.status_code}"
        assert csrf_message in html, f"{case.endpoint}: the 400 page does not explain the expired form in Finnish"
        assert_headers(response, f"{case.endpoint} without a token")
        assert changed_tables(before, snapshot()) == [], f"{case.endpoint}: a refused form changed the database"
        if case.endpoint == "auth.logout":
            assert client.get("/profile").status_code == 200, "a sign-out without its token signed the user out"
        prepared.append((case, url, client))

    expected = {(r, m) for e, r, m in _state_changing_rules(app) if not _csrf_exempt(app, e)}
    assert covered == expected, f"state-changing routes without a CSRF case: {sorted(expected - covered)}"
    figures.count("security", "routes checked for CSRF", len(covered))

    # The same forms with their token are accepted: the token was all they lacked.
    unchanged = []
    for case, url, client in prepared:
        before = snapshot()
        response = _send(client, case, url, case.data(o), with_token=True)
        assert response.status_code < 500, f"{case.endpoint}: {response.status_code}"
        assert csrf_message not in response.get_data(as_text=True), f"{case.endpoint}: refused with its token"
        assert_headers(response, f"{case.endpoint} with its token")
        if not changed_tables(before, snapshot()):
            unchanged.append(case.endpoint)
        if case.endpoint == "auth.logout":
            assert client.get("/profile").status_code == 302, "the sign-out with its token did not sign out"
    surprising = sorted(set(unchanged) - set(NO_DATABASE_EFFECT))
    assert not surprising, f"forms that did nothing even with their token (not plausible): {surprising}"
    figures.count(
        "security", "CSRF cases confirmed by a form that works with its token", len(prepared) - len(unchanged)
    )


# --- cookies ------------------------------------------------------------------------------------------------

PRODUCTION_KEY = "a-long-random-production-key-for-tests-0123456789"


def _cookie(response, name: str) -> str:
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert found, f"no {name} cookie set; cookies: {response.headers.getlist('Set-Cookie')}"
    return found[-1]


def test_production_session_and_remember_me_cookies_are_secure_httponly_and_samesite(app, database_url):
    """test_security checks the session cookie of an anonymous visit; here: signing in with "keep me
    signed in", and signing out, over HTTPS with the production configuration."""
    production = create_app(
        Config, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=PRODUCTION_KEY, PUBLIC_BASE_URL="https://localhost"
    )
    assert production.config["REMEMBER_COOKIE_DURATION"] <= 60 * 60 * 24 * 31
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/login"}}
    with production.app_context():
        try:
            user = factories.UserFactory(email="muistava@example.com")
            client = production.test_client()
            page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
            token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)
            response = client.post(
                "/login",
                data={"email": user.email, "password": TEST_PASSWORD, "remember": "y", "csrf_token": token},
                **https,
            )
            assert response.status_code == 302, response.get_data(as_text=True)[:300]
            assert_headers(response, "production sign-in")
            assert "max-age=" in response.headers.get("Strict-Transport-Security", "")
            for name in ("session", "remember_token"):
                cookie = _cookie(response, name)
                flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
                assert {"secure", "httponly"} <= flags, f"{name}: {cookie}"
                assert "SameSite=Lax" in cookie or "SameSite=Strict" in cookie, f"{name}: {cookie}"
                assert "Domain=" not in cookie, f"{name} is sent to other hosts: {cookie}"
            assert "Expires=" in _cookie(response, "remember_token")
            page = client.get("/profile", base_url="https://localhost")
            assert page.status_code == 200
            token = re.search(
                r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page.get_data(as_text=True)
            ).group(1)
            response = client.post("/logout", data={"csrf_token": token}, **https)
            assert response.status_code == 302
            cleared = _cookie(response, "remember_token")
            assert "Expires=Thu, 01 Jan 1970" in cleared or "Max-Age=0" in cleared, cleared
            assert client.get("/profile", base_url="https://localhost").status_code == 302
        finally:
            db.session.remove()
            db.engine.dispose()


# --- security headers ----------------------------------------------------------------------------------------

HEADER_ROLES = ("anonymous", "coordinator", "provider_admin", "buyer")


def test_security_headers_on_every_response(app, objects, login_as):
    clients = {role: login_as(None if role == "anonymous" else role) for role in HEADER_ROLES}
    gets = {name: rule for name, rule in MATRIX.items() if rule.method in ("GET", "OPTIONS")}
    statuses = set()
    for endpoint, rule in sorted(gets.items()):
        url = rule.url(objects)
        for role, client in clients.items():
            response = client.options(url) if rule.method == "OPTIONS" else client.get(url)
            statuses.add(response.status_code)
            assert_headers(response, f"{endpoint} as {role}")
            response.close()
    anonymous, buyer = clients["anonymous"], clients["buyer"]
    extra = {
        "404 page": anonymous.get("/ei-ole-olemassa"),
        "404 API JSON": anonymous.get("/api/v1/ei-ole"),
        "403 page": buyer.get("/admin/organisations"),
        "405 page": anonymous.delete("/"),
        "400 page (NUL)": anonymous.get("/catalogue?q=%00"),
        "400 page (CSRF)": anonymous.post("/login", data={"email": "x@example.com", "password": "y"}),
        "400 API JSON": anonymous.get("/api/v1/decisions?limit=ei-numero"),
        "redirect to sign in": anonymous.get("/profile"),
        "redirect after a form": buyer.post_form("/language", {"lang": "fi", "next": "/rules"}),
        "HEAD": anonymous.head("/"),
        "413 page": anonymous.post(
            "/login",
            data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
            content_type="application/x-www-form-urlencoded",
        ),
    }
    for path in sorted(Path(app.static_folder).rglob("*")):
        if path.is_file():
            extra[f"static {path.name}"] = anonymous.get(f"/static/{path.relative_to(app.static_folder).as_posix()}")
    expected = {
        "404 page": 404,
        "404 API JSON": 404,
        "403 page": 403,
        "405 page": 405,
        "400 page (NUL)": 400,
        "400 page (CSRF)": 400,
        "400 API JSON": 400,
        "redirect to sign in": 302,
        "redirect after a form": 302,
        "413 page": 413,
    }
    for name, response in extra.items():
        assert response.status_code == expected.get(name, 200), f"{name}: {response.status_code}"
        assert_headers(response, name)
        response.close()
    assert {200, 302, 403, 404} <= statuses  # the matrix's pages, sign-in redirects and refusals all checked


# --- login throttling ---------------------------------------------------------------------------------------
# test_auth proves the basic lock (one address, one account) and that the right password is refused
# during it. Here: the lock is per address and account together, so a stranger's guesses from one
# address never lock the owner out on another; the same account spelt differently is the same account;
# a broader per-address limit stops guessing across accounts; the refusal says in Finnish why and when
# to try again, and signs nobody in.


def _login_attempt(client, email: str, password: str, address: str):
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": client.csrf_token("/login")},
        environ_base={"REMOTE_ADDR": address},
    )


def _assert_throttled(response, client) -> None:
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert fi(TITLES[429]) in html and fi(MESSAGES[429]) in html
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 61  # the tests' limits are per minute
    with force_locale("fi"):
        said = [
            babel_ngettext("You can try again in %(num)d minute.", "You can try again in %(num)d minutes.", n)
            for n in (1, 2)
        ]  # 61 s rounds up to 2 minutes
    assert said[0] != "You can try again in 1 minute."  # translated
    assert any(str(escape(text)) in html for text in said), "the page does not say when to try again"
    assert "per 1 minute" not in html  # the limit itself, in English, is not shown
    assert_headers(response, "429 page")
    assert client.get("/profile").status_code == 302, "a throttled sign-in signed the user in"


def test_a_strangers_guesses_do_not_lock_the_owner_out(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    owner = factories.UserFactory(email="koordinaattori@example.com")
    stranger, own = app.test_client(), app.test_client()
    spellings = ["koordinaattori@example.com", "KOORDINAATTORI@example.com", " Koordinaattori@Example.COM "]
    codes = [_login_attempt(stranger, email, "arvaus ei osu", "198.51.100.7").status_code for email in spellings]
    assert codes == [200, 200, 200]
    # The stranger's next guess is refused, even with the right password, however the address is spelt.
    _assert_throttled(_login_attempt(stranger, "Koordinaattori@example.com", "arvaus ei osu", "198.51.100.7"), stranger)
    _assert_throttled(_login_attempt(stranger, owner.email, TEST_PASSWORD, "198.51.100.7"), stranger)
    # The owner, from another address, signs in with the right password at once.
    response = _login_attempt(own, owner.email, TEST_PASSWORD, "203.0.113.20")
    assert response.status_code == 302, "the stranger's guesses locked the owner out"
    assert own.get("/profile").status_code == 200
    # And the stranger may still sign in to an account of their own from their address.
    factories.UserFactory(email="vieras@example.com")
    assert _login_attempt(stranger, "vieras@example.com", TEST_PASSWORD, "198.51.100.7").status_code == 302
    figures.count("security", "login throttle cases", 6)


def test_the_address_limit_stops_guessing_across_accounts(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "5 per minute"
    target = factories.UserFactory(email="kohde@example.com")
    guesser = app.test_client()
    codes = [
        _login_attempt(guesser, f"arvaus{i}@example.com", "arvaus ei osu", "192.0.2.50").status_code for i in range(5)
    ]
    assert codes == [200] * 5  # no pair was tried more than once
    _assert_throttled(_login_attempt(guesser, target.email, TEST_PASSWORD, "192.0.2.50"), guesser)
    colleague = app.test_client()
    assert _login_attempt(colleague, target.email, TEST_PASSWORD, "192.0.2.51").status_code == 302
    figures.count("security", "login throttle cases", 7)


def test_no_login_limit_is_keyed_by_the_email_address_alone(app):
    """Many addresses guessing one account (a stranger with many addresses) slow down only themselves:
    the owner is never refused for what others did."""
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "4 per minute"
    owner = factories.UserFactory(email="omistaja@example.com")
    strangers = app.test_client()
    codes = [
        _login_attempt(strangers, owner.email, "arvaus ei osu", f"198.51.100.{i // 2 + 1}").status_code
        for i in range(20)
    ]
    assert codes == [200] * 20
    assert _login_attempt(app.test_client(), owner.email, TEST_PASSWORD, "203.0.113.99").status_code == 302
    figures.count("security", "login throttle cases", 21)


# --- password reset links ---------------------------------------------------------------------------------
# test_password_reset proves: a used link no longer opens (GET), an expired link is refused on GET and
# POST, a forged link is refused. Here: the rest of "single use and expiring".


def _reset_link(app, user) -> str:
    with app.test_request_context():
        return f"/password/reset/{core_services.make_reset_token(user)}"


def _password_is(user_id: int, password: str) -> bool:
    db.session.expire_all()
    return core_services.check_password(db.session.get(User, user_id), password)


def _refused(response) -> None:
    assert response.status_code == 302 and response.headers["Location"].endswith("/password/forgot")


def test_a_used_reset_link_cannot_set_a_password_again_and_kills_the_other_links(app, client):
    user = factories.UserFactory(email="opettaja@example.com")
    first, second = _reset_link(app, user), _reset_link(app, user)
    assert client.post_form(first, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page=first).status_code == 302
    assert _password_is(user.id, NEW_PASSWORD)
    again = "toinen uusi salasana tähän"
    for link in (first, second):
        _refused(client.post_form(link, {"password": again, "confirm": again}, page="/"))
        _refused(client.get(link))
    assert _password_is(user.id, NEW_PASSWORD) and not _password_is(user.id, again)
    figures.count("security", "reset link cases refused", 4)


def test_changing_the_password_kills_outstanding_reset_links(app, client):
    user = factories.UserFactory(email="opettaja@example.com")
    link = _reset_link(app, user)
    client.login(user.email)
    assert (
        client.post_form(
            "/profile/password",
            {"current": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            page="/profile/password",
        ).status_code
        == 302
    )
    client.logout()
    _refused(client.get(link))
    _refused(client.post_form(link, {"password": "kolmas salasana tähän", "confirm": "kolmas salasana tähän"}))
    assert _password_is(user.id, NEW_PASSWORD)
    figures.count("security", "reset link cases refused", 2)


def test_reset_links_of_inactive_accounts_other_purposes_and_other_keys_are_refused(app, client):
    user = factories.UserFactory(email="opettaja@example.com")
    link = _reset_link(app, user)
    user.active = False
    db.session.commit()
    _refused(client.get(link))
    _refused(client.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}))
    user.active = True
    db.session.commit()
    invitation = factories.InvitationFactory(email=user.email)
    with app.test_request_context():
        wrong_purpose = make_token("invite", {"u": user.id, "i": invitation.id, "f": user.password_hash[-12:]})
    other = Flask("other")
    other.config["SECRET_KEY"] = "another-deployment-key"
    with other.app_context():
        wrong_key = make_token("reset", {"u": user.id, "f": user.password_hash[-12:]})
    for token in (wrong_purpose, wrong_key):
        _refused(client.get(f"/password/reset/{token}"))
        _refused(client.post_form(f"/password/reset/{token}", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}))
    assert _password_is(user.id, TEST_PASSWORD)
    figures.count("security", "reset link cases refused", 6)


def test_reset_links_expire_exactly_at_their_age_limit(app):
    user = factories.UserFactory(email="opettaja@example.com")
    max_age = app.config["PASSWORD_RESET_MAX_AGE"]
    assert max_age <= 60 * 60 * 24, "reset links must not live for days"
    issued = utcnow().replace(microsecond=0)
    with app.test_request_context():
        token = core_services.make_reset_token(user, now=issued)
        assert core_services.user_for_reset_token(token, now=issued + timedelta(seconds=max_age)).id == user.id
        with pytest.raises(TokenExpired):
            core_services.user_for_reset_token(token, now=issued + timedelta(seconds=max_age + 1))
        with pytest.raises(TokenExpired):  # issued "in the future": a clock trick, not a link we sent
            core_services.user_for_reset_token(token, now=issued - timedelta(seconds=120))
        with pytest.raises(TokenError):
            core_services.user_for_reset_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), now=issued)
    figures.count("security", "reset link cases refused", 3)


# --- open redirects -------------------------------------------------------------------------------------------
# Every place that takes a target: the sign-in page's `next` (query or form, signed in or not) and the
# language switch's `next` (signed in or not). test_auth covers a few targets on the sign-in POST.

EVIL_TARGETS = [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "%5C%5Cevil.example",
    "///evil.example",
    "/\t/evil.example",
    " //evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "http://localhost@evil.example",
    "//evil.example/%2e%2e",
    "data:text/html,<script>x</script>",
    "\uff0f\uff0fevil.example",
    "//evil.example\\@localhost",
]


def _lands_on_site(location: str) -> bool:
    """Whether a browser would stay on this site following the Location header."""
    browser_view = re.sub(r"[\t\n\r]", "", location).lstrip("".join(chr(c) for c in range(33)))
    browser_view = browser_view.replace("\\", "/")
    target = urlsplit(urljoin("http://localhost/login", browser_view))
    return target.scheme in ("http", "https") and target.hostname == "localhost"


def _redirect_places(app, client_for):
    """(name, callable sending a target) for every place that redirects to a given target."""

    def login_query(target):
        client = client_for(None)
        return client.post_form(
            f"/login?next={quote(target, safe='')}",
            {"email": "opettaja@example.com", "password": TEST_PASSWORD},
            page="/login",
        )

    def login_form(target):
        client = client_for(None)
        return client.post_form(
            "/login", {"email": "opettaja@example.com", "password": TEST_PASSWORD, "next": target}, page="/login"
        )

    def login_when_signed_in(target):
        return client_for("signed_in").get(f"/login?next={quote(target, safe='')}")

    def login_post_when_signed_in(target):
        return client_for("signed_in").post_form(
            f"/login?next={quote(target, safe='')}", {"email": "opettaja@example.com", "password": TEST_PASSWORD}
        )

    def language(target):
        return client_for(None).post_form("/language", {"lang": "sv", "next": target})

    def language_signed_in(target):
        return client_for("signed_in").post_form("/language", {"lang": "fi", "next": target})

    return [
        ("sign-in ?next=", login_query),
        ("sign-in form next", login_form),
        ("sign-in page when signed in", login_when_signed_in),
        ("sign-in POST when signed in", login_post_when_signed_in),
        ("language switch", language),
        ("language switch when signed in", language_signed_in),
    ]


def test_open_redirects_are_refused_everywhere(app):
    factories.UserFactory(email="opettaja@example.com")
    signed_in = login_client(app, "opettaja@example.com")

    def client_for(kind):
        return signed_in if kind == "signed_in" else app.test_client()

    refused = 0
    for place, send in _redirect_places(app, client_for):
        for target in EVIL_TARGETS:
            response = send(target)
            assert response.status_code == 302, f"{place} {target!r}: {response.status_code}"
            location = response.headers["Location"]
            assert _lands_on_site(location), f"{place} {target!r} -> {location}"
            refused += 1
        # A local target still works, so the check is not simply "always go home".
        response = send("/rules?a=1")
        assert response.headers["Location"] == "/rules?a=1", f"{place}: a local target was not kept"
    # The sign-in page never carries a foreign target on into its form.
    for target in EVIL_TARGETS:
        page = app.test_client().get(f"/login?next={quote(target, safe='')}").get_data(as_text=True)
        actions = [unescape(a) for a in re.findall(r'action="([^"]*)"', page)]
        carried = [n for a in actions for n in parse_qs(urlsplit(a).query).get("next", [])]
        assert all(_lands_on_site(a) for a in actions + carried), (target, actions)
    figures.count("security", "redirect targets refused", refused)


# --- uploads ----------------------------------------------------------------------------------------------
# Every upload field: the joining application's two PDF attachments, the listing screenshot and the
# agenda item attachment. test_onboarding and test_catalogue check some contents in one field each;
# here every field gets script dressed up as its file type, an oversize file and a too large request.

HTML_FILE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_FILE = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class UploadField:
    name: str
    kind: str  # "pdf" or "image"
    send: Callable[[tuple[bytes, str]], object]
    links: Callable[[], int]  # rows linking a stored file to this field's owner
    client: BrowserLikeClient  # the uploader (a redirect shows the outcome on the next page)


@pytest.fixture()
def upload_fields(app, people, login_as) -> list[UploadField]:
    applicant = login_as("no_org")
    assert (
        applicant.post_form(
            "/organisation/start/provider",
            {"name": "Uusi Oppi Oy", "business_id": "0920632-0"},
            page="/organisation/start",
        ).status_code
        == 302
    )
    assert applicant.get("/join").status_code == 302  # starts the application
    provider = login_as("provider_admin")
    listing = factories.ServiceFactory(organisation=people["provider"], created_by=people["provider_admin"])
    body = factories.BodyFactory(code="JT", level="tactical")
    factories.MembershipFactory(body=body, user=people["secretary"], role="secretary", voting=False)
    item = factories.AgendaItemFactory(meeting=factories.MeetingFactory(body=body, status="agenda_published"))
    secretary = login_as("secretary")
    listing_id, item_id = listing.id, item.id

    def count(model) -> Callable[[], int]:
        return lambda: db.session.scalar(sa.select(sa.func.count()).select_from(model))

    def application_file(kind):
        def send(file):
            data, name = file
            return applicant.post_form(
                "/join/step/attachments",
                {kind: (io.BytesIO(data), name)},
                page="/join/step/attachments",
                content_type="multipart/form-data",
            )

        return send

    def screenshot(file):
        data, name = file
        return provider.post_form(
            f"/listings/{listing_id}/screenshots",
            {"alt_text": "Tehtävänäkymä", "image": (io.BytesIO(data), name)},
            page=f"/listings/{listing_id}/screenshots",
            content_type="multipart/form-data",
        )

    def item_attachment(file):
        data, name = file
        return secretary.post_form(
            f"/items/{item_id}/attachments",
            {"title": "Liite", "public": "y", "file": (io.BytesIO(data), name)},
            page=f"/items/{item_id}",
            content_type="multipart/form-data",
        )

    fields = [
        UploadField(
            "application: data processing agreement",
            "pdf",
            application_file("dpa"),
            count(ApplicationAttachment),
            applicant,
        ),
        UploadField(
            "application: trade register extract",
            "pdf",
            application_file("trade_register"),
            count(ApplicationAttachment),
            applicant,
        ),
        UploadField("listing screenshot", "image", screenshot, count(ServiceScreenshot), provider),
        UploadField("agenda item attachment", "pdf", item_attachment, count(ItemAttachment), secretary),
    ]
    return fields


def _shown(field: UploadField, response) -> str:
    """The page that tells the uploader what happened (a redirect shows it on the next page)."""
    if response.status_code == 302:
        return field.client.get(response.headers["Location"]).get_data(as_text=True)
    return response.get_data(as_text=True)


def _refused_uploads() -> dict[str, list[tuple[str, tuple[bytes, str], str]]]:
    from app.files import PDF_MAX_BYTES
    from marketplace.catalogue.images import MAX_BYTES as IMAGE_MAX_BYTES

    not_pdf = fi_gettext("The file is not a PDF document. Save it as PDF and try again.")
    not_image = fi_gettext("The file is not a PNG or JPEG image.")
    unreadable = fi_gettext("The image could not be read. It may be damaged; save it again as PNG or JPEG.")
    return {
        "pdf": [
            ("HTML with script named .pdf", (HTML_FILE, "sopimus.pdf"), not_pdf),
            ("SVG with script named .pdf", (SVG_FILE, "sopimus.pdf"), not_pdf),
            ("PNG image named .pdf", (factories.png_bytes(), "sopimus.pdf"), not_pdf),
            ("HTML named .pdf with a PDF signature late in the file", (HTML_FILE + PDF, "sopimus.pdf"), not_pdf),
            (
                "a PDF over the size limit",
                (PDF + b"0" * PDF_MAX_BYTES, "iso.pdf"),
                fi_gettext("The file is larger than 10 MB."),
            ),
        ],
        "image": [
            ("HTML with script named .png", (HTML_FILE, "kuva.png"), not_image),
            ("SVG with script named .png", (SVG_FILE, "kuva.png"), not_image),
            ("PDF named .png", (PDF, "kuva.png"), not_image),
            ("HTML behind a PNG signature", (PNG_SIGNATURE + HTML_FILE, "kuva.png"), unreadable),
            (
                "an image over the size limit",
                (PNG_SIGNATURE + b"0" * IMAGE_MAX_BYTES, "iso.png"),
                fi_gettext("The image is larger than 2 MB. Make it smaller and try again."),
            ),
        ],
    }


def test_every_upload_field_refuses_disguised_and_oversize_files_and_stores_nothing(app, upload_fields):
    cases = _refused_uploads()
    too_large = (fi(TITLES[413]), fi(MESSAGES[413]))
    refused = 0
    for field in upload_fields:
        for name, file, message in cases[field.kind]:
            files_before, links_before = db.session.scalar(sa.select(sa.func.count(StoredFile.id))), field.links()
            response = field.send(file)
            assert response.status_code in (200, 302, 400), f"{field.name}, {name}: {response.status_code}"
            assert message in _shown(field, response), f"{field.name}, {name}: no explanation in Finnish"
            db.session.expire_all()
            assert db.session.scalar(sa.select(sa.func.count(StoredFile.id))) == files_before, f"{field.name}: {name}"
            assert field.links() == links_before, f"{field.name}: {name} was attached"
            refused += 1
        # A request above MAX_CONTENT_LENGTH is refused before any form is read.
        before = snapshot()
        response = field.send((b"%PDF-" + b"0" * app.config["MAX_CONTENT_LENGTH"], "valtava.pdf"))
        assert response.status_code == 413, f"{field.name}: {response.status_code}"
        html = response.get_data(as_text=True)
        assert all(text in html for text in too_large), f"{field.name}: the 413 page is not in Finnish"
        assert_headers(response, f"{field.name}: 413")
        assert changed_tables(before, snapshot()) == [], f"{field.name}: a too large request changed the database"
        refused += 1
    figures.count("security", "upload cases refused", refused)


def test_uploads_are_stored_under_a_name_that_matches_their_content(app, upload_fields):
    """A genuine file with a misleading name (ohje.html) is kept under the name of what it is, so a
    download is never saved or opened as a page."""
    for field in upload_fields:
        content = (PDF, "ohje.html") if field.kind == "pdf" else (factories.png_bytes(), "kuva.html")
        links_before = field.links()
        response = field.send(content)
        assert response.status_code in (200, 302), f"{field.name}: {response.status_code}"
        db.session.expire_all()
        assert field.links() == links_before + 1, f"{field.name}: the genuine file was not kept"
        stored = db.session.scalar(sa.select(StoredFile).order_by(StoredFile.id.desc()).limit(1))
        expected = (".pdf", "application/pdf") if field.kind == "pdf" else (".png", "image/png")
        assert stored.filename.endswith(expected[0]) and stored.content_type == expected[1], (
            f"{field.name}: stored as {stored.filename} ({stored.content_type})"
        )
    figures.count("security", "upload names checked against content", len(upload_fields))


# --- rich text ------------------------------------------------------------------------------------------------
# Every field shown through app/markdown.render (the `markdown` template filter) gets script stored
# through its real form, and every page that shows it is read: no script element, no event handler,
# no script URL survives. test_security checks render() itself with single payloads.


def markdown_payload(tag: str) -> str:
    return (
        f"# Otsikko {tag}\n\n"
        "<script>alert('x')</script>\n\n"
        "<img src=x onerror=alert(1)> <svg onload=alert(2)></svg> <body onload=alert(3)>\n\n"
        "[linkki](javascript:alert(4)) [toinen](JaVaScRiPt:alert(5)) [kolmas](java&#115;cript:alert(6))\n\n"
        '<a href="javascript:alert(7)">a</a> <a href="&#106;avascript:alert(8)">b</a> '
        '<a href=" javascript:alert(9)">c</a>\n\n'
        '<iframe src="javascript:alert(10)"></iframe> <object data="x.swf"></object> <embed src="x.swf">\n\n'
        '<details open ontoggle=alert(11)>x</details> <math><mi xlink:href="javascript:alert(12)">m</mi></math>\n\n'
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n\n"
        "<style>body{background:url(javascript:alert(13))}</style> <form action=javascript:alert(14)><button>x"
        '</button></form> <meta http-equiv=refresh content="0;url=javascript:alert(15)">\n\n'
        f"**{tag}-loppu**\n"
    )


#: Plain-text fields with script in them (shown escaped; they must stay text).
NAME_PAYLOAD = "<script>alert(1)</script>Nimi"
SUMMARY_PAYLOAD = '<img src=x onerror=alert(2)><script>alert(3)</script> <a href="javascript:alert(4)">x</a>'

SCRIPT_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "base", "style"}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "background",
    "poster",
    "srcdoc",
    "srcset",
    "ping",
    "lowsrc",
    "dynsrc",
    "content",
}


class ScriptFinder(HTMLParser):
    """Elements and attributes of a page that could run script (attribute values come unescaped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SCRIPT_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            compact = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            elif (name in URL_ATTRIBUTES or name == "style") and any(
                scheme in compact for scheme in ("javascript:", "vbscript:", "data:text/html", "data:image/svg")
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def script_problems(html: str, strict: bool) -> list[str]:
    for tag in script_tags():  # the app's own scripts, from 'self' (the CSP allows nothing else)
        html = html.replace(tag, "")
    finder = ScriptFinder()
    finder.feed(html)
    finder.close()
    problems = finder.problems
    lowered = html.lower()
    if "<script" in lowered:
        problems.append("<script in the HTML")
    if strict:  # a page that shows the text only as rendered Markdown: not even the words remain
        problems += [
            f"{word!r} in the HTML" for word in ("onerror", "javascript:", "onload", "ontoggle") if word in lowered
        ]
    return problems


@dataclass
class Shown:
    field: str
    client: BrowserLikeClient
    url: str
    tag: str  # the text that proves the field is on the page
    strict: bool = True  # False: the page also shows the source text (escaped), e.g. a diff
    rendered: bool = True  # the tag must appear as a rendered Markdown heading


PAGES_CHECKED = {"n": 0}


def _check_shown(pages: list[Shown]) -> None:
    for page in pages:
        PAGES_CHECKED["n"] += 1
        response = page.client.get(page.url)
        assert response.status_code == 200, f"{page.field}: {page.url} gave {response.status_code}"
        html = response.get_data(as_text=True)
        assert page.tag in html, f"{page.field}: {page.url} does not show the field"
        if page.rendered:
            assert re.search(rf"<h[1-6][^>]*>Otsikko {re.escape(page.tag)}</h[1-6]>", html), (
                f"{page.field}: {page.url} does not show the text as rendered Markdown"
            )
        problems = script_problems(html, page.strict)
        assert not problems, f"{page.field} on {page.url}: {problems}"


def test_every_markdown_use_in_the_templates_is_checked():
    """A new rich-text field (a new `| markdown` in a template) must be added to the check below."""
    checked = {
        ("steering/minutes.html", "text"),
        ("steering/item.html", "item.proposal"),
        ("steering/item.html", "d.text"),
        ("register/_decision.html", "decision.public_text(today)"),
        ("rules/_text.html", "body"),
        ("rules/accept.html", "body"),
        ("listings/review.html", "change.new"),
        ("listings/show.html", "service.description"),
        ("catalogue/show.html", "data.description"),
        ("join/step.html", "version.body"),
    }
    found = set()
    templates = BASE_DIR / "templates"
    for path in templates.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for expression in re.findall(r"\{\{\s*([^{}|]+?)\s*\|\s*markdown\b", text):
                found.add((path.relative_to(templates).as_posix(), expression))
    assert found == checked, f"unchecked: {sorted(found - checked)}; gone: {sorted(checked - found)}"
    code = [
        p
        for d in ("app", "governance", "marketplace")
        for p in (BASE_DIR / d).rglob("*.py")
        if "markdown import" in p.read_text(encoding="utf-8") or "markdown.render" in p.read_text(encoding="utf-8")
    ]
    assert sorted(p.relative_to(BASE_DIR).as_posix() for p in code) == ["app/__init__.py"], (
        "app.markdown.render is called from Python code: add its fields to the rich-text check"
    )


@pytest.fixture()
def rich_text_setting(app, people, login_as):
    """A body with a meeting in session, a held meeting with minutes, rules in force accepted by the
    provider, and signed-in clients."""
    body = factories.BodyFactory(code="JT", level="tactical")
    factories.MembershipFactory(body=body, user=people["secretary"], role="secretary", voting=False)
    seat = factories.MembershipFactory(body=body, user=people["body_member"], role="member")
    in_force = factories.RulesVersionFactory(label="9.0", in_force=True, body=markdown_payload("XSS-rules-in-force"))
    factories.RulesAcceptanceFactory(version=in_force, organisation=people["provider"], user=people["provider_admin"])
    return {
        "body": body,
        "seat": seat,
        "in_force": in_force,
        "coordinator": login_as("coordinator"),
        "secretary": login_as("secretary"),
        "provider": login_as("provider_admin"),
        "member": login_as("body_member"),
        "anonymous": login_as(None),
    }


def test_every_rich_text_field_is_free_of_script_where_it_is_shown(app, people, rich_text_setting, login_as):
    s = rich_text_setting
    PAGES_CHECKED["n"] = 0
    coordinator, secretary, provider, anonymous = s["coordinator"], s["secretary"], s["provider"], s["anonymous"]
    pages: list[Shown] = []
    fields: set[str] = set()

    def stored(response, field):
        assert response.status_code == 302, f"{field}: the form was not saved ({response.status_code})"
        fields.add(field)

    # Rules: the Finnish text and both translations, through the draft form.
    stored(
        coordinator.post_form(
            "/rules/new",
            {
                "label": "9.1",
                "title": "Testisäännöt",
                "body": markdown_payload("XSS-rules-fi"),
                "title_sv": "Testregler",
                "body_sv": markdown_payload("XSS-rules-sv"),
                "title_en": "Test rules",
                "body_en": markdown_payload("XSS-rules-en"),
            },
            page="/rules/new",
        ),
        "rules text",
    )
    fields |= {"rules text (sv)", "rules text (en)"}
    _check_shown(
        [
            Shown("rules text", coordinator, "/rules/9.1", "XSS-rules-fi"),
            Shown("rules text", coordinator, "/rules/diff/9.0/9.1", "XSS-rules-fi", strict=False, rendered=False),
        ]
    )
    for lang in ("sv", "en"):
        coordinator.post_form("/language", {"lang": lang, "next": "/"})
        _check_shown([Shown(f"rules text ({lang})", coordinator, "/rules/9.1", f"XSS-rules-{lang}")])
    coordinator.post_form("/language", {"lang": "fi", "next": "/"})
    # The text in force (made by the factory: adoption needs a whole meeting) on the public pages,
    # the provider's acceptance page and the applicant's rules step.
    applicant = login_as("no_org")
    applicant.post_form(
        "/organisation/start/provider", {"name": "Uusi Oppi Oy", "business_id": "0920632-0"}, page="/organisation/start"
    )
    pages += [
        Shown("rules text", anonymous, "/rules", "XSS-rules-in-force"),
        Shown("rules text", anonymous, "/rules/9.0", "XSS-rules-in-force"),
        Shown("rules text", login_as("provider_user"), "/rules/9.0", "XSS-rules-in-force"),
        Shown("rules text", applicant, "/join/step/rules", "XSS-rules-in-force"),
    ]
    other_provider = factories.UserFactory(organisation=people["other_provider"], org_role="admin")
    pages.append(
        Shown("rules text", login_client(app, other_provider.email), "/rules/9.0/accept", "XSS-rules-in-force")
    )

    # Agenda items: the proposal through the add form and the edit form.
    meeting = factories.MeetingFactory(body=s["body"], status="agenda_published")
    case = factories.CaseFactory(awaiting_body=s["body"])
    stored(
        secretary.post_form(
            f"/meetings/{meeting.id}/items",
            {
                "case": str(case.id),
                "decision_kind": "operational",
                "presenter": "",
                "proposal": markdown_payload("XSS-proposal"),
            },
            page=f"/meetings/{meeting.id}",
        ),
        "agenda item proposal",
    )
    added = db.session.scalar(sa.select(factories.AgendaItem).where(factories.AgendaItem.case_id == case.id))
    edited = factories.AgendaItemFactory(meeting=meeting, section=50)
    stored(
        secretary.post_form(
            f"/items/{edited.id}",
            {
                "version": str(edited.version),
                "decision_kind": "operational",
                "presenter": "",
                "proposal": markdown_payload("XSS-proposal-edited"),
            },
            page=f"/items/{edited.id}",
        ),
        "agenda item proposal",
    )
    pages += [
        Shown("agenda item proposal", anonymous, f"/items/{added.id}", "XSS-proposal"),
        Shown("agenda item proposal", s["member"], f"/items/{added.id}", "XSS-proposal"),
        Shown("agenda item proposal", anonymous, f"/items/{edited.id}", "XSS-proposal-edited"),
    ]

    # Decisions: the text and the text without personal data, through the decision form of a
    # quorate meeting in session; the minutes are then approved for the public register.
    session = factories.MeetingFactory(body=s["body"], status="in_session")
    factories.AttendanceFactory(meeting=session, membership=s["seat"])
    item = factories.AgendaItemFactory(meeting=session, section=51, case=factories.CaseFactory(awaiting_body=None))
    redacted_item = factories.AgendaItemFactory(
        meeting=session, section=52, case=factories.CaseFactory(awaiting_body=None)
    )
    stored(
        secretary.post_form(
            f"/items/{item.id}/decision",
            {
                "resolution": "approved",
                "text": markdown_payload("XSS-decision"),
                "delegated_to": "",
                "redacted_text": "",
            },
            page=f"/items/{item.id}",
        ),
        "decision text",
    )
    stored(
        secretary.post_form(
            f"/items/{redacted_item.id}/decision",
            {
                "resolution": "approved",
                "text": "Valitaan Maija Meikäläinen.",
                "delegated_to": "",
                "redacted_text": markdown_payload("XSS-redacted"),
                "personal_data_hidden_from": date.today().isoformat(),
            },
            page=f"/items/{redacted_item.id}",
        ),
        "decision text without personal data",
    )
    session.status = "minutes_approved"
    for decision in (item.decision, redacted_item.decision):
        decision.effective_at = utcnow()
    db.session.commit()
    decision, redacted = item.decision, redacted_item.decision
    pages += [
        Shown("decision text", anonymous, f"/items/{item.id}", "XSS-decision"),
        Shown("decision text", anonymous, f"/register/{decision.slug}", "XSS-decision"),
        Shown("decision text", anonymous, f"/register/cases/{decision.case.record_number}", "XSS-decision"),
        Shown(
            "decision text",
            anonymous,
            f"/cases/{decision.case.record_number}",
            "XSS-decision",
            strict=False,
            rendered=False,
        ),
        Shown("decision text", anonymous, "/register/feed.atom", "XSS-decision", strict=False, rendered=False),
        Shown("decision text without personal data", anonymous, f"/register/{redacted.slug}", "XSS-redacted"),
    ]

    # Minutes, through the minutes form of a held meeting.
    held = factories.MeetingFactory(body=s["body"], status="held")
    factories.MinutesFactory(meeting=held)
    stored(
        secretary.post_form(
            f"/meetings/{held.id}/minutes",
            {"body": markdown_payload("XSS-minutes"), "public_body": markdown_payload("XSS-public-minutes")},
            page=f"/meetings/{held.id}/minutes",
        ),
        "minutes",
    )
    pages += [
        Shown("minutes", s["member"], f"/meetings/{held.id}/minutes", "XSS-minutes"),
        Shown("public minutes", s["member"], f"/meetings/{held.id}/minutes?version=public", "XSS-public-minutes"),
    ]

    # Listings: the description (Markdown) and the name and summary (plain text, cached as markup in
    # the catalogue's result cards), through the listing form, then reviewed and published.
    listings = {}
    for key, extra in (
        ("description", {"description": markdown_payload("XSS-description")}),
        ("plain", {"name": NAME_PAYLOAD, "summary": SUMMARY_PAYLOAD, "description": markdown_payload("XSS-plain")}),
    ):
        service = factories.ServiceFactory(organisation=people["provider"], created_by=people["provider_admin"])
        factories.PricingPlanFactory(service=service)
        # The review of a new listing shows its text rendered; the review of a change shows a diff.
        for round_, data in enumerate(
            (
                {**LISTING_FORM, **extra},
                {
                    **LISTING_FORM,
                    **extra,
                    "description": (
                        extra["description"] + "\n\n<script>alert('muutos')</script> [x](javascript:alert(1))"
                    ),
                },
            )
        ):
            stored(
                provider.post_form(f"/listings/{service.id}/edit", data, page=f"/listings/{service.id}/edit"),
                f"listing {key}",
            )
            assert provider.post_form(f"/listings/{service.id}/submit").status_code == 302
            _check_shown(
                [
                    Shown(
                        "listing description",
                        coordinator,
                        f"/admin/listings/{service.id}",
                        f"XSS-{key}",
                        strict=False,
                        rendered=round_ == 0,
                    )
                ]
            )
            assert coordinator.post_form(f"/admin/listings/{service.id}/publish", {"comment": ""}).status_code == 302
        db.session.expire_all()
        listings[key] = db.session.get(type(service), service.id)
        if key == "description":  # checked before the plain-text listing shows up beside it
            _check_shown(
                [
                    Shown("listing description", provider, f"/listings/{service.id}", "XSS-description"),
                    Shown("listing description", anonymous, f"/catalogue/{listings[key].slug}", "XSS-description"),
                ]
            )
    fields.discard("listing plain")
    fields |= {"listing name (plain text)", "listing summary (plain text)"}
    description, plain = listings["description"], listings["plain"]
    pages += [
        Shown("listing description", provider, f"/listings/{description.id}", "XSS-description", strict=False),
        Shown("listing description", anonymous, f"/catalogue/{description.slug}", "XSS-description", strict=False),
        Shown("listing name and summary", anonymous, f"/catalogue/{plain.slug}", "Nimi", strict=False, rendered=False),
        Shown("listing name and summary", anonymous, "/catalogue", "Nimi", strict=False, rendered=False),
        Shown("listing name and summary", anonymous, "/catalogue?q=Nimi", "Nimi", strict=False, rendered=False),
        Shown(
            "listing name and summary",
            anonymous,
            f"/catalogue/compare?s={plain.slug}&s={description.slug}",
            "Nimi",
            strict=False,
            rendered=False,
        ),
        Shown("listing name and summary", provider, "/listings", "Nimi", strict=False, rendered=False),
        Shown(
            "listing name and summary",
            anonymous,
            f"/providers/{people['provider'].id}",
            "Nimi",
            strict=False,
            rendered=False,
        ),
    ]
    _check_shown(pages)
    markdown_fields = {f for f in fields if "plain text" not in f}
    assert len(markdown_fields) == 8, sorted(fields)
    figures.count("security", "rich-text fields checked", len(markdown_fields))
    figures.count("security", "plain-text fields with script checked", len(fields) - len(markdown_fields))
    figures.count("security", "pages checked for script", PAGES_CHECKED["n"])


# --- error pages ----------------------------------------------------------------------------------------------
# test_errors proves the pages exist in three languages and that a 500 hides the exception text. Here:
# nothing that helps an attacker (stack trace, exception, SQL, paths, secrets, settings) reaches any
# error page or API error, in the test and the production configuration.

BOOM = "kaboom-b6e1c0"


def _leaks(body: str, secrets: list[str]) -> list[str]:
    markers = [
        "Traceback",
        'File "',
        "site-packages",
        "werkzeug",
        "sqlalchemy",
        "psycopg",
        "RuntimeError",
        "OperationalError",
        "ProgrammingError",
        "no_such_table_b6e1c0",
        "SELECT salaisuus",
        str(BASE_DIR),
        BOOM,
        *secrets,
    ]
    return [marker for marker in markers if marker and marker.lower() in body.lower()]


def _error_app(config, database_url: str, **overrides) -> Flask:
    app = create_app(config, SQLALCHEMY_DATABASE_URI=database_url, PROPAGATE_EXCEPTIONS=False, **overrides)
    secret = app.config["SECRET_KEY"]

    def fail():
        raise RuntimeError(f"{BOOM} secret={secret} db={database_url} at {Path(__file__).resolve()}")

    def fail_in_sql():
        db.session.execute(sa.text("SELECT salaisuus FROM no_such_table_b6e1c0 WHERE avain = :k"), {"k": secret})

    def busy():
        import sqlite3

        raise sa.exc.OperationalError(
            f"SELECT salaisuus /* {BOOM} */", {"k": secret}, sqlite3.OperationalError("database is locked")
        )

    for path, view in (
        ("/boom", fail),
        ("/boom-sql", fail_in_sql),
        ("/boom-busy", busy),
        ("/api/v1/boom", fail),
        ("/api/v1/boom-sql", fail_in_sql),
    ):
        app.add_url_rule(path, f"boom{path.replace('/', '_')}", view)
    return app


@pytest.mark.parametrize("configuration", ["test", "production"])
def test_error_pages_and_api_errors_reveal_no_internals(database_url, _schema, configuration):
    if configuration == "test":
        app = _error_app(TestConfig, database_url)
        base = "http://localhost"
    else:
        app = _error_app(Config, database_url, SECRET_KEY=PRODUCTION_KEY, PUBLIC_BASE_URL="https://localhost")
        base = "https://localhost"
    secrets = [
        app.config["SECRET_KEY"],
        database_url,
        urlsplit(database_url).path or "",
        "test-secret-key",
        PRODUCTION_KEY,
    ]
    secrets = [s for s in secrets if len(s) > 4]
    cases = [
        ("GET", "/boom", 500, "html"),
        ("GET", "/boom-sql", 500, "html"),
        ("GET", "/boom-busy", 503, "html"),
        ("GET", "/api/v1/boom", 500, "json"),
        ("GET", "/api/v1/boom-sql", 500, "json"),
        ("GET", "/ei-ole-olemassa/../../etc/passwd", 404, "html"),
        ("GET", "/api/v1/ei-ole", 404, "json"),
        ("DELETE", "/", 405, "html"),
        ("GET", "/catalogue?q=%00", 400, "html"),
        ("POST", "/login", 400, "html"),
        ("GET", "/api/v1/decisions?limit=-1", 400, "json"),
        ("GET", "/api/v1/decisions?cursor=%27%3B--", 400, "json"),
    ]
    with app.app_context():
        try:
            client = app.test_client()
            for method, url, status, kind in cases:
                response = client.open(url, method=method, base_url=base)
                body = response.get_data(as_text=True)
                where = f"{configuration} {method} {url}"
                assert response.status_code == status, f"{where}: {response.status_code}"
                assert not _leaks(body, secrets), f"{where} shows {_leaks(body, secrets)}"
                assert not _leaks(str(response.headers), secrets), f"{where}: headers show internals"
                assert_headers(response, where)
                if kind == "json":
                    payload = response.get_json()
                    assert payload["error"] == status and payload["message"], where
                    if status >= 500:
                        assert payload["message"] == str(MESSAGES[status]), where
                else:
                    assert response.mimetype == "text/html", where
                    if status in TITLES:
                        assert fi(TITLES[status]) in body, f"{where}: no Finnish title"
                    if status == 500:
                        assert fi(MESSAGES[500]) in body, f"{where}: no Finnish explanation"
            figures.count("security", "error responses checked for leaks", len(cases))
        finally:
            db.session.remove()
            db.engine.dispose()
