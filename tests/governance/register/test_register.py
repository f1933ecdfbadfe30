"""The public decision register and its feeds."""

import csv
import io
import xml.dom.minidom
from datetime import timedelta

import pytest

from tests import factories


def test_only_decisions_with_approved_minutes_are_listed(client, decisions):
    html = client.get("/register").get_data(as_text=True)
    assert decisions["public"].reference in html and decisions["confidential"].reference in html
    assert "Keskeneräinen budjetti" not in html
    assert client.get(f"/register/{decisions['unapproved'].slug}").status_code == 404


def test_confidential_text_and_hidden_personal_data_never_leak(client, decisions):
    for path in (
        "/register",
        f"/register/{decisions['confidential'].slug}",
        "/register/feed.atom",
        "/register/decisions.csv",
        f"/register/cases/{decisions['confidential'].case.record_number}",
    ):
        body = client.get(path).get_data(as_text=True)
        assert "Salainen perustelu" not in body, path
        assert "Maija Meikäläinen" not in body, path
    page = client.get(f"/register/{decisions['confidential'].slug}").get_data(as_text=True)
    assert "Palveluntarjoajan sopimuksen päättäminen" in page and "JulkL 24 § 1 (20)" in page
    assert "[nimi poistettu]" in client.get(f"/register/{decisions['personal'].slug}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=pelisäännöt", "public"),
        ("?q=yksimielisesti", "public"),
        ("?body=JT&q=asiantuntijaksi", "personal"),
        ("?kind=rules_adoption", "public"),
        ("?level=tactical&resolution=approved", "personal"),
    ],
)
def test_filters_and_full_text_search(client, decisions, query, expected):
    html = client.get(f"/register{query}").get_data(as_text=True)
    assert decisions[expected].reference in html
    others = [
        d
        for key, d in decisions.items()
        if key not in (expected, "unapproved") and not (query.startswith("?level=tactical") and key == "confidential")
    ]
    if query.startswith(("?q=", "?kind")):
        assert all(d.reference not in html for d in others)


def test_search_never_finds_confidential_text(client, decisions):
    """A search tells nothing of what the register does not show: a word only in a confidential
    decision's text finds nothing (not even the decision's public title), nor does a name only in a
    text whose personal data is hidden; the titles and the redacted text are found."""
    confidential, personal = decisions["confidential"], decisions["personal"]
    for path in ("/register?q={}", "/api/v1/decisions?q={}"):
        for word in ("liikesalaisuuksista", "perustelu liikesalaisuuksista", "Meikäläinen", "Maija"):
            text = client.get(path.format(word)).get_data(as_text=True)
            assert confidential.reference not in text and personal.reference not in text, (path, word)
            assert "Salainen perustelu" not in text and "Nimitetään Maija" not in text
        assert confidential.reference in client.get(path.format("sopimuksen päättäminen")).get_data(as_text=True)
        assert personal.reference in client.get(path.format("poistettu")).get_data(as_text=True)


def test_hostile_search_input_is_harmless(client, decisions):
    for q in ['"', "AND OR NOT", "*", "pelisäännöt) OR (", "'; DROP TABLE decisions; --", "ä" * 300]:
        assert client.get("/register", query_string={"q": q}).status_code == 200


def test_case_page_shows_the_history(client, decisions):
    case = decisions["public"].case
    html = client.get(f"/register/cases/{case.record_number}").get_data(as_text=True)
    assert decisions["public"].reference in html


def test_atom_feed_is_valid_xml_per_body_too(client, decisions):
    document = xml.dom.minidom.parseString(client.get("/register/feed.atom").data)
    entries = document.getElementsByTagName("entry")
    assert len(entries) == 3
    per_body = xml.dom.minidom.parseString(client.get("/register/feed/OR.atom").data)
    assert len(per_body.getElementsByTagName("entry")) == 1
    assert client.get("/register/feed/XX.atom").status_code == 404


def test_csv_follows_the_filters(client, decisions):
    response = client.get("/register/decisions.csv?body=OR")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == [decisions["public"].reference]


def test_demo_decisions_are_findable_in_finnish(app, runner, client):
    runner.invoke(args=["demo", "load"])
    html = client.get("/register?q=pelisääntöjen").get_data(as_text=True)
    assert "OR 1/2026 § 3" in html and "OR 2/2026 § 1" in html


@pytest.mark.parametrize("q", ["strategia", "strategian", "STRATEG", "ekosysteemin strategia"])
def test_a_word_finds_its_inflected_forms(app, runner, client, q):
    """The Finnish stemmer reduces "strategia" and "strategian" differently; both must find the title."""
    decision = factories.DecisionFactory(
        title="Ekosysteemin strategian päivitys", item__meeting__status="minutes_approved"
    )
    assert decision.effective_at is not None
    assert decision.reference in client.get("/register", query_string={"q": q}).get_data(as_text=True)
    assert decision.reference not in client.get("/register", query_string={"q": "budjetti"}).get_data(as_text=True)


def test_secretary_marks_personal_data_to_hide_after_the_appeal_period(app, people):
    from datetime import datetime

    from app.clock import HELSINKI
    from governance.steering import services
    from governance.steering.models import Resolution

    body = factories.BodyFactory(code="T-09", level="operational", mandate=["operational"])
    seat = factories.MembershipFactory(body=body, user=people["buyer"])
    secretary = people["coordinator"]
    with app.test_request_context():
        meeting = services.create_meeting(secretary, body, 1, datetime(2026, 3, 2, 10, tzinfo=HELSINKI), "", "")
        case = services.create_case(secretary, body, "Nimeäminen", False, "")
        item = services.add_item(secretary, meeting, case, "operational", "", None)
        services.publish_agenda(secretary, meeting)
        services.start_session(secretary, meeting)
        services.record_attendance(secretary, meeting, {seat.id}, {})
        decision = services.decide(
            secretary, item, Resolution.APPROVED, "Nimetään Matti Virtanen.", None, "Nimetään [nimi poistettu]."
        )
    assert decision.personal_data_hidden_from == decision.decided_on + timedelta(days=30)
    assert decision.public_text(decision.decided_on) == "Nimetään Matti Virtanen."
    assert decision.public_text(decision.decided_on + timedelta(days=30)) == "Nimetään [nimi poistettu]."


def test_register_page_runs_a_bounded_number_of_queries(decisions, count_queries):
    small = count_queries("/register?level=tactical")
    for _ in range(5):
        factories.DecisionFactory(item__meeting__body=decisions["confidential"].body)
    assert count_queries("/register?level=tactical") == small
