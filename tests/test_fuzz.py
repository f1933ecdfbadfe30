"""Property-based fuzzing (Hypothesis) of every form and every endpoint.

The targets come from the app itself: every route of ``app.url_map`` (its URL from the access matrix's
builder), grouped by blueprint. A POST route's fields are those of the WTForms classes its view uses, the
``request.form`` keys its code reads and the ``name=`` attributes of the forms on the pages that post to
it; a GET route's parameters are the ``request.args`` keys its code reads, the fields of the GET forms
that lead to it and, for the open data API, the parameters of its OpenAPI description; junk comes on top.
Each group builds the matrix's objects once and fuzzes each route as someone who may use it (per the
matrix), so the values reach validation and the services rather than a 403.

Properties, for random and hostile values (long strings, control characters, odd Unicode, HTML and
script payloads, SQL fragments, wrong types, missing and extra fields):

- no answer is a server error (5xx), and no redirect leaves the site;
- a rejected form answers 4xx (or 200) with an error in the user's language, or redirects with a
  translated error message, and leaves every table as it was (nothing half-saved);
- no page holds an executable ``<script>``, event handler or ``javascript:`` URL: neither the answers to
  the fuzz (reflected) nor, afterwards, the pages that show what was stored; no URL column holds anything
  but a web address, and no CSV cell starts a spreadsheet formula.

Runs are repeatable (``derandomize=True``). ``FUZZ_SCALE=5`` multiplies the examples for a deeper local run,
``FUZZ_SHRINK=1`` shrinks a failing example, ``FUZZ_DEBUG=1`` (with ``-s``) prints what each target answered.
"""

from __future__ import annotations

import csv
import html as htmllib
import inspect
import io
import logging
import os
import re
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
import wtforms
from babel.messages.pofile import read_po
from flask import Flask
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from wtforms.fields.core import UnboundField

from app.extensions import db, limiter
from app.security import script_tags
from tests import factories, figures
from tests.factories import TEST_PASSWORD
from tests.matrix import MATRIX, OK, REDIRECT

# --- how much ------------------------------------------------------------------------------------------------

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
#: Examples per POST target and per GET target. A PostgreSQL round trip costs more than SQLite's, so it
#: tries fewer to stay within the same time (about a minute for the whole file on two cores).
PROFILES = {"sqlite": {"post": 22, "get": 10}, "postgresql": {"post": 16, "get": 8}}
PROFILE = {kind: max(1, int(n * SCALE)) for kind, n in PROFILES[figures.database_name()].items()}


def _settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
        # No shrinking in CI: the failure message carries the whole request anyway.
        phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if os.environ.get("FUZZ_SHRINK") else []),
        print_blob=False,
    )


# --- the groups -------------------------------------------------------------------------------------------------

#: Routes by blueprint. Each group builds the objects once; groups keep one area's state changes (a
#: buyer made approver, a meeting closed) away from the others. `test_every_blueprint_is_fuzzed` keeps
#: this complete.
GROUPS: dict[str, set[str]] = {
    "core": {"main", "auth", "account", "orgs", "admin"},
    "rules": {"rules"},
    "onboarding": {"join", "review"},
    "catalogue": {"listings", "listing_review", "catalogue", "providers"},
    "steering": {"steering"},
    "reports": {"register", "api", "dashboards"},
    "procurement": {"procurement", "stripe"},
}
IGNORED = {"static"}

#: Routes that take more URLs than the matrix's one: each wizard step, an existing plan, a body's feed.
VARIANTS: dict[str, Callable[[dict], list[str]]] = {
    "join.step": lambda o: [f"/join/step/{step.slug}" for step in _steps()],
    "listings.plan": lambda o: [
        f"/listings/{o['listing'].id}/plans/new",
        f"/listings/{o['listing'].id}/plans/{o['listing'].plans[0].id}",
    ],
    "register.feed": lambda o: ["/register/feed.atom", f"/register/feed/{o['body'].code}.atom"],
}
#: Who fuzzes, in order of preference, among those the matrix lets in.
PREFERENCE = [
    "coordinator",
    "secretary",
    "provider_admin",
    "buyer",
    "approver",
    "municipality_admin",
    "body_member",
    "provider_user",
    "no_org",
    None,
]
#: Posted last in their group: they take away what the others need.
LATE = re.compile(r"withdraw|remove|delete|end_membership|cancel|logout|revoke|close_vote|submit")
#: Pages the sweep follows links to, per user, beyond the group's own and those the fuzz landed on.
CRAWL = 40
#: Routes that keep what was typed even when it does not validate (the wizard saves each step as a draft).
SAVES_DRAFTS = {"join.step"}


def _steps():
    from marketplace.steps import STEPS

    return STEPS


def group_of(endpoint: str) -> str | None:
    blueprint = endpoint.split(".", 1)[0]
    return next((name for name, blueprints in GROUPS.items() if blueprint in blueprints), None)


def role_for(endpoint: str) -> str | None:
    """The first user in PREFERENCE the matrix lets use the route (allowed, else sent on)."""
    rule = MATRIX[endpoint]
    for wanted in (OK, REDIRECT):
        for role in PREFERENCE:
            if rule.expected(role or "anonymous") == wanted:
                if wanted == REDIRECT and endpoint.startswith("join."):
                    return "applicant"  # the matrix's providers are active; the wizard needs an applicant
                return role
    return "coordinator"


# --- hostile values ---------------------------------------------------------------------------------------------

