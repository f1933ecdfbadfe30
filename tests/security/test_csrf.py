"""CSRF on every state-changing route of app.url_map (the Stripe webhook, which is verified by
signature, is the only exemption), with a plausible form from a user who may use the route: 400
with the Finnish explanation and not one row of any table changed; the same form with the token is
then accepted."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app.errors import CSRF_MESSAGE
from config import Config, TestConfig
from tests import figures
from tests.conftest import BrowserLikeClient
from tests.matrix import MATRIX, OK, REDIRECT
from tests.security.cases import (
    CASES,
    STATE_CHANGING,
    Case,
    build_csrf_world,
    csrf_exempt,
    send_case,
    state_changing_rules,
)
from tests.security.checks import assert_headers, changed_tables, fi, login_client, snapshot


def test_csrf_protects_every_state_changing_method_and_only_the_stripe_webhook_is_exempt(app):
    assert app.config["WTF_CSRF_ENABLED"] is True and app.config.get("WTF_CSRF_CHECK_DEFAULT", True) is True
    assert set(app.config.get("WTF_CSRF_METHODS") or {"POST", "PUT", "PATCH", "DELETE"}) >= STATE_CHANGING
    # TestConfig only relaxes cookies and hashing: CSRF is the same as in production.
    assert TestConfig.WTF_CSRF_ENABLED is Config.WTF_CSRF_ENABLED is True
    exempt = {endpoint for endpoint, _rule, _method in state_changing_rules(app) if csrf_exempt(app, endpoint)}
    assert exempt == {"stripe.webhook"}, f"state-changing routes without CSRF protection: {sorted(exempt)}"
    # The API blueprint is exempt as a whole: it must stay read-only.
    api_writes = [(e, r, m) for e, r, m in state_changing_rules(app) if e.startswith("api.")]
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


#: Routes whose form, sent with its token, may leave the database as it was, and why.
NO_DATABASE_EFFECT = {
    "rules.adopt": "adoption needs the steering group's decision with approved minutes; the form is refused",
    "rules.accept": "the provider of the objects has already accepted the rules in force",
    "join.submit": "the applicant's application is not complete yet; submitting is refused",
    "procurement.retry_invoice": "the order has no invoice waiting (payments are invoiced by hand without Stripe)",
    "account.sign_out_everywhere": "the person is signed in on this device only, so no other session ends "
    "(tests/app/test_sessions.py shows the effect)",
}


@pytest.fixture()
def csrf_world(objects, app):
    return build_csrf_world(objects, app)


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
        response = send_case(client, case, url, case.data(o), with_token=False)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, f"{case.endpoint}: a form without its token got {response.status_code}"
        assert csrf_message in html, f"{case.endpoint}: the 400 page does not explain the expired form in Finnish"
        assert_headers(response, f"{case.endpoint} without a token")
        assert changed_tables(before, snapshot()) == [], f"{case.endpoint}: a refused form changed the database"
        if case.endpoint == "auth.logout":
            assert client.get("/profile").status_code == 200, "a sign-out without its token signed the user out"
        prepared.append((case, url, client))

    expected = {(r, m) for e, r, m in state_changing_rules(app) if not csrf_exempt(app, e)}
    assert covered == expected, f"state-changing routes without a CSRF case: {sorted(expected - covered)}"
    figures.count("security", "routes checked for CSRF", len(covered))

    # The same forms with their token are accepted: the token was all they lacked.
    unchanged = []
    for case, url, client in prepared:
        before = snapshot()
        response = send_case(client, case, url, case.data(o), with_token=True)
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
