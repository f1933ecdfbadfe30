"""Key forms completed with the keyboard alone: every field is reached with Tab in order,
the focused element is visibly marked, and errors are announced (role=alert) and linked
to their fields (a link in the summary, aria-invalid and aria-describedby on the field)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.support import fi, sign_in
from tests.conftest import TEST_PASSWORD


def tab_to(page: Page, selector: str, limit: int = 80) -> list[str]:
    """Press Tab until the element is focused; returns the ids passed on the way (tab order)."""
    passed: list[str] = []
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return passed
        passed.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    raise AssertionError(f"{selector} was not reached with Tab; passed {passed[-10:]}")


def assert_focus_visible(page: Page) -> None:
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow}; }""")
    assert (style["outline"] != "none" and style["width"] != "0px") or style["shadow"] != "none", style


def test_signing_in_with_the_keyboard(page: Page, site: str, people):
    page.goto(f"{site}/login")
    before = tab_to(page, "#email")
    assert "main-content" not in before  # the skip link and header come first, then the form
    assert_focus_visible(page)
    page.keyboard.type(people["buyer"].email)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Olet kirjautunut sisään.")).to_be_visible()


def test_a_request_line_and_its_errors_with_the_keyboard(app, page: Page, site: str, axe, people):
    service = factories.PricingPlanFactory(min_quantity=50).service
    request = factories.ProcurementRequestFactory(organisation=people["municipality"], requester=people["buyer"])
    line = factories.RequestLineFactory(
        request=request, service_id=service.id, plan_id=service.plans[0].id, quantity=50
    )
    from app.extensions import db
    from marketplace.catalogue import services as catalogue

    with app.test_request_context():
        catalogue.submit(service.created_by, service)
        catalogue.publish(people["coordinator"], service)
    db.session.commit()
    sign_in(page, site, people["buyer"].email)
    page.goto(f"{site}/procurement/{request.id}/lines/{line.id}")
    tab_to(page, "#quantity")
    assert_focus_visible(page)
    page.keyboard.press("Control+A")
    page.keyboard.type("0")
    page.keyboard.press("Enter")

    summary = page.locator("#error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()  # the reader is taken to the errors
    link = summary.locator("a[href='#quantity']")
    expect(link).to_contain_text(fi("The quantity must be a whole number of at least 1."))
    field = page.locator("#quantity")
    expect(field).to_have_attribute("aria-invalid", "true")
    described = field.get_attribute("aria-describedby") or ""
    assert "quantity-error" in described.split()
    expect(page.locator("#quantity-error")).to_contain_text(fi("The quantity must be a whole number of at least 1."))
    assert axe(page) == []

    # The summary's link is reached by keyboard and leads to the field; fix it and save with Enter.
    tab_to(page, "#error-summary a[href='#quantity']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/procurement/{request.id}/lines/{line.id}#quantity")
    tab_to(page, "#quantity")
    page.keyboard.press("Control+A")
    page.keyboard.type("1200")
    tab_to(page, "#term_end")
    page.keyboard.press("Enter")
    expect(page.get_by_text(fi("The line was saved."))).to_be_visible()
    db.session.refresh(line)
    assert line.quantity == 1200


def test_an_approval_with_the_keyboard(app, page: Page, site: str, people):
    request = factories.ProcurementRequestFactory(
        organisation=people["municipality"],
        requester=people["buyer"],
        status="pending_approval",
        net_cents=100_000,
        vat_cents=25_500,
    )
    sign_in(page, site, people["approver"].email)
    page.goto(f"{site}/procurement/{request.id}")
    tab_to(page, "input[name='decision'][value='approve']")  # a radio group is one stop; arrows choose
    assert_focus_visible(page)
    page.keyboard.press("ArrowDown")
    expect(page.locator("input[name='decision'][value='reject']")).to_be_checked()
    tab_to(page, "#comment")
    page.keyboard.type("Ei määrärahaa tälle vuodelle.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the submit button follows the comment
    expect(page.get_by_text(fi("The request was rejected."))).to_be_visible()


def test_after_a_failed_submit_focus_is_on_the_error_summary_and_every_error_links_to_its_field(
    page: Page, site: str, axe, people
):
    """For forms of every kind of field (text, e-mail, date, radio buttons, checkboxes, a select): the
    summary gets focus, and each of its links leads to an element that exists and takes focus."""
    sign_in(page, site, people["provider_admin"].email)
    for url, button in (
        ("/listings/new", "button[type=submit], input[type=submit]"),
        ("/profile/password", "button[type=submit], input[type=submit]"),
    ):
        page.goto(f"{site}{url}")
        page.locator("main form.form").last.locator(button).last.click()
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        links = summary.locator("a")
        assert links.count() >= 1, url
        for i in range(links.count()):
            target = links.nth(i).get_attribute("href")
            assert page.locator(target).count() == 1, f"{url}: {target} leads nowhere"
            links.nth(i).click()
            assert page.evaluate("document.activeElement.id") == target[1:], f"{url}: {target} did not take focus"
        assert axe(page) == [], url