SCRIPTS = [
    "<script>fz(1)</script>",
    '"><script>fz(2)</script>',
    "<img src=x onerror=fz(3)>",
    "<svg onload=fz(4)>",
    "javascript:fz(5)",
    " JaVaScRiPt:fz(6)",
    "[klikkaa](javascript:fz(7))",
    '<a href="javascript:fz(8)">x</a>',
    '<iframe src="javascript:fz(9)"></iframe>',
    "' onmouseover='fz(10)",
    '" autofocus onfocus="fz(11)',
    "<scr<script>ipt>fz(12)</script>",
    "![x](javascript:fz(13))",
    "<details open ontoggle=fz(14)>",
    "</textarea><script>fz(15)</script>",
    "</title><script>fz(16)</script>",
    "jav&#x09;ascript:fz(17)",
    '<a href="jav\tascript:fz(18)">x</a>',
    "[x](vbscript:fz(19))",
    '<object data="data:text/html,fz(20)">',
    "{{ 7*7 }}",
    "{% if 1 %}x{% endif %}",
    "${7*7}",
    "<!--",
    "]]>",
    "<![CDATA[x]]>",
]
#: Break out of whatever context the text lands in (element text, either quote of an attribute, a textarea or
#: title, a Markdown link) and run something there.
POLYGLOTS = [
    "'\"></textarea></title></style><script>fz(60)</script><img src=x onerror=fz(61)>",
    "\" onmouseover=\"fz(62)\" x=\"' onmouseover='fz(63)' x='",
    'javascript:fz(64)//"><svg onload=fz(65)>[x](javascript:fz(66))',
]
#: Odd text of every kind at once, for the explicit first case: combining marks, an astral emoji sequence,
#: right-to-left override, a quote and an SQL comment.
MIXED = " o\u0308\u0301 \U0001f469\u200d\U0001f467 \u202eRTL\u202c ' --"
SQL = [
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    "1 OR 1=1",
    '" OR ""="',
    "' UNION SELECT NULL, NULL --",
    "%",
    "_",
    "\\",
    "%' --",
    "1; SELECT pg_sleep(0)",
    "' || (SELECT 1) || '",
    "*/ SELECT /*",
    "::text",
]
UNICODE = [
    "e\u0301\u0302\u0303\u0304" * 20,
    "\u202eoikealta vasemmalle\u202c",
    "שלום עולם",
    "مرحبا بالعالم",
    "👩\u200d👩\u200d👧\u200d👦🇫🇮",
    "\ufeffBOM",
    "nolla\u200bleveä",
    "\uffff\ufffe",
    "\U0010fffd",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "ǅǈǋ",
    "İı",
    "ß",
    "ﬁ",
    "Ａｂｃ",
    "\u2028\u2029",
    "\u0085",
    "Ä̈̈",
    "ᚠᛇᚻ",
    "\U0001f4a9" * 40,
    "Ⅻ",
    "²³",
    "٣٤",
    "\u00a0",
    "𝟘𝟙",
]
CONTROL = ["\x01\x02\x1b[31m", "\x7f", "\r\n\r\n", "\t", "\x0b\x0c", "\r", "\x1f", "\x08"]
NUL = ["\x00", "a\x00b"]  # the whole request is refused for these, so they come alone
NUMBERS = [
    "0",
    "-1",
    "-0",
    "00042",
    "1.5",
    "1,5",
    "12,50",
    "1e999999",
    "1e-999999",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-inf",
    "0x10",
    "1_000",
    " 12 ",
    "١٢",
    "²",
    "9" * 25,
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "1 000,00",
    "€ 5",
    "5 €",
    "+5",
    "1/2",
    "true",
    "[]",
    "{}",
    "null",
]
DATES = [
    "2026-02-30",
    "2026-13-01",
    "0001-01-01",
    "9999-12-31",
    "31.12.9999",
    "1.1.1",
    "0000-00-00",
    "2026-09-01T10:00",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "1.9.2026",
    "yesterday",
    "2026-9-1",
    "2026/09/01",
    "20260901",
    "-2026-09-01",
    "2026-09-01T25:61",
    "2026-09-01 10:00",
]
SOON, LATER = date.today() + timedelta(days=30), date.today() + timedelta(days=400)
PLAUSIBLE = [
    (r"e-?mail", ["fuzz@example.com", "Testi.Kayttaja+1@example.fi"]),
    (r"business_id", ["0831312-4", "2077474-0"]),
    (r"municipality_code", ["092", "398"]),
    (r"postcode", ["00100"]),
    (r"phone", ["+358 40 123 4567"]),
    (r"einvoice_address", ["003708313124"]),
    (r"einvoice_operator", ["003721291126"]),
    (r"url|website|link", ["https://example.fi/", "https://example.fi/saavutettavuus"]),
    (r"starts_at", [f"{SOON.isoformat()}T10:00"]),
    (r"date|_on$|term_|deadline|hidden_from", [SOON.isoformat(), f"{LATER.day}.{LATER.month}.{LATER.year}"]),
    (r"price|vat", ["12,50", "25,5", "0"]),
    (r"quantity|number", ["1", "25"]),
    (r"^code$", ["T-09", "F-01"]),
    (r"label", ["9.9"]),
    (r"password|current|confirm", [TEST_PASSWORD]),
    (r"year", ["2026"]),
]
JUNK_KEYS = [
    "id",
    "organisation_id",
    "user_id",
    "status",
    "role",
    "is_admin",
    "next",
    "__proto__",
    "ballot_1",
    "ballot_999999",
    "present",
    "stands_in_1",
    "choice",
    "action",
    "version",
    "lang",
    "x" * 300,
    "ä",
    "<script>fz(30)</script>",
    "a[b]",
    "",
    "page",
    "sort",
    "format",
    "callback",
]
REDIRECTS = [
    "//evil.example",
    "https://evil.example/",
    "/\\evil.example",
    "javascript:fz(40)",
    "\x0b//evil.example",
    "/%2F%2Fevil.example",
    "http:evil.example",
    "///evil.example",
    "/ok",
    "%2f%2fevil.example",
]
RAW_QUERIES = [
    "q=%ff%fe%fd",
    "page=%zz",
    "%ff=1",
    "a=1&a=2&a=3",
    "q=%00",
    "=x",
    "&&&",
    "q=" + "%41" * 500,
    "limit=1;limit=2",
    "q=%E2%80%AE",
]


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 100), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

LONG = st.builds(
    lambda ch, n: ch * n,
    st.sampled_from(["A", "ä", "<", "😀", "a b ", "\u0301"]),
    st.sampled_from([121, 201, 256, 301, 1001, 2001, 5001, 10_001, 50_001, 200_001]),
)
ATOM = st.one_of(
    st.sampled_from(SCRIPTS),
    st.sampled_from(SQL),
    st.sampled_from(UNICODE),
    st.sampled_from(CONTROL),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20),  # all but surrogates and NUL
    st.sampled_from(NUMBERS),
    st.sampled_from(DATES),
    st.just("Testi "),
)
TEXT = st.one_of(
    st.lists(ATOM, min_size=1, max_size=4).map("".join),  # hazards mixed: script, odd Unicode and SQL at once
    st.lists(ATOM, min_size=1, max_size=4).map("".join),
    LONG,
    st.sampled_from(NUL),
    st.integers().map(str),
    st.floats().map(str),
)
OMIT = object()


