"""The clients of the load test (bench/load.py): each a thread with its own ``requests`` session.

A client signs in once through the real /login form (the CSRF token read from the page), then loops without
pause over the mix of `MIX` until the shared deadline: catalogue pages, register pages, signed-in pages and
writes (a comment on the rules version under consultation, posted through its form like a browser). Every
request is timed and checked against the one answer expected; what a client saw is kept in its `Tally`,
which bench/load.py merges after the run.
"""

from __future__ import annotations

import heapq
import html
import random
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from app.demo import DEMO_PASSWORD
from bench.common import FACET_MARKER

REQUEST_TIMEOUT_S = 30.0
#: Share of each kind of step in a client's loop (a write step is a GET of the form page and a POST).
MIX = {"catalogue": 0.35, "register": 0.25, "signed-in": 0.25, "write": 0.15}
KINDS = ("login", "catalogue", "register", "signed-in", "write")
MAX_EXAMPLES = 12
SLOWEST = 8

_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)


def form_fields(page: str, action_contains: str) -> dict[str, str]:
    """The hidden inputs (the CSRF token among them) of the first form whose action contains the text."""
    for attrs, body in _FORM.findall(page):
        action = html.unescape(dict(_ATTR.findall(attrs)).get("action", ""))
        if action_contains in action:
            fields = {}
            for tag in _INPUT.findall(body):
                a = {k: html.unescape(v) for k, v in _ATTR.findall(tag)}
                if a.get("type") == "hidden" and "name" in a:
                    fields[a["name"]] = a.get("value", "")
            return fields
    return {}


