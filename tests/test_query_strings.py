"""Numbers in query strings: one parser (app/params.py), and no route that a number can break.

The defects of the issue "Integrity", item 3, each as the request that showed it (all answered 500):
a crafted API `cursor` (base64 of 2147483648, of 10**20, of `true`) on every list of /api/v1, without
signing in; a huge `page` on the register, the providers, the orders and the admin lists; the orders'
year and organisation filters; digits that `str.isdigit()` accepts but `int()` refuses on the catalogue.

Then the class: every GET route of `app.url_map` (the access matrix's URL, the fuzz's discovery of the
query keys its code and its page's GET forms read, and the OpenAPI parameters of the API) gets, in each
parameter it reads and in `page`, `cursor`, `year`, `organisation`, `limit`, `per_page`, `sort` and junk
names, hostile numbers: past 32 and 64 bits, signs, exponents, hex, fractions, superscripts, Arabic-Indic
digits, spaces, NaN, booleans, base64 cursors of all of these and of JSON, 10 000 digits (past int()'s
4 300), repeated keys; anonymously and as someone who may use the route. No answer is a server error,
and none shows an English error on a Finnish page. A Hypothesis part adds random integers and strings
per route and parameter (derandomized: the same cases every run).
"""

from __future__ import annotations

import base64
import json
import os
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from app.extensions import limiter
from app.security import MAX_ID
from tests import factories, figures
from tests.fuzz.budget import SCALE, fuzz_settings
from tests.fuzz.checks import error_texts
from tests.fuzz.groups import GROUPS, IGNORED
from tests.fuzz.runner import Fuzz
from tests.matrix import MATRIX, OK
from tests.support import PROJECT_ROOT

API_LISTS = ["providers", "rules", "bodies", "meetings", "decisions", "cases", "services"]


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# --- the parser -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2147483648",
        "-2147483649",
        "9223372036854775808",
        str(10**20),
        "1e309",
        "-0",
        "0x10",
        "½",
        "²",
        "١٢٣",
        " 1",
        "1 ",
        "+1",
        "NaN",
        "true",
        "1_0",
        "1.0",
        "",
        "9" * 4301,
        "9" * 10_000,
        "\u00a01",
        "𝟙",
    ],
)
def test_the_parser_takes_only_ascii_digits_within_bounds(text):
    from app.params import parse_int

    assert parse_int(text, 0, MAX_ID) is None
    assert parse_int("2147483647", 0, MAX_ID) == MAX_ID and parse_int("0", 0, 10) == 0
    assert parse_int(" 2026 ", 2000, 2100, spaces=True) == 2026 and parse_int("1999", 2000, 2100) is None


def test_query_helpers_raise_a_translated_error_naming_the_parameter(app):
    from app.params import MAX_PAGE, BadQuery, query_int, query_page

    with app.test_request_context(
        "/?organisation=%C2%B2&page=0&year=2026&big=" + "9" * 10_000, headers={"Accept-Language": "fi"}
    ):
        with pytest.raises(BadQuery) as caught:
            query_int("organisation", minimum=1, maximum=MAX_ID)
        assert caught.value.parameter == "organisation" and "kokonaislukuna" in caught.value.message
        with pytest.raises(BadQuery):
            query_page()
        assert query_int("year", minimum=2000, maximum=2100) == 2026 and query_int("missing", 7) == 7
        assert query_page("big") == MAX_PAGE  # a whole number past every list's end: the last page


def test_a_cursor_is_valid_only_as_the_api_writes_it(app):
    from marketplace.api.views import BadParameter, decode_cursor, encode_cursor

    for value in (1, 42, MAX_ID):
        assert decode_cursor(encode_cursor(value)) == value
    assert decode_cursor(None) is None and decode_cursor("") is None
    bad = [
        b64(v)
        for v in (
            "2147483648",
            str(10**20),
            "true",
            "0",
            "-1",
            "1.5",
            "1e3",
            " 1",
            "01",
            '"1"',
            "[1]",
            '{"id": 1}',
            "null",
            "١٢٣",
        )
    ]
    bad += [encode_cursor(5) + "==", encode_cursor(5) + "A", "%%%", "NQ.", "N Q", "NQ\n", "x" * 15, "=" * 4]
    for raw in bad:
        with pytest.raises(BadParameter):
            decode_cursor(raw)


# --- the defects of the issue ------------------------------------------------------------------------------------


