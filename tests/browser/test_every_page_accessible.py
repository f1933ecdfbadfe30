"""Every HTML page of the access matrix, opened in Chromium by the people who
may see it, passes axe-core's WCAG 2.1 AA checks."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.support import sign_in
from tests.matrix import MATRIX, OK

NOT_HTML = ("/api/v1/", ".csv", ".atom", "/attachments/")


@pytest.mark.parametrize("role", [None, "coordinator", "secretary", "provider_admin", "buyer", "no_org"])
def test_every_page_passes_axe(page: Page, site: str, axe, objects, people, role):
    if role is not None:
        sign_in(page, site, people[role].email)
    checked, problems = 0, []
    for endpoint, rule in sorted(MATRIX.items()):
        if rule.method != "GET" or rule.expected(role or "anonymous") != OK:
            continue
        url = rule.url(objects)
        if any(marker in url for marker in NOT_HTML):
            continue
        response = page.goto(f"{site}{url}")
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        violations = axe(page)
        checked += 1
        if violations:
            problems.append((endpoint, url, violations))
    assert checked >= 10, checked
    assert not problems, problems
