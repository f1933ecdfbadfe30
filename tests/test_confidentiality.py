"""Confidentiality matrix: confidential text reaches only those entitled to it.

Marker words are planted in every confidential field of the access matrix's objects: a
confidential case's proposal, decision text and its redacted form, the counter-proposal of its
vote, a recusal's reason, a dissent, its attachment, the whole minutes of its meeting; a
non-public attachment of a public case; a meeting's remote link; the draft minutes of another
meeting; an application's attachment and an internal review comment. Then every GET route of the
app (the matrix's URL for it, plus the pages of the confidential objects, plus every same-site link
found on the pages a person reaches) is requested as every kind of user and anonymously: a marker
may appear only in the answers to those entitled to it. The mail queued meanwhile is read the same
way, by recipient; and a search of the public register for a marker finds nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa

from app.extensions import db, utcnow
from app.mail import OutboxMessage
from governance.steering import services as steering
from tests import factories, figures
from tests.matrix import MATRIX, ROLES

BODY_PEOPLE = frozenset({"secretary", "body_member", "coordinator"})  # members of JT and coordinator staff
COORDINATOR = frozenset({"coordinator"})

#: marker -> who may read it
MARKERS: dict[str, frozenset[str]] = {
    "zqproposalzq": BODY_PEOPLE,
    "zqdecisionzq": BODY_PEOPLE,
    "zqredactedzq": BODY_PEOPLE,
    "zqcounterzq": BODY_PEOPLE,
    "zqrecusalzq": BODY_PEOPLE,
    "zqdissentzq": BODY_PEOPLE,
    "zqattachmentzq": BODY_PEOPLE,
    "zqprivateattachmentzq": BODY_PEOPLE,
    "zqremotezq": BODY_PEOPLE,
    "zqdraftminuteszq": BODY_PEOPLE,
    "zqdraftpubliczq": BODY_PEOPLE,
    "zqapplicationfilezq": COORDINATOR,
    "zqreviewnotezq": COORDINATOR,
}
SKIP_PATHS = re.compile(r"^/(static/|logout|language)")
CRAWL_LIMIT = 150  # same-site links followed per kind of user, beyond the matrix's URLs


def _pdf(marker: str) -> bytes:
    return f"%PDF-1.4\n1 0 obj<< /Title ({marker}) >>endobj\ntrailer<<>>\n%%EOF\n".encode()


@pytest.fixture()
def secrets(app, objects):
    """The matrix's objects with markers in every confidential field; extra URLs to read."""
    o = objects
    body = o["body"]
    decision = o["decision"]
    item, meeting, case = decision.item, decision.item.meeting, decision.case
    case.confidential, case.legal_basis = True, "JulkL 24 § 1 mom. 20 k"
    item.proposal = "Ehdotetaan zqproposalzq."
    decision.text = "Päätettiin zqdecisionzq."
    decision.redacted_text = "Päätettiin zqredactedzq."
    members = {m.user_id: m for m in body.memberships}
    member = members[o["body_member"].id]
    chair = factories.MembershipFactory(body=body, role="chair")
    for seat in (member, chair):
        factories.AttendanceFactory(meeting=meeting, membership=seat, present=True)
    factories.RecusalFactory(item=item, membership=member, reason="Omistaa zqrecusalzq osakkeita.")
    vote = factories.VoteRoundFactory(
        item=item, counter_proposal="Hylätään zqcounterzq.", mover=chair, seconder=member, closed_at=utcnow()
    )
    factories.BallotFactory(round=vote, membership=chair, choice="proposal")
    factories.DissentFactory(decision=decision, membership=member, text="Vastustan zqdissentzq.")
    attachment = factories.ItemAttachmentFactory(
        item=item, title="Selvitys", public=True, file=factories.StoredFileFactory(data=_pdf("zqattachmentzq"))
    )
    private = o["item_attachment"]
    private.public = False
    private.file.data = _pdf("zqprivateattachmentzq")
    private.file.size = len(private.file.data)
    o["meeting"].remote_link = "https://meet.example.fi/zqremotezq"
    db.session.flush()
    with app.test_request_context():
        minutes = o["minutes"]
        minutes.body = steering.generate_minutes_text(meeting)
        minutes.public_body = steering.generate_minutes_text(meeting, public=True)
    assert "zqproposalzq" in minutes.body and "zqrecusalzq" in minutes.body, "the whole minutes hold the case"
    assert "zqproposalzq" not in minutes.public_body
    # The decision's meeting is over and its minutes approved: the decision is in the public register.
    meeting.status = "minutes_approved"
    minutes.checker1_approved_at = minutes.checker2_approved_at = utcnow()
    minutes.chair_signed_at = minutes.secretary_signed_at = utcnow()
    decision.effective_at = utcnow()
    # Another meeting whose minutes are still a draft: not public at all, not even its public version.
    draft_meeting = factories.MeetingFactory(body=body, status="held", starts_at=meeting.starts_at - timedelta(days=30))
    factories.MinutesFactory(
        meeting=draft_meeting, body="Luonnos zqdraftminuteszq.", public_body="Julkinen luonnos zqdraftpubliczq."
    )
    # Onboarding: an application's attachment and an internal review comment are for the coordinator.
    o["attachment"].file.data = _pdf("zqapplicationfilezq")
    factories.ApplicationCommentFactory(
        application=o["application"],
        author=o["coordinator"],
        body="Sisäinen zqreviewnotezq.",
        visible_to_applicant=False,
    )
    db.session.commit()
    extra = [
        f"/meetings/{meeting.id}",
        f"/meetings/{meeting.id}/minutes",
        f"/meetings/{meeting.id}/minutes?version=public",
        f"/meetings/{meeting.id}/minutes?version=internal",
        f"/meetings/{draft_meeting.id}/minutes",
        f"/meetings/{draft_meeting.id}/minutes?version=public",
        f"/items/{item.id}",
        f"/items/{item.id}/attachments/{attachment.id}",
        f"/cases/{case.record_number}",
        f"/register/{decision.slug}",
        f"/register/cases/{case.record_number}",
        "/register/feed.atom",
        "/register/decisions.csv",
        f"/register?case={case.record_number}",
        "/api/v1/decisions",
        "/api/v1/cases",
        "/api/v1/meetings",
        f"/api/v1/decisions?case={case.record_number}",
        f"/bodies/{body.code}",
        "/dashboards/governance",
        f"/admin/applications/{o['application'].id}",
    ]
    return {"objects": o, "extra": extra, "decision": decision}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "link"):
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def _same_site_links(base: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.links:
        parts = urlsplit(urljoin("http://localhost" + base, href))
        if parts.netloc not in ("localhost", "") or SKIP_PATHS.match(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _leaks(body: bytes, role: str) -> list[str]:
    return [marker for marker, entitled in MARKERS.items() if role not in entitled and marker.encode() in body]


def test_confidential_text_reaches_only_those_entitled(app, secrets, login_as, people):
    o = secrets["objects"]
    start = [MATRIX[e].url(o) for e in sorted(MATRIX) if MATRIX[e].method == "GET"] + secrets["extra"]
    leaks: list[str] = []
    requests = 0
    seen_by_entitled: set[str] = set()
    for role in ROLES:
        client = login_as(None if role == "anonymous" else role)
        queue, visited, crawled = list(start), set(), 0
        while queue:
            url = queue.pop(0)
            if url in visited:
                continue
            visited.add(url)
            response = client.get(url)
            requests += 1
            assert response.status_code < 500, f"{url} as {role}: {response.status_code}"
            body = response.get_data()
            leaks += [f"{marker} in {url} as {role}" for marker in _leaks(body, role)]
            seen_by_entitled |= {m for m, entitled in MARKERS.items() if role in entitled and m.encode() in body}
            if "html" in response.content_type and crawled < CRAWL_LIMIT:
                for link in _same_site_links(url, body.decode("utf-8", "replace")):
                    if link not in visited and crawled < CRAWL_LIMIT:
                        queue.append(link)
                        crawled += 1
    # Mail: everything queued while setting up and while these people went around.
    recipients = {person.email: key for key, person in people.items() if hasattr(person, "email")}
    mails = list(db.session.scalars(sa.select(OutboxMessage)))
    for mail in mails:
        role = recipients.get(mail.recipient, "anonymous")
        leaks += [
            f"{marker} in mail '{mail.subject}' to {mail.recipient}"
            for marker in _leaks((mail.subject + mail.body).encode(), role)
        ]
    figures.count(
        "confidentiality", "requests (every GET route and the pages it links to, by every kind of user)", requests
    )
    figures.note("confidentiality", "kinds of user (with anonymous)", len(ROLES))
    figures.note("confidentiality", "GET routes", sum(1 for r in MATRIX.values() if r.method == "GET"))
    figures.note("confidentiality", "confidential fields planted", len(MARKERS))
    figures.count("confidentiality", "queued mails read", len(mails))
    figures.note("confidentiality", "leaks found", len(leaks))
    print(f"{requests} requests, {len(mails)} mails")
    assert not leaks, "\n".join(leaks[:40])
    # The matrix is only worth something if those entitled do see the text somewhere.
    shown = set(MARKERS) - {"zqredactedzq"}  # the redacted text of a confidential case is shown to no one
    assert seen_by_entitled >= shown, f"never shown to anyone: {shown - seen_by_entitled}"


@pytest.mark.parametrize("role", ["anonymous", "provider_user", "other_body_member", "body_member", "coordinator"])
def test_searching_the_register_for_confidential_words_finds_nothing(secrets, login_as, role):
    """The register is public: whoever searches it, a word of a confidential text finds no decision."""
    client = login_as(None if role == "anonymous" else role)
    reference = secrets["decision"].reference
    for marker in ("zqproposalzq", "zqdecisionzq", "zqredactedzq", "zqdissentzq"):
        for url in (
            f"/register?q={marker}",
            f"/api/v1/decisions?q={marker}",
            f"/register/decisions.csv?q={marker}",
        ):
            assert reference not in client.get(url).get_data(as_text=True), (url, role)
    title = secrets["decision"].title.split()[0]
    assert reference in client.get(f"/register?q={title}").get_data(as_text=True), "the public title is found"
