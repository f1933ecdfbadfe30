"""Hostile values (long strings, control characters, odd Unicode, HTML and script payloads, SQL
fragments, wrong types) and plausible ones, and the forms drawn from them."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from tests.factories import TEST_PASSWORD

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
