"""marketplace.payments against localstripe and the Stripe fake, over real HTTP.

Nothing is mocked: the official library makes its calls to `StripeFake`, which serves
invoices itself and forwards customers and tax rates to a localstripe process.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
import stripe
from flask import Flask

from marketplace import payments
from marketplace.payments import CreatedInvoice, InvalidEvent, InvoiceLine, PaymentError
from tests.stripe_fake import invoice_event, new_id, signed_event
from tests.stripe_servers import SECRET_KEY, WEBHOOK_SECRET, StripeServers

# 25.5 % of 10.10 = 2.5755 -> 2.58; 14 % of 10.75 = 1.505 -> 1.51 (half up); 0 % of 5.00 -> 0.
LINES = [
    InvoiceLine("course", "Verkkokurssi, 10 lisenssiä", 1010, 2550),
    InvoiceLine("book", "Oppimateriaali", 1075, 1400),
    InvoiceLine("free", "Käyttöönottotuki", 500, 0),
]


def _localstripe(servers: StripeServers) -> stripe.StripeClient:
    """A client that talks to localstripe directly, bypassing the fake."""
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": servers.localstripe_url}, max_network_retries=0)


def _through_fake(servers: StripeServers) -> stripe.StripeClient:
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": servers.api_base}, max_network_retries=0)


def _customer(app: Flask, organisation_id: int = 7) -> str:
    with app.app_context():
        return payments.ensure_customer(organisation_id, "Vantaan kaupunki", "0124610-9", "laskut@vantaa.example", None)


def _invoice(app: Flask, customer_id: str, order_id: int = 42, lines: list[InvoiceLine] = LINES) -> CreatedInvoice:
    with app.app_context():
        return payments.create_invoice(order_id, "TIL-2026-0042", "RF18 1234 5", customer_id, lines, days_until_due=14)


# --------------------------------------------------------------------------- customers


def test_ensure_customer_returns_the_stored_id_without_a_call(app: Flask, stripe_config: StripeServers) -> None:
    with app.app_context():
        assert payments.ensure_customer(7, "Vantaan kaupunki", None, None, "cus_stored") == "cus_stored"
    assert stripe_config.fake.requests == []


def test_ensure_customer_makes_one_customer_in_localstripe(app: Flask, stripe_config: StripeServers) -> None:
    customer_id = _customer(app)

    customer = _localstripe(stripe_config).v1.customers.retrieve(customer_id)
    assert customer.name == "Vantaan kaupunki"
    assert customer.email == "laskut@vantaa.example"
    assert customer.metadata.to_dict() == {"organisation_id": "7", "business_id": "0124610-9"}
    assert customer.preferred_locales == ["fi"]
    # Made once: the same organisation's retry replays the first answer.
    assert _customer(app) == customer_id
    assert [c.id for c in _localstripe(stripe_config).v1.customers.list().data] == [customer_id]


# --------------------------------------------------------------------------- invoices


def test_create_invoice_makes_one_open_sent_invoice_with_vat_per_line(app: Flask, stripe_config: StripeServers) -> None:
    customer_id = _customer(app)
    before = int(time.time())

    created = _invoice(app, customer_id)

    fake = stripe_config.fake
    assert list(fake.invoices) == [created.id]
    invoice = fake.invoices[created.id]
    assert created.status == invoice["status"] == "open"
    assert created.number == invoice["number"] and created.number
    assert created.hosted_url == invoice["hosted_invoice_url"] and created.hosted_url
    assert created.due_date is not None and before + 14 * 86400 <= created.due_date <= int(time.time()) + 14 * 86400
    assert fake.sent == [created.id]
    assert invoice["customer"] == customer_id
    assert invoice["collection_method"] == "send_invoice" and invoice["days_until_due"] == 14
    assert invoice["currency"] == "eur"
    assert invoice["metadata"] == {
        "order_id": "42",
        "order_reference": "TIL-2026-0042",
        "payment_reference": "RF18 1234 5",
    }
    assert invoice["description"] == "TIL-2026-0042 / viite RF18 1234 5"

    rates = {rate.id: rate for rate in _localstripe(stripe_config).v1.tax_rates.list().data}
    assert sorted(rate.percentage for rate in rates.values()) == [14.0, 25.5]
    assert not any(rate.inclusive for rate in rates.values())
    lines = {line["metadata"]["line"]: line for line in invoice["lines"]["data"]}
    assert {key: line["amount"] for key, line in lines.items()} == {"course": 1010, "book": 1075, "free": 500}
    assert all(line["metadata"]["order_id"] == "42" for line in lines.values())
    assert lines["course"]["description"] == "Verkkokurssi, 10 lisenssiä"
    taxes = {
        key: [(rates[t["tax_rate_details"]["tax_rate"]].percentage, t["amount"]) for t in line["taxes"]]
        for key, line in lines.items()
    }
    assert taxes == {"course": [(25.5, 258)], "book": [(14.0, 151)], "free": []}
    assert (invoice["subtotal"], invoice["tax"], invoice["total"]) == (2585, 409, 2994)
    assert invoice["amount_due"] == 2994 and invoice["amount_paid"] == 0

    # The library reads the same invoice back through the fake.
    fetched = _through_fake(stripe_config).v1.invoices.retrieve(created.id)
    assert (fetched.status, fetched.total, fetched.lines.data[0].object) == ("open", 2994, "line_item")


def test_create_invoice_twice_for_one_order_makes_it_once(app: Flask, stripe_config: StripeServers) -> None:
    customer_id = _customer(app)

    first = _invoice(app, customer_id)
    second = _invoice(app, customer_id)

    assert second == first
    fake = stripe_config.fake
    assert list(fake.invoices) == [first.id]
    assert len(fake.invoice_items) == len(LINES)
    assert len(fake.invoices[first.id]["lines"]["data"]) == len(LINES)
    assert fake.sent == [first.id]
    assert len(_localstripe(stripe_config).v1.tax_rates.list().data) == 2
    items = _through_fake(stripe_config).v1.invoice_items.list({"invoice": first.id}).data
    assert sorted(item.metadata["line"] for item in items) == ["book", "course", "free"]
    replays = [r for r in fake.requests if r.replayed]
    # The tax rates are found again (listed), not made again; the rest is replayed by idempotency key.
    assert len(replays) == 1 + len(LINES) + 2  # invoice, items, finalize, send


def test_another_order_gets_its_own_invoice(app: Flask, stripe_config: StripeServers) -> None:
    customer_id = _customer(app)

    first = _invoice(app, customer_id, order_id=42)
    second = _invoice(app, customer_id, order_id=43, lines=LINES[:1])

    assert second.id != first.id and second.number != first.number
    assert stripe_config.fake.invoices[second.id]["total"] == 1010 + 258


def test_create_invoice_for_a_missing_customer_is_a_payment_error(app: Flask, stripe_config: StripeServers) -> None:
    with pytest.raises(PaymentError, match="invoice"):
        _invoice(app, "cus_doesnotexist")
    assert stripe_config.fake.invoices == {}


def test_void_invoice(app: Flask, stripe_config: StripeServers) -> None:
    created = _invoice(app, _customer(app))

    with app.app_context():
        payments.void_invoice(42, created.id)

    assert stripe_config.fake.invoices[created.id]["status"] == "void"


def test_without_a_secret_key_nothing_is_called(app: Flask, stripe_config: StripeServers) -> None:
    app.config["STRIPE_SECRET_KEY"] = ""
    with app.app_context():
        assert not payments.is_configured()
        with pytest.raises(PaymentError, match="not configured"):
            payments.ensure_customer(7, "Vantaa", None, None, None)
    assert stripe_config.fake.requests == []


# --------------------------------------------------------------------------- the fake itself


def test_fake_refuses_wrong_invoice_transitions(app: Flask, stripe_config: StripeServers) -> None:
    created = _invoice(app, _customer(app))
    client = _through_fake(stripe_config)

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.invoices.finalize_invoice(created.id)
    assert refused.value.http_status == 400
    client.v1.invoices.pay(created.id, {"paid_out_of_band": True})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.invoices.void_invoice(created.id)
    assert stripe_config.fake.invoices[created.id]["status"] == "paid"
    assert stripe_config.fake.invoices[created.id]["amount_paid"] == 2994
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.invoices.finalize_invoice("in_nothere")
    assert missing.value.http_status == 404


def test_fake_replays_an_idempotency_key_and_refuses_it_for_other_parameters(
    app: Flask, stripe_config: StripeServers
) -> None:
    client = _through_fake(stripe_config)
    first = client.v1.customers.create({"name": "Espoo"}, {"idempotency_key": "k-1"})
    again = client.v1.customers.create({"name": "Espoo"}, {"idempotency_key": "k-1"})
    assert again.id == first.id
    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create({"name": "Helsinki"}, {"idempotency_key": "k-1"})
    assert len(_localstripe(stripe_config).v1.customers.list().data) == 1


# --------------------------------------------------------------------------- webhooks


def _invoice_paid_event(app: Flask, stripe_config: StripeServers) -> dict:
    created = _invoice(app, _customer(app))
    return invoice_event("invoice.paid", stripe_config.fake.invoices[created.id])


def test_verify_event_accepts_a_correctly_signed_event(app: Flask, stripe_config: StripeServers) -> None:
    event = _invoice_paid_event(app, stripe_config)
    payload, header = signed_event(event, WEBHOOK_SECRET)

    with app.app_context():
        verified = payments.verify_event(payload, header)
        assert verified.id == event["id"] and verified.type == "invoice.paid"
        assert verified.invoice_id == event["data"]["object"]["id"]
        assert payments.EVENT_STATUSES[verified.type] == "paid"


@pytest.mark.parametrize(
    "case", ["wrong secret", "tampered body", "missing header", "empty header", "old timestamp", "not json"]
)
def test_verify_event_refuses(app: Flask, stripe_config: StripeServers, case: str) -> None:
    event = invoice_event("invoice.paid", {"id": "in_test", "object": "invoice", "status": "paid"})
    payload, header = signed_event(event, WEBHOOK_SECRET)
    signature: str | None = header
    if case == "wrong secret":
        payload, signature = signed_event(event, "whsec_someone_else")
    elif case == "tampered body":
        payload = payload.replace(b'"paid"', b'"void"')
    elif case == "missing header":
        signature = None
    elif case == "empty header":
        signature = ""
    elif case == "old timestamp":
        payload, signature = signed_event(event, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    else:
        payload = b"not json"
        timestamp = int(time.time())
        digest = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
        signature = f"t={timestamp},v1={digest}"

    with app.app_context(), pytest.raises(InvalidEvent):
        payments.verify_event(payload, signature)


def test_verify_event_without_a_webhook_secret(app: Flask, stripe_config: StripeServers) -> None:
    payload, header = signed_event(invoice_event("invoice.paid", {"id": "in_test"}), WEBHOOK_SECRET)
    app.config["STRIPE_WEBHOOK_SECRET"] = ""
    with app.app_context(), pytest.raises(InvalidEvent, match="no webhook secret"):
        payments.verify_event(payload, header)


def test_event_invoice_id_of_a_charge_refund(app: Flask, stripe_config: StripeServers) -> None:
    charge = {
        "id": new_id("ch_"),
        "object": "charge",
        "amount": 2994,
        "amount_refunded": 2994,
        "refunded": True,
        "currency": "eur",
        "invoice": "in_refunded",
    }
    payload, header = signed_event(invoice_event("charge.refunded", charge), WEBHOOK_SECRET)
    unlinked = {**charge, "invoice": None}
    payload_unlinked, header_unlinked = signed_event(invoice_event("charge.refunded", unlinked), WEBHOOK_SECRET)

    with app.app_context():
        event = payments.verify_event(payload, header)
        assert event.invoice_id == "in_refunded"
        assert payments.EVENT_STATUSES[event.type] == "refunded"
        assert payments.verify_event(payload_unlinked, header_unlinked).invoice_id is None
