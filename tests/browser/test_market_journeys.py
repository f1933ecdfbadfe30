"""The marketplace in a real browser, through forms and links only, in Finnish:

- an approved provider creates a listing with two pricing plans and submits it, and the
  coordinator publishes it;
- a municipality buyer searches the catalogue with a keyword and filters, compares three
  services, requests one; another person of the municipality approves; the provider accepts;
  the coordinator records the payment (manual invoicing); the buyer's spend page shows it.

Every page visited passes axe-core's WCAG 2.1 AA checks. Button and label texts are the
app's own Finnish translations, looked up by their English message ids."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from app.extensions import db
from marketplace.catalogue import services as catalogue
from marketplace.catalogue import vocab
from tests import factories
from tests.browser.support import fi, sign_in


def label(vocabulary: dict, value: str) -> str:
    with force_locale("fi"):
        return str(vocabulary[value])


def person(new_context, site: str, email: str) -> Page:
    """Another person, in a browser context of their own, signed in."""
    page = new_context().new_page()
    page.set_default_timeout(10_000)
    sign_in(page, site, email)
    return page


def checked(page: Page, axe) -> None:
    assert axe(page) == [], page.url


def test_a_provider_lists_a_service_and_the_coordinator_publishes_it(page: Page, site: str, axe, people, new_context):
    sign_in(page, site, people["provider_admin"].email)
    page.get_by_role("link", name=fi("Our listings")).click()
    checked(page, axe)
    page.get_by_role("link", name=fi("New listing")).click()
    checked(page, axe)
    page.get_by_label(fi("Name of the service")).fill("Tarinatehdas")
    page.get_by_label(fi("Summary in Finnish")).fill("Kirjoittamisen harjoituksia alakoulun oppilaille.")
    page.get_by_label(fi("Description")).fill("Oppilas kirjoittaa tarinoita ja saa palautetta.\n\n- vihjeet")
    page.get_by_label(fi("Category")).select_option("learning_materials")
    page.get_by_label(label(vocab.LEVELS, "grades_1_6")).check()
    page.get_by_label(label(vocab.ROLES, "learner")).check()
    page.get_by_label(label(vocab.STANDARDS, "mpassid")).check()
    page.locator("input[name='accessibility'][value='full']").check()
    page.get_by_label(fi("Accessibility statement (address)")).fill("https://tarinatehdas.example.fi/saavutettavuus")
    page.get_by_label(fi("Where the data is stored")).select_option("finland")
    page.locator("input[name='personal_data'][value='yes']").check()
    page.get_by_label(fi("Privacy notice (address)")).fill("https://tarinatehdas.example.fi/tietosuoja")
    page.get_by_role("button", name=fi("Save"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tarinatehdas")
    checked(page, axe)

    for name, price in (("Oppilaslisenssi", "6,50"), ("Koululisenssi", "450")):
        page.get_by_role("link", name=fi("Add a pricing plan")).click()
        checked(page, axe)
        page.get_by_label(fi("Name of the plan")).fill(name)
        page.get_by_label(fi("Price model")).select_option(
            "per_pupil_year" if name == "Oppilaslisenssi" else "per_school_year"
        )
        page.get_by_label(fi("Unit price in euros, excluding VAT")).fill(price)
        page.get_by_role("button", name=fi("Save plan")).click()
        expect(page.get_by_role("rowheader", name=name, exact=True)).to_be_visible()
    page.get_by_role("button", name=fi("Submit for review")).click()
    expect(page.get_by_text(fi("In review"), exact=True)).to_be_visible()
    checked(page, axe)

    coordinator = person(new_context, site, people["coordinator"].email)
    coordinator.get_by_role("link", name=fi("Listings to review")).click()
    checked(coordinator, axe)
    coordinator.get_by_role("link", name="Tarinatehdas").click()
    checked(coordinator, axe)
    coordinator.get_by_role("button", name=fi("Publish in the catalogue")).click()
    checked(coordinator, axe)

    visitor = new_context().new_page()
    visitor.goto(f"{site}/catalogue")
    visitor.get_by_label(fi("Search words")).fill("tarina")
    visitor.get_by_role("button", name=fi("Search"), exact=True).click()
    visitor.get_by_role("link", name="Tarinatehdas").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Tarinatehdas")
    expect(visitor.get_by_text("Koululisenssi")).to_be_visible()
    checked(visitor, axe)


def _published(
    people, provider: str, name: str, slug: str, levels: list[str], standards: list[str], cents: int = 900
) -> None:
    org = people[provider]
    author = (
        people["provider_admin"]
        if provider == "provider"
        else factories.UserFactory(organisation=org, org_role="admin")
    )
    service = factories.ServiceFactory(
        organisation=org,
        created_by=author,
        name=name,
        slug=slug,
        summary=f"{name}: matematiikan harjoituksia.",
        levels=levels,
        standards=standards,
    )
    factories.PricingPlanFactory(
        service=service, name="Oppilaslisenssi", unit_price_cents=cents, model="per_pupil_year", min_quantity=50
    )
    catalogue.submit(author, service)
    catalogue.publish(people["coordinator"], service)


def test_a_municipality_finds_compares_requests_approves_and_pays(app, page: Page, site: str, axe, people, new_context):
    with app.test_request_context():
        _published(people, "provider", "Matematiikan polku", "matematiikan-polku", ["grades_7_9"], ["mpassid"])
        _published(people, "provider", "Algebrapaja", "algebrapaja", ["grades_7_9"], ["mpassid", "lti13"], 700)
        _published(
            people,
            "other_provider",
            "Geometriatutka",
            "geometriatutka",
            ["grades_7_9", "upper_secondary"],
            ["mpassid"],
            1100,
        )
        _published(people, "other_provider", "Laskuleikki", "laskuleikki", ["grades_1_6"], [])
    db.session.commit()

    # The buyer searches with a keyword and two filters, and compares three services.
    sign_in(page, site, people["buyer"].email)
    page.get_by_role("link", name=fi("Service catalogue"), exact=True).click()
    page.get_by_label(fi("Search words")).fill("matematiikka")
    page.get_by_role("button", name=fi("Search"), exact=True).click()
    page.get_by_role("link", name=re.compile(re.escape(label(vocab.LEVELS, "grades_7_9")))).click()
    page.get_by_role("link", name=re.compile(re.escape(label(vocab.STANDARDS, "mpassid")))).click()
    expect(page.locator("#results-heading")).to_contain_text("3")
    checked(page, axe)
    for name in ("Matematiikan polku", "Algebrapaja", "Geometriatutka"):
        page.get_by_label(fi("Compare %(name)s", name=name)).check()
    page.get_by_role("button", name=fi("Compare selected (at most four)")).click()
    expect(page.get_by_role("columnheader", name="Algebrapaja")).to_be_visible()
    checked(page, axe)

    # ... and requests one of them for 1 200 pupils.
    page.get_by_role("link", name="Matematiikan polku").first.click()
    checked(page, axe)
    page.get_by_role("button", name=re.compile(re.escape(fi("Add to my request")))).click()
    checked(page, axe)
    page.get_by_role("link", name=fi("Change %(name)s", name="Matematiikan polku")).click()
    checked(page, axe)
    page.get_by_label(fi("Quantity")).fill("1200")
    page.get_by_role("button", name=fi("Save the line")).click()
    page.get_by_label(fi("Purpose of the procurement")).fill("Yläkoulujen matematiikka lukuvuonna 2027–2028.")
    page.get_by_label(fi("Cost centre")).fill("4100 Perusopetus")
    page.get_by_role("button", name=fi("Save the details")).click()
    page.get_by_role("button", name=fi("Send for approval")).click()
    expect(page.get_by_text(fi("Waiting for another approver of your municipality."))).to_be_visible()
    checked(page, axe)
    request_heading = page.get_by_role("heading", level=1).inner_text()

    # Another person of the municipality approves.
    approver = person(new_context, site, people["approver"].email)
    approver.get_by_role("link", name=fi("Procurement"), exact=True).click()
    checked(approver, axe)
    approver.get_by_role("link", name=request_heading).first.click()
    approver.get_by_label(fi("Approve"), exact=True).check()
    approver.get_by_label(fi("Comment")).fill("Talousarvion mukainen.")
    approver.get_by_role("button", name=fi("Record the decision")).click()
    expect(
        approver.get_by_text(fi("The request was approved and the orders were sent to the providers."))
    ).to_be_visible()
    checked(approver, axe)

    # The provider accepts the order.
    provider = person(new_context, site, people["provider_user"].email)
    provider.get_by_role("link", name=fi("Orders"), exact=True).click()
    checked(provider, axe)
    provider.get_by_role("link", name=re.compile(r"PO-\d{4}-\d{6}")).click()
    checked(provider, axe)
    provider.get_by_label(fi("Accept the order")).check()
    provider.get_by_role("button", name=fi("Send the answer")).click()
    expect(provider.get_by_text(fi("The order was accepted and is now in force for its term."))).to_be_visible()
    checked(provider, axe)

    # The coordinator records the payment of the manually invoiced order.
    coordinator = person(new_context, site, people["coordinator"].email)
    coordinator.get_by_role("link", name=fi("Orders"), exact=True).click()
    checked(coordinator, axe)
    coordinator.get_by_role("link", name=re.compile(r"PO-\d{4}-\d{6}")).click()
    coordinator.get_by_label(fi("Payment note")).fill("Maksettu 15.9.2027, arkistotunnus 123")
    coordinator.get_by_role("button", name=fi("Mark paid")).click()
    expect(coordinator.get_by_text(fi("The order was marked paid."))).to_be_visible()
    checked(coordinator, axe)

    page.get_by_role("link", name=fi("Procurement"), exact=True).click()
    page.get_by_role("link", name=fi("Spend"), exact=True).click()
    expect(page.get_by_role("rowheader", name="Matematiikan polku")).to_be_visible()
    checked(page, axe)


def test_a_visitor_reads_the_catalogue_and_register_in_swedish_and_english(page: Page, site: str, axe):
    page.goto(f"{site}/catalogue")
    for code, name in (("sv", "svenska"), ("en", "English")):
        page.get_by_role("button", name=name).click()
        expect(page.locator("html")).to_have_attribute("lang", code)
        with force_locale(code):
            heading, register = gettext("Service catalogue"), gettext("Decision register")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert axe(page) == [], (code, page.url)
        page.get_by_role("link", name=register, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(register)
        assert axe(page) == [], (code, page.url)
        page.goto(f"{site}/catalogue")
