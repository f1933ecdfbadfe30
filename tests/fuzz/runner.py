"""One group's run (``Fuzz``): its targets and their fields, the fuzzing of each, the checks of every
answer, and the sweep of the pages afterwards."""

from __future__ import annotations

import html as htmllib
import logging
import re
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import sqlalchemy as sa
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app.extensions import db, limiter
from tests import factories, figures
from tests.fuzz.budget import PROFILE, fuzz_settings
from tests.fuzz.checks import (
    check_csv,
    check_local_redirect,
    check_translated,
    check_url_columns,
    error_texts,
    executable,
    row_counts,
)
from tests.fuzz.forms import PageForm, class_fields, code_form_keys, code_query_keys, form_classes, page_forms
from tests.fuzz.groups import CRAWL, IGNORED, LATE, SAVES_DRAFTS, VARIANTS, group_of, role_for
from tests.fuzz.values import RAW_QUERIES, TEXT, Field, draw_form, explicit_form
from tests.matrix import MATRIX, OK, REDIRECT

_LANG = re.compile(r'<html[^>]*\blang="([a-z]{2})"')


def _short(value: Any, limit: int = 400) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


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

        @fuzz_settings(PROFILE["post"])
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

        @fuzz_settings(PROFILE["get"] * (3 if target.endpoint.startswith("api.") else 1))  # JSON costs less than a page
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
