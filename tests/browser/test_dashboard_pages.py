"""The dashboards with the demo data, as a new user would try them: the coordinator sees
every chart filled, a Vantaa buyer only Vantaa's figures; every page passes axe-core,
and the figures behind a chart open from its table and download as CSV."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.demo import DEMO_PASSWORD
from marketplace.insights.charts import DASHBOARDS
from tests.browser.support import sign_in


def _sign_in(page: Page, site: str, email: str) -> None:
    sign_in(page, site, email, DEMO_PASSWORD)


def test_the_coordinator_sees_every_dashboard_filled(page: Page, site: str, axe, app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    _sign_in(page, site, "coordinator@example.com")
    page.get_by_role("link", name="Kojelaudat").click()
    for name, builders in DASHBOARDS.items():
        page.goto(f"{site}/dashboards/{name}")
        figures = page.locator("figure.chart")
        expect(figures).to_have_count(len(builders))
        empty = [
            page.locator("figure.chart").nth(i).locator("figcaption").inner_text()
            for i in range(len(builders))
            if page.locator("figure.chart").nth(i).locator(".chart-empty").count()
        ]
        assert not empty, f"{name}: charts without figures: {empty}"
        assert page.locator("svg[role=img]").count() == len(builders)
        assert axe(page) == [], name
    # The figures behind a chart: the table opens from its summary, and the CSV downloads.
    page.goto(f"{site}/dashboards/ecosystem")
    first = page.locator("figure.chart").first
    first.locator("summary").click()
    expect(first.locator("table")).to_be_visible()
    with page.expect_download() as download:
        first.get_by_role("link", name="Lataa luvut CSV-tiedostona").click()
    assert download.value.suggested_filename.endswith(".csv")


def test_a_vantaa_buyer_sees_only_vantaa(page: Page, site: str, axe, app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    _sign_in(page, site, "buyer.vantaa@example.com")
    page.goto(f"{site}/dashboards")
    page.get_by_role("link", name="Kunnan kojelauta").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vantaa")
    main = page.locator("main").inner_text()
    for other in ("Espoo", "Helsinki", "Tampere", "Turku", "Oulu", "Jyväskylä"):
        assert other not in main, other
    assert page.locator("select#organisation").count() == 0  # no choice of municipality
    assert axe(page) == []
    assert page.goto(f"{site}/dashboards/ecosystem").status == 403
