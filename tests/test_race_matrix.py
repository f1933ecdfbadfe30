"""Race matrix: every state-changing route takes effect once, however many requests make it at once.

For every state-changing route of ``app.url_map`` the form of tests/security/cases.py's CASES (a
plausible form that does what the route is for, sent by someone entitled) is sent in three worlds
built alike from the same factories:

- ``once``: one request, as a person who clicks once;
- ``double-click``: ten identical requests at the same moment, carrying the same form (its
  submission id), as a double-click on a slow line or a browser that resends;
- ``two tabs``: ten requests at the same moment, each with a form of its own (a different submission
  id), as the same person in several tabs or several people at once.

What each did is measured as the rows it added or removed in every table, the audit events it wrote
(by action) and the mails it queued. The double-click world must match the one-click world for every
route, the two-tab world for every route whose effect is a state change rather than the creation of
something new (those are listed with the reason). No request may answer 5xx.

The collision is made certain, not lucky (PostgreSQL): a third connection holds the audit trail's
advisory lock, which every state change takes, until every request of the burst is waiting for a
lock (that one, or a row lock the service takes first) or has finished; then all go at once. SQLite
serialises writers by design (app/concurrency.py): there the bursts run one after another, which is
what a double-click becomes on a single-writer database.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask

from app.audit import _ADVISORY_LOCK_KEY, AuditEvent, verify_chain
from app.extensions import db
from app.submissions import EXEMPT, FIELD
from tests import figures
from tests.conftest import BrowserLikeClient, build_people, empty_database
from tests.matrix import MATRIX, ROLES, build_objects
from tests.security.cases import CASES, build_csrf_world, csrf_exempt, send_case, state_changing_rules
from tests.security.checks import login_client

BURST = 10
#: Tables of bookkeeping rather than effects: which forms were saved, who is signed in where.
BOOKKEEPING = {"form_submissions", "user_sessions", "service_view_counts"}
#: State-changing routes not sent here, and why.
NOT_RACED = {
    "auth.login": "each sign-in is a sign-in of its own (a session and an audit event); it changes no records "
    "of the domain and is not deduplicated (app/submissions.py EXEMPT)",
    "auth.logout": "signing out ends the session only",
    "stripe.webhook": "Stripe's events are deduplicated by their id; 20 distinct events for one order at once "
    "are tested in tests/marketplace/test_payments.py",
}
#: Routes where ten different forms rightly make ten things (the double-click must still make one).
MAY_CREATE_EACH = {
    "auth.forgot_password": "each request mails a new reset link",
    "auth.resend_confirmation": "each request mails the confirmation link again (rate limited)",
    "auth.register": "each sign-up with an address already in use mails its owner",
    "procurement.new": "the button starts a new request each time",
    "rules.comment": "each comment is a comment of its own",
    "review.comment": "each comment is a comment of its own",
    "listings.new": "each form creates a listing",
    "listings.plan": "each form adds a pricing plan (the edit of an existing plan is once)",
    "listings.screenshots": "each form adds a screenshot",
    "steering.create_case": "each form opens a case",
    "steering.attach": "each form adds an attachment",
    "steering.add_task": "each form adds a follow-up task",
    "steering.task": "each form adds a progress note to the task",
}
_SUBMISSION = re.compile(r"[A-Za-z0-9_-]{22}")


@dataclass(frozen=True)
class Effect:
    rows: tuple[tuple[str, int], ...]
    audit: tuple[tuple[str, int], ...]
    mails: int

    def __str__(self) -> str:
        return f"rows {dict(self.rows)}, audit {dict(self.audit)}, mails {self.mails}"


def _row_counts() -> dict[str, int]:
    statement = sa.union_all(
        *[
            sa.select(sa.literal(t.name).label("t"), sa.func.count().label("n")).select_from(t)
            for t in db.metadata.sorted_tables
            if t.name not in BOOKKEEPING
        ]
    )
    with db.engine.connect() as conn:
        return dict(conn.execute(statement).all())


def _last_event() -> int:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.coalesce(sa.func.max(AuditEvent.id), 0))).scalar_one()


def _effect(before: dict[str, int], last_event: int) -> Effect:
    after = _row_counts()
    rows = tuple(sorted((t, after[t] - before[t]) for t in after if after[t] != before[t]))
    with db.engine.connect() as conn:
        actions = Counter(conn.execute(sa.select(AuditEvent.action).where(AuditEvent.id > last_event)).scalars())
    return Effect(rows, tuple(sorted(actions.items())), dict(rows).get("outbox_messages", 0))


def _clone(client: BrowserLikeClient, app: Flask) -> BrowserLikeClient:
    """Another connection of the same browser: its cookies (session, sign-in) and CSRF token."""
    twin: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    twin._cookies = dict(client._cookies)
    twin._token = client._token
    return twin


def _postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def _waiting(conn: sa.Connection, others: list[int]) -> int:
    return conn.execute(
        sa.text("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND NOT (pid = ANY(:others))"),
        {"others": others},
    ).scalar_one()


def _burst(sends: list) -> list[int | str]:
    """Run the requests at the same moment (PostgreSQL) or one after another (SQLite)."""
    if not _postgresql():
        return [send() for send in sends]
    statuses: list[int | str] = []

    def run(send) -> None:
        try:
            statuses.append(send())
        except Exception as exc:
            statuses.append(f"error: {exc!r}")

    with db.engine.connect() as locker, db.engine.connect() as watcher:
        locker.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _ADVISORY_LOCK_KEY})
        others = [c.execute(sa.text("SELECT pg_backend_pid()")).scalar_one() for c in (locker, watcher)]
        threads = [threading.Thread(target=run, args=(send,), daemon=True) for send in sends]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while _waiting(watcher, others) + len(statuses) < len(sends) and time.monotonic() < deadline:
            watcher.rollback()
            time.sleep(0.01)
        figures.count(
            "race_matrix",
            "bursts released with every request waiting",
            int(_waiting(watcher, others) + len(statuses) >= len(sends)),
        )
        locker.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_LOCK_KEY})
        locker.commit()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def _world(app: Flask, mode: str) -> dict[str, tuple[Effect, list]]:
    """Build the world afresh, send every case in `mode`, and return each case's effect."""
    empty_database()
    o = build_csrf_world(build_objects(build_people()), app)
    clients: dict[str, BrowserLikeClient] = {}
    for case in CASES:  # everyone signs in first, as in the CSRF test (a sign-in changes the user's row)
        if case.role != "anonymous" and not case.fresh_client and case.role not in clients:
            clients[case.role] = login_client(app, o[case.role].email)
    effects: dict[str, tuple[Effect, list]] = {}
    for number, case in enumerate(CASES):
        if case.endpoint in NOT_RACED:
            continue
        db.session.expire_all()
        url = (case.url or MATRIX[case.endpoint].url)(o)
        if case.role == "anonymous":
            client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
        elif case.fresh_client:
            client = login_client(app, o[case.role].email)
        else:
            client = clients[case.role]
        client.csrf_token()
        count = 1 if mode == "once" else BURST
        shared = "s" * 6 + f"{number:016d}"
        forms = []
        for i in range(count):
            data = case.data(o)
            data[FIELD] = shared if mode != "two tabs" else f"t{i:05d}{number:016d}"
            forms.append(data)
        twins = [client] + [_clone(client, app) for _ in range(count - 1)]
        db.session.commit()
        before, last = _row_counts(), _last_event()
        statuses = _burst(
            [
                lambda c=c, f=f: send_case(c, case, url, f, with_token=True).status_code
                for c, f in zip(twins, forms, strict=False)
            ]
        )
        effects[f"{number}:{case.endpoint}"] = (_effect(before, last), statuses)
        figures.count("race_matrix", "requests sent by the race matrix", count)
    return effects


