"""The route-by-role access matrix: every route of the app, how to build its URL from the
test's objects, and what each kind of user gets (tests/test_access_matrix.py checks it; the
security, fuzz, race and confidentiality tests walk the same routes).

- OK: allowed (any answer below 400, or a 400 for an empty form);
- LOGIN: sent to the sign-in page;
- DENY: 403 with an explanation;
- REDIRECT: allowed but sent elsewhere (302 that is not the sign-in page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests import factories

OK, LOGIN, DENY, REDIRECT, NOT_FOUND = "ok", "login", "deny", "redirect", "not_found"


def _fresh_membership(o: dict) -> int:
    return factories.MembershipFactory(body=o["body"]).id


def _fresh_confirmation_token(o: dict) -> str:
    """The sign-up link of a new, unconfirmed account (one per role: the link works once)."""
    from app.signup import make_confirmation_token

    return make_confirmation_token(factories.UserFactory(organisation=None, org_role=None, email_confirmed_at=None))


def _fresh_invitation(o: dict) -> int:
    return factories.InvitationFactory(organisation=o["municipality"], invited_by=o["municipality_admin"]).id


ROLES = [
    "anonymous",
    "no_org",
    "provider_user",
    "provider_admin",
    "other_provider_user",
    "buyer",
    "approver",
    "other_approver",
    "municipality_admin",
    "body_member",
    "other_body_member",
    "secretary",
    "coordinator",
]


#: Users of another organisation or body than the objects': unless a rule says otherwise in `outsiders`,
#: they get what their counterpart gets (a route about no one's objects, such as a list of one's own).
COUNTERPARTS = {
    "other_provider_user": "provider_user",
    "other_approver": "approver",
    "other_body_member": "body_member",
}


@dataclass(frozen=True)
class Rule:
    method: str
    url: Callable[[dict], str]
    expect: dict[str, str] = field(default_factory=dict)
    default: str = OK
    #: What the users of another organisation or body get on this route, where it differs.
    outsiders: dict[str, str] = field(default_factory=dict)

    def expected(self, role: str) -> str:
        if role in self.outsiders:
            return self.outsiders[role]
        if role in COUNTERPARTS and role not in self.expect:
            return self.expected(COUNTERPARTS[role])
        return self.expect.get(role, self.default)


SIGNED_IN = {role: OK for role in ROLES if role != "anonymous"}
ONLY_COORDINATOR = {"anonymous": LOGIN, "coordinator": OK}
PEOPLE_MANAGERS = {"anonymous": LOGIN, "municipality_admin": OK, "coordinator": OK}
NEWCOMER_ONLY = {"anonymous": LOGIN, "no_org": OK}
BODY_MANAGERS = {"anonymous": LOGIN, "secretary": OK, "coordinator": OK}
BODY_PEOPLE = {"anonymous": LOGIN, "secretary": OK, "coordinator": OK, "body_member": OK}
PROVIDER_REDIRECT = {"anonymous": LOGIN, "provider_user": REDIRECT, "provider_admin": REDIRECT}
PROVIDER_PEOPLE = {"anonymous": LOGIN, "provider_user": OK, "provider_admin": OK}
PROVIDER_PEOPLE_AND_COORDINATOR = {**PROVIDER_PEOPLE, "coordinator": OK}
# The matrix's body member and secretary belong to another municipality (Espoo).
MUNICIPALITY_PEOPLE = {
    "anonymous": LOGIN,
    "buyer": OK,
    "approver": OK,
    "municipality_admin": OK,
    "body_member": OK,
    "secretary": OK,
}
VANTAA_AND_COORDINATOR = {"anonymous": LOGIN, "buyer": OK, "approver": OK, "municipality_admin": OK, "coordinator": OK}
# Objects of one organisation or body are out of reach for the others (guessed ids in URLs).
NOT_OTHER_PROVIDER = {"other_provider_user": DENY}
NOT_OTHER_MUNICIPALITY = {"other_approver": DENY}
NOT_OTHER_BODY = {"other_body_member": DENY}
BUYER_ONLY = {"anonymous": LOGIN, "buyer": REDIRECT}
REQUESTER_ONLY = {"anonymous": LOGIN, "buyer": REDIRECT}


def _fresh_plan(o: dict) -> int:
    return factories.PricingPlanFactory(service=o["listing"]).id


def _fresh_screenshot(o: dict) -> int:
    return factories.ServiceScreenshotFactory(service=o["listing"]).id


MATRIX: dict[str, Rule] = {
    "main.index": Rule("GET", lambda o: "/"),
    "main.set_language": Rule("POST", lambda o: "/language", default=REDIRECT),
    "main.healthz": Rule("GET", lambda o: "/healthz"),
    "main.ping": Rule("GET", lambda o: "/ping"),
    "main.readyz": Rule("GET", lambda o: "/readyz"),
    "main.metrics_page": Rule("GET", lambda o: "/metrics"),  # the test client is on loopback
    "auth.login": Rule("GET", lambda o: "/login", {"anonymous": OK}, default=REDIRECT),
    "auth.logout": Rule("POST", lambda o: "/logout", {"anonymous": LOGIN}, default=REDIRECT),
    "auth.register": Rule("GET", lambda o: "/signup", {"anonymous": OK}, default=REDIRECT),
    "auth.confirm_email": Rule("GET", lambda o: f"/signup/confirm/{_fresh_confirmation_token(o)}"),
    "auth.resend_confirmation": Rule("POST", lambda o: "/signup/confirm/resend"),
    "auth.forgot_password": Rule("GET", lambda o: "/password/forgot"),
    "auth.reset_password": Rule("GET", lambda o: "/password/reset/not-a-token", default=REDIRECT),
    "auth.invitation": Rule("GET", lambda o: "/invitations/not-a-token", default=REDIRECT),
    "account.profile": Rule("GET", lambda o: "/profile", {"anonymous": LOGIN}),
    "account.change_password": Rule("GET", lambda o: "/profile/password", {"anonymous": LOGIN}),
    "account.sign_out_everywhere": Rule(
        "POST", lambda o: "/profile/sessions/sign-out-others", {"anonymous": LOGIN}, default=REDIRECT
    ),
    "orgs.start": Rule("GET", lambda o: "/organisation/start", NEWCOMER_ONLY, default=REDIRECT),
    "orgs.start_provider": Rule("POST", lambda o: "/organisation/start/provider", NEWCOMER_ONLY, default=DENY),
    "orgs.join_municipality": Rule("POST", lambda o: "/organisation/start/municipality", NEWCOMER_ONLY, default=DENY),
    "orgs.organisation": Rule("GET", lambda o: "/organisation", {"anonymous": LOGIN, "no_org": REDIRECT}),
    "orgs.invite": Rule(
        "POST", lambda o: f"/organisation/{o['municipality'].id}/invitations", PEOPLE_MANAGERS, default=DENY
    ),
    "orgs.revoke_invitation": Rule(
        "POST", lambda o: f"/organisation/invitations/{_fresh_invitation(o)}/revoke", PEOPLE_MANAGERS, default=DENY
    ),
    "orgs.set_role": Rule(
        "POST", lambda o: f"/organisation/members/{o['buyer'].id}/role", PEOPLE_MANAGERS, default=DENY
    ),
    # Actions that need nothing but the button get a fresh target for every role.
    "orgs.remove_member": Rule(
        "POST",
        lambda o: f"/organisation/members/{factories.UserFactory(organisation=o['municipality']).id}/remove",
        PEOPLE_MANAGERS,
        default=DENY,
    ),
    "orgs.decide_join_request": Rule(
        "GET", lambda o: f"/organisation/join-requests/{o['join_request'].id}", PEOPLE_MANAGERS, default=DENY
    ),
    "admin.audit": Rule("GET", lambda o: "/admin/audit", ONLY_COORDINATOR, default=DENY),
    "admin.organisations": Rule("GET", lambda o: "/admin/organisations", ONLY_COORDINATOR, default=DENY),
    "admin.new_municipality": Rule("GET", lambda o: "/admin/organisations/new", ONLY_COORDINATOR, default=DENY),
    "admin.organisation": Rule(
        "GET", lambda o: f"/admin/organisations/{o['municipality'].id}", ONLY_COORDINATOR, default=DENY
    ),
    "admin.pupil_count": Rule(
        "POST", lambda o: f"/admin/organisations/{o['municipality'].id}/pupils", ONLY_COORDINATOR, default=DENY
    ),
    "admin.mail_queue": Rule("GET", lambda o: "/admin/mail", ONLY_COORDINATOR, default=DENY),
    "admin.retry_mail": Rule(
        "POST", lambda o: f"/admin/mail/{o['failed_mail'].id}/retry", ONLY_COORDINATOR, default=DENY
    ),
    # Rules of the ecosystem.
    "rules.index": Rule("GET", lambda o: "/rules"),
    "rules.versions": Rule("GET", lambda o: "/rules/versions"),
    "rules.show": Rule("GET", lambda o: f"/rules/{o['rules_in_force'].label}"),
    "rules.compare": Rule(
        "GET",
        lambda o: f"/rules/compare?a={o['rules_in_force'].label}&b={o['rules_consultation'].label}",
        default=REDIRECT,
    ),
    "rules.diff": Rule("GET", lambda o: f"/rules/diff/{o['rules_in_force'].label}/{o['rules_consultation'].label}"),
    "rules.new": Rule("GET", lambda o: "/rules/new", ONLY_COORDINATOR, default=DENY),
    "rules.edit": Rule("GET", lambda o: f"/rules/{o['rules_draft'].label}/edit", ONLY_COORDINATOR, default=DENY),
    "rules.open_consultation": Rule(
        "POST", lambda o: f"/rules/{o['rules_draft'].label}/consultation", ONLY_COORDINATOR, default=DENY
    ),
    "rules.adopt": Rule(
        "GET", lambda o: f"/rules/{o['rules_consultation'].label}/adopt", ONLY_COORDINATOR, default=DENY
    ),
    "rules.comment": Rule(
        "POST",
        lambda o: f"/rules/{o['rules_consultation'].label}/comments",
        {"anonymous": LOGIN, "no_org": DENY, "coordinator": DENY},
    ),
    "rules.respond": Rule(
        "POST", lambda o: f"/rules/comments/{o['rules_comment'].id}/response", ONLY_COORDINATOR, default=DENY
    ),
    "rules.accept": Rule(
        "GET",
        lambda o: f"/rules/{o['rules_in_force'].label}/accept",
        {"anonymous": LOGIN, "provider_admin": OK},
        default=DENY,
    ),
    "rules.acceptances": Rule("GET", lambda o: "/rules/acceptances", ONLY_COORDINATOR, default=DENY),
    "rules.acceptances_csv": Rule("GET", lambda o: "/rules/acceptances.csv", ONLY_COORDINATOR, default=DENY),
    # Provider onboarding. The matrix's providers are already active: /join sends them back to their page.
    "join.start": Rule("GET", lambda o: "/join", PROVIDER_REDIRECT, default=DENY),
    "join.step": Rule("GET", lambda o: "/join/step/organisation", PROVIDER_REDIRECT, default=DENY),
    "join.summary": Rule("GET", lambda o: "/join/summary", PROVIDER_REDIRECT, default=DENY),
    "join.submit": Rule("POST", lambda o: "/join/submit", PROVIDER_REDIRECT, default=DENY),
    "join.withdraw": Rule("POST", lambda o: "/join/withdraw", PROVIDER_REDIRECT, default=DENY),
    "join.attachment": Rule(
        "GET",
        lambda o: f"/join/attachments/{o['attachment'].id}",
        {"anonymous": LOGIN, "coordinator": OK},
        default=DENY,
    ),
    "review.queue": Rule("GET", lambda o: "/admin/applications", ONLY_COORDINATOR, default=DENY),
    "review.application": Rule(
        "GET", lambda o: f"/admin/applications/{o['application'].id}", ONLY_COORDINATOR, default=DENY
    ),
    "review.decide": Rule(
        "POST", lambda o: f"/admin/applications/{o['application'].id}/decision", ONLY_COORDINATOR, default=DENY
    ),
    "review.comment": Rule(
        "POST", lambda o: f"/admin/applications/{o['application'].id}/comments", ONLY_COORDINATOR, default=DENY
    ),
    "review.attachment": Rule(
        "GET",
        lambda o: f"/admin/applications/{o['application'].id}/attachments/{o['attachment'].id}",
        ONLY_COORDINATOR,
        default=DENY,
    ),
    "review.provider_status": Rule(
        "POST", lambda o: f"/admin/providers/{o['provider'].id}/status", ONLY_COORDINATOR, default=DENY
    ),
    # The public decision register.
    "register.index": Rule("GET", lambda o: "/register?q=asia&body=JT"),
    "register.decision": Rule("GET", lambda o: f"/register/{o['decision'].slug}"),
    "register.case": Rule("GET", lambda o: f"/register/cases/{o['decision'].case.record_number}"),
    "register.feed": Rule("GET", lambda o: "/register/feed.atom"),
    "register.csv_download": Rule("GET", lambda o: "/register/decisions.csv?body=JT"),
    "api.providers": Rule("GET", lambda o: "/api/v1/providers"),
    "api.rules": Rule("GET", lambda o: "/api/v1/rules"),
    "api.bodies": Rule("GET", lambda o: "/api/v1/bodies"),
    "api.meetings": Rule("GET", lambda o: "/api/v1/meetings"),
    "api.decisions": Rule("GET", lambda o: "/api/v1/decisions?body=JT"),
    "api.cases": Rule("GET", lambda o: "/api/v1/cases"),
    "api.services": Rule("GET", lambda o: "/api/v1/services?level=grades_7_9"),
    "api.openapi": Rule("GET", lambda o: "/api/v1/openapi.json"),
    "api.docs": Rule("GET", lambda o: "/api/docs"),
    "api.preflight": Rule("OPTIONS", lambda o: "/api/v1/decisions"),
    "api.unknown": Rule("GET", lambda o: "/api/v1/nothing-here", default=NOT_FOUND),
    # The service catalogue and the providers' listings.
    "catalogue.index": Rule("GET", lambda o: "/catalogue?q=matematiikka&level=grades_7_9"),
    "catalogue.compare": Rule("GET", lambda o: f"/catalogue/compare?s={o['published_listing'].slug}"),
    "catalogue.show": Rule("GET", lambda o: f"/catalogue/{o['published_listing'].slug}"),
    "catalogue.screenshot": Rule(
        "GET",
        lambda o: (
            f"/catalogue/{o['published_listing'].slug}/screenshots/{o['published_listing'].screenshots[0].file_id}"
        ),
    ),
    "listings.index": Rule("GET", lambda o: "/listings", PROVIDER_PEOPLE, default=DENY),
    "listings.new": Rule("GET", lambda o: "/listings/new", PROVIDER_PEOPLE, default=DENY),
    "listings.show": Rule(
        "GET",
        lambda o: f"/listings/{o['listing'].id}",
        PROVIDER_PEOPLE_AND_COORDINATOR,
        default=DENY,
        outsiders=NOT_OTHER_PROVIDER,
    ),
    "listings.edit": Rule(
        "GET",
        lambda o: f"/listings/{o['listing'].id}/edit",
        PROVIDER_PEOPLE,
        default=DENY,
        outsiders=NOT_OTHER_PROVIDER,
    ),
    "listings.plan": Rule(
        "GET",
        lambda o: f"/listings/{o['listing'].id}/plans/new",
        PROVIDER_PEOPLE,
        default=DENY,
        outsiders=NOT_OTHER_PROVIDER,
    ),
    "listings.delete_plan": Rule(
        "POST",
        lambda o: f"/listings/{o['listing'].id}/plans/{_fresh_plan(o)}/delete",
        PROVIDER_PEOPLE,
        default=DENY,
        outsiders=NOT_OTHER_PROVIDER,
    ),
    "listings.screenshots": Rule(
        "GET",
        lambda o: f"/listings/{o['listing'].id}/screenshots",
        PROVIDER_PEOPLE,
        default=DENY,
        outsiders=NOT_OTHER_PROVIDER,
    ),
    "listings.screenshot": Rule(
        "GET",
        lambda o: f"/listings/{o['listing'].id}/screenshots/{o['listing'].screenshots[0].id}",
        PROVIDER_PEOPLE_AND_COORDINATOR,
        default=DENY,
        outsiders=NOT_OTHER_PROVIDER,
    ),
    "listings.delete_screenshot": Rule(
        "POST",
        lambda o: f"/listings/{o['listing'].id}/screenshots/{_fresh_screenshot(o)}/delete",
        PROVIDER_PEOPLE,
        default=DENY,
        outsiders=NOT_OTHER_PROVIDER,
    ),
    "listings.submit": Rule(
        "POST",
        lambda o: f"/listings/{o['listing'].id}/submit",
        PROVIDER_PEOPLE,
        default=DENY,
        outsiders=NOT_OTHER_PROVIDER,
    ),
    "listings.withdraw": Rule(
        "POST",
        lambda o: f"/listings/{o['listing'].id}/withdraw",
        PROVIDER_PEOPLE,
        default=DENY,
        outsiders=NOT_OTHER_PROVIDER,
    ),
    "listing_review.queue": Rule("GET", lambda o: "/admin/listings", ONLY_COORDINATOR, default=DENY),
    "listing_review.show": Rule(
        "GET", lambda o: f"/admin/listings/{o['listing_in_review'].id}", ONLY_COORDINATOR, default=DENY
    ),
    "listing_review.publish": Rule(
        "POST", lambda o: f"/admin/listings/{o['listing_in_review'].id}/publish", ONLY_COORDINATOR, default=DENY
    ),
    "listing_review.return_listing": Rule(
        "POST", lambda o: f"/admin/listings/{o['listing_in_review'].id}/return", ONLY_COORDINATOR, default=DENY
    ),
    "providers.index": Rule("GET", lambda o: "/providers"),
    "providers.show": Rule("GET", lambda o: f"/providers/{o['provider'].id}"),
    # Steering bodies (the objects' body has the secretary and the member of the matrix).
    "steering.bodies": Rule("GET", lambda o: "/bodies"),
    "steering.create_body": Rule("POST", lambda o: "/bodies", ONLY_COORDINATOR, default=DENY),
    "steering.body": Rule("GET", lambda o: f"/bodies/{o['body'].code}"),
    "steering.case": Rule("GET", lambda o: f"/cases/{o['case'].record_number}"),
    "steering.meeting": Rule("GET", lambda o: f"/meetings/{o['meeting'].id}"),
    "steering.item": Rule("GET", lambda o: f"/items/{o['item'].id}"),
    "steering.attachment": Rule("GET", lambda o: f"/items/{o['item'].id}/attachments/{o['item_attachment'].id}"),
    "steering.minutes": Rule("GET", lambda o: f"/meetings/{o['held_meeting'].id}/minutes"),
    "steering.create_meeting": Rule(
        "POST", lambda o: f"/bodies/{o['body'].code}/meetings", BODY_MANAGERS, default=DENY
    ),
    "steering.create_case": Rule("POST", lambda o: f"/bodies/{o['body'].code}/cases", BODY_MANAGERS, default=DENY),
    "steering.add_member": Rule("POST", lambda o: f"/bodies/{o['body'].code}/members", ONLY_COORDINATOR, default=DENY),
    "steering.end_membership": Rule(
        "POST", lambda o: f"/memberships/{_fresh_membership(o)}/end", ONLY_COORDINATOR, default=DENY
    ),
    "steering.task": Rule("GET", lambda o: f"/tasks/{o['task'].id}", BODY_MANAGERS, default=DENY),
    "steering.add_item": Rule("POST", lambda o: f"/meetings/{o['meeting'].id}/items", BODY_MANAGERS, default=DENY),
    "steering.meeting_status": Rule(
        "POST", lambda o: f"/meetings/{o['meeting'].id}/status", BODY_MANAGERS, default=DENY
    ),
    "steering.attendance": Rule(
        "POST", lambda o: f"/meetings/{o['meeting'].id}/attendance", BODY_MANAGERS, default=DENY
    ),
    "steering.edit_item": Rule("POST", lambda o: f"/items/{o['item'].id}", BODY_MANAGERS, default=DENY),
    "steering.conflict": Rule(
        "POST", lambda o: f"/items/{o['item'].id}/conflicts", BODY_PEOPLE, default=DENY, outsiders=NOT_OTHER_BODY
    ),
    "steering.open_vote": Rule("POST", lambda o: f"/items/{o['item'].id}/votes", BODY_MANAGERS, default=DENY),
    "steering.ballots": Rule(
        "POST", lambda o: f"/votes/{o['vote'].id}/ballots", BODY_PEOPLE, default=DENY, outsiders=NOT_OTHER_BODY
    ),
    "steering.close_vote": Rule("POST", lambda o: f"/votes/{o['vote'].id}/close", BODY_MANAGERS, default=DENY),
    "steering.decide": Rule("POST", lambda o: f"/items/{o['item'].id}/decision", BODY_MANAGERS, default=DENY),
    "steering.dissent": Rule(
        "POST", lambda o: f"/decisions/{o['decision'].id}/dissents", BODY_PEOPLE, default=DENY, outsiders=NOT_OTHER_BODY
    ),
    "steering.attach": Rule("POST", lambda o: f"/items/{o['item'].id}/attachments", BODY_MANAGERS, default=DENY),
    "steering.add_task": Rule("POST", lambda o: f"/decisions/{o['decision'].id}/tasks", BODY_MANAGERS, default=DENY),
    "steering.set_checkers": Rule(
        "POST", lambda o: f"/meetings/{o['held_meeting'].id}/checkers", BODY_MANAGERS, default=DENY
    ),
    "steering.approve_minutes": Rule(
        "POST", lambda o: f"/minutes/{o['minutes'].id}/approve", BODY_MANAGERS, default=DENY
    ),
    "steering.sign_minutes": Rule(
        "POST", lambda o: f"/minutes/{o['minutes'].id}/sign", {"anonymous": LOGIN, "secretary": OK}, default=DENY
    ),  # the body's own chair/secretary
    # Procurement. The objects' requests and order are Vantaa's ("municipality"), the order from "provider".
    "procurement.index": Rule("GET", lambda o: "/procurement", MUNICIPALITY_PEOPLE, default=DENY),
    "procurement.new": Rule("POST", lambda o: "/procurement/new", BUYER_ONLY, default=DENY),
    "procurement.add": Rule("POST", lambda o: "/procurement/add", BUYER_ONLY, default=DENY),
    "procurement.show": Rule(
        "GET",
        lambda o: f"/procurement/{o['draft_request'].id}",
        VANTAA_AND_COORDINATOR,
        default=DENY,
        outsiders=NOT_OTHER_MUNICIPALITY,
    ),
    "procurement.details": Rule(
        "POST", lambda o: f"/procurement/{o['draft_request'].id}/details", REQUESTER_ONLY, default=DENY
    ),
    "procurement.line": Rule(
        "GET",
        lambda o: f"/procurement/{o['draft_request'].id}/lines/{o['draft_line_id']}",
        {"anonymous": LOGIN, "buyer": OK},
        default=DENY,
    ),
    "procurement.remove_line": Rule(
        "POST",
        lambda o: f"/procurement/{o['draft_request'].id}/lines/{o['draft_line_id']}/remove",
        REQUESTER_ONLY,
        default=DENY,
    ),
    "procurement.send": Rule(
        "POST", lambda o: f"/procurement/{o['draft_request'].id}/send", REQUESTER_ONLY, default=DENY
    ),
    "procurement.cancel": Rule(
        "POST", lambda o: f"/procurement/{o['draft_request'].id}/cancel", REQUESTER_ONLY, default=DENY
    ),
    "procurement.decide": Rule(
        "POST",
        lambda o: f"/procurement/{o['pending_request'].id}/decide",
        {"anonymous": LOGIN, "approver": OK},
        default=DENY,
        outsiders=NOT_OTHER_MUNICIPALITY,
    ),
    "procurement.spend": Rule("GET", lambda o: "/procurement/spend", MUNICIPALITY_PEOPLE, default=DENY),
    "procurement.orders": Rule(
        "GET",
        lambda o: "/procurement/orders",
        {**MUNICIPALITY_PEOPLE, **PROVIDER_PEOPLE, "coordinator": OK},
        default=DENY,
    ),
    "procurement.orders_csv": Rule("GET", lambda o: "/procurement/orders.csv", ONLY_COORDINATOR, default=DENY),
    "procurement.order": Rule(
        "GET",
        lambda o: f"/procurement/orders/{o['order'].id}",
        {**VANTAA_AND_COORDINATOR, **PROVIDER_PEOPLE},
        default=DENY,
        outsiders={**NOT_OTHER_PROVIDER, **NOT_OTHER_MUNICIPALITY},
    ),
    "procurement.answer": Rule(
        "POST",
        lambda o: f"/procurement/orders/{o['order'].id}/answer",
        PROVIDER_PEOPLE,
        default=DENY,
        outsiders=NOT_OTHER_PROVIDER,
    ),
    "procurement.retry_invoice": Rule(
        "POST", lambda o: f"/procurement/orders/{o['order'].id}/invoice", ONLY_COORDINATOR, default=DENY
    ),
    "procurement.mark_paid": Rule(
        "POST", lambda o: f"/procurement/orders/{o['order'].id}/paid", ONLY_COORDINATOR, default=DENY
    ),
    # Dashboards (tests/marketplace/insights/test_dashboards.py checks the municipality and provider ones
    # by role too). The matrix's other body member sits in the strategic OR, the body member and
    # secretary in the tactical JT.
    "dashboards.index": Rule("GET", lambda o: "/dashboards", {"anonymous": LOGIN, "no_org": DENY}),
    "dashboards.dashboard": Rule(
        "GET",
        lambda o: "/dashboards/ecosystem",
        {"anonymous": LOGIN, "coordinator": OK, "other_body_member": OK},
        default=DENY,
    ),
    "dashboards.csv": Rule(
        "GET",
        lambda o: "/dashboards/governance/decisions-by-level.csv",
        {"anonymous": LOGIN, "coordinator": OK, "body_member": OK, "secretary": OK, "other_body_member": OK},
        default=DENY,
    ),
    # Stripe signs its webhook calls; without a valid signature everyone gets 400 (not a login page).
    "stripe.webhook": Rule("POST", lambda o: "/stripe/webhook"),
}
IGNORED = {"static"}


def build_objects(people: dict) -> dict:
    """The objects every route of the matrix is tried on (the `objects` fixture)."""
    objects = dict(people)
    objects["invitation"] = factories.InvitationFactory(
        organisation=people["municipality"], invited_by=people["municipality_admin"]
    )
    objects["join_request"] = factories.JoinRequestFactory(organisation=people["municipality"])
    objects["failed_mail"] = factories.OutboxMessageFactory(given_up=True, recipient="vanha.osoite@example.invalid")
    objects["rules_in_force"] = factories.RulesVersionFactory(label="1.0", in_force=True)
    objects["rules_consultation"] = factories.RulesVersionFactory(label="1.1", consultation=True)
    objects["rules_draft"] = factories.RulesVersionFactory(label="1.2")
    objects["rules_comment"] = factories.RulesCommentFactory(
        version=objects["rules_consultation"], user=people["buyer"]
    )
    objects["application"] = factories.ProviderApplicationFactory(submitted=True)
    objects["attachment"] = factories.ApplicationAttachmentFactory(application=objects["application"])
    body = factories.BodyFactory(code="JT", level="tactical")
    objects["body"] = body
    factories.MembershipFactory(body=body, user=people["secretary"], role="secretary", voting=False)
    factories.MembershipFactory(body=body, user=people["body_member"], role="member")
    other_body = factories.BodyFactory(code="OR", level="strategic")
    factories.MembershipFactory(body=other_body, user=people["other_body_member"], role="member")
    objects["meeting"] = factories.MeetingFactory(body=body, status="agenda_published")
    objects["case"] = factories.CaseFactory(awaiting_body=body)
    objects["item"] = factories.AgendaItemFactory(meeting=objects["meeting"])
    objects["item_attachment"] = factories.ItemAttachmentFactory(item=objects["item"])
    objects["vote"] = factories.VoteRoundFactory(item=objects["item"])
    objects["decision"] = factories.DecisionFactory(item__meeting__body=body)
    objects["task"] = factories.TaskFactory(decision=objects["decision"])
    objects["held_meeting"] = objects["decision"].item.meeting
    objects["minutes"] = factories.MinutesFactory(meeting=objects["held_meeting"])
    # Listings: a draft with a plan and a screenshot, one in review, one published (by a provider in good standing).
    factories.RulesAcceptanceFactory(
        version=objects["rules_in_force"], organisation=people["provider"], user=people["provider_admin"]
    )
    objects["listing"] = factories.ServiceFactory(organisation=people["provider"], created_by=people["provider_admin"])
    factories.PricingPlanFactory(service=objects["listing"])
    factories.ServiceScreenshotFactory(service=objects["listing"])
    objects["listing_in_review"] = factories.ServiceFactory(
        organisation=people["provider"], status="in_review", created_by=people["provider_admin"]
    )
    factories.PricingPlanFactory(service=objects["listing_in_review"])
    published = factories.ServiceFactory(
        organisation=people["provider"],
        created_by=people["provider_admin"],
        name="Matematiikan polku",
        summary="Matematiikka yläkouluun.",
    )
    factories.PricingPlanFactory(service=published)
    factories.ServiceScreenshotFactory(service=published)
    from app.extensions import db
    from marketplace.catalogue import services as catalogue

    with db.session.no_autoflush:
        published.status = "in_review"
        catalogue.publish(people["coordinator"], published)
    db.session.commit()
    objects["published_listing"] = published
    objects["draft_request"] = factories.ProcurementRequestFactory(
        organisation=people["municipality"], requester=people["buyer"]
    )
    objects["draft_line_id"] = factories.RequestLineFactory(
        request=objects["draft_request"], service_id=published.id, plan_id=published.plans[0].id
    ).id
    objects["pending_request"] = factories.ProcurementRequestFactory(
        organisation=people["municipality"],
        requester=people["buyer"],
        status="pending_approval",
        net_cents=125_000,
        vat_cents=31_875,
    )
    objects["order"] = factories.OrderFactory(
        request__organisation=people["municipality"],
        request__requester=people["buyer"],
        provider_id=people["provider"].id,
    )
    db.session.commit()
    return objects