@dataclass
class Field:
    name: str
    kind: str = "text"  # text, int, decimal, date, datetime, choice, multi, bool, file, hidden, submit
    options: list[str] = field(default_factory=list)
    default: Any = None

    def merge(self, other: Field) -> None:
        if self.kind in ("text", "hidden") and other.kind not in ("text", "hidden"):
            self.kind = other.kind
        self.options += [o for o in other.options if o not in self.options]
        if self.default in (None, "", []) and other.default not in (None, "", []):
            self.default = other.default


def _plausible(f: Field) -> list[Any]:
    """Values a person could mean: what the page holds, a choice it offers, a well-formed value."""
    blank = f.default is None or (isinstance(f.default, str) and not f.default.strip()) or f.default == []
    values: list[Any] = [] if blank else [f.default]
    options = list(f.options)  # "" too where the page offers it (an optional choice left empty)
    by_name = [v for pattern, vs in PLAUSIBLE if re.search(pattern, f.name) for v in vs]
    if f.kind == "multi":
        options = [o for o in options if o]
        return values + ([options[:1], options[:3]] if options else [OMIT])
    if f.kind == "choice":
        return values + options[:6] if options else [OMIT]  # choices the page did not show: leave it out
    if f.kind == "bool":
        return ["y"]
    if f.kind == "file":
        return [("png", PNG), ("pdf", PDF)]
    if f.kind == "date":
        return [*values, SOON.isoformat(), LATER.isoformat()]
    if f.kind == "datetime":
        return [*values, f"{SOON.isoformat()}T10:00"]
    if f.kind in ("int", "decimal"):
        return values + (by_name or ["1", "5"])
    if values and f.kind in ("text", "hidden"):
        return values  # what the page holds (an edit form's text, a version, a checksum) is what a person sends
    return by_name or [o for o in options if o][:3] or ["Testi", "Fuzz-arvo"]


def _hostile(f: Field) -> st.SearchStrategy:
    options = [o for o in f.options if o != ""]
    if f.kind == "multi":
        item = st.one_of(TEXT, st.sampled_from(options)) if options else TEXT
        return st.lists(item, min_size=0, max_size=5)
    if f.kind == "file":
        return st.one_of(
            TEXT,  # text where a file belongs
            st.tuples(
                st.sampled_from(
                    [
                        "<script>fz(50)</script>.pdf",
                        "../../etc/passwd",
                        "liite.pdf",
                        "",
                        "a" * 300 + ".png",
                        "kuva.png\x00.exe",
                        "😀.pdf",
                        "shot.svg",
                    ]
                ),
                st.one_of(
                    st.binary(max_size=64),
                    st.sampled_from(
                        [
                            b"",
                            b"%PDF-",
                            PDF + b"<script>fz(51)</script>",
                            PNG[:20],
                            b"<svg onload=fz(52)>",
                            b"GIF89a",
                            b"\xff\xd8\xff\xe0" + b"\x00" * 20,
                        ]
                    ),
                ),
            ).map(lambda t: ("raw", *t)),
        )
    if f.kind in ("int", "decimal"):
        return st.one_of(st.sampled_from(NUMBERS), st.sampled_from(NUMBERS), TEXT)
    if f.kind in ("date", "datetime"):
        return st.one_of(st.sampled_from(DATES), st.sampled_from(DATES), st.sampled_from(NUMBERS), TEXT)
    if f.kind in ("choice", "hidden", "bool") and options:
        mutated = [o + "x" for o in options[:3]] + [o.upper() for o in options[:3]] + [" " + o for o in options[:3]]
        return st.one_of(TEXT, st.sampled_from(mutated), st.sampled_from(NUMBERS))
    return TEXT


def _value(data, f: Field, hostile: bool) -> Any:
    if hostile:
        if f.kind == "submit":
            return OMIT
        return data.draw(st.one_of(st.just(OMIT), _hostile(f), _hostile(f), _hostile(f)))  # missing now and then
    if f.kind == "submit":
        return data.draw(st.sampled_from([f.default or "x", OMIT]))
    return data.draw(st.sampled_from(_plausible(f)))  # may be OMIT


def _file(value: Any) -> Any:
    kind = value[0]
    if kind == "png":
        return (io.BytesIO(PNG), "kuva.png", "image/png")
    if kind == "pdf":
        return (io.BytesIO(PDF), "liite.pdf", "application/pdf")
    _, name, content = value
    return (io.BytesIO(content), name, "application/octet-stream")


def draw_form(data, fields: dict[str, Field]) -> dict[str, Any]:
    """A form: mostly as a person fills it with one or a few fields hostile, or anything at all."""
    names = sorted(fields)
    mode = data.draw(st.sampled_from(["one", "some", "stored", "one", "some", "stored", "chaos", "empty"]))
    if mode == "stored":
        # A form a person could save, with script in its free text: what gets stored must never run.
        form = {}
        for name in names:
            f = fields[name]
            value = _value(data, f, hostile=False)
            free = f.kind == "text" and not any(re.search(p, name) for p, _ in PLAUSIBLE)
            if free and isinstance(value, str):
                value += data.draw(st.sampled_from(POLYGLOTS * 4 + SCRIPTS))
                value += data.draw(st.sampled_from(["", *UNICODE, *SQL]))
            elif f.kind == "text" and re.search(r"url|website|link", name) and data.draw(st.booleans()):
                value = data.draw(st.sampled_from([p for p in SCRIPTS if "script:" in p.lower()]))
            if value is not OMIT:
                form[name] = value
        return {k: (_file(v) if isinstance(v, tuple) else v) for k, v in form.items()}
    if mode == "empty":
        chosen: set[str] = set()
        form: dict[str, Any] = {}
    else:
        if mode == "one" and names:
            chosen = {data.draw(st.sampled_from(names))}
        elif mode == "some" and names:
            chosen = set(data.draw(st.lists(st.sampled_from(names), max_size=3)))
        else:
            chosen = set(names)
        form = {}
        for name in names:
            value = _value(data, fields[name], name in chosen)
            if value is not OMIT:
                form[name] = value
    extras = data.draw(
        st.dictionaries(
            st.one_of(st.sampled_from(JUNK_KEYS), st.text(max_size=8)),
            st.one_of(TEXT, st.sampled_from(REDIRECTS)),
            max_size=3,
        )
    )
    for key, value in extras.items():
        if key != "csrf_token":
            form.setdefault(key, value)
    return {k: (_file(v) if isinstance(v, tuple) else v) for k, v in form.items()}


