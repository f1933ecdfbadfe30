"""The service catalogue: the listing lifecycle, what the public sees, search,
facet counts, the neutral order, comparison and screenshots."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.audit import AuditEvent
from app.clock import helsinki_today
from app.extensions import db
from app.mail import OutboxMessage
from marketplace.catalogue import search, services
from marketplace.catalogue.models import CatalogueEntry, Service, ServiceRevision
from tests import factories
from tests.support.catalogue import listing, published

_NAMES = re.compile(r'<h3><a href="/catalogue/([a-z0-9-]+)">')


def names_in(html: str) -> list[str]:
    """The slugs of the results, in the order shown."""
    return _NAMES.findall(html)


def fields_of(html: str, name: str) -> str:
    match = re.search(rf'<section class="facet" aria-labelledby="facet-{name}">(.*?)</section>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))) if match else ""


@pytest.fixture()
def english(people):
    """Everyone reads the pages in English (the messages the tests look for)."""
    for person in people.values():
        if hasattr(person, "locale"):
            person.locale = "en"
    db.session.commit()


# --- the lifecycle through the web pages -------------------------------------------------------------

LISTING_FORM = {
    "name": "Murtolukupaja",
    "summary": "Murtoluvut ja prosentit harjoituksin 7.–9. luokille.",
    "summary_sv": "Bråk och procent för årskurs 7–9.",
    "summary_en": "",
    "description": "## Ominaisuudet\n\n- automaattinen palaute\n<script>alert(1)</script>",
    "category": "learning_materials",
    "levels": ["grades_7_9"],
    "roles": ["teacher", "learner"],
    "subjects": ["MA"],
    "languages": ["fi", "sv"],
    "standards": ["mpassid", "lti13"],
    "accessibility": "full",
    "accessibility_statement_url": "https://murtoluku.example.fi/saavutettavuus",
    "hosting": "finland",
    "personal_data": "yes",
    "support_url": "https://murtoluku.example.fi/tuki",
    "privacy_url": "https://murtoluku.example.fi/tietosuoja",
}


def test_a_listing_goes_through_review_before_the_public_sees_it(app, people, english, login_as):
    provider = login_as("provider_user")
    response = provider.post_form("/listings/new", LISTING_FORM)
    assert response.status_code == 302
    service = db.session.scalar(sa.select(Service).where(Service.name == "Murtolukupaja"))
    assert service.status == "draft" and service.slug == "murtolukupaja"

    # Submitting without a plan is refused with a reason.
    provider.post_form(f"/listings/{service.id}/submit")
    assert service.status == "draft"
    page = provider.get(f"/listings/{service.id}").get_data(as_text=True)
    assert "Add at least one pricing plan before submitting." in page

    # Prices are typed the Finnish way; the VAT rate defaults to 25.5 %.
    form = provider.get(f"/listings/{service.id}/plans/new").get_data(as_text=True)
    assert 'value="25.5"' in form or 'value="25,5"' in form
    response = provider.post_form(
        f"/listings/{service.id}/plans/new",
        {
            "name": "Oppilaslisenssi",
            "model": "per_pupil_year",
            "unit_price": "12,50",
            "vat_rate": "25,5",
            "min_quantity": "20",
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert [(p.unit_price_cents, p.vat_rate_bp, p.min_quantity) for p in service.plans] == [(1250, 2550, 20)]

    assert provider.post_form(f"/listings/{service.id}/submit").status_code == 302
    assert service.status == "in_review"
    assert provider.get("/catalogue/murtolukupaja").status_code == 404
    assert "Murtolukupaja" not in provider.get("/catalogue").get_data(as_text=True)
    assert db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == "coord@example.com"))

    coordinator = login_as("coordinator")
    assert "Murtolukupaja" in coordinator.get("/admin/listings").get_data(as_text=True)
    assert coordinator.post_form(f"/admin/listings/{service.id}/publish", {"comment": ""}).status_code == 302
    assert service.status == "published" and service.published_version == 1

    public = login_as(None).get("/catalogue/murtolukupaja").get_data(as_text=True)
    assert "Murtolukupaja" in public and "<script>" not in public
    assert "12,50" in public and "15,69" in public  # 12.50 € + 25.5 % VAT = 15.6875 → 15.69 €
    assert "Oppimisen Polku Oy" in public
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("listing.%"))))
    assert {"listing.created", "listing.plan_saved", "listing.submitted", "listing.published"} <= actions


def test_an_edit_to_a_published_listing_is_reviewed_while_the_old_version_stays_visible(app, people, login_as):
    service = published(app, people, name="Yhtälöpaja", slug="yhtalopaja", summary="Yhtälöt vaihe vaiheelta.")
    provider = login_as("provider_admin")
    data = {
        **LISTING_FORM,
        "name": "Yhtälöpaja",
        "summary": "Yhtälöt ja epäyhtälöt vaihe vaiheelta.",
        "standards": ["mpassid", "oneroster12"],
    }
    assert provider.post_form(f"/listings/{service.id}/edit", data).status_code == 302
    assert service.status == "draft" and service.published_version == 1
    anonymous = login_as(None)
    assert "Yhtälöt vaihe vaiheelta." in anonymous.get("/catalogue/yhtalopaja").get_data(as_text=True)
    assert "epäyhtälöt" not in anonymous.get("/catalogue/yhtalopaja").get_data(as_text=True)

    provider.post_form(f"/listings/{service.id}/submit")
    review = login_as("coordinator").get(f"/admin/listings/{service.id}").get_data(as_text=True)
    assert "<ins>" in review and "epäyhtälöt" in review  # the changed words are marked
    assert "OneRoster 1.2" in review
    login_as("coordinator").post_form(f"/admin/listings/{service.id}/publish", {"comment": "Hyvä."})

    page = anonymous.get("/catalogue/yhtalopaja").get_data(as_text=True)
    assert "Yhtälöt ja epäyhtälöt vaihe vaiheelta." in page and "OneRoster 1.2" in page
    numbers = db.session.scalars(sa.select(ServiceRevision.number).where(ServiceRevision.service_id == service.id))
    assert sorted(numbers) == [1, 2]
    assert (
        db.session.get(
            ServiceRevision, db.session.scalar(sa.select(ServiceRevision.id).where(ServiceRevision.number == 1))
        ).snapshot["summary"]
        == "Yhtälöt vaihe vaiheelta."
    )


def test_returning_needs_a_comment_that_the_provider_sees(app, people, login_as):
    service = listing(people, name="Lukupolku")
    with app.test_request_context():
        services.submit(people["provider_admin"], service)
    db.session.commit()
    coordinator = login_as("coordinator")
    response = coordinator.post_form(f"/admin/listings/{service.id}/return", {"comment": "  "})
    assert response.status_code == 400 and service.status == "in_review"
    coordinator.post_form(f"/admin/listings/{service.id}/return", {"comment": "Lisää saavutettavuusseloste."})
    assert service.status == "returned"
    page = login_as("provider_user").get(f"/listings/{service.id}").get_data(as_text=True)
    assert "Lisää saavutettavuusseloste." in page
    mail = db.session.scalar(
        sa.select(OutboxMessage)
        .where(OutboxMessage.recipient == "padmin@example.com")
        .order_by(OutboxMessage.id.desc())
    )
    assert "Lisää saavutettavuusseloste." in mail.body


def test_withdrawing_removes_the_listing_from_the_catalogue_at_once(app, people, login_as):
    service = published(app, people, name="Karttakone", slug="karttakone")
    assert login_as(None).get("/catalogue/karttakone").status_code == 200
    login_as("provider_user").post_form(f"/listings/{service.id}/withdraw", {"reason": "Tuote lopetetaan."})
    assert service.status == "withdrawn"
    assert login_as(None).get("/catalogue/karttakone").status_code == 404
    assert db.session.get(CatalogueEntry, service.id) is None


def test_a_listing_in_review_cannot_be_edited(app, people, login_as):
    service = listing(people, name="Sanasampo")
    with app.test_request_context():
        services.submit(people["provider_admin"], service)
    db.session.commit()
    provider = login_as("provider_admin")
    provider.post_form(f"/listings/{service.id}/edit", {**LISTING_FORM, "name": "Sanasampo Pro"})
    assert service.name == "Sanasampo"


def test_other_providers_cannot_touch_a_listing(app, people, login_as):
    service = listing(people, name="Oma palvelu")
    other = factories.UserFactory(organisation=people["other_provider"], org_role="admin")
    client = login_as(None)
    client.login(other.email)
    assert client.get(f"/listings/{service.id}/edit").status_code == 403
    assert client.post_form(f"/listings/{service.id}/submit").status_code == 403
    assert service.status == "draft"


@pytest.mark.parametrize(
    ("price", "model", "message"),
    [
        ("0", "per_pupil_year", "above zero"),
        ("abc", "per_pupil_year", "Enter a number"),
        ("-5", "per_pupil_year", "between 0"),
        ("12,345", "per_pupil_year", "two decimals"),
    ],
)
def test_bad_prices_are_refused_with_a_reason(app, people, english, login_as, price, model, message):
    service = listing(people, plans=())
    provider = login_as("provider_admin")
    response = provider.post_form(
        f"/listings/{service.id}/plans/new",
        {"name": "Lisenssi", "model": model, "unit_price": price, "vat_rate": "25,5", "min_quantity": "1"},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert service.plans == []


def test_a_free_plan_costs_nothing(app, people, login_as):
    service = listing(people, plans=())
    login_as("provider_admin").post_form(
        f"/listings/{service.id}/plans/new",
        {"name": "Maksuton", "model": "free", "unit_price": "0", "vat_rate": "25,5", "min_quantity": "1"},
    )
    assert [(p.model, p.unit_price_cents) for p in service.plans] == [("free", 0)]


# --- visibility ----------------------------------------------------------------------------------------


def test_drafts_suspended_providers_and_missing_rules_acceptance_are_not_shown(app, people, client):
    shown = published(app, people, name="Näkyvä", slug="nakyva")
    listing(people, name="Luonnos", slug="luonnos")
    published(app, people, "other_provider", name="Toisen palvelu", slug="toisen-palvelu")
    html = client.get("/catalogue").get_data(as_text=True)
    assert set(names_in(html)) == {"nakyva", "toisen-palvelu"}

    people["other_provider"].status = "suspended"
    db.session.commit()
    assert names_in(client.get("/catalogue").get_data(as_text=True)) == ["nakyva"]
    assert client.get("/catalogue/toisen-palvelu").status_code == 404

    # Rules come into force: only providers that accepted them stay.
    version = factories.RulesVersionFactory(in_force=True, reacceptance_deadline=None)
    assert names_in(client.get("/catalogue").get_data(as_text=True)) == []
    factories.RulesAcceptanceFactory(version=version, organisation=shown.organisation, user=people["provider_admin"])
    assert names_in(client.get("/catalogue").get_data(as_text=True)) == ["nakyva"]


def test_listings_disappear_after_the_reacceptance_deadline(app, people, client):
    published(app, people, name="Määräaika", slug="maaraaika")
    old = factories.RulesVersionFactory(label="1.0", status="superseded")
    factories.RulesAcceptanceFactory(version=old, organisation=people["provider"], user=people["provider_admin"])
    factories.RulesVersionFactory(
        label="2.0", in_force=True, reacceptance_deadline=helsinki_today() + timedelta(days=10)
    )
    assert names_in(client.get("/catalogue").get_data(as_text=True)) == ["maaraaika"]
    assert search.search(search.CatalogueQuery(), today=helsinki_today() + timedelta(days=11)).total == 0


# --- search --------------------------------------------------------------------------------------------


@pytest.fixture()
def maths(app, people):
    published(
        app,
        people,
        name="Matematiikan polku",
        slug="matematiikan-polku",
        summary="Matematiikka yläkouluun: yhtälöt ja funktiot.",
        levels=["grades_7_9"],
        standards=["mpassid"],
    )
    published(
        app,
        people,
        name="Laskutaito",
        slug="laskutaito",
        summary="Peruslaskutoimitukset alakouluun.",
        description="Harjoittele matematiikkaa pelaten.",
        levels=["grades_1_6"],
        standards=[],
    )
    published(
        app,
        people,
        name="Kemian labra",
        slug="kemian-labra",
        summary="Virtuaalinen kemian laboratorio.",
        subjects=["KE"],
        levels=["grades_7_9", "upper_secondary"],
        standards=["lti13"],
    )
    published(
        app,
        people,
        "other_provider",
        name="Opettajan työpöytä",
        slug="opettajan-tyopoyta",
        summary="Opettajille kokeiden laatimiseen.",
        category="assessment",
        subjects=[],
        levels=["grades_7_9"],
        standards=["mpassid", "oneroster12"],
    )


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("matematiikka", {"matematiikan-polku", "laskutaito"}),
        ("matem", {"matematiikan-polku", "laskutaito"}),  # the beginning of a word
        ("matematiikan", {"matematiikan-polku", "laskutaito"}),  # an inflected form
        ("MATEMATIIKKA yläkoulu", {"matematiikan-polku"}),  # every word must match
        ("kemia", {"kemian-labra"}),
        ("opettaja", {"opettajan-tyopoyta"}),
        ("Oppimisen Polku", {"matematiikan-polku", "laskutaito", "kemian-labra"}),  # the provider's name
        ("biologia", set()),
    ],
)
def test_keyword_search_in_finnish(client, maths, q, expected):
    assert set(names_in(client.get("/catalogue", query_string={"q": q}).get_data(as_text=True))) == expected


@pytest.mark.parametrize("q", ['"', "*", "OR", "NEAR(", "a' OR 1=1 --", "x" * 200, "ä:*&|!", "-", "\\"])
def test_hostile_search_input_is_harmless(client, maths, q):
    assert client.get("/catalogue", query_string={"q": q}).status_code == 200


def test_relevance_puts_name_matches_first(client, maths):
    assert names_in(client.get("/catalogue?q=matematiikka").get_data(as_text=True))[0] == "matematiikan-polku"


def test_the_demo_scenario(app, runner, client):
    """Searching "matematiikka" with grades 7-9 and MPASSid, as a new user would."""
    runner.invoke(args=["demo", "load"])
    html = client.get("/catalogue?q=matematiikka&level=grades_7_9&standard=mpassid").get_data(as_text=True)
    assert set(names_in(html)) == {"matikkamestari", "laskukoe", "geometriapaja"}
    assert "3 palvelua" in html or "3 services" in html
    # The level counts ignore the level filter itself: grades 1-6 would add its own services.
    levels = fields_of(html, "level")
    assert "(3)" in levels
    # The demo has a provider's edit of a published listing waiting for review.
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Service.id)).where(
                Service.status == "in_review", Service.published_version.is_not(None)
            )
        )
        == 1
    )


# --- facets ---------------------------------------------------------------------------------------------

VOCAB = {
    "level": ["pre_primary", "grades_1_6", "grades_7_9", "upper_secondary"],
    "standard": ["mpassid", "lti13", "oneroster12"],
    "language": ["fi", "sv", "se"],
}


@pytest.fixture()
def grid(app, people):
    """Twelve listings over a grid of levels, standards, languages and categories."""
    made = []
    combos = itertools.product(VOCAB["level"], [["mpassid"], ["lti13", "oneroster12"], []])
    for n, (level, standards) in enumerate(combos):
        languages = ["fi", "sv"] if n % 2 else ["fi"]
        if n % 5 == 0:
            languages = ["se", "fi"]
        category = ("learning_materials", "assessment", "wellbeing")[n % 3]
        price = 500 * (n + 1)
        service = published(
            app,
            people,
            "provider" if n % 2 else "other_provider",
            name=f"Palvelu {n:02d}",
            slug=f"grid-{n:02d}",
            levels=[level],
            standards=standards,
            languages=languages,
            category=category,
            plans=((price, "per_pupil_year"),),
        )
        made.append(
            {
                "slug": service.slug,
                "level": {level},
                "standard": set(standards),
                "language": set(languages),
                "category": {category},
                "price": price,
            }
        )
    return made


def expected_counts(made, selected, facet, max_price=None):
    """Brute force: the count of each value of `facet` under every other filter."""

    def passes(item, skip):
        if max_price is not None and item["price"] > max_price:
            return False
        return all(item[f] & set(values) for f, values in selected.items() if f != skip)

    counts: dict[str, int] = {}
    for item in made:
        if passes(item, facet):
            for value in item[facet]:
                counts[value] = counts.get(value, 0) + 1
    return counts


@pytest.mark.parametrize(
    "selected",
    [
        {},
        {"level": ["grades_7_9"]},
        {"level": ["grades_7_9", "upper_secondary"]},
        {"standard": ["mpassid"], "language": ["sv"]},
        {"level": ["grades_1_6"], "standard": ["lti13"], "category": ["assessment", "wellbeing"]},
    ],
)
def test_facet_counts_reflect_the_other_active_filters(grid, selected):
    query = search.CatalogueQuery(selected=selected, max_price_cents=4000)
    results = search.search(query)
    expected_total = [
        item for item in grid if item["price"] <= 4000 and all(item[f] & set(v) for f, v in selected.items())
    ]
    assert results.total == len(expected_total)
    for facet in ("level", "standard", "language", "category"):
        shown = {v.value: v.count for v in next(f for f in results.facets if f.name == facet).values if v.count}
        assert shown == expected_counts(grid, selected, facet, 4000), facet


def test_facet_counts_are_shown_next_to_the_values(client, grid):
    html = client.get("/catalogue?level=grades_7_9").get_data(as_text=True)
    assert len(names_in(html)) == 3
    levels = fields_of(html, "level")
    assert re.search(r"Grades 1–6 \(3\)|Vuosiluokat 1–6 \(3\)|1–6 \(3\)", levels)


def test_sorting_by_price_and_name(client, grid):
    by_price = names_in(client.get("/catalogue?sort=price&per_page=20").get_data(as_text=True))
    assert by_price == [f"grid-{n:02d}" for n in range(12)]
    by_name = names_in(client.get("/catalogue?sort=name&per_page=20").get_data(as_text=True))
    assert by_name == sorted(by_name)


def test_maximum_price_filters_by_the_cheapest_plan(client, grid):
    assert len(names_in(client.get("/catalogue?max_price=15,00").get_data(as_text=True))) == 3
    assert len(names_in(client.get("/catalogue?max_price=15").get_data(as_text=True))) == 3


# --- the neutral order ----------------------------------------------------------------------------------


def test_the_default_order_is_stable_neutral_and_rotates_daily(client, grid):
    first = names_in(client.get("/catalogue?per_page=20").get_data(as_text=True))
    assert first == names_in(client.get("/catalogue?per_page=20").get_data(as_text=True))
    assert first != sorted(first) and first != sorted(first, reverse=True)
    # Pages split one order: nothing lost, nothing repeated.
    pages = names_in(client.get("/catalogue?per_page=10").get_data(as_text=True)) + names_in(
        client.get("/catalogue?per_page=10&page=2").get_data(as_text=True)
    )
    assert pages == first
    # Another day starts the same circle elsewhere, so no listing is always first.
    leaders = {
        search.search(search.CatalogueQuery(), today=date(2026, 1, 1) + timedelta(days=d)).entries[0].slug
        for d in range(20)
    }
    assert len(leaders) > 3
    orders = [[e.slug for e in search.search(search.CatalogueQuery(), today=date(2026, 5, d)).entries] for d in (1, 2)]
    assert sorted(orders[0]) == sorted(orders[1])


# --- compare ---------------------------------------------------------------------------------------------


def test_compare_up_to_four_services_side_by_side(client, grid):
    html = client.get("/catalogue/compare?s=grid-00&s=grid-01&s=grid-02").get_data(as_text=True)
    assert html.count('<th scope="col"><a href="/catalogue/grid-') == 3
    assert "6,28" in html  # grid-00: 5,00 € + 25,5 % VAT = 6,275 → 6,28 €
    five = "&".join(f"s=grid-{n:02d}" for n in range(5))
    html = client.get(f"/catalogue/compare?{five}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html.count('<th scope="col"><a href="/catalogue/grid-') == 4
    assert 'href="/catalogue/grid-04"' not in html and "first four" in html
    assert client.get("/catalogue/compare?s=../etc&s=nonexistent").status_code == 200


# --- screenshots -----------------------------------------------------------------------------------------


def _upload(client, service, data: bytes, name: str = "kuva.png", alt: str = "Tehtävänäkymä"):
    import io

    return client.post_form(
        f"/listings/{service.id}/screenshots",
        {"alt_text": alt, "image": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"just text, not an image", "kuva.png", "not a PNG or JPEG"),
        (factories.png_bytes(fmt="GIF"), "kuva.gif", "not a PNG or JPEG"),
        (factories.png_bytes()[:200], "kuva.png", "could not be read"),
        (factories.png_bytes(40, 40), "pieni.png", "too small"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024 + 10), "iso.png", "larger than 2 MB"),
        (b"", "tyhja.png", "Choose an image"),
    ],
)
def test_screenshots_are_checked_by_content(app, people, english, login_as, data, name, message):
    service = listing(people)
    response = _upload(login_as("provider_user"), service, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert service.screenshots == []


def test_a_screenshot_is_public_only_once_published(app, people, login_as):
    service = listing(people, slug="kuvallinen")
    provider = login_as("provider_user")
    assert _upload(provider, service, factories.png_bytes(fmt="JPEG"), "naytto.jpeg").status_code == 302
    shot = service.screenshots[0]
    assert shot.file.content_type == "image/jpeg" and shot.file.filename == "naytto.jpg"
    own = provider.get(f"/listings/{service.id}/screenshots/{shot.id}")
    assert own.status_code == 200 and own.headers["Content-Type"] == "image/jpeg"
    anonymous = login_as(None)
    assert anonymous.get(f"/catalogue/kuvallinen/screenshots/{shot.file_id}").status_code == 404
    with app.test_request_context():
        services.submit(people["provider_admin"], service)
        services.publish(people["coordinator"], service)
    db.session.commit()
    page = anonymous.get("/catalogue/kuvallinen").get_data(as_text=True)
    assert f'src="/catalogue/kuvallinen/screenshots/{shot.file_id}"' in page and 'alt="Tehtävänäkymä"' in page
    image = anonymous.get(f"/catalogue/kuvallinen/screenshots/{shot.file_id}")
    assert image.status_code == 200 and image.headers["X-Content-Type-Options"] == "nosniff"


# --- bad input and scale ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "text"),
    [
        ("/catalogue?level=grade_13", 200, "grade_13"),
        ("/catalogue?max_price=-1", 200, "negative"),
        ("/catalogue?max_price=paljon", 200, "number of euros"),
        ("/catalogue?max_price=NaN", 200, "number of euros"),
        ("/catalogue?page=999", 200, "does not exist"),
        ("/catalogue?page=-1", 200, "whole number"),
        ("/catalogue?per_page=1000000", 200, "page size"),
        ("/catalogue?sort=random", 200, "sort order"),
        ("/catalogue?provider=x", 200, "number"),
        ("/catalogue/Bad%20Slug!", 404, "no service at this address"),
        ("/catalogue/" + "a" * 200, 404, "no service at this address"),
        ("/catalogue/ei-ole", 404, "not in the catalogue"),
    ],
)
def test_bad_input_gets_a_clear_message(client, grid, url, status, text):
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == status
    assert text in response.get_data(as_text=True)


def test_the_number_of_statements_does_not_grow_with_the_page_size(grid, count_queries):
    count_queries("/catalogue")  # this worker builds its facet index once
    small = count_queries("/catalogue?per_page=10")
    large = count_queries("/catalogue?per_page=100")
    filtered = count_queries("/catalogue?per_page=100&level=grades_7_9&standard=mpassid&language=fi&max_price=50")
    keyword = count_queries("/catalogue?per_page=100&q=palvelu&level=grades_7_9&sort=name")
    assert small == large == filtered
    assert keyword <= small + 2  # the full-text match (and, on SQLite, the names that match)
    assert large <= 8
    page = count_queries("/catalogue/grid-03")
    assert page <= 10


def test_prices_in_swedish_and_english(client, grid):
    sv = client.get("/catalogue/grid-01", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    en = client.get("/catalogue/grid-01", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "10,00" in sv and "12,55" in sv  # 10,00 € + 25,5 % = 12,55 €
    assert "10.00" in en and "12.55" in en


def test_the_provider_page_lists_its_published_services(app, people, client):
    published(app, people, name="Näkyvä palvelu", slug="nakyva-palvelu")
    listing(people, name="Keskeneräinen", slug="keskenerainen")
    html = client.get(f"/providers/{people['provider'].id}").get_data(as_text=True)
    assert 'href="/catalogue/nakyva-palvelu"' in html and "Keskeneräinen" not in html
    assert f"/catalogue?provider={people['provider'].id}" in html


def test_values_without_services_are_shown_with_zero_and_no_link(client, grid):
    html = client.get("/catalogue?language=se").get_data(as_text=True)
    subjects = re.search(r'aria-labelledby="facet-subject">(.*?)</section>', html, re.S).group(1)
    assert "(0)" in subjects and "subject=BI" not in subjects


# --- the in-memory facet index against SQL ------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"level": ["grades_7_9"]},
        {"level": ["grades_1_6", "upper_secondary"], "standard": ["mpassid"]},
        {"q": "palvelu", "language": ["sv"], "category": ["assessment"]},
        {"max_price": "30", "standard": ["lti13", "oneroster12"], "sort": "price"},
        {"sort": "name", "per_page": "10", "page": "2"},
        {"sort": "newest"},
        {"q": "palvelu", "per_page": "10", "page": "2"},
    ],
)
def test_the_facet_index_answers_exactly_as_sql(app, grid, people, args):
    from werkzeug.datastructures import MultiDict

    query, errors = search.parse(
        MultiDict([(k, v) for k, vs in args.items() for v in (vs if isinstance(vs, list) else [vs])])
    )
    assert not errors
    fast, reference = search.search(query), search.search_sql(query)
    assert fast.total == reference.total
    assert [(f.name, [(v.value, v.count) for v in f.values]) for f in fast.facets] == [
        (f.name, [(v.value, v.count) for v in f.values]) for f in reference.facets
    ]
    if query.sort == "relevance" and query.words:
        # The index ranks name matches first, SQL by BM25/ts_rank: the same listings, maybe not the same order.
        everything = search.CatalogueQuery(q=query.q, selected=query.selected, per_page=100)
        assert {e.slug for e in search.search(everything).entries} == {
            e.slug for e in search.search_sql(everything).entries
        }
    else:
        assert [e.slug for e in fast.entries] == [e.slug for e in reference.entries]


def test_the_facet_index_follows_publications_and_suspensions(app, people, client):
    published(app, people, name="Ensimmäinen", slug="ensimmainen", levels=["grades_1_6"])
    assert fields_of(client.get("/catalogue").get_data(as_text=True), "level").count("(1)") == 1
    second = published(app, people, "other_provider", name="Toinen", slug="toinen", levels=["grades_1_6"])
    assert "(2)" in fields_of(client.get("/catalogue").get_data(as_text=True), "level")
    people["other_provider"].status = "suspended"
    db.session.commit()
    assert "(1)" in fields_of(client.get("/catalogue").get_data(as_text=True), "level")
    people["other_provider"].status = "active"
    db.session.commit()
    with app.test_request_context():
        services.withdraw(second.created_by, second)
    db.session.commit()
    html = client.get("/catalogue").get_data(as_text=True)
    assert names_in(html) == ["ensimmainen"] and "(1)" in fields_of(html, "level")


def test_a_remembered_keyword_search_follows_publications(app, people, client):
    """Keyword results are kept as bitmaps of the index; a publication or withdrawal must show at once."""
    published(app, people, name="Geometrian polku", slug="geometrian-polku", levels=["grades_7_9"])
    for _ in range(2):  # the second answer comes from the remembered keyword
        assert names_in(client.get("/catalogue?q=geometria").get_data(as_text=True)) == ["geometrian-polku"]
    second = published(
        app,
        people,
        "other_provider",
        name="Avaruusgeometria",
        slug="avaruusgeometria",
        summary="Geometriaa kolmessa ulottuvuudessa.",
        levels=["upper_secondary"],
    )
    html = client.get("/catalogue?q=geometria").get_data(as_text=True)
    assert set(names_in(html)) == {"geometrian-polku", "avaruusgeometria"}
    assert fields_of(html, "level").count("(1)") == 2  # counts follow too
    with app.test_request_context():
        services.withdraw(second.created_by, second)
    db.session.commit()
    assert names_in(client.get("/catalogue?q=geometria").get_data(as_text=True)) == ["geometrian-polku"]


def test_related_services_from_the_index_match_sql(app, grid):
    from marketplace.catalogue.models import CatalogueEntry as Entry

    with app.test_request_context():
        for entry in db.session.scalars(sa.select(Entry)):
            assert [e.slug for e in search.related(entry)] == [e.slug for e in search.related_sql(entry)]
