"""Stripe's webhook against what a correctly signed but hostile or broken sender can send.

Every body here is signed with the webhook secret exactly as Stripe signs (`t=<time>,v1=<HMAC>`), so
the signature alone does not stop it: the event's shape is checked field by field, anything Stripe
would not send answers 400 and is recorded in the audit trail, and nothing changes in the orders or
the stored events. Twenty distinct "paid" events for one order at the same moment change its payment
status once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from app.audit import _ADVISORY_LOCK_KEY, AuditEvent, verify_chain
from app.extensions import db
from config import TestConfig
from marketplace.procurement.models import Order, StripeEvent
from tests import factories, figures
from tests.stripe_fake import invoice_event, new_id
from tests.stripe_servers import WEBHOOK_SECRET


def _sign(payload: bytes, at: int | None = None) -> str:
    at = int(time.time()) if at is None else at
    return f"t={at},v1={hmac.new(WEBHOOK_SECRET.encode(), f'{at}.'.encode() + payload, hashlib.sha256).hexdigest()}"


def _post(client, body: Any, raw: bytes | None = None, at: int | None = None):
    payload = raw if raw is not None else json.dumps(body).encode()
    return client.post(
        "/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": _sign(payload, at)},
        content_type="application/json",
    )


@pytest.fixture()
def webhook(app):
    app.config["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    order = factories.OrderFactory(
        status="active", payment_method="stripe_invoice", payment_status="invoiced", stripe_invoice_id="in_hostiletest"
    )
    db.session.commit()
    return order


def _paid(**changes: Any) -> dict:
    event = invoice_event("invoice.paid", {"id": "in_hostiletest", "object": "invoice", "status": "paid"})
    event.update(changes)
    return event


def _with_object(obj: Any, type_: str = "invoice.paid") -> dict:
    event = _paid(type=type_)
    event["data"] = {"object": obj}
    return event


HOSTILE = {
    "a 5 000-character id": _paid(id="evt_" + "a" * 4996),
    "a NUL in the id": _paid(id="evt_abc\x00def"),
    "an object as the invoice id": _with_object({"id": {"nested": "in_x"}, "object": "invoice"}),
    "a JSON array as the body": ["evt_1", "invoice.paid"],
    "a huge created": _paid(created=10**30),
    "a JSON string as the body": "invoice.paid",
    "a JSON number as the body": 42,
    "JSON null as the body": None,
    "no id": {k: v for k, v in _paid().items() if k != "id"},
    "no type": {k: v for k, v in _paid().items() if k != "type"},
    "no data": {k: v for k, v in _paid().items() if k != "data"},
    "no object": _paid(data={}),
    "a list as the object": _with_object([{"id": "in_hostiletest"}]),
    "a number as the invoice id": _with_object({"id": 12345, "object": "invoice"}),
    "a list as the invoice id": _with_object({"id": ["in_hostiletest"], "object": "invoice"}),
    "a very long invoice id": _with_object({"id": "in_" + "x" * 5000, "object": "invoice"}),
    "a NUL in the invoice id": _with_object({"id": "in_host\x00iletest", "object": "invoice"}),
    "a charge naming an object as its invoice": _with_object(
        {"id": "ch_1", "invoice": {"id": "in_x"}}, "charge.refunded"
    ),
    "a negative created": _paid(created=-1),
    "a float created": _paid(created=1765000000.5),
    "a string created": _paid(created="1765000000"),
    "a boolean created": _paid(created=True),
    "right-to-left marks in the id": _paid(id="evt_\u202eabc"),
    "an emoji in the id": _paid(id="evt_😀"),
    "a number as the type": _paid(type=7),
    "a 5 000-character type": _paid(type="invoice." + "p" * 5000),
    "SQL in the type": _paid(type="invoice.paid'; DROP TABLE orders; --"),
}


def _state(order_id: int) -> tuple:
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    return (order.payment_status, db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)))


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_signed_but_malformed_event_is_refused_and_recorded(client, webhook, case):
    before = _state(webhook.id)
    response = _post(client, HOSTILE[case])
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]
    assert _state(webhook.id) == before == ("invoiced", 0)
    refused = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "stripe.event_refused")).all()
    assert len(refused) == 1 and refused[0].data["reason"] == response.get_json()["error"]
    assert "\x00" not in json.dumps(refused[0].data) and len(refused[0].data.get("excerpt", "")) <= 80
    figures.count("security", "signed but malformed Stripe events refused", 1)


def test_a_body_that_is_not_json_or_not_utf8_is_refused(client, webhook):
    assert _post(client, None, raw=b"{not json").status_code == 400
    assert _post(client, None, raw=b"\xff\xfe\x00").status_code == 400
    assert _state(webhook.id) == ("invoiced", 0)


def test_a_signature_from_the_future_is_refused_and_a_fresh_one_accepted(client, webhook):
    ahead = _post(client, _paid(), at=int(time.time()) + 3600)
    assert ahead.status_code == 400 and "future" in ahead.get_json()["error"]
    assert _state(webhook.id) == ("invoiced", 0)
    slightly_ahead = _post(client, _paid(), at=int(time.time()) + 60)  # a clock a minute fast is fine
    assert slightly_ahead.status_code == 200
    assert _state(webhook.id) == ("paid", 1)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=12,
    ),
    fields=st.dictionaries(
        st.sampled_from(["id", "type", "created", "data", "object"]),
        st.none()
        | st.integers()
        | st.text()
        | st.lists(st.integers(), max_size=2)
        | st.dictionaries(st.sampled_from(["object", "id", "invoice"]), st.text() | st.integers(), max_size=3),
        max_size=5,
    ),
)
def test_no_signed_body_ever_answers_a_server_error(client, webhook, body, fields):
    for candidate in (body, {**_paid(), **fields}):
        response = _post(client, candidate)
        assert response.status_code in (200, 400), (candidate, response.status_code)
        figures.count("security", "random signed Stripe bodies sent", 1)


def _send_all(app, events: list[dict], database_url: str) -> list[int | str]:
    """Deliver the events at once, from an app whose pool has a connection for each (twenty requests
    in one process; a real deployment spreads them over workers)."""
    options = {**TestConfig.SQLALCHEMY_ENGINE_OPTIONS, "pool_size": len(events) + 2, "max_overflow": 0}
    sender = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS=options,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    try:
        return _deliver(sender, events)
    finally:
        with sender.app_context():
            db.engine.dispose()


def _deliver(app, events: list[dict]) -> list[int | str]:
    clients = [app.test_client() for _ in events]
    payloads = [json.dumps(event).encode() for event in events]
    sends = [
        lambda c=c, p=p: (
            c.post(
                "/stripe/webhook", data=p, headers={"Stripe-Signature": _sign(p)}, content_type="application/json"
            ).status_code
        )
        for c, p in zip(clients, payloads, strict=False)
    ]
    if db.engine.dialect.name != "postgresql":
        return [send() for send in sends]
    statuses: list[int | str] = []

    def run(send) -> None:
        try:
            statuses.append(send())
        except Exception as exc:
            statuses.append(repr(exc))

    with db.engine.connect() as locker, db.engine.connect() as watcher:
        locker.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _ADVISORY_LOCK_KEY})
        others = [c.execute(sa.text("SELECT pg_backend_pid()")).scalar_one() for c in (locker, watcher)]
        threads = [threading.Thread(target=run, args=(send,), daemon=True) for send in sends]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # every delivery waits, at the audit lock or at the order's row
            waiting = watcher.execute(
                sa.text("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND NOT (pid = ANY(:o))"),
                {"o": others},
            ).scalar_one()
            watcher.rollback()
            if waiting + len(statuses) >= len(sends):
                break
            time.sleep(0.01)
        locker.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_LOCK_KEY})
        locker.commit()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_twenty_distinct_paid_events_for_one_order_at_once_change_it_once(app, webhook, database_url):
    events = [_paid(id=new_id("evt_")) for _ in range(20)]
    statuses = _send_all(app, events, database_url)
    assert statuses == [200] * 20, statuses
    assert _state(webhook.id) == ("paid", 20)
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "orders")).all()
    assert actions.count("order.payment_status") == 1 and actions.count("stripe.event_superseded") == 19
    outcomes = db.session.scalars(sa.select(StripeEvent.outcome)).all()
    assert sorted(outcomes) == ["applied"] + ["superseded"] * 19
    assert verify_chain().ok
    figures.note(
        "races",
        "20 distinct paid Stripe events for one order at once",
        "1 status change and 1 audit event of it; 19 stored as superseded",
    )


def test_paid_and_failed_events_racing_end_in_the_higher_status(app, webhook, database_url):
    events = [_paid(id=new_id("evt_"), type=kind) for kind in ["invoice.payment_failed", "invoice.paid"] * 5]
    assert _send_all(app, events, database_url) == [200] * 10
    assert _state(webhook.id) == ("paid", 10)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "order.payment_status", AuditEvent.data["after"].as_string() == "paid")
        )
        == 1
    )