@pytest.fixture()
def api_spec(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.mark.parametrize("name", API_LISTS)
def test_crafted_cursors_answer_400_on_every_api_list(objects, client, api_spec, name):
    error = Draft202012Validator({"$ref": "#/components/schemas/Error", "components": api_spec["components"]})
    for value in ("2147483648", "100000000000000000000", "true", "0", "-5", '"5"', "[5]", '{"id": 5}'):
        response = client.get(f"/api/v1/{name}?cursor={b64(value)}")
        assert response.status_code == 400, (name, value, response.status_code)
        body = response.get_json()
        assert body["parameter"] == "cursor" and body["message"], body
        error.validate(body)
    # and the cursors the API writes still page through every item once
    seen, cursor = [], ""
    while True:
        page = client.get(f"/api/v1/{name}?limit=1&cursor={cursor}").get_json()
        seen += [item.get("id", item.get("slug", item.get("reference"))) for item in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert seen and len(seen) == len(set(seen)), name


def _notice(html: str) -> list[str]:
    return re.findall(r'<p class="flash flash-info">(.*?)</p>', html)


HUGE_PAGES = ["2147483648", "100000000000000000000", "9223372036854775808", "9" * 10_000]


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (None, "/register"),
        (None, "/providers"),
        ("coordinator", "/procurement/orders"),
        ("buyer", "/procurement/orders"),
        ("provider_admin", "/procurement/orders"),
        ("coordinator", "/admin/organisations"),
        ("coordinator", "/admin/audit"),
        ("coordinator", "/admin/applications"),
    ],
)
def test_a_page_past_the_end_shows_the_last_page(objects, login_as, role, path):
    client = login_as(role)
    first = client.get(path)
    assert first.status_code == 200
    for page in [*HUGE_PAGES, "2"]:
        response = client.get(f"{path}?page={page}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200, (path, page[:30], response.status_code)
        assert _notice(html) == [
            "Pyydettyä sivua ei ole, koska luettelo on lyhyempi. Näytetään luettelon viimeinen sivu."
        ], (path, page[:30])


def test_the_last_page_is_the_last_page(app, people, login_as):
    app.config["AUDIT_PAGE_SIZE"] = 5
    for i in range(12):
        factories.AuditEventFactory(action="test.bulk", data={"i": i})
    client = login_as("coordinator")
    pages = re.search(r"Sivu 1/(\d+)", client.get("/admin/audit?action=test.bulk").get_data(as_text=True))
    last = client.get(f"/admin/audit?action=test.bulk&page={pages[1]}").get_data(as_text=True)
    for page in HUGE_PAGES:
        html = client.get(f"/admin/audit?action=test.bulk&page={page}").get_data(as_text=True)
        assert f"Sivu {pages[1]}/{pages[1]}" in html
        assert re.findall(r"<td>.*?</td>", html) == re.findall(r"<td>.*?</td>", last)


@pytest.mark.parametrize("number", ["abc", "0", "-1", "-0", "+1", "1.5", "½", "²", "١٢٣", "0x10", "NaN", "1e309", " 1"])
def test_a_page_number_that_is_no_number_gets_a_translated_400(people, login_as, number):
    for role, path in ((None, "/register"), (None, "/providers"), ("coordinator", "/admin/audit")):
        response = login_as(role).get(path, query_string={"page": number})
        assert response.status_code == 400, (path, number)
        assert "Sivunumeron on oltava kokonaisluku, vähintään 1." in error_texts(response.get_data(as_text=True))


CHOOSE = "Valitse vain näytetyistä vaihtoehdoista."


@pytest.mark.parametrize(
    ("role", "query", "message"),
    [
        ("coordinator", "municipality=100000000000000000000", CHOOSE),
        ("coordinator", "provider=2147483648", CHOOSE),
        ("coordinator", "municipality=%C2%B2", CHOOSE),
        ("buyer", "provider=9223372036854775808", CHOOSE),
        ("provider_admin", "municipality=2147483648", CHOOSE),
        ("coordinator", "year=100000000000000000000", "Anna vuosi, esimerkiksi 2026."),
        ("coordinator", "year=%C2%B2", "Anna vuosi, esimerkiksi 2026."),
        ("coordinator", "year=" + "9" * 10_000, "Anna vuosi, esimerkiksi 2026."),
    ],
)
def test_order_filters_refuse_numbers_no_column_holds(objects, login_as, role, query, message):
    client = login_as(role)
    response = client.get(f"/procurement/orders?{query}")
    assert response.status_code == 400, query
    assert message in error_texts(response.get_data(as_text=True))
    for path in ("/procurement/orders.csv",) if role == "coordinator" else ():
        assert client.get(f"{path}?{query}").status_code < 500


def test_order_filters_still_filter(objects, login_as):
    client = login_as("coordinator")
    order = objects["order"]
    year = order.term_start.year
    for query in (
        f"year={year}",
        f"year=+{year}".replace("+", "%20"),
        f"provider={order.provider_id}",
        f"municipality={order.organisation_id}",
    ):
        html = client.get(f"/procurement/orders?{query}").get_data(as_text=True)
        assert order.reference in html, query
    assert order.reference not in client.get(f"/procurement/orders?year={year + 5}").get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "page=%C2%B2",
        "per_page=%C2%B2",
        "page=" + "9" * 5000,
        "per_page=" + "9" * 5000,
        "provider=2147483648",
        "provider=%D9%A1",
    ],
)
def test_the_catalogue_reads_odd_digits_as_errors_it_shows(objects, client, query):
    response = client.get(f"/catalogue?{query}")
    assert response.status_code == 200
    assert 'class="notice notice-error"' in response.get_data(as_text=True)


