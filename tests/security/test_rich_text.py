"""Rich text (Markdown) is free of script wherever it is shown.

Every field shown through app/markdown.render (the `markdown` template filter) gets script stored
through its real form, and every page that shows it is read: no script element, no event handler,
no script URL survives. tests/app/test_security.py checks render() itself with single payloads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from app.extensions import db, utcnow
from app.security import script_tags
from config import BASE_DIR
from tests import factories, figures
from tests.conftest import BrowserLikeClient
from tests.security.cases import LISTING_FORM
from tests.security.checks import login_client


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
