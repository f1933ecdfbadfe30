import re
from datetime import UTC, datetime

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale

from app.extensions import db
from app.i18n import money, when
from app.models import User
from tests import factories
from tests.support import PROJECT_ROOT

ROOT = PROJECT_ROOT
TRANSLATIONS = ROOT / "app" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
METHOD_MAP = [
    ("app/**.py", "python"),
    ("governance/**.py", "python"),
    ("marketplace/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
    ("templates/**.md", "jinja2"),
    ("templates/**.xml", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}


def _source_messages() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS, options_map={"templates/**": {"extensions": "jinja2.ext.do"}}
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_message_in_the_code_is_translated(lang):
    catalog = _catalog(lang)
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated[key] = all(strings) and not message.fuzzy
        for string in strings:
            assert sorted(PLACEHOLDER.findall(string)) == sorted(set(PLACEHOLDER.findall(key))) or sorted(
                set(PLACEHOLDER.findall(string))
            ) == sorted(set(PLACEHOLDER.findall(key))), (lang, key, string)
    source = _source_messages()
    assert source, "extraction found no messages"
    missing = sorted(m for m in source if not translated.get(m))
    assert not missing, f"{lang}: {len(missing)} untranslated, e.g. {missing[:5]}"


def test_accept_language_is_honoured(client):
    html = client.get("/", headers={"Accept-Language": "sv-FI,sv;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="sv">' in html and "Startsida" in html


def test_finnish_is_the_default(client):
    html = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="fi">' in html and "Etusivu" in html


def test_switcher_changes_the_language_and_returns_to_the_page(client):
    token = client.csrf_token("/login")
    response = client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


def test_switcher_refuses_unknown_languages_and_foreign_redirects(client):
    token = client.csrf_token()
    response = client.post("/language", data={"lang": "de", "next": "https://evil.example/", "csrf_token": token})
    assert response.headers["Location"] == "/"
    assert '<html lang="fi">' in client.get("/").get_data(as_text=True)


def test_the_users_saved_choice_wins_and_switching_saves_it(client):
    user = factories.UserFactory(email="ruotsi@example.com", locale="sv")
    client.login(user.email)
    assert '<html lang="sv">' in client.get("/", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    client.post_form("/language", {"lang": "en", "next": "/"})
    assert db.session.get(User, user.id).locale == "en"


def test_money_and_dates_per_locale(app):
    moment = datetime(2026, 3, 5, 10, 30, tzinfo=UTC)
    with app.test_request_context():
        with force_locale("fi"):
            assert money(123450).replace("\xa0", " ") == "1 234,50 €"
            assert when(moment).startswith("5.3.2026")
            assert "12.30" in when(moment)  # shown in Helsinki time
        with force_locale("sv"):
            assert money(123450).replace("\xa0", " ") == "1 234,50 €"
        with force_locale("en"):
            assert money(123450) == "€1,234.50"
            assert "Mar 5, 2026" in when(moment)