def test_the_register_and_the_api_read_years_from_2000_to_2100(objects, client):
    assert client.get("/api/v1/meetings?year=1999").status_code == 400
    assert client.get("/api/v1/meetings?year=2026").status_code == 200
    assert client.get("/api/v1/decisions?year=2101").get_json()["parameter"] == "year"
    assert client.get("/api/v1/decisions?year=%202026").status_code == 400  # as described: four digits
    html = client.get("/register?year=%202026%20").get_data(as_text=True)
    assert "error-summary" not in html  # typed into the register's field, spaces are a slip


def test_only_app_params_paginates():
    """Flask-SQLAlchemy's paginate reads `page` from the query string with int() (huge numbers reach the
    database): views page through app.params.paginate."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = []
    for package in ("app", "governance", "marketplace"):
        for folder, _dirs, files in os.walk(os.path.join(root, package)):
            for name in files:
                path = os.path.join(folder, name)
                if name.endswith(".py") and not path.endswith(os.path.join("app", "params.py")):
                    with open(path, encoding="utf-8") as handle:
                        if re.search(r"\bdb\.paginate\(|\.paginate\(\s*page=|type=int", handle.read()):
                            found.append(os.path.relpath(path, root))
    assert not found, f"read page numbers with app.params (paginate, query_int): {found}"


# --- every GET route ------------------------------------------------------------------------------------------

NUMBERS = [
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    str(10**20),
    "1e309",
    "-0",
    "0x10",
    "½",
    "²",
    "١٢٣",
    " 1",
    "1 ",
    "+1",
    "NaN",
    "true",
    "0",
    "-1",
    "2147483647",
    "9" * 4301,
    "9" * 10_000,
]
CURSORS = [b64(v) for v in NUMBERS[:18]] + [
    b64(json.dumps(v)) for v in ({"id": 1}, {"cursor": 2147483648}, [1], [], "1", "", None, 1.5, -1, True, 10**20)
]
#: Each value once in each parameter; a tuple is the same key repeated.
VALUES: list[str | tuple[str, ...]] = NUMBERS + CURSORS + [("1", "2147483648"), ("2147483648", "1"), ("", "²")]
#: The parameters that decode base64 (the API's cursor, app/params and marketplace/api). To any
#: other parameter a crafted cursor is one more string of letters and digits, which NUMBERS
#: already has ("NaN", "true", "0x10"), so a route's other parameters get each cursor only
#: together, in the request that sends every parameter at once (and from Hypothesis, which draws
#: base64 for any parameter).
CURSOR_PARAMETERS = {"cursor"}
CURSOR_VALUES = set(CURSORS)
#: Parameters sent to every route whether it reads them or not, and junk.
ALWAYS = ["page", "cursor", "year", "organisation", "limit", "per_page", "sort"]
JUNK = ["id", "offset", "n", "x" * 100, "ä"]


def _params(fuzz: Fuzz, target) -> list[str]:
    """What the route reads: its code's keys, its page's GET forms and (for the API) its OpenAPI parameters."""
    return sorted(fuzz.fields_for(target))


def _send(fuzz: Fuzz, target, client, base: list[tuple[str, str]], pairs: list[tuple[str, str]]):
    names = {name for name, _ in pairs}
    query = [(k, v) for k, v in base if k not in names] + pairs
    path = target.url.split("?", 1)[0]
    response = client.open(path, method=target.method, query_string=query)
    fuzz.judge(target, client, response, (path, [(k, v[:40] + ("..." if len(v) > 40 else "")) for k, v in query]), None)
    if response.status_code == 400 and response.mimetype == "text/html":
        assert error_texts(response.get_data(as_text=True)), f"{target.label} with {query!r:.300}: 400 saying nothing"
    figures.count("query", "requests sent", 1)
    return response


def _pairs(name: str, value) -> list[tuple[str, str]]:
    return [(name, v) for v in value] if isinstance(value, tuple) else [(name, value)]


RANDOM = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.integers(min_value=2**31 - 3, max_value=2**63 + 3).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(st.sampled_from("0123456789 +-.,e_x²½١٢٣٠𝟙\u00a0"), min_size=1, max_size=40),
    st.integers(min_value=-(2**40), max_value=2**80).map(lambda n: b64(str(n))),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
        max_leaves=5,
    ).map(lambda v: b64(json.dumps(v))),
    st.builds(lambda d, n: d * n, st.sampled_from("91٩"), st.sampled_from([11, 20, 4300, 4301, 10_000])),
)
#: Hypothesis cases per route (on PostgreSQL fewer: each round trip costs more).
EXAMPLES = max(1, int({"sqlite": 10, "postgresql": 6}[figures.database_name()] * SCALE))


def test_only_the_cursor_parameter_is_read_as_base64():
    """The walk sends crafted cursors to CURSOR_PARAMETERS one by one (and to the rest together):
    that holds only while no other parameter is decoded from base64."""
    decoding, reading = [], []
    for package in ("app", "governance", "marketplace"):
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "b64decode" in text:
                decoding.append(str(path.relative_to(PROJECT_ROOT)))
            reading += re.findall(r"decode_cursor\((request\.args\.get\([^)]*\))", text)
    assert decoding == ["marketplace/api/views.py"]
    assert reading and set(reading) == {f'request.args.get("{name}")' for name in CURSOR_PARAMETERS}


def test_every_get_route_is_walked(app, objects):
    walked = set()
    for group in GROUPS:
        _posts, gets = Fuzz(app, objects, group).targets()
        walked |= {t.endpoint for t in gets}
    routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in IGNORED and ("GET" in rule.methods or rule.methods == {"OPTIONS"})
    }
    assert routes <= walked, f"GET routes the walk misses: {sorted(routes - walked)}"


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_no_number_in_a_query_string_breaks_a_route(app, objects, group):
    fuzz = Fuzz(app, objects, group)
    _posts, gets = fuzz.targets()
    app.logger.addHandler(fuzz.errors)
    try:
        for target in gets:
            limiter.reset()
            reads = _params(fuzz, target)
            base = [tuple(pair.split("=", 1)) for pair in target.url.partition("?")[2].split("&") if "=" in pair]
            user = fuzz.client(target.role)
            clients = [(target.role, user)]
            anonymous_may = target.role is not None and MATRIX[target.endpoint].expected("anonymous") == OK
            if anonymous_may:
                clients.append((None, fuzz.client(None)))
            unread = [n for n in ALWAYS + JUNK if n not in reads]

            def explicit() -> None:
                for _who, client in clients:
                    for value in VALUES:
                        for name in reads:
                            if value in CURSOR_VALUES and name not in CURSOR_PARAMETERS:
                                continue
                            _send(fuzz, target, client, base, _pairs(name, value))
                        _send(fuzz, target, client, base, [p for n in unread for p in _pairs(n, value)])
                if not anonymous_may and target.role is not None:  # the sign-in page or a refusal, never a 500
                    anonymous = fuzz.client(None)
                    for value in VALUES:
                        _send(fuzz, target, anonymous, base, [p for n in reads + unread for p in _pairs(n, value)])

            @fuzz_settings(EXAMPLES)
            @given(data=st.data())
            def generated(data) -> None:
                _who, client = data.draw(st.sampled_from(clients))
                name = data.draw(st.sampled_from(reads + ALWAYS))
                values = data.draw(st.lists(RANDOM, min_size=1, max_size=2))
                _send(fuzz, target, client, base, [(name, v) for v in values])
                figures.count("query", "Hypothesis cases", 1)

            fuzz.attempt(target, explicit)
            fuzz.attempt(target, generated)
            figures.count("query", "URLs walked (a wizard's steps, a body's feed: one each)", 1)
            figures.count("query", "parameters read by the routes", len(reads))
    finally:
        app.logger.removeHandler(fuzz.errors)
    figures.count("query", "GET routes walked", len({t.endpoint for t in gets}))
    figures.note("query", "hostile values per parameter", len(VALUES))
    assert not fuzz.failures, f"{len(fuzz.failures)} problems:\n" + "\n".join(fuzz.failures)
