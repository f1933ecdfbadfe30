"""The bugs the fuzz found, each as the request that showed it."""

from __future__ import annotations

from tests import factories
from tests.fuzz.checks import error_texts
from tests.fuzz.groups import meeting_in_session


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return [(category, str(message)) for category, message in session.pop("_flashes", [])]


def test_what_the_fuzz_found_stays_fixed(app, objects, login_as):
    """The bugs the fuzz found, each as the request that showed it (they all answered 500, or 400 saying nothing)."""
    coordinator, secretary = login_as("coordinator"), login_as("secretary")
    # Ids past what an INTEGER column holds: no such page (the database driver overflowed).
    for path in (
        "/meetings/99999999999999999999",
        "/items/9223372036854775808",
        "/providers/2147483648",
        "/admin/organisations/9999999999999999999999999",
    ):
        assert coordinator.get(path).status_code == 404, path
    # Digits that str.isdigit() accepts but int() refuses ("²").
    for path, parameter in (
        ("/api/v1/decisions?limit=%C2%B2", "limit"),
        ("/api/v1/meetings?year=%C2%B2", "year"),
        ("/api/v1/decisions?year=%C2%B2", "year"),
    ):
        response = coordinator.get(path)
        assert response.status_code == 400 and response.get_json()["parameter"] == parameter, path
    for path in ("/register?year=%C2%B2", "/catalogue?provider=%C2%B2"):
        assert coordinator.get(path).status_code < 500, path
    meeting, item = objects["meeting"], objects["item"]
    with app.test_request_context():
        meeting_in_session(objects)
    response = secretary.post_form(
        f"/meetings/{meeting.id}/attendance", {"present": "²", "stands_in_²": "1", "stands_in_1": "²"}
    )
    assert response.status_code == 302
    response = secretary.post_form(f"/votes/{objects['vote'].id}/ballots", {"ballot_²": "proposal"})
    assert response.status_code == 302
    response = secretary.post_form(f"/minutes/{objects['minutes'].id}/approve", {"by": "meeting", "meeting": "²"})
    assert response.status_code == 302 and ("error", "Valitse kokous.") in _flashes(secretary)
    # Dates a person cannot mean: 60 days after 9999-12-31, or 0001-01-01 in UTC, overflowed.
    response = coordinator.post_form(
        "/rules/1.1/adopt",
        {
            "effective_date": "9999-12-31",
            "reacceptance_deadline": "",
            "decision": str(factories.DecisionFactory(item__decision_kind="rules_adoption").id),
        },
    )
    assert response.status_code == 200 and error_texts(response.get_data(as_text=True))
    response = secretary.post_form(
        f"/bodies/{objects['body'].code}/meetings", {"number": "7", "starts_at": "0001-01-01T00:00", "place": "Sali"}
    )
    assert response.status_code == 302 and [c for c, _ in _flashes(secretary)] == ["error"]
    # A version that is no number matches no saved version: the edit is refused as a conflict.
    response = secretary.post_form(
        f"/items/{item.id}", {"version": "Testi", "decision_kind": "operational", "proposal": "Uusi ehdotus"}
    )
    assert response.status_code == 409
    # NaN and 1e30 parse as decimals, but compare and round only with an error.
    provider = login_as("provider_admin")
    for unit_price, vat_rate in (("NaN", "25,5"), ("12,50", "1e30"), ("sNaN", "Infinity")):
        response = provider.post_form(
            f"/listings/{objects['listing'].id}/plans/new",
            {
                "name": "Perus",
                "model": "per_pupil_year",
                "unit_price": unit_price,
                "vat_rate": vat_rate,
                "min_quantity": "1",
            },
        )
        assert response.status_code == 400, (unit_price, vat_rate)
        assert error_texts(response.get_data(as_text=True)), (unit_price, vat_rate)
    # A multipart part without a name (no browser sends one) is refused, not a crash in the input guard.
    token = coordinator.csrf_token()
    body = (
        b'--XX\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + token.encode()
        + b"\r\n--XX\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--XX--\r\n"
    )
    response = coordinator.post("/bodies", data=body, content_type="multipart/form-data; boundary=XX")
    assert response.status_code == 400
    # Choices not offered get the app's own message, not WTForms' untranslated one.
    response = provider.post_form("/listings/new", {"name": "Palvelu", "levels": ["bogus", "grades_7_9"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "not a valid choice" not in html and "not valid choices" not in html
    # A form sent to something no longer in the state the form is for (handled in another tab): the
    # page would show no form and so no error; the answer says why instead.
    checks = [
        (coordinator, f"/admin/listings/{objects['listing'].id}/publish", {}, "/admin/listings/"),
        (coordinator, f"/admin/listings/{objects['listing'].id}/return", {"comment": "Korjaa"}, "/admin/listings/"),
    ]
    approver = login_as("approver")
    request_id = objects["pending_request"].id
    assert (
        approver.post_form(
            f"/procurement/{request_id}/decide", {"decision": "reject", "comment": "Ei budjettia"}
        ).status_code
        == 302
    )
    _flashes(approver)
    checks.append((approver, f"/procurement/{request_id}/decide", {}, f"/procurement/{request_id}"))
    order_id = objects["order"].id
    assert (
        provider.post_form(
            f"/procurement/orders/{order_id}/answer", {"decision": "decline", "reason": "Ei toimitusta"}
        ).status_code
        == 302
    )
    _flashes(provider)
    checks.append((provider, f"/procurement/orders/{order_id}/answer", {}, f"/procurement/orders/{order_id}"))
    application_id = objects["application"].id
    assert (
        coordinator.post_form(
            f"/admin/applications/{application_id}/decision", {"action": "reject", "message": "Puutteellinen"}
        ).status_code
        == 302
    )
    _flashes(coordinator)
    checks.append(
        (coordinator, f"/admin/applications/{application_id}/decision", {}, f"/admin/applications/{application_id}")
    )
    for client, url, form, landing in checks:
        response = client.post_form(url, form)
        assert response.status_code == 302 and response.headers["Location"].startswith(landing), url
        assert [c for c, _ in _flashes(client)] == ["error"], url
