"""The public register in a real browser: a visitor searches in Finnish, filters
by body, opens a decision and the case, and reads the API docs; every page
visited passes axe-core's WCAG 2.1 AA checks."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests import factories


def test_visitor_searches_the_register(page: Page, site: str, axe):
    ohjaus = factories.BodyFactory(code="OR", name="Ohjausryhmä", level="strategic")
    decision = factories.DecisionFactory(
        item__meeting__body=ohjaus,
        item__case__title="Pelisääntöjen hyväksyminen",
        text="Ekosysteemin pelisäännöt hyväksyttiin.",
    )
    factories.DecisionFactory(
        item__meeting__body=ohjaus, item__case__title="Talousarvio 2027", text="Talousarvio hyväksyttiin."
    )
    page.goto(f"{site}/")
    page.get_by_role("link", name="Päätösrekisteri").click()
    assert axe(page) == []
    page.get_by_label("Hakusanat").fill("pelisäännöt")
    page.get_by_label("Toimielin").select_option("OR")
    page.get_by_role("button", name="Hae").click()
    expect(page.get_by_text("1 päätös")).to_be_visible()
    assert axe(page) == []
    page.get_by_role("link", name=decision.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pelisääntöjen hyväksyminen")
    assert axe(page) == []
    page.get_by_role("link", name=decision.case.record_number).click()
    assert axe(page) == []
    page.goto(f"{site}/api/docs")
    expect(page.get_by_text("/api/v1/decisions").first).to_be_visible()
    assert axe(page) == []