def explicit_form(fields: dict[str, Field]) -> dict[str, Any]:
    """The first case of every target, whatever Hypothesis draws next: the form as a person fills it, with
    every free text field ending in a payload that breaks out of any context it is shown in."""
    form: dict[str, Any] = {}
    for name, f in sorted(fields.items()):
        value = _plausible(f)[0] if f.kind != "submit" else (f.default or "x")
        free = f.kind == "text" and not any(re.search(p, name) for p, _ in PLAUSIBLE)
        if free and isinstance(value, str):
            value += POLYGLOTS[0] + POLYGLOTS[1] + MIXED
        if value is not OMIT:
            form[name] = _file(value) if isinstance(value, tuple) else value
    return form


# --- what the app declares -----------------------------------------------------------------------------------

_FORM_KEYS = re.compile(r"request\.(?:form|values)\.(?:get|getlist)\(\s*[\"']([^\"']+)")
_QUERY_KEYS = re.compile(
    r"\bargs\.(?:get|getlist)\(\s*[\"']([^\"']+)|\bargs\[\s*[\"']([^\"']+)"
    r"|[\"']([^\"']+)[\"']\s+(?:not\s+)?in\s+request\.args"
    r"|\bquery_(?:int|id|year|page)\(\s*[\"']([^\"']+)"
)  # app.params' parser
_CALLS = re.compile(r"\b([A-Za-z_][\w.]*)\(")
_GIVEN_ARGS = re.compile(r"\b([A-Za-z_][\w.]*)\(\s*request\.args")


def _resolve(name: str, namespace: dict) -> Any:
    head, *rest = name.split(".")
    obj = namespace.get(head)
    for part in rest:
        if not inspect.ismodule(obj) and not inspect.isclass(obj):
            return None  # request, current_user and other proxies are not code
        obj = getattr(obj, part, None)
    return obj


def sources(function: Callable, depth: int = 2) -> Iterator[tuple[str, dict]]:
    """The code of a view and of the helpers it calls: its own module's, and whatever it hands request.args."""
    seen: set = set()

    def walk(fn, level):
        fn = inspect.unwrap(fn)
        if fn in seen or not inspect.isfunction(fn):
            return
        seen.add(fn)
        try:
            source = inspect.getsource(fn)
        except (OSError, TypeError):
            return
        yield source, fn.__globals__
        if level == 0:
            return
        for name in set(_CALLS.findall(source)):
            helper = _resolve(name, fn.__globals__)
            own = inspect.isfunction(helper) and helper.__module__ == fn.__module__
            if own or (inspect.isfunction(helper) and name in _GIVEN_ARGS.findall(source)):
                yield from walk(helper, level - 1)

    yield from walk(function, depth)


def _kind_of(field_class: type) -> str:
    from flask_wtf.file import FileField as WtfFileField

    # Subclasses first: a SubmitField is a BooleanField, a DateField a DateTimeField.
    order = [
        (wtforms.FileField, "file"),
        (WtfFileField, "file"),
        (wtforms.SubmitField, "submit"),
        (wtforms.BooleanField, "bool"),
        (wtforms.DateTimeLocalField, "datetime"),
        (wtforms.DateField, "date"),
        (wtforms.DateTimeField, "datetime"),
        (wtforms.IntegerField, "int"),
        (wtforms.DecimalField, "decimal"),
        (wtforms.FloatField, "decimal"),
        (wtforms.SelectMultipleField, "multi"),
        (wtforms.RadioField, "choice"),
        (wtforms.SelectField, "choice"),
        (wtforms.HiddenField, "hidden"),
    ]
    return next((kind for cls, kind in order if issubclass(field_class, cls)), "text")


def form_classes(function: Callable) -> list[type[FlaskForm]]:
    found: list[type[FlaskForm]] = []
    for source, namespace in sources(function):
        for name in re.findall(r"\b([A-Z]\w*(?:Form|Step))\b", source):
            cls = namespace.get(name)
            if isinstance(cls, type) and issubclass(cls, FlaskForm) and cls not in found:
                found.append(cls)
    return found


def class_fields(cls: type[FlaskForm]) -> dict[str, Field]:
    fields: dict[str, Field] = {}
    for name in dir(cls):
        unbound = getattr(cls, name, None)
        if not isinstance(unbound, UnboundField) or name == "csrf_token":
            continue
        options = [
            str(getattr(c, "value", c[0] if isinstance(c, tuple) else c))
            for c in (unbound.kwargs.get("choices") or [])
            if not isinstance(c, dict)
        ]
        default = unbound.kwargs.get("default")
        fields[name] = Field(
            name,
            _kind_of(unbound.field_class),
            options,
            str(default) if isinstance(default, (str, int, float)) and not isinstance(default, bool) else None,
        )
    return fields


def code_form_keys(function: Callable) -> set[str]:
    return {key for source, _ in sources(function) for key in _FORM_KEYS.findall(source)}


def code_query_keys(function: Callable) -> set[str]:
    keys = {key for source, _ in sources(function) for match in _QUERY_KEYS.findall(source) for key in match if key}
    if any(re.search(r"\b(?:paginate|query_page)\(", source) for source, _ in sources(function)):
        keys.add("page")  # app.params.paginate reads the page number
    return keys


# --- pages -------------------------------------------------------------------------------------------------------


@dataclass
class PageForm:
    action: str
    method: str
    fields: dict[str, Field] = field(default_factory=dict)


class _FormParser(HTMLParser):
    """The forms of a page: action, method, and each control with its choices and what it holds."""

    TYPES = {
        "checkbox": "multi",
        "radio": "choice",
        "file": "file",
        "date": "date",
        "datetime-local": "datetime",
        "number": "int",
        "hidden": "hidden",
        "submit": "submit",
    }

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self.current = page, [], None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def _add(self, f: Field) -> None:
        if self.current is None or not f.name or f.name == "csrf_token":
            return
        if f.name in self.current.fields:
            self.current.fields[f.name].merge(f)
        else:
            self.current.fields[f.name] = f

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.current = PageForm(
                urlsplit(a.get("action") or self.page).path or urlsplit(self.page).path,
                (a.get("method") or "get").lower(),
            )
            self.forms.append(self.current)
        elif tag == "input" and "name" in a:
            kind = self.TYPES.get(a.get("type", "text").lower(), "text")
            value = a.get("value", "")
            if kind == "multi":
                self._add(Field(a["name"], "multi", [value or "y"], [value or "y"] if "checked" in a else None))
            elif kind == "choice":
                self._add(Field(a["name"], "choice", [value], value if "checked" in a else None))
            else:
                self._add(Field(a["name"], kind, [], value))
        elif tag == "select" and "name" in a:
            self._select = Field(a["name"], "multi" if "multiple" in a else "choice")
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a:
                self._select.default = value
        elif tag == "textarea" and "name" in a:
            self._textarea = Field(a["name"], "text", [], "")
        elif tag == "button" and "name" in a:
            self._add(Field(a["name"], "choice", [a.get("value", "")]))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.default += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            self._add(self._select)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea)
            self._textarea = None
        elif tag == "form":
            self.current = None