@dataclass
class Tally:
    """What one client saw; merged after the run."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    counts: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    error_types: Counter = field(default_factory=Counter)
    examples: list[dict[str, Any]] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)  # write tokens whose POST got no success answer
    slowest: list[tuple[float, str, str, str, float]] = field(default_factory=list)  # a heap of the slowest
    logins: int = 0


class Client(threading.Thread):
    """One person: signs in once, then requests the mix until the deadline, never retrying."""

    def __init__(
        self,
        number: int,
        base: str,
        email: str,
        org_kind: str,
        vocab: dict[str, Any],
        run_id: str,
        clock: dict[str, float],
        start_gate: threading.Barrier,
        examples_lock: threading.Lock,
        shared_examples: list[dict[str, Any]],
    ):
        super().__init__(name=f"client-{number}", daemon=True)
        self.number, self.base, self.email, self.org_kind = number, base, email, org_kind
        self.vocab, self.run_id, self.clock = vocab, run_id, clock
        self.rng = random.Random(f"{run_id}-{number}")
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "digione-bench-load"
        self.tally = Tally()
        self.gate = start_gate
        self.examples_lock, self.shared_examples = examples_lock, shared_examples
        self.signed_in = False
        self.writes = 0

    # One request: timed, checked, never retried.
    def call(
        self,
        kind: str,
        method: str,
        path: str,
        expect: int,
        data: dict[str, str] | None = None,
        location: str | None = None,
        facets: bool = False,
    ) -> requests.Response | None:
        started = time.perf_counter()
        problem = None
        response = None
        try:
            response = self.session.request(
                method, self.base + path, data=data, allow_redirects=False, timeout=REQUEST_TIMEOUT_S
            )
            response.content  # noqa: B018 - read the whole body inside the timing
        except requests.Timeout as exc:
            problem = ("timeout", repr(exc)[:300])
        except requests.RequestException as exc:
            problem = ("connection", repr(exc)[:300])
        elapsed = (time.perf_counter() - started) * 1000
        self.tally.counts[kind] += 1
        self.tally.latencies[kind].append(elapsed)
        slow = (elapsed, kind, method, path, time.monotonic() - self.clock["started"] - elapsed / 1000)
        if len(self.tally.slowest) < SLOWEST:
            heapq.heappush(self.tally.slowest, slow)
        elif elapsed > self.tally.slowest[0][0]:
            heapq.heapreplace(self.tally.slowest, slow)
        if response is not None:
            got_location = urlsplit(response.headers.get("Location", "")).path
            if response.status_code != expect:
                label = "5xx" if response.status_code >= 500 else f"status {response.status_code}"
                snippet = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))[:300]
                problem = (
                    label,
                    f"expected {expect}, got {response.status_code} "
                    f"{'-> ' + got_location if got_location else ''}: {snippet}",
                )
            elif location is not None and got_location != location:
                problem = ("wrong redirect", f"expected a redirect to {location}, got {got_location or 'none'}")
            elif facets and len(FACET_MARKER.findall(response.text)) != 10:
                problem = ("page content", "a catalogue page without its 10 facet sections")
        if problem is None:
            return response
        self.tally.errors[kind] += 1
        self.tally.error_types[problem[0]] += 1
        example = {
            "client": self.number,
            "user": self.email,
            "kind": kind,
            "method": method,
            "path": path,
            "error": problem[0],
            "detail": problem[1],
            "ms": round(elapsed, 1),
            "at": datetime.now(UTC).strftime("%H:%M:%S.%f")[:-3],
        }
        with self.examples_lock:
            if len(self.shared_examples) < MAX_EXAMPLES:
                self.shared_examples.append(example)
        return None

    def sign_in(self) -> None:
        page = self.call("login", "GET", "/login", 200)
        if page is None:
            return
        fields = form_fields(page.text, "/login")
        if "csrf_token" not in fields:
            self.call_failed("login", "/login", "no CSRF token in the sign-in form")
            return
        data = {**fields, "email": self.email, "password": DEMO_PASSWORD}
        if self.call("login", "POST", "/login", 302, data=data, location="/") is not None:
            self.signed_in = True
            self.tally.logins += 1

    def call_failed(self, kind: str, path: str, detail: str) -> None:
        self.tally.errors[kind] += 1
        self.tally.error_types["page content"] += 1
        with self.examples_lock:
            if len(self.shared_examples) < MAX_EXAMPLES:
                self.shared_examples.append(
                    {
                        "client": self.number,
                        "user": self.email,
                        "kind": kind,
                        "path": path,
                        "error": "page content",
                        "detail": detail,
                    }
                )

    def catalogue_path(self) -> str:
        v, r = self.vocab, self.rng
        roll = r.random()
        if roll < 0.3:
            return f"/catalogue/{r.choice(v['slugs'])}"
        parts = []
        if roll < 0.75 and v["catalogue_words"]:
            parts.append(f"q={r.choice(v['catalogue_words'])}")
        for name in r.sample(sorted(v["facets"]), r.randint(0, 3)):
            parts.append(f"{name}={r.choice(v['facets'][name])}")
        return quote("/catalogue" + ("?" + "&".join(parts) if parts else ""), safe="/?&=")

    def register_path(self) -> str:
        v, r = self.vocab, self.rng
        choices = [
            lambda: "/register",
            lambda: f"/register?q={r.choice(v['register_words'] or ['päätös'])}",
            lambda: f"/register?body={r.choice(v['bodies'])}&year={r.choice(v['years'])}",
            lambda: f"/register?resolution={r.choice(v['resolutions'])}&level={r.choice(v['levels'])}",
            lambda: f"/register?kind={r.choice(v['kinds'])}",
            lambda: f"/register/{r.choice(v['decisions'])}",
            lambda: f"/register/{r.choice(v['decisions'])}",
            lambda: f"/register/cases/{r.choice(v['cases'])}" if v["cases"] else "/register",
            lambda: "/register/feed.atom",
            lambda: f"/register/feed/{r.choice(v['bodies'])}.atom",
        ]
        return quote(r.choice(choices)(), safe="/?&=")

    def signed_in_path(self) -> str:
        pages = ["/organisation", "/profile", "/procurement/orders", f"/rules/{self.vocab['consultations'][0]}"]
        if self.org_kind == "municipality":
            pages.append("/procurement")
        return self.rng.choice(pages)

    def write(self) -> None:
        label = self.vocab["consultations"][0]
        page = self.call("signed-in", "GET", f"/rules/{label}", 200)
        if page is None:
            return
        fields = form_fields(page.text, f"/rules/{label}/comments")
        if "csrf_token" not in fields:
            self.call_failed("write", f"/rules/{label}", "no comment form with a CSRF token on the page")
            return
        self.writes += 1
        token = f"{self.run_id}-{self.number:03d}-{self.writes:05d}"
        data = {
            **fields,
            "section": "",
            "body": f"Load test {self.run_id}: a comment from client {self.number}, write {self.writes}, token {token}",
        }
        if (
            self.call("write", "POST", f"/rules/{label}/comments", 302, data=data, location=f"/rules/{label}")
            is not None
        ):
            self.tally.acknowledged.append(token)
        else:
            self.tally.unanswered.append(token)

    def run(self) -> None:
        try:
            self.steps()
        except Exception as exc:  # a fault of this script, not of the server: still an error of the run
            self.call_failed("client", "-", f"the client stopped: {type(exc).__name__}: {exc}")
        finally:
            self.session.close()

    def steps(self) -> None:
        self.gate.wait(timeout=120)
        deadline = self.clock["deadline"]
        self.sign_in()
        kinds, weights = list(MIX), list(MIX.values())
        while time.monotonic() < deadline:
            kind = self.rng.choices(kinds, weights)[0]
            if kind == "catalogue":
                path = self.catalogue_path()
                self.call("catalogue", "GET", path, 200, facets=not path.startswith("/catalogue/"))
            elif kind == "register":
                self.call("register", "GET", self.register_path(), 200)
            elif not self.signed_in:
                continue  # the failed sign-in is already an error; keep the anonymous part of the mix going
            elif kind == "signed-in":
                self.call("signed-in", "GET", self.signed_in_path(), 200)
            else:
                self.write()
