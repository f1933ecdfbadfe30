"""The open data API, validated against its own OpenAPI description."""

import pytest
from jsonschema import Draft202012Validator

from tests import factories
from tests.support.catalogue import publish_listing

ENDPOINTS = ["services", "providers", "rules", "bodies", "meetings", "decisions", "cases"]


@pytest.fixture()
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def _validate(spec, path, payload):
    schema_ref = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema_ref, "components": spec["components"]})
    errors = sorted(validator.iter_errors(payload), key=str)
    assert not errors, [e.message for e in errors[:3]]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_every_endpoint_answers_as_described(client, spec, data, name):
    path = f"/api/v1/{name}"
    response = client.get(path)
    assert response.status_code == 200 and response.is_json
    payload = response.get_json()
    assert payload["items"], name
    _validate(spec, path, payload)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["ETag"]


def test_decisions_by_body_as_documented(client, spec, data):
    payload = client.get("/api/v1/decisions?body=OR").get_json()
    assert [d["reference"] for d in payload["items"]] == [data["public"].reference]
    _validate(spec, "/api/v1/decisions", payload)
    confidential = client.get("/api/v1/decisions?body=JT").get_json()["items"]
    hidden = next(d for d in confidential if d["confidential"])
    assert hidden["text"] is None and hidden["legal_basis"] == "JulkL 24 § 1 (20)"
    assert all("Maija" not in (d["text"] or "") for d in confidential)


def test_cursor_pagination_walks_every_item_once(client, data):
    seen, cursor = [], None
    for _ in range(10):
        url = "/api/v1/decisions?limit=1" + (f"&cursor={cursor}" if cursor else "")
        payload = client.get(url).get_json()
        seen += [d["reference"] for d in payload["items"]]
        cursor = payload["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 3


def test_conditional_requests_answer_304(client, data):
    first = client.get("/api/v1/decisions")
    again = client.get("/api/v1/decisions", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/api/v1/decisions", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    changed = client.get("/api/v1/decisions", headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("/api/v1/decisions?limit=0", "limit"),
        ("/api/v1/decisions?limit=201", "limit"),
        ("/api/v1/decisions?limit=abc", "limit"),
        ("/api/v1/decisions?cursor=%%%", "cursor"),
        ("/api/v1/decisions?cursor=bm90LWFuLWludA", "cursor"),
        ("/api/v1/decisions?body=XX", "body"),
        ("/api/v1/decisions?resolution=maybe", "resolution"),
        ("/api/v1/decisions?year=20x6", "year"),
        ("/api/v1/meetings?status=secret", "status"),
        ("/api/v1/bodies?level=galactic", "level"),
        ("/api/v1/rules?status=draft", "status"),
        ("/api/v1/services?level=grade_13", "level"),
        ("/api/v1/services?max_price=-1", "max_price"),
        ("/api/v1/services?max_price=lots", "max_price"),
        ("/api/v1/services?provider=x", "provider"),
        ("/api/v1/services?page=2", "page"),
        ("/api/v1/services?q=" + "x" * 201, "q"),
        ("/api/v1/services?cursor=bm90LWFuLWludA", "cursor"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(client, spec, data, query, parameter):
    response = client.get(query)
    assert response.status_code == 400
    body = response.get_json()
    assert body["parameter"] == parameter
    Draft202012Validator({"$ref": "#/components/schemas/Error", "components": spec["components"]}).validate(body)


def test_services_as_documented(client, spec, data, people):
    payload = client.get("/api/v1/services?q=matematiikka&level=grades_7_9&standard=mpassid").get_json()
    _validate(spec, "/api/v1/services", payload)
    [item] = payload["items"]
    assert item["slug"] == "matematiikan-polku" and item["summary_sv"] == "Matematik."
    assert item["url"].endswith("/catalogue/matematiikan-polku")
    assert {(p["model"], p["unit_price_cents"], p["unit_price_with_vat_cents"]) for p in item["plans"]} == {
        ("per_pupil_year", 1000, 1255),
        ("free", 0, 0),
    }
    assert [i["slug"] for i in client.get("/api/v1/services?subject=B1").get_json()["items"]] == ["kielitaituri"]
    # A draft and the listings of a suspended provider are not published data.
    factories.ServiceFactory(organisation=people["provider"], created_by=people["provider_admin"], slug="luonnos")
    assert len(client.get("/api/v1/services").get_json()["items"]) == 2
    people["provider"].status = "suspended"
    from app.extensions import db

    db.session.commit()
    assert client.get("/api/v1/services").get_json()["items"] == []


def test_drafts_and_planned_meetings_stay_out(client, data):
    factories.RulesVersionFactory(label="9.9")
    factories.MeetingFactory(status="planned")
    assert "9.9" not in [v["label"] for v in client.get("/api/v1/rules").get_json()["items"]]
    assert all(m["status"] != "planned" for m in client.get("/api/v1/meetings").get_json()["items"])


def test_docs_page_lists_every_endpoint(client):
    html = client.get("/api/docs").get_data(as_text=True)
    for name in ENDPOINTS:
        assert f"/api/v1/{name}" in html


def test_docs_page_shows_every_operation_with_its_parameters(client):
    """Each operation of the OpenAPI document with its summary, and each parameter with its description
    (the page once read the dict's `get` method instead of its "get" key and showed them all empty)."""
    from html import unescape

    spec = client.get("/api/v1/openapi.json").get_json()
    html = unescape(client.get("/api/docs").get_data(as_text=True))
    operations = 0
    for path, item in spec["paths"].items():
        operation = item["get"]
        operations += 1
        assert f'id="op-{operation["operationId"]}"' in html, path
        assert operation["summary"] in html, path
        for parameter in operation.get("parameters", []):
            assert f"<code>{parameter['name']}</code>" in html, (path, parameter["name"])
            assert parameter["description"] in html, (path, parameter["name"])
    assert operations >= len(ENDPOINTS)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_queries_per_page_do_not_grow_with_the_rows(data, name, people, count_queries):
    """A bounded number of SQL statements per page, however many rows it holds."""
    small = count_queries(f"/api/v1/{name}?limit=200")
    for _i in range(4):  # more of everything
        body = factories.BodyFactory()
        factories.MembershipFactory(body=body, user=people["approver"])
        factories.DecisionFactory(item__meeting__body=body)
        factories.AgendaItemFactory(meeting__status="agenda_published", meeting__body=body)
        org = factories.ProviderFactory()
        factories.RulesAcceptanceFactory(
            version=factories.RulesVersionFactory(status="superseded"),
            user=factories.UserFactory(organisation=org, org_role="admin"),
        )
        publish_listing(people, subjects=["KE"])
    assert count_queries(f"/api/v1/{name}?limit=200") == small