def page_forms(page: str, html: str) -> list[PageForm]:
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


# --- the properties --------------------------------------------------------------------------------------------


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
_LANG = re.compile(r'<html[^>]*\blang="([a-z]{2})"')


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
    root = Path(__file__).resolve().parent.parent / "app" / "translations" / locale / "LC_MESSAGES" / "messages.po"
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


def _short(value: Any, limit: int = 400) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


# --- running a group --------------------------------------------------------------------------------------------


@dataclass
class Target:
    endpoint: str
    method: str
    url: str
    role: str | None
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def label(self) -> str:
        variants = VARIANTS.get(self.endpoint)
        return f"{self.method} {self.endpoint}" + (f" {urlsplit(self.url).path}" if variants else "")


class _LastError(logging.Handler):
    """The app logs each unexpected error it answers with a 500; the failure message quotes where it came from."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.record: logging.LogRecord | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.record = record

    def last(self) -> str:
        if self.record is None or not self.record.exc_info:
            return ""
        _, exc, tb = self.record.exc_info
        frames = [f for f in traceback.extract_tb(tb) if "site-packages" not in f.filename]
        frame = frames[-1] if frames else traceback.extract_tb(tb)[-1]
        self.record = None
        return f" ({type(exc).__name__}: {str(exc)[:200]} at {Path(frame.filename).name}:{frame.lineno})"


class Fuzz:
    """One group's run: its users' clients, the pages their forms are on, what was tried and what broke."""

    def __init__(self, app: Flask, objects: dict, group: str):
        self.app, self.objects, self.group = app, objects, group
        self.adapter = app.url_map.bind("localhost")
        self.failures: list[str] = []
        self.landed: list[tuple[str | None, str]] = []
        self._forms: dict[str | None, dict[tuple[str, str], list[PageForm]]] = {}
        self.errors = _LastError()
        self.outcomes: dict[str, Counter] = {}  # per target: statuses and error messages, for FUZZ_DEBUG

    # users
    def email(self, role: str | None) -> str | None:
        if role == "applicant" and "applicant" not in self.objects:
            application = factories.ProviderApplicationFactory()
            self.objects["applicant"] = factories.UserFactory(
                organisation=application.organisation, org_role="admin", email="applicant@example.com"
            )
            db.session.commit()
        return None if role is None else self.objects[role].email

    def client(self, role: str | None):
        client = self.app.test_client()
        if role is not None:
            client.login(self.email(role))
        return client

    # targets
    def targets(self) -> tuple[list[Target], list[Target]]:
        methods: dict[str, set[str]] = {}
        for rule in self.app.url_map.iter_rules():
            # A route without a matrix entry has no URL to fuzz: test_every_blueprint_is_fuzzed names it.
            if rule.endpoint not in IGNORED and group_of(rule.endpoint) == self.group and rule.endpoint in MATRIX:
                methods.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD"})
        self.methods = methods
        posts, gets = [], []
        for endpoint in sorted(methods):
            builder = VARIANTS.get(endpoint)
            urls = builder(self.objects) if builder else [MATRIX[endpoint].url(self.objects)]
            role = role_for(endpoint)
            for url in urls:
                if "POST" in methods[endpoint]:
                    posts.append(Target(endpoint, "POST", url, role))
                if "GET" in methods[endpoint]:
                    gets.append(Target(endpoint, "GET", url, role))
                if methods[endpoint] == {"OPTIONS"}:
                    gets.append(Target(endpoint, "OPTIONS", url, role))
        posts.sort(key=lambda t: bool(LATE.search(t.endpoint)))
        return posts, gets

    def forms_on_pages(self, role: str | None, everywhere: bool = False) -> dict[tuple[str, str], list[PageForm]]:
        """The forms on the group's pages (or every page) as `role` sees them, by (endpoint, method) they send to."""
        key = role if not everywhere else f"{role}*"
        if key in self._forms:
            return self._forms[key]
        found: dict[tuple[str, str], list[PageForm]] = {}
        client = self.client(role)
        for endpoint, rule in MATRIX.items():
            if rule.method != "GET" or (not everywhere and group_of(endpoint) != self.group):
                continue
            if everywhere and rule.expected(role or "anonymous") not in (OK, REDIRECT):
                continue
            url = rule.url(self.objects)
            response = client.get(url)
            if response.mimetype != "text/html":
                continue
            for form in page_forms(url, response.get_data(as_text=True)):
                if (sends_to := self.sends_to(form)) is not None:
                    found.setdefault(sends_to, []).append(form)
        self._forms[key] = found
        return found

    def sends_to(self, form: PageForm) -> tuple[str, str] | None:
        try:
            endpoint, _ = self.adapter.match(form.action, method=form.method.upper())
        except (HTTPException, RequestRedirect):
            return None
        return endpoint, form.method.upper()

    def forms_of(self, role: str | None, url: str) -> list[PageForm]:
        response = self.client(role).get(url)
        return page_forms(url, response.get_data(as_text=True)) if response.mimetype == "text/html" else []

    def fields_for(self, target: Target) -> dict[str, Field]:
        view = self.app.view_functions[target.endpoint]
        fields: dict[str, Field] = {}

        def add(f: Field) -> None:
            if f.name in fields:
                fields[f.name].merge(f)
            else:
                fields[f.name] = Field(f.name, f.kind, list(f.options), f.default)

        for cls in form_classes(view):
            if target.method == "GET" and cls.Meta.csrf is not False:
                continue  # a GET route reads only its filter forms from the query
            for f in class_fields(cls).values():
                add(f)
        keys = code_form_keys(view) if target.method == "POST" else code_query_keys(view)
        for key in keys:
            add(Field(key))
        path = urlsplit(target.url).path
        page: list[PageForm] = []
        if target.method == "POST":
            # The form is on the route's own page, or on the page above it (/items/1 for /items/1/votes),
            # else somewhere among the group's pages, else anywhere.
            parts = path.rstrip("/").split("/")
            candidates = ([target.url] if "GET" in self.methods[target.endpoint] else []) + [
                "/".join(parts[:i]) for i in range(len(parts) - 1, max(len(parts) - 3, 1), -1)
            ]
            for url in candidates:
                page = [f for f in self.forms_of(target.role, url) if self.sends_to(f) == (target.endpoint, "POST")]
                if page:
                    break
        if not page:
            page = self.forms_on_pages(target.role).get((target.endpoint, target.method), [])
        if not page and target.method == "POST":
            page = self.forms_on_pages(target.role, everywhere=True).get((target.endpoint, target.method), [])
        for form in page:
            if form.action == path or target.method == "GET" or not any(f.action == path for f in page):
                for f in form.fields.values():
                    add(f)
        if target.endpoint.startswith("api."):
            for f in self.openapi_fields(path):
                add(f)
        return fields

    @cache  # noqa: B019 - one run per instance
    def openapi(self) -> dict:
        return self.app.test_client().get("/api/v1/openapi.json").get_json()

    def openapi_fields(self, path: str) -> list[Field]:
        operation = self.openapi()["paths"].get(path, {}).get("get", {})
        fields = []
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            options = [str(v) for v in schema.get("enum") or schema.get("items", {}).get("enum") or []]
            kind = (
                "multi"
                if schema.get("type") == "array"
                else "int"
                if schema.get("type") == "integer"
                else "choice"
                if options
                else "text"
            )
            default = str(schema["default"]) if "default" in schema else None
            fields.append(Field(parameter["name"], kind, options, default))
        return fields

    # the checks of one answer
    def judge(self, target: Target, client, response, sent: Any, before: dict[str, int] | None) -> None:
        where = f"{target.method} {target.url} as {target.role or 'anonymous'} with {_short(sent)}"
        status = response.status_code
        outcome = self.outcomes.setdefault(target.label, Counter())
        outcome[status] += 1
        assert status < 500, f"{where}: server error {status}{self.errors.last()}"
        check_local_redirect(response, where)
        rejected = False
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            found = executable(html)
            assert not found, f"{where}: executable markup in the answer: {found[:3]}"
            errors = error_texts(html)
            outcome.update(e[:90] for e in errors)
            lang = (_LANG.search(html) or [None, "fi"])[1]
            check_translated(errors, lang, where)
            if target.method == "POST":
                if status == 400:
                    assert errors, f"{where}: 400 without an error message"
                rejected = status >= 400 or bool(errors)
        elif response.mimetype == "application/json" and target.endpoint.startswith("api."):
            payload = response.get_json(silent=True)
            assert status in (200, 304, 400, 404, 405), f"{where}: API answered {status}"
            if status != 304:
                assert isinstance(payload, dict), f"{where}: API answer is not a JSON object"
            if status == 400:
                assert payload.get("message"), f"{where}: a 400 that does not say what was wrong: {payload}"
        elif response.mimetype == "text/csv":
            check_csv(response.get_data(as_text=True), where)
        elif target.method == "POST" and 400 <= status < 500:
            rejected = True
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            with client.session_transaction() as session:
                flashes = session.pop("_flashes", [])
                user_id, lang = session.get("_user_id"), session.get("lang")
            errors = [str(message) for category, message in flashes if category == "error"]
            outcome.update("flash: " + e[:90] for e in errors)
            if errors:
                check_translated(errors, self.locale(user_id, lang), where)
            if target.method == "POST":
                rejected = bool(errors) and not any(category == "success" for category, _ in flashes)
                if not rejected and not location.startswith("/login") and len(self.landed) < 60:
                    self.landed.append((target.role, urlsplit(location).path))
        if rejected and before is not None and target.endpoint not in SAVES_DRAFTS:
            after = row_counts()
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            assert not changed, f"{where}: rejected ({status}) but rows changed: {changed}"

    def locale(self, user_id: str | None, lang: str | None) -> str:
        user_id = (user_id or "").partition(":")[0]  # the session id is "<user id>:<token>" (app.sessions)
        if user_id.isdigit():
            from app.models import User

            with db.engine.connect() as conn:
                locale = conn.execute(
                    sa.select(User.__table__.c.locale).where(User.__table__.c.id == int(user_id))
                ).scalar()
            if locale:
                return locale
        return lang or "fi"

    def record(self, target: Target, n: int) -> None:
        figures.count("fuzz", target.label, n)
        figures.count("fuzz", "cases", n)

    def attempt(self, target: Target, run: Callable[[], None]) -> None:
        try:
            run()
        except Exception as exc:
            message = re.split(r"\nassert |\nFalsifying", str(exc))[0]
            self.failures.append(f"{target.label}: {message}"[:3000])

    # fuzzing
    def post(self, target: Target) -> None:
        target.fields = self.fields_for(target)
        client = self.client(target.role)
        tried = [0]

        def send(form: Any) -> None:
            tried[0] += 1
            limiter.reset()  # the sign-up and reset limits would otherwise answer 429 after a few examples
            before = row_counts()
            if isinstance(form, str):
                response = client.post(
                    target.url,
                    data=f"csrf_token={quote(client.csrf_token())}&{form}",
                    content_type="application/x-www-form-urlencoded",
                )
            else:
                response = client.post_form(target.url, form)
            self.judge(target, client, response, form, before)

        @_settings(PROFILE["post"])
        @given(data=st.data())
        def run(data):
            raw = data.draw(st.sampled_from([None] * 9 + RAW_QUERIES), label="raw body")
            send(raw if raw is not None else draw_form(data, target.fields))

        def both() -> None:
            send(explicit_form(target.fields))
            run()

        self.attempt(target, both)
        self.record(target, tried[0])

    def get(self, target: Target) -> None:
        target.fields = self.fields_for(target)
        client = self.client(target.role)
        split = urlsplit(target.url)
        base = dict(pair.split("=", 1) for pair in split.query.split("&") if "=" in pair)
        for name, value in base.items():
            target.fields.setdefault(name, Field(name, "text", [], value))
        template, path_values = self._path_values(split.path)
        tried = [0]

        def send(path: str, query: Any, headers: dict[str, str]) -> None:
            tried[0] += 1
            if isinstance(query, str):
                response = client.open(path + "?" + query, method=target.method, headers=headers)
            else:
                query = [
                    (k, item)
                    for k, v in query.items()
                    if not isinstance(v, tuple)
                    for item in (v if isinstance(v, list) else [v])
                ]
                response = client.open(path, method=target.method, query_string=query, headers=headers)
            self.judge(target, client, response, (path, query, headers), None)

        @_settings(PROFILE["get"] * (3 if target.endpoint.startswith("api.") else 1))  # JSON costs less than a page
        @given(data=st.data())
        def run(data):
            path = self._fuzz_path(data, template, path_values)
            headers = data.draw(
                st.dictionaries(
                    st.sampled_from(["If-None-Match", "If-Modified-Since", "Accept-Language", "Accept", "Origin"]),
                    st.one_of(
                        st.sampled_from(
                            [
                                '"x"',
                                "*",
                                'W/"1"',
                                "Mon, 99 Foo 2026",
                                "Thu, 01 Jan 1970 00:00:00 GMT",
                                "sv",
                                "en;q=2",
                                "*/*;q=x",
                                "zz-ZZ",
                            ]
                        ),
                        st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=30),
                    ),
                    max_size=2,
                )
            )
            raw = data.draw(st.sampled_from([None] * 7 + RAW_QUERIES))
            send(path, raw if raw is not None else draw_form(data, target.fields), headers)

        def both() -> None:
            send(self._fuzz_path(None, template, path_values), explicit_form(target.fields), {})
            run()

        self.attempt(target, both)
        self.record(target, tried[0])

    def _path_values(self, path: str) -> tuple[str, dict[str, Any]]:
        try:
            rule, values = self.adapter.match(path, return_rule=True)
        except (HTTPException, RequestRedirect):
            return path, {}
        return rule.rule, values

    def _fuzz_path(self, data, template: str, values: dict[str, Any]) -> str:
        """The route's own path, or now and then one of its variables replaced by an odd one."""
        fuzzed = None
        if values and data is not None and data.draw(st.integers(0, 3)) == 0:
            fuzzed = data.draw(st.sampled_from(sorted(values)))

        def fill(match: re.Match) -> str:
            name = match.group(2)
            value = values.get(name, "")
            if name != fuzzed:
                return quote(str(value), safe="/" if match.group(1) == "path" else "")
            if isinstance(value, int):
                return data.draw(st.sampled_from(["0", "2147483647", "2147483648", "9" * 25, "00001", "\u0661"]))
            return quote(data.draw(TEXT)[:300], safe="")

        return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", fill, template)

    # afterwards
    def group_links(self, html: str) -> list[str]:
        links = []
        for href in re.findall(r'<a [^>]*href="(/[^"#]*)"', html):
            href = htmllib.unescape(href)
            try:
                endpoint, _ = self.adapter.match(urlsplit(href).path, method="GET")
            except (HTTPException, RequestRedirect):
                continue
            if group_of(endpoint) == self.group and not href.endswith((".csv", ".atom")):
                links.append(href)
        return links

    def sweep(self, roles: set[str | None]) -> None:
        """Every page of the group and every page a successful post led to, as each user of the group and
        anonymously: nothing stored runs as script; no URL column holds a script address."""
        pages = [
            (endpoint, rule)
            for endpoint, rule in MATRIX.items()
            if rule.method == "GET" and group_of(endpoint) == self.group
        ]
        for role in sorted(roles | {None}, key=str):
            client = self.client(role)
            urls = [rule.url(self.objects) for endpoint, rule in pages]
            urls += [path for who, path in self.landed if who == role]
            queue, seen, followed = list(dict.fromkeys(urls)), set(urls), 0
            while queue:
                url = queue.pop(0)
                response = client.get(url)
                if response.mimetype == "text/html" and followed < CRAWL:
                    # One step further: the pages of what the fuzz created (a new case, a new listing).
                    for link in self.group_links(response.get_data(as_text=True)):
                        if link not in seen and followed < CRAWL:
                            seen.add(link)
                            queue.append(link)
                            followed += 1
                where = f"GET {url} as {role or 'anonymous'} after the fuzz"
                if response.status_code >= 500:
                    self.failures.append(f"{where}: server error {response.status_code}")
                elif response.mimetype == "text/html":
                    found = executable(response.get_data(as_text=True))
                    if found:
                        self.failures.append(f"{where}: stored markup runs: {found[:3]}")
                elif response.mimetype == "text/csv":
                    try:
                        check_csv(response.get_data(as_text=True), where)
                    except AssertionError as exc:
                        self.failures.append(str(exc))
                figures.count("fuzz", "pages checked for stored script", 1)
        self.failures += [f"stored web address is not http(s): {p}" for p in check_url_columns()]


