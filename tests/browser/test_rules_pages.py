"""Rules in a real browser: a provider comments on a version in consultation,
the coordinator records its adoption, the provider sees the banner and accepts
the new version; every page visited passes axe-core's WCAG 2.1 AA checks."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.clock import helsinki_today
from tests import factories
from tests.browser.support import sign_in


def test_consultation_adoption_and_re_acceptance(page: Page, site: str, axe, people, new_context):
    v10 = factories.RulesVersionFactory(label="1.0", in_force=True)
    decision = factories.DecisionFactory(item__decision_kind="rules_adoption", title="Pelisääntöjen 1.1 hyväksyminen")
    factories.RulesAcceptanceFactory(version=v10, user=people["provider_admin"])
    factories.RulesVersionFactory(
        label="1.1",
        consultation=True,
        body="# 1. Tarkoitus\n\nSäännöt koskevat kaikkia.\n\n# 2. Tietosuoja\n\nTietoja ei myydä eikä luovuteta.\n",
    )

    # The provider reads the rules and comments on a section.
    sign_in(page, site, people["provider_admin"].email)
    page.get_by_role("link", name="Pelisäännöt").first.click()
    assert axe(page) == []
    page.goto(f"{site}/rules/1.1")
    page.get_by_label("Kohta").select_option("2. Tietosuoja")
    page.get_by_label("Kommenttisi").fill("Luovutuksen käsite pitää määritellä.")
    page.get_by_role("button", name="Lähetä kommentti").click()
    expect(page.get_by_text("Luovutuksen käsite pitää määritellä.")).to_be_visible()
    assert axe(page) == []
    page.goto(f"{site}/rules/diff/1.0/1.1")
    expect(page.locator("ins").first).to_be_visible()
    assert axe(page) == []

    # The coordinator answers and records the steering group's decision.
    coordinator = new_context().new_page()  # a second person, in a browser of their own
    coordinator.set_default_timeout(10_000)
    sign_in(coordinator, site, people["coordinator"].email)
    coordinator.goto(f"{site}/rules/1.1")
    coordinator.get_by_label("Vastine").fill("Määritellään versiossa 1.2.")
    coordinator.get_by_role("button", name="Tallenna vastine").click()
    coordinator.get_by_role("link", name="Kirjaa ohjausryhmän hyväksyntä").click()
    assert axe(coordinator) == []
    today = helsinki_today()
    coordinator.get_by_label("Ohjausryhmän päätös").select_option(str(decision.id))
    coordinator.get_by_label("Tulee voimaan").fill(today.isoformat())
    coordinator.get_by_role("button", name="Kirjaa hyväksyntä").click()
    expect(coordinator.get_by_text("Versio 1.1 hyväksyttiin.")).to_be_visible()
    coordinator.goto(f"{site}/rules/acceptances")
    expect(coordinator.get_by_text("Säännöt hyväksymättä").first).to_be_visible()
    assert axe(coordinator) == []

    # The provider is asked to accept again, and does.
    page.goto(f"{site}/")
    banner = page.get_by_role("region", name="Hyväksyttävät säännöt")
    expect(banner).to_contain_text("1.1")
    banner.get_by_role("link").click()
    assert axe(page) == []
    page.get_by_label("Allekirjoittajan nimi").fill("Pia Palveluntarjoaja")
    page.get_by_label("Allekirjoittajan asema").fill("toimitusjohtaja")
    page.get_by_label("Vahvistan").check()
    page.get_by_role("button", name="Hyväksy pelisäännöt").click()
    expect(page.get_by_text("on hyväksynyt pelisääntöjen version 1.1")).to_be_visible()
    expect(page.get_by_role("region", name="Hyväksyttävät säännöt")).to_have_count(0)
    coordinator.close()
