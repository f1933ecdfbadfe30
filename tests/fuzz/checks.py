"""The properties every answer and every page must have: no executable markup, errors in the page's
language, no redirect off the site, no CSV formula, no stored script address; and the row counts
that show a rejected form changed nothing."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
import wtforms
from babel.messages.pofile import read_po

from app.extensions import db
from app.security import script_tags


class _Executable(HTMLParser):
    """What a browser would run: any <script>, <iframe>, <object>, <embed> or <base> (the templates have
    none), event-handler attributes (none either), and script URLs in attributes that load or link."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "srcdoc"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "base"):  # (an inline <svg> chart is no script)
            self.found.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            elif name in self.URL_ATTRIBUTES and _script_url(value or ""):
                self.found.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def _script_url(value: str) -> bool:
    squeezed = re.sub(r"[\x00-\x20]+", "", value).lower()
    return squeezed.startswith(("javascript:", "vbscript:", "data:text/html", "data:image/svg"))


_SUSPICIOUS = re.compile(
    r"<(?:script|iframe|object|embed|base)\b|\son[a-z]+\s*=|(?:java|vb)script:|data:", re.IGNORECASE
)


def executable(html: str) -> list[str]:
    for tag in script_tags():  # the app's own scripts, from 'self' (the CSP allows nothing else)
        html = html.replace(tag, "")
    if not _SUSPICIOUS.search(html):
        return []
    finder = _Executable()
    finder.feed(html)
    return finder.found


_FIELD_ERROR = re.compile(r'<p class="field-error"[^>]*>(.*?)</p>', re.S)
_SPAN = re.compile(r"<span>(.*?)</span>", re.S)
_FLASH_ERROR = re.compile(r'<p class="flash flash-error">(.*?)</p>', re.S)
_ERROR_PAGE = re.compile(r'<p class="error-code">.*?</p>\s*(?:<p class="lead">(.*?)</p>)?\s*<p>(.*?)</p>', re.S)


def _clean(text: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", text)).split())


def error_texts(html: str) -> list[str]:
    texts = [_clean(span) for block in _FIELD_ERROR.findall(html) for span in _SPAN.findall(block)]
    texts += [_clean(m) for m in _FLASH_ERROR.findall(html)]
    for lead, message in _ERROR_PAGE.findall(html):
        texts += [_clean(t) for t in (lead, message) if t]
    return [t for t in texts if t]


def _template(message: str) -> str:
    parts = re.split(r"%\(\w+\)[sdif]|%[sdif]", message)
    return ".+?".join(re.escape(" ".join(p.split())) for p in parts)


@cache
def untranslated(locale: str) -> re.Pattern | None:
    """English messages that have a translation in `locale` (so English there means it was not translated):
    the app's own, and the WTForms messages of its fields."""
    if locale == "en":
        return None
    root = Path(__file__).resolve().parents[2] / "app" / "translations" / locale / "LC_MESSAGES" / "messages.po"
    english: list[str] = []
    with root.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and any(strings) and strings[0] != ids[0]:
            english += [i for i in ids if len(i) > 3]
    wt_dir = Path(wtforms.__file__).resolve().parent / "locale"
    with (wt_dir / "wtforms.pot").open("rb") as handle:
        pot = read_po(handle)
    with (wt_dir / locale / "LC_MESSAGES" / "wtforms.po").open("rb") as handle:
        wt = read_po(handle, locale=locale)
    for message in pot:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = wt.get(message.id)
        same = (
            translated is not None
            and (translated.string if isinstance(translated.string, str) else translated.string[0]) == ids[0]
        )
        if message.id and not same:
            english += list(ids)
    # A message that is mostly placeholders ("%(name)s: %(error)s") would match anything.
    english = [m for m in set(english) if len(re.findall(r"[A-Za-z]", re.sub(r"%\(\w+\)[sdif]", "", m))) >= 8]
    return re.compile("|".join(_template(m) for m in sorted(english, key=len, reverse=True)))


def check_translated(texts: list[str], locale: str, where: str) -> None:
    pattern = untranslated(locale)
    if pattern is None:
        return
    english = [t for t in texts if pattern.fullmatch(t)]
    assert not english, f"{where}: error shown in English on a {locale} page: {english}"


def check_local_redirect(response, where: str) -> None:
    if 300 <= response.status_code < 400:
        location = urlsplit(response.headers.get("Location", ""))
        assert location.netloc in ("", "localhost") and location.scheme in ("", "http"), (
            f"{where}: redirect off the site to {response.headers.get('Location')!r}"
        )


def check_csv(text: str, where: str) -> None:
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), f"{where}: a CSV cell is a formula: {cell!r}"


URL_COLUMN = re.compile(r"(?:^|_)(?:url|website)$")


def check_url_columns() -> list[str]:
    """Every stored web address (a column or a published snapshot's field) is http(s) or empty: these go into href."""
    problems = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, sa.String) and URL_COLUMN.search(column.name):
                    for (value,) in conn.execute(sa.select(column).where(column.is_not(None))):
                        if value and not re.match(r"https?://", value.strip(), re.I):
                            problems.append(f"{table.name}.{column.name}={value!r}")
        from marketplace.catalogue.models import ServiceRevision

        for (snapshot,) in conn.execute(sa.select(ServiceRevision.__table__.c.snapshot)):
            for key, value in (snapshot or {}).items():
                if URL_COLUMN.search(key) and value and not re.match(r"https?://", str(value).strip(), re.I):
                    problems.append(f"service_revisions.snapshot[{key}]={value!r}")
    return problems


@cache
def _count_statement() -> sa.CompoundSelect:
    """The rows of every table, in one query (it runs before and after every fuzzed post)."""
    return sa.union_all(
        *[
            sa.select(sa.literal(t.name).label("t"), sa.func.count().label("n")).select_from(t)
            for t in db.metadata.sorted_tables
        ]
    )


def row_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {name: n for name, n in conn.execute(_count_statement())}