def test_every_blueprint_is_fuzzed(app):
    """A new blueprint must join a group (and so be fuzzed); every route of the groups has a matrix entry."""
    blueprints = {rule.endpoint.split(".", 1)[0] for rule in app.url_map.iter_rules()} - IGNORED
    ungrouped = sorted(blueprints - set().union(*GROUPS.values()))
    assert not ungrouped, f"blueprints in no fuzz group (add them to GROUPS): {ungrouped}"
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - IGNORED
    unknown = sorted(endpoints - set(MATRIX))
    assert not unknown, f"routes without an access-matrix entry, so without a URL to fuzz: {unknown}"


def _meeting_in_session(objects: dict) -> None:
    """The vote, conflict and decision forms show only while a meeting is in session with people present."""
    from governance.steering import services

    meeting = objects["meeting"]
    services.start_session(objects["coordinator"], meeting)
    db.session.flush()
    everyone = {m.id for m in services.active_memberships(meeting)}
    services.record_attendance(objects["coordinator"], meeting, everyone, {})
    db.session.commit()


def _adoption_decision(objects: dict) -> None:
    """The adoption form offers the steering group's decisions on adopting rules: one such."""
    factories.DecisionFactory(item__decision_kind="rules_adoption")
    db.session.commit()


#: What a group needs beyond the matrix's objects for its forms to show.
PREPARE: dict[str, Callable[[dict], None]] = {"steering": _meeting_in_session, "rules": _adoption_decision}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_fuzz(app, objects, group):
    if group in PREPARE:
        with app.test_request_context():
            PREPARE[group](objects)
    fuzz = Fuzz(app, objects, group)
    posts, gets = fuzz.targets()
    assert posts or gets, f"no routes in group {group}"
    app.logger.addHandler(fuzz.errors)
    try:
        for target in gets:
            fuzz.get(target)
        for target in posts:
            fuzz.post(target)
        fuzz.sweep({t.role for t in posts + gets})
    finally:
        app.logger.removeHandler(fuzz.errors)
    if os.environ.get("FUZZ_DEBUG"):  # what each target answered, and which payloads got stored (run with -s)
        for label, outcome in sorted(fuzz.outcomes.items()):
            print(f"{label:60} {sorted((k, n) for k, n in outcome.items() if isinstance(k, int))}")
            for message, n in [(k, n) for k, n in outcome.most_common() if isinstance(k, str)][:6]:
                print(f"      {n:3} {message}")
        with db.engine.connect() as conn:
            for table in db.metadata.sorted_tables:
                for column in table.columns:
                    if isinstance(column.type, (sa.String, sa.Text)):
                        n = conn.execute(sa.select(sa.func.count()).where(column.contains("fz("))).scalar()
                        if n:
                            print(f"stored payloads: {table.name}.{column.name}: {n}")
    figures.count("fuzz", "targets", len(posts) + len(gets))
    assert not fuzz.failures, f"{len(fuzz.failures)} problems:\n" + "\n".join(fuzz.failures)


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return [(category, str(message)) for category, message in session.pop("_flashes", [])]


