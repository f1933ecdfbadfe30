"""What the browser tests share: signing in through the form, and the pages' Finnish texts."""

from __future__ import annotations

from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from tests.conftest import TEST_PASSWORD


def sign_in(page: Page, site: str, email: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the form, as a Finnish visitor does, and wait for the confirmation."""
    page.goto(f"{site}/login")
    page.get_by_label("Sähköpostiosoite").fill(email)
    page.get_by_label("Salasana", exact=False).first.fill(password)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page.get_by_text("Olet kirjautunut sisään.")).to_be_visible()


def fi(message: str, **values) -> str:
    """The Finnish text the pages show for an English message id."""
    with force_locale("fi"):
        return gettext(message, **values)
