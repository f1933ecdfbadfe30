"""Every form reads in the page's language: no label, option, legend, hint or button of any form on
any page is left in English on a Finnish or Swedish page.

The pages are the access matrix's URL of every GET route, as each kind of user who has forms to fill
there; a text (or a part of it between " – ", as in "MA – Matematiikka") that is an English message
with a translation of its own in the page's language was not translated where it was shown (for
example a label built from a lazy text when the module was imported, in whatever language that was).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests import figures
from tests.fuzz.checks import untranslated
from tests.matrix import MATRIX

ROLES = [
    "anonymous",
    "no_org",
    "provider_admin",
    "buyer",
    "approver",
    "municipality_admin",
    "secretary",
    "body_member",
    "coordinator",
]
SHOWN = {"label", "option", "legend", "button", "summary"}


class _FormTexts(HTMLParser):
    """Texts of the labels, options, legends, buttons and hints inside forms."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._forms = 0
        self._open: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._forms += 1
        if self._forms and (tag in SHOWN or "hint" in (a.get("class") or "").split()):
            self._open.append([])
        if self._forms and tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.texts.append(a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._forms = max(0, self._forms - 1)
        elif self._open and (tag in SHOWN or tag == "p"):
            self.texts.append(" ".join("".join(self._open.pop()).split()))

    def handle_data(self, data):
        if self._open:
            self._open[-1].append(data)


def _english(texts: list[str], locale: str) -> list[str]:
    pattern = untranslated(locale)
    found = []
    for text in texts:
        for part in [text, *text.split(" – ")]:
            if part and pattern.fullmatch(part.strip()):
                found.append(text)
                break
    return found


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_no_form_text_is_left_in_english(app, objects, login_as, locale):
    problems: set[str] = set()
    texts_read = 0
    for role in ROLES:
        client = login_as(None if role == "anonymous" else role)
        for endpoint, rule in sorted(MATRIX.items()):
            if rule.method != "GET":
                continue
            response = client.get(rule.url(objects), headers={"Accept-Language": locale})
            if "html" not in response.content_type or response.status_code != 200:
                continue
            parser = _FormTexts()
            parser.feed(response.get_data(as_text=True))
            texts_read += len(parser.texts)
            problems |= {f"{endpoint} as {role}: {text!r}" for text in _english(parser.texts, locale)}
    figures.count("fuzz", f"form texts checked for their language ({locale})", texts_read)
    assert texts_read > 500
    assert not problems, sorted(problems)[:30]