def test_what_the_fuzz_found_stays_fixed(app, objects, login_as):
    """The bugs the fuzz found, each as the request that showed it (they all answered 500, or 400 saying nothing)."""
    coordinator, secretary = login_as("coordinator"), login_as("secretary")
    # Ids past what an INTEGER column holds: no such page (the database driver overflowed).
    for path in (
        "/meetings/99999999999999999999",
        "/items/9223372036854775808",
        "/providers/2147483648",
        "/admin/organisations/9999999999999999999999999",
    ):
        assert coordinator.get(path).status_code == 404, path
    # Digits that str.isdigit() accepts but int() refuses ("²").
    for path, parameter in (
        ("/api/v1/decisions?limit=%C2%B2", "limit"),
        ("/api/v1/meetings?year=%C2%B2", "year"),
        ("/api/v1/decisions?year=%C2%B2", "year"),
    ):
        response = coordinator.get(path)
        assert response.status_code == 400 and response.get_json()["parameter"] == parameter, path
    for path in ("/register?year=%C2%B2", "/catalogue?provider=%C2%B2"):
        assert coordinator.get(path).status_code < 500, path
    meeting, item = objects["meeting"], objects["item"]
    with app.test_request_context():
        _meeting_in_session(objects)
    response = secretary.post_form(
        f"/meetings/{meeting.id}/attendance", {"present": "²", "stands_in_²": "1", "stands_in_1": "²"}
    )
    assert response.status_code == 302
    response = secretary.post_form(f"/votes/{objects['vote'].id}/ballots", {"ballot_²": "proposal"})
    assert response.status_code == 302
    response = secretary.post_form(f"/minutes/{objects['minutes'].id}/approve", {"by": "meeting", "meeting": "²"})
    assert response.status_code == 302 and ("error", "Valitse kokous.") in _flashes(secretary)
    # Dates a person cannot mean: 60 days after 9999-12-31, or 0001-01-01 in UTC, overflowed.
    response = coordinator.post_form(
        "/rules/1.1/adopt",
        {
            "effective_date": "9999-12-31",
            "reacceptance_deadline": "",
            "decision": str(factories.DecisionFactory(item__decision_kind="rules_adoption").id),
        },
    )
    assert response.status_code == 200 and error_texts(response.get_data(as_text=True))
    response = secretary.post_form(
        f"/bodies/{objects['body'].code}/meetings", {"number": "7", "starts_at": "0001-01-01T00:00", "place": "Sali"}
    )
    assert response.status_code == 302 and [c for c, _ in _flashes(secretary)] == ["error"]
    # A version that is no number matches no saved version: the edit is refused as a conflict.
    response = secretary.post_form(
        f"/items/{item.id}", {"version": "Testi", "decision_kind": "operational", "proposal": "Uusi ehdotus"}
    )
    assert response.status_code == 409
    # NaN and 1e30 parse as decimals, but compare and round only with an error.
    provider = login_as("provider_admin")
    for unit_price, vat_rate in (("NaN", "25,5"), ("12,50", "1e30"), ("sNaN", "Infinity")):
        response = provider.post_form(
            f"/listings/{objects['listing'].id}/plans/new",
            {
                "name": "Perus",
                "model": "per_pupil_year",
                "unit_price": unit_price,
                "vat_rate": vat_rate,
                "min_quantity": "1",
            },
        )
        assert response.status_code == 400, (unit_price, vat_rate)
        assert error_texts(response.get_data(as_text=True)), (unit_price, vat_rate)
    # A multipart part without a name (no browser sends one) is refused, not a crash in the input guard.
    token = coordinator.csrf_token()
    body = (
        b'--XX\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + token.encode()
        + b"\r\n--XX\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--XX--\r\n"
    )
    response = coordinator.post("/bodies", data=body, content_type="multipart/form-data; boundary=XX")
    assert response.status_code == 400
    # Choices not offered get the app's own message, not WTForms' untranslated one.
    response = provider.post_form("/listings/new", {"name": "Palvelu", "levels": ["bogus", "grades_7_9"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "not a valid choice" not in html and "not valid choices" not in html
    # A form sent to something no longer in the state the form is for (handled in another tab): the
    # page would show no form and so no error; the answer says why instead.
    checks = [
        (coordinator, f"/admin/listings/{objects['listing'].id}/publish", {}, "/admin/listings/"),
        (coordinator, f"/admin/listings/{objects['listing'].id}/return", {"comment": "Korjaa"}, "/admin/listings/"),
    ]
    approver = login_as("approver")
    request_id = objects["pending_request"].id
    assert (
        approver.post_form(
            f"/procurement/{request_id}/decide", {"decision": "reject", "comment": "Ei budjettia"}
        ).status_code
        == 302
    )
    _flashes(approver)
    checks.append((approver, f"/procurement/{request_id}/decide", {}, f"/procurement/{request_id}"))
    order_id = objects["order"].id
    assert (
        provider.post_form(
            f"/procurement/orders/{order_id}/answer", {"decision": "decline", "reason": "Ei toimitusta"}
        ).status_code
        == 302
    )
    _flashes(provider)
    checks.append((provider, f"/procurement/orders/{order_id}/answer", {}, f"/procurement/orders/{order_id}"))
    application_id = objects["application"].id
    assert (
        coordinator.post_form(
            f"/admin/applications/{application_id}/decision", {"action": "reject", "message": "Puutteellinen"}
        ).status_code
        == 302
    )
    _flashes(coordinator)
    checks.append(
        (coordinator, f"/admin/applications/{application_id}/decision", {}, f"/admin/applications/{application_id}")
    )
    for client, url, form, landing in checks:
        response = client.post_form(url, form)
        assert response.status_code == 302 and response.headers["Location"].startswith(landing), url
        assert [c for c, _ in _flashes(client)] == ["error"], url