@pytest.mark.parametrize("mode", ["double-click", "two tabs"])
def test_every_state_changing_route_takes_effect_once(app, mode):
    endpoints = {e for e, _rule, _method in state_changing_rules(app)}
    covered = {case.endpoint for case in CASES} | set(NOT_RACED)
    assert endpoints <= covered, f"state-changing routes missing from the race matrix: {sorted(endpoints - covered)}"
    assert all(csrf_exempt(app, e) or e in {c.endpoint for c in CASES} for e in endpoints)
    once = _world(app, "once")
    burst = _world(app, mode)
    problems = []
    for key, (effect, statuses) in burst.items():
        endpoint = key.split(":", 1)[1]
        if any(not isinstance(s, int) or s >= 500 for s in statuses):
            problems.append(f"{key}: {statuses}")
        if mode == "two tabs" and endpoint in MAY_CREATE_EACH:
            continue
        if effect != once[key][0]:
            problems.append(f"{key}: one request did {once[key][0]}; {BURST} at once did {effect}")
    assert verify_chain().ok
    figures.note(
        "race_matrix",
        f"race matrix ({mode}): routes with one effect from {BURST} requests",
        f"{len(burst) - len(problems)} of {len(burst)}"
        + (f" ({len(MAY_CREATE_EACH)} create one thing per form)" if mode == "two tabs" else ""),
    )
    figures.note(
        "race_matrix",
        f"race matrix ({mode}): 5xx answers",
        sum(1 for _e, statuses in burst.values() for s in statuses if not isinstance(s, int) or s >= 500),
    )
    figures.note(
        "race_matrix", "race matrix: routes not raced (with reasons in tests/test_race_matrix.py)", len(NOT_RACED)
    )
    assert not problems, "\n".join(problems)


class _Forms(HTMLParser):
    """The POST forms of a page: their action and the names of their fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self._open: tuple[str, set[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._open = (a.get("action") or "", set())
            self.forms.append(self._open)
        elif tag in ("input", "button", "select", "textarea") and self._open is not None and a.get("name"):
            self._open[1].add(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def test_every_form_on_every_page_carries_its_submission_id(app, objects, login_as):
    """The double-click guard is only as good as its coverage: every POST form that any kind of user
    sees on any page (the matrix's URL of every GET route) carries a submission id, except the forms
    of the routes that are deliberately not deduplicated."""
    adapter = app.url_map.bind("localhost")
    missing, forms = set(), 0
    for role in ROLES:
        client = login_as(None if role == "anonymous" else role)
        for endpoint, rule in sorted(MATRIX.items()):
            if rule.method != "GET":
                continue
            url = rule.url(objects)
            response = client.get(url)
            if "html" not in response.content_type:
                continue
            parser = _Forms()
            parser.feed(response.get_data(as_text=True))
            for action, fields in parser.forms:
                path = urlsplit(action).path or urlsplit(url).path
                try:
                    target = adapter.match(path, method="POST")[0]
                except Exception:
                    target = f"(no route for {path})"
                forms += 1
                if FIELD not in fields and target not in EXEMPT:
                    missing.add(f"{target} on {endpoint} as {role}")
    figures.note("race_matrix", "POST forms on the pages checked for a submission id", forms)
    assert forms > 100
    assert not missing, sorted(missing)
