"""Core pages in a real browser: a person signs in through the form, switches
language with the header buttons, and every page visited passes axe-core's
WCAG 2.1 AA checks."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.support import sign_in


def test_public_pages_are_accessible(page: Page, site: str, axe):
    for path in ("/", "/login", "/signup", "/password/forgot", "/ei-ole-sivua"):
        page.goto(f"{site}{path}")
        expect(page.locator("html")).to_have_attribute("lang", "fi")
        assert axe(page) == [], path


def test_form_errors_are_announced_and_accessible(page: Page, site: str, axe):
    page.goto(f"{site}/signup")
    page.get_by_role("button", name="Luo käyttäjätili").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Anna sähköpostiosoitteesi.")
    assert axe(page) == []


def test_sign_in_switch_language_and_visit_own_pages(page: Page, site: str, axe, people):
    sign_in(page, site, people["municipality_admin"].email)
    for path in ("/profile", "/organisation", "/profile/password"):
        page.goto(f"{site}{path}")
        assert axe(page) == [], path
    page.get_by_role("button", name="svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("link", name="Startsida")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")


def test_coordinator_pages_are_accessible(page: Page, site: str, axe, people):
    sign_in(page, site, people["coordinator"].email)
    for path in (
        "/admin/audit",
        "/admin/organisations",
        "/admin/organisations/new",
        f"/admin/organisations/{people['municipality'].id}",
    ):
        page.goto(f"{site}{path}")
        assert axe(page) == [], path


def test_newcomer_start_page_is_accessible(page: Page, site: str, axe, people):
    sign_in(page, site, people["no_org"].email)
    page.goto(f"{site}/organisation/start")
    assert axe(page) == []
