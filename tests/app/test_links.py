"""Absolute links never come from the request: every link in mail, the Atom feed, the CSV and the
API starts with PUBLIC_BASE_URL whatever Host, X-Forwarded-Host or absolute request line a client
sends; production answers only its TRUSTED_HOSTS (400, translated, for any other).

Every mail template under templates/mail/ is queued here by a route driven with a forged Host (a
new template without such a flow fails `test_every_mail_template_is_queued_by_a_flow_here`), every
GET page without parameters is read with one, and the source is scanned so that no code builds an
absolute link except app/urls.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, template_rendered
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request as BaseRequest

import config
from app import create_app, jobs
from app.clock import helsinki_today
from app.extensions import db
from app.mail import OutboxMessage
from app.models import JoinRequest
from config import BASE_DIR, Config
from marketplace.procurement.models import Order
from tests import factories
from tests.conftest import BrowserLikeClient
from tests.support.catalogue import publish_listing
from tests.support.onboarding import accept_rules_step, fill_wizard
from tests.support.procurement import add, latest_request, published, set_line

PUBLIC = "https://hub.digione.example"
EVIL = "evil.example"
#: The ways a client can try to make the app believe it is another site.
WAYS = {
    "Host header": {"headers": {"Host": EVIL}},
    "X-Forwarded-Host": {
        "headers": {
            "X-Forwarded-Host": EVIL,
            "X-Forwarded-Proto": "http",
            "X-Forwarded-Port": "8080",
            "Forwarded": f"host={EVIL};proto=http",
        }
    },
    "absolute URL in the request line": {"base_url": f"http://{EVIL}:8080"},
}
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s<>\"')]+", re.IGNORECASE)
#: Addresses that are not links to the site (XML namespaces in the Atom feed).
_NOT_SITE_LINKS = ("http://www.w3.org/",)


class HostileClient(BrowserLikeClient):
    """A browser-like client whose every request claims to be for another site (`way`)."""

    way: dict = {}

    def open(self, *args, **kwargs):
        if not (args and isinstance(args[0], (EnvironBuilder, dict, BaseRequest))):  # not a followed redirect
            headers = Headers(kwargs.pop("headers", None) or {})
            for name, value in self.way.get("headers", {}).items():
                headers.setdefault(name, value)
            kwargs["headers"] = headers
            if "base_url" in self.way:
                kwargs.setdefault("base_url", self.way["base_url"])
        return super().open(*args, **kwargs)


@pytest.fixture(params=list(WAYS), ids=list(WAYS))
def hostile(request, app: Flask, people: dict) -> Callable[[str | None], HostileClient]:
    """A client for one of `people` (None: anonymous) that sends a forged host on every request."""
    app.config["PUBLIC_BASE_URL"] = PUBLIC
    way = WAYS[request.param]

    def _client(key: str | None = None) -> HostileClient:
        client = HostileClient(app, app.response_class, use_cookies=True)
        client.way = way
        if key is not None:
            client.login(people[key].email)
        return client

    return _client


def assert_site_links(*texts: str, expect: int = 1) -> list[str]:
    """Every address in `texts` is on PUBLIC_BASE_URL, and the forged host appears nowhere."""
    links = [u for text in texts for u in _URL.findall(text) if not u.startswith(_NOT_SITE_LINKS)]
    assert len(links) >= expect, texts
    for link in links:
        assert link.startswith(PUBLIC + "/"), link
    for text in texts:
        assert EVIL not in text
    return links


def empty_outbox() -> None:
    db.session.execute(sa.delete(OutboxMessage))
    db.session.commit()


@contextmanager
def mails_queued(app: Flask) -> Iterator[list[str]]:
    """The names of the mail templates rendered inside the block (Flask's template_rendered signal)."""
    names: list[str] = []

    def record(sender, template, context, **extra) -> None:
        if template.name and template.name.startswith("mail/"):
            names.append(template.name.removeprefix("mail/").removesuffix(".txt"))

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def assert_outbox_links(expect_links: bool = True) -> list[OutboxMessage]:
    db.session.expire_all()
    messages = list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
    assert messages, "no mail was queued"
    for message in messages:
        assert EVIL not in message.subject
        if expect_links:
            assert_site_links(message.body)
        else:
            assert_site_links(message.body, expect=0)
    return messages


# --- every route that queues a mail --------------------------------------------------------------
# Each flow prepares what its route needs, empties the outbox, then does the one request (or the few
# requests) that queue the mail with the forged host. FLOWS names the templates each one queues.


def flow_password_reset(app, people, hostile):
    hostile(None).post_form("/password/forgot", {"email": people["buyer"].email}, page="/password/forgot")


def flow_join_request(app, people, hostile):
    hostile("no_org").post_form(
        "/organisation/start/municipality",
        {"organisation": str(people["municipality"].id), "message": "Opettaja"},
        page="/organisation/start",
    )


def flow_join_decision(app, people, hostile):
    request = factories.JoinRequestFactory(organisation=people["municipality"], user=people["no_org"])
    empty_outbox()
    url = f"/organisation/join-requests/{request.id}"
    assert (
        hostile("municipality_admin")
        .post_form(url, {"decision": "accept", "role": "buyer", "note": ""}, page=url)
        .status_code
        == 302
    )
    assert db.session.get(JoinRequest, request.id).status == "accepted"


def flow_invitation(app, people, hostile):
    org = people["municipality"]
    assert (
        hostile("municipality_admin")
        .post_form(
            f"/organisation/{org.id}/invitations",
            {"email": "uusi.rehtori@example.com", "role": "approver"},
            page="/organisation",
        )
        .status_code
        == 302
    )


def flow_agenda_published(app, people, hostile):
    body = factories.BodyFactory(code="JT", level="tactical")
    factories.MembershipFactory(body=body, user=people["body_member"])
    factories.MembershipFactory(body=body, user=people["secretary"], role="secretary", voting=False)
    item = factories.AgendaItemFactory(meeting__body=body)
    empty_outbox()
    meeting = item.meeting
    assert (
        hostile("secretary")
        .post_form(f"/meetings/{meeting.id}/status", {"action": "publish"}, page=f"/meetings/{meeting.id}")
        .status_code
        == 302
    )


def _job_beside_a_forged_request(app, name: str) -> None:
    """Run a periodic job inside a request that names the forged host: the job's links are still
    on the public address (jobs run outside requests; this is the harder case)."""
    with app.test_request_context("/", base_url=f"http://{EVIL}"):
        jobs.run_job(name)


def flow_rules_in_force(app, people, hostile):
    """The rules job brings a due version into force and mails the providers' admins."""
    factories.RulesVersionFactory(label="1.0", in_force=True)
    factories.RulesVersionFactory(
        label="1.1",
        status="adopted",
        effective_date=helsinki_today(),
        reacceptance_deadline=helsinki_today() + timedelta(days=60),
    )
    empty_outbox()
    _job_beside_a_forged_request(app, "rules_activate")


def flow_rules_reminder(app, people, hostile):
    """A week before the re-acceptance deadline the provider's admin is reminded."""
    factories.RulesVersionFactory(
        label="2.0", in_force=True, reacceptance_deadline=helsinki_today() + timedelta(days=7)
    )
    empty_outbox()
    _job_beside_a_forged_request(app, "rules_reminders")


def flow_task_overdue(app, people, hostile):
    """The secretary of the owning body is reminded of an overdue follow-up task."""
    body = factories.BodyFactory(code="JT", level="tactical")
    factories.MembershipFactory(body=body, user=people["secretary"], role="secretary", voting=False)
    decision = factories.DecisionFactory(item__meeting__body=body)
    factories.TaskFactory(decision=decision, due_on=helsinki_today() - timedelta(days=3))
    empty_outbox()
    _job_beside_a_forged_request(app, "task_reminders")


def flow_application_submitted(app, people, hostile):
    applicant = hostile("no_org")
    applicant.post_form(
        "/organisation/start/provider", {"name": "Uusi Oppi Oy", "business_id": "0920632-0"}, page="/organisation/start"
    )
    fill_wizard(applicant)
    accept_rules_step(applicant)
    empty_outbox()
    assert applicant.post_form("/join/submit", page="/join/summary").status_code == 302


def _submitted_application(people):
    return factories.ProviderApplicationFactory(submitted=True, created_by__email="hakija@example.com")


def flow_application_review(app, people, hostile):
    application = _submitted_application(people)
    empty_outbox()
    coordinator = hostile("coordinator")
    url = f"/admin/applications/{application.id}"
    for path, data in (
        (f"{url}/decision", {"action": "start"}),
        (f"{url}/comments", {"body": "Näkyvä huomio.", "visible": "y"}),
        (f"{url}/decision", {"action": "request_changes", "message": "Lisätkää alihankkijat."}),
    ):
        assert coordinator.post_form(path, data, page=url).status_code == 302, path


def flow_application_approved(app, people, hostile):
    application = _submitted_application(people)
    empty_outbox()
    url = f"/admin/applications/{application.id}"
    assert (
        hostile("coordinator").post_form(f"{url}/decision", {"action": "approve", "message": ""}, page=url).status_code
        == 302
    )


def flow_application_rejected(app, people, hostile):
    application = _submitted_application(people)
    empty_outbox()
    url = f"/admin/applications/{application.id}"
    assert (
        hostile("coordinator")
        .post_form(f"{url}/decision", {"action": "reject", "message": "Ei sovi."}, page=url)
        .status_code
        == 302
    )


def flow_provider_status(app, people, hostile):
    org = people["provider"]
    decision = factories.DecisionFactory(item__decision_kind="provider_suspension", item__meeting__body__code="JT")
    empty_outbox()
    assert (
        hostile("coordinator")
        .post_form(
            f"/admin/providers/{org.id}/status",
            {"status": "suspended", "reason": "Tietoturvapoikkeama.", "decision": str(decision.id)},
            page=f"/providers/{org.id}",
        )
        .status_code
        == 302
    )
    assert db.session.get(type(org), org.id).status == "suspended"


def _draft_listing(people):
    service = factories.ServiceFactory(organisation=people["provider"], created_by=people["provider_admin"])
    factories.PricingPlanFactory(service=service)
    return service


def flow_listing_submitted(app, people, hostile):
    service = _draft_listing(people)
    assert hostile("provider_admin").post_form(f"/listings/{service.id}/submit").status_code == 302


def flow_listing_reviewed(app, people, hostile):
    published_one, returned_one = _draft_listing(people), _draft_listing(people)
    provider = hostile("provider_admin")
    for service in (published_one, returned_one):
        assert provider.post_form(f"/listings/{service.id}/submit").status_code == 302
    empty_outbox()
    coordinator = hostile("coordinator")
    assert coordinator.post_form(f"/admin/listings/{published_one.id}/publish", {"comment": ""}).status_code == 302
    assert (
        coordinator.post_form(
            f"/admin/listings/{returned_one.id}/return", {"comment": "Lisää saavutettavuusseloste."}
        ).status_code
        == 302
    )


def flow_procurement(app, people, hostile):
    """Sent for approval, approved (an order to the provider), answered by the provider."""
    service = published(app, people, name="Matematiikan polku", slug="matematiikan-polku")
    empty_outbox()
    buyer = hostile("buyer")
    assert add(buyer, service).status_code == 302
    request = latest_request()
    set_line(buyer, request.id, request.lines[0], quantity=100)
    buyer.post_form(f"/procurement/{request.id}/details", {"purpose": "Yläkoulut", "cost_centre": "4100"})
    assert buyer.post_form(f"/procurement/{request.id}/send").status_code == 302
    assert (
        hostile("approver").post_form(f"/procurement/{request.id}/decide", {"decision": "approve"}).status_code == 302
    )
    order = db.session.scalar(sa.select(Order).where(Order.request_id == request.id))
    assert (
        hostile("provider_user").post_form(f"/procurement/orders/{order.id}/answer", {"decision": "accept"}).status_code
        == 302
    )


def flow_signup(app, people, hostile):
    """A new address gets its confirmation link, an address in use a note to its owner."""
    for email in ("uusi.ihminen@example.com", people["buyer"].email):
        assert (
            hostile(None)
            .post_form(
                "/signup",
                {
                    "email": email,
                    "name": "Uusi Ihminen",
                    "password": "neljä uutta sanaa riittää",
                    "confirm": "neljä uutta sanaa riittää",
                },
                page="/signup",
            )
            .status_code
            == 200
        )  # "check your e-mail", either way


#: flow -> the mail templates it queues (and whether each of its mails carries a link).
FLOWS: dict[Callable, tuple[set[str], bool]] = {
    flow_password_reset: ({"password_reset"}, True),
    flow_signup: ({"signup_confirm", "signup_existing"}, True),
    flow_join_request: ({"join_request"}, True),
    flow_join_decision: ({"join_decision"}, False),
    flow_invitation: ({"invitation"}, True),
    flow_agenda_published: ({"agenda"}, True),
    flow_rules_in_force: ({"rules_in_force"}, True),
    flow_rules_reminder: ({"rules_reminder"}, True),
    flow_task_overdue: ({"task_overdue"}, True),
    flow_application_submitted: ({"application_submitted", "application_for_review"}, True),
    flow_application_review: ({"application_in_review", "application_comment", "application_changes"}, True),
    flow_application_approved: ({"application_approved"}, True),
    flow_application_rejected: ({"application_rejected"}, True),
    flow_provider_status: ({"provider_status"}, False),
    flow_listing_submitted: ({"listing_for_review"}, True),
    flow_listing_reviewed: ({"listing_published", "listing_returned"}, True),
    flow_procurement: ({"procurement_sent", "procurement_decided", "order_received", "order_answered"}, True),
}


@pytest.mark.parametrize("flow", list(FLOWS), ids=[f.__name__.removeprefix("flow_") for f in FLOWS])
def test_mail_links_are_on_the_public_address_whatever_host_the_request_names(app, people, hostile, flow):
    expected, with_links = FLOWS[flow]
    with mails_queued(app) as queued:
        flow(app, people, hostile)
    assert expected <= set(queued), queued
    messages = assert_outbox_links(expect_links=with_links)
    if with_links:
        assert all(PUBLIC + "/" in m.body for m in messages)


def test_every_mail_template_is_queued_by_a_flow_here():
    templates = {p.stem for p in (BASE_DIR / "templates" / "mail").glob("*.txt")}
    covered = set().union(*(names for names, _links in FLOWS.values()))
    assert covered == templates, f"add a flow for {sorted(templates - covered)}" if templates - covered else covered


def test_the_reset_link_from_a_forged_host_works_on_the_public_site(app, people, hostile):
    hostile(None).post_form("/password/forgot", {"email": people["buyer"].email}, page="/password/forgot")
    body = db.session.scalar(sa.select(OutboxMessage.body))
    link = re.search(re.escape(PUBLIC) + r"(/password/reset/\S+)", body)
    assert link, body
    assert app.test_client().get(link.group(1)).status_code == 200


# --- the feed, the CSV, the API ----------------------------------------------------------------


@pytest.fixture()
def decision(app, people):
    body = factories.BodyFactory(code="OR", level="strategic")
    return factories.DecisionFactory(item__meeting__body=body)


def test_feed_csv_and_api_links_are_on_the_public_address(app, people, hostile, decision):
    publish_listing(people, name="Sanasilta", slug="sanasilta")
    client = hostile(None)
    pages = {}
    for url in (
        "/register/feed.atom",
        "/register/feed/OR.atom",
        "/register/decisions.csv",
        "/api/v1/services",
        "/api/v1/openapi.json",
        "/api/docs",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    for url in ("/register/feed.atom", "/register/feed/OR.atom"):
        links = assert_site_links(pages[url], expect=3)
        assert f"{PUBLIC}/register/{decision.slug}" in links, url
    assert f"<id>{PUBLIC}/register/feed/OR.atom</id>" in pages["/register/feed/OR.atom"]
    assert f'<link rel="self" href="{PUBLIC}/register/feed.atom"/>' in pages["/register/feed.atom"]
    assert f"{PUBLIC}/register/{decision.slug}" in assert_site_links(pages["/register/decisions.csv"])
    # The API's own links (the providers' addresses in the listings are theirs, not the site's).
    items = json.loads(pages["/api/v1/services"])["items"]
    assert [item["url"] for item in items] == [f"{PUBLIC}/catalogue/sanasilta"]
    assert EVIL not in pages["/api/v1/services"]
    assert json.loads(pages["/api/v1/openapi.json"])["servers"] == [{"url": PUBLIC}]
    assert EVIL not in pages["/api/v1/openapi.json"]
    assert f"curl {PUBLIC}/api/v1/services" in pages["/api/docs"] and EVIL not in pages["/api/docs"]


def test_no_page_reflects_a_forged_host(app, people, hostile):
    """Every GET page without parameters, as a visitor and as the coordinator."""
    urls = sorted(
        {
            rule.rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/static")
        }
    )
    assert len(urls) > 30
    for who in (None, "coordinator"):
        client = hostile(who)
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, (who, url)
            assert EVIL not in response.get_data(as_text=True), (who, url)
            assert EVIL not in str(response.headers), (who, url)


# --- production answers only its own host names ------------------------------------------------


def production_app(database_url: str, **overrides) -> Flask:
    return create_app(
        Config, SECRET_KEY="production-test-key-" + "x" * 40, SQLALCHEMY_DATABASE_URI=database_url, **overrides
    )


def test_trusted_hosts_default_to_the_host_of_the_public_address():
    assert config.trusted_hosts(None, "https://hub.digione.fi") == ["hub.digione.fi"]
    assert config.trusted_hosts(None, "https://hub.digione.fi:8443/") == ["hub.digione.fi"]
    assert config.trusted_hosts(["hub.digione.fi", ".digione.fi"], "https://x.example") == [
        "hub.digione.fi",
        ".digione.fi",
    ]


def test_production_refuses_an_untrusted_host_with_the_translated_400_page(app, database_url, people):
    public = production_app(database_url, PUBLIC_BASE_URL="https://hub.digione.example")
    assert public.config["TRUSTED_HOSTS"] == ["hub.digione.example"]  # the default: the public address's host
    client = public.test_client()
    good = client.get("/login", base_url="https://hub.digione.example")
    assert good.status_code == 200
    for request in (
        {"headers": {"Host": EVIL}},
        {"base_url": f"https://{EVIL}"},
        {"headers": {"Host": f"{EVIL}:443"}},
        {"headers": {"Host": "hub.digione.example.evil.example"}},
    ):
        for path in ("/login", "/password/forgot", "/register/feed.atom", "/no-such-page"):
            response = client.get(
                path,
                headers={"Accept-Language": "sv", **request.get("headers", {})},
                base_url=request.get("base_url", "https://hub.digione.example"),
            )
            assert response.status_code == 400, (request, path)
            html = response.get_data(as_text=True)
            assert "Tjänsten svarar bara på sin egen adress." in html, (request, path)
            assert 'lang="sv"' in html and "Traceback" not in html and EVIL not in html
        api = client.get("/api/v1/providers", **request)
        assert api.status_code == 400 and api.is_json and EVIL not in api.get_data(as_text=True)
    # A form sent to the forged host changes nothing and queues nothing.
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    forged = client.post(
        "/password/forgot",
        data={"email": people["buyer"].email},
        headers={"Host": EVIL},
        base_url="https://hub.digione.example",
    )
    assert forged.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == before
    with public.app_context():
        db.engine.dispose()


def test_trusted_hosts_from_the_environment_list_several_names(app, database_url):
    public = production_app(
        database_url,
        PUBLIC_BASE_URL="https://hub.digione.example",
        TRUSTED_HOSTS=["hub.digione.example", "hub.internal"],
    )
    client = public.test_client()
    for host in ("hub.digione.example", "hub.internal:8000"):
        assert client.get("/login", headers={"Host": host}).status_code == 200, host
    assert client.get("/login", headers={"Host": "other.internal"}).status_code == 400
    with public.app_context():
        db.engine.dispose()


def test_production_will_not_start_with_a_public_address_it_would_refuse(database_url):
    with pytest.raises(RuntimeError, match="TRUSTED_HOSTS"):
        production_app(database_url, PUBLIC_BASE_URL="https://hub.digione.example", TRUSTED_HOSTS=["other.example"])
    with pytest.raises(RuntimeError, match="TRUSTED_HOSTS"):
        production_app(database_url, TRUSTED_HOSTS=[])
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        production_app(database_url, PUBLIC_BASE_URL="hub.digione.example")


def test_development_and_tests_answer_on_localhost_and_127_0_0_1(client):
    for host in ("localhost", "127.0.0.1:5000", "localhost:5000"):
        assert client.get("/login", headers={"Host": host}).status_code == 200, host


# --- the class stays closed: no other code builds absolute links ---------------------------------

#: Ways to build an absolute link from the request, or to read the host it names.
FORBIDDEN = re.compile(
    r"_external\s*=|\.host_url\b|\.url_root\b|request\.host\b|request\.url\b|request\.base_url\b"
    r"|HTTP_HOST|X-Forwarded-Host|\bget_host\("
)
ALLOWED_FILES = {Path("app/urls.py")}


def test_only_app_urls_builds_absolute_links():
    offenders = []
    for folder in ("app", "governance", "marketplace", "templates"):
        for path in sorted((BASE_DIR / folder).rglob("*")):
            if path.suffix not in {".py", ".html", ".txt", ".xml", ".j2"} or "translations" in path.parts:
                continue
            relative = path.relative_to(BASE_DIR)
            if relative in ALLOWED_FILES:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if FORBIDDEN.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "build absolute links with app.urls.external_url:\n" + "\n".join(offenders)
