"""Provider onboarding in a real browser, as a new user would do it: register,
follow the confirmation link from the mail, start a provider organisation, fill in and submit the joining application,
get changes requested, fix them, resubmit, get approved and appear on the
public provider page. Every page visited passes axe-core's WCAG 2.1 AA checks."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.extensions import db
from app.mail import OutboxMessage
from tests import factories
from tests.browser.support import sign_in
from tests.onboarding_data import PDF, STEP_DATA

PASSWORD = "uusi yritys hakee mukaan"


def _continue(page: Page, axe) -> None:
    assert axe(page) == [], page.url
    page.get_by_role("button", name="Tallenna ja jatka").click()
    expect(page.get_by_text("Tallennettu.")).to_be_visible()


def _fill_text_fields(page: Page, data: dict) -> None:
    for name, value in data.items():
        locator = page.locator(f"[name='{name}']")
        if isinstance(value, list):
            for item in value:
                page.locator(f"input[name='{name}'][value='{item}']").check()
        elif locator.first.get_attribute("type") == "radio":
            page.locator(f"input[name='{name}'][value='{value}']").check()
        elif locator.first.evaluate("e => e.tagName") == "SELECT":
            locator.select_option(value)
        elif value:
            locator.fill(value)


def test_new_provider_applies_fixes_and_is_approved(page: Page, site: str, axe, people, new_context, tmp_path):
    version = factories.RulesVersionFactory(label="1.0", in_force=True)

    # Register and start a provider organisation.
    page.goto(f"{site}/signup")
    page.get_by_label("Sähköpostiosoite").fill("sanna@uusioppi.example.fi")
    page.get_by_label("Koko nimi").fill("Sanna Allekirjoittaja")
    page.get_by_label("Salasana", exact=False).first.fill(PASSWORD)
    page.get_by_label("Salasana uudelleen").fill(PASSWORD)
    page.get_by_role("button", name="Luo käyttäjätili").click()
    expect(page.get_by_role("heading", name="Tarkista sähköpostisi")).to_be_visible()
    assert axe(page) == []
    # The link from the mail confirms the address and signs in.
    db.session.expire_all()
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == "sanna@uusioppi.example.fi"))
    path = re.search(r"https?://[^/\s]+(/signup/confirm/\S+)", mail.body).group(1)  # on PUBLIC_BASE_URL
    page.goto(f"{site}{path}")
    assert axe(page) == []
    page.get_by_role("button", name="Vahvista ja kirjaudu sisään").click()
    expect(page.get_by_text("Sähköpostiosoitteesi on vahvistettu")).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Yrityksen virallinen nimi").fill("Uusi Oppi Oy")
    page.locator("#business_id").fill("0920632-0")
    page.get_by_role("button", name="Perusta palveluntarjoajaorganisaatio").click()

    # The wizard, step by step.
    expect(page).to_have_url(f"{site}/join/step/organisation")
    for slug in ("organisation", "contacts", "data-protection", "accessibility", "security"):
        expect(page).to_have_url(f"{site}/join/step/{slug}")
        _fill_text_fields(page, STEP_DATA[slug])
        _continue(page, axe)
    pdf = tmp_path / "sopimus.pdf"
    pdf.write_bytes(PDF)
    assert axe(page) == []
    page.locator("#dpa").set_input_files(str(pdf))
    page.locator("#trade_register").set_input_files(str(pdf))
    page.get_by_role("button", name="Lataa ja jatka").click()
    expect(page).to_have_url(f"{site}/join/step/rules")
    page.get_by_label("Allekirjoittajan nimi").fill("Sanna Allekirjoittaja")
    page.get_by_label("Allekirjoittajan asema").fill("toimitusjohtaja")
    page.get_by_label("Vahvistan").check()
    _continue(page, axe)
    expect(page).to_have_url(f"{site}/join/summary")
    expect(page.get_by_text("FI09206320")).to_be_visible()
    assert axe(page) == []
    page.get_by_role("button", name="Lähetä hakemus").click()
    expect(page.get_by_text("Kiitos. Hakemus on lähetetty.")).to_be_visible()

    # The coordinator finds it in the queue and asks for changes.
    coordinator = new_context().new_page()
    coordinator.set_default_timeout(10_000)
    sign_in(coordinator, site, people["coordinator"].email)
    coordinator.goto(f"{site}/admin/applications")
    assert axe(coordinator) == []
    coordinator.get_by_role("link", name="Uusi Oppi Oy").click()
    assert axe(coordinator) == []
    coordinator.get_by_label("Pyydä muutoksia").check()
    coordinator.get_by_label("Viesti hakijalle").fill("Lisätkää alikäsittelijät tietosuojaosioon.")
    coordinator.get_by_role("button", name="Tallenna", exact=True).click()
    expect(coordinator.get_by_text("Tallennettu. Hakijalle ilmoitettiin sähköpostilla.")).to_be_visible()

    # The applicant sees the message, fixes the step and resubmits.
    page.reload()
    expect(page.get_by_text("Lisätkää alikäsittelijät tietosuojaosioon.")).to_be_visible()
    page.locator("a[href='/join/step/data-protection']").first.click()
    page.locator("#sub_processors").fill("Pilvi Oy, palvelinkeskus, Suomi")
    _continue(page, axe)
    page.goto(f"{site}/join/summary")
    page.get_by_role("button", name="Lähetä hakemus").click()
    expect(page.get_by_text("Kiitos. Hakemus on lähetetty.")).to_be_visible()

    # The coordinator sees what changed and approves.
    coordinator.reload()
    expect(coordinator.get_by_text("Pilvi Oy, palvelinkeskus, Suomi").first).to_be_visible()
    coordinator.get_by_label("Hyväksy", exact=True).check()
    coordinator.get_by_role("button", name="Tallenna", exact=True).click()
    expect(coordinator.get_by_text("Tallennettu. Hakijalle ilmoitettiin sähköpostilla.")).to_be_visible()

    # The provider is public now, with the rules version it accepted.
    visitor = new_context().new_page()
    visitor.goto(f"{site}/providers")
    visitor.get_by_role("link", name="Uusi Oppi Oy").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Uusi Oppi Oy")
    expect(visitor.get_by_text(f"Versio {version.label}").first).to_be_visible()
    assert axe(visitor) == []
