"""Stripe, behind one module: customers, invoices for orders, and webhook events.

The official `stripe` library does every call. `STRIPE_API_BASE` points it at another
server (the tests run localstripe and a small fake on loopback). Every call that creates
something carries an idempotency key derived from our own ids, so a retry after a
timeout or a crash returns the first answer instead of making a second invoice.

Without `STRIPE_SECRET_KEY` the platform invoices by hand (`is_configured()` is False):
the coordinator marks orders paid, and nothing here is called.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import current_app

if TYPE_CHECKING:
    import stripe


def _stripe():
    """The stripe library, imported when first needed: a large package that web workers
    which never invoice (and `make run` without keys) need not hold in memory."""
    import stripe

    return stripe


#: How our payment statuses follow Stripe's invoice events.
EVENT_STATUSES = {
    "invoice.finalized": "invoiced",
    "invoice.sent": "invoiced",
    "invoice.paid": "paid",
    "invoice.payment_succeeded": "paid",
    "invoice.payment_failed": "payment_failed",
    "invoice.voided": "void",
    "invoice.marked_uncollectible": "payment_failed",
    "charge.refunded": "refunded",
}


class PaymentError(Exception):
    """Stripe could not be reached or refused a call; the message is safe to show staff."""


class InvalidEvent(Exception):
    """A webhook whose signature or body does not verify."""


@dataclass(frozen=True)
class InvoiceLine:
    key: str  # our line's identity, for the idempotency key
    description: str
    net_cents: int
    vat_rate_bp: int


@dataclass(frozen=True)
class CreatedInvoice:
    id: str
    status: str
    number: str | None
    hosted_url: str | None
    due_date: int | None


def is_configured() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def _client() -> stripe.StripeClient:
    config = current_app.config
    if not config.get("STRIPE_SECRET_KEY"):
        raise PaymentError("Stripe is not configured")
    base = config.get("STRIPE_API_BASE")
    return _stripe().StripeClient(
        config["STRIPE_SECRET_KEY"],
        base_addresses={"api": base} if base else None,
        max_network_retries=config.get("STRIPE_MAX_NETWORK_RETRIES", 2),
    )


def _key(*parts: object) -> dict[str, str]:
    """Request options with an idempotency key made of our own ids (stable across retries)."""
    prefix = current_app.config.get("STRIPE_IDEMPOTENCY_PREFIX", "digione")
    return {"idempotency_key": "-".join([prefix, *(str(p) for p in parts)])}


def _call(what: str, function, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except _stripe().StripeError as exc:
        message = getattr(exc, "user_message", None) or str(exc) or type(exc).__name__
        current_app.logger.warning("Stripe %s failed: %s", what, message)
        raise PaymentError(f"{what}: {message}") from exc


def ensure_customer(
    organisation_id: int, name: str, business_id: str | None, email: str | None, existing_id: str | None
) -> str:
    """The Stripe customer of a municipality: the stored one, or a new one (made once)."""
    if existing_id:
        return existing_id
    params: dict[str, Any] = {
        "name": name,
        "metadata": {"organisation_id": str(organisation_id), "business_id": business_id or ""},
        "preferred_locales": ["fi"],
    }
    if email:
        params["email"] = email
    customer = _call("customer", _client().v1.customers.create, params, _key("customer", organisation_id))
    return str(customer["id"])


def _tax_rate(client: stripe.StripeClient, vat_rate_bp: int) -> str:
    """The Stripe tax rate for a Finnish VAT rate (exclusive): an existing one, else a new one.
    (Idempotency keys expire after a day, so the key alone would not stop duplicates.)"""
    percentage = Decimal(vat_rate_bp) / 100
    existing = _call("tax rates", client.v1.tax_rates.list, {"limit": 100})
    for rate in existing["data"]:
        if (
            _field(rate, "jurisdiction") == "FI"
            and not _field(rate, "inclusive")
            and _field(rate, "active")
            and Decimal(str(_field(rate, "percentage"))) == percentage
        ):
            return str(rate["id"])
    params = {
        "display_name": "ALV",
        "percentage": float(percentage),
        "inclusive": False,
        "jurisdiction": "FI",
        "description": f"ALV {percentage} %",
    }
    rate = _call("tax rate", client.v1.tax_rates.create, params, _key("tax-rate", vat_rate_bp))
    return str(rate["id"])


def create_invoice(
    order_id: int,
    reference: str,
    payment_reference: str,
    customer_id: str,
    lines: list[InvoiceLine],
    days_until_due: int | None = None,
) -> CreatedInvoice:
    """Invoice items per line (with its VAT rate), one invoice sent for payment (send_invoice)."""
    client = _client()
    days = days_until_due or int(current_app.config.get("STRIPE_INVOICE_DAYS_UNTIL_DUE", 30))
    rates = {bp: _tax_rate(client, bp) for bp in sorted({line.vat_rate_bp for line in lines if line.vat_rate_bp})}
    invoice = _call(
        "invoice",
        client.v1.invoices.create,
        {
            "customer": customer_id,
            "collection_method": "send_invoice",
            "days_until_due": days,
            "currency": "eur",
            "auto_advance": False,
            "pending_invoice_items_behavior": "exclude",
            "description": f"{reference} / viite {payment_reference}",
            "metadata": {
                "order_id": str(order_id),
                "order_reference": reference,
                "payment_reference": payment_reference,
            },
        },
        _key("order", order_id, "invoice"),
    )
    for line in lines:
        item = {
            "customer": customer_id,
            "invoice": invoice["id"],
            "currency": "eur",
            "amount": line.net_cents,
            "description": line.description,
            "metadata": {"order_id": str(order_id), "line": line.key},
        }
        if line.vat_rate_bp:
            item["tax_rates"] = [rates[line.vat_rate_bp]]
        _call("invoice item", client.v1.invoice_items.create, item, _key("order", order_id, "line", line.key))
    invoice = _call(
        "finalise", client.v1.invoices.finalize_invoice, invoice["id"], None, _key("order", order_id, "finalize")
    )
    invoice = _call("send", client.v1.invoices.send_invoice, invoice["id"], None, _key("order", order_id, "send"))
    return CreatedInvoice(
        id=str(invoice["id"]),
        status=str(invoice["status"]),
        number=_field(invoice, "number"),
        hosted_url=_field(invoice, "hosted_invoice_url"),
        due_date=_field(invoice, "due_date"),
    )


#: A Stripe invoice's status as the order's payment status (a draft is not yet anything).
INVOICE_STATUSES = {"open": "invoiced", "paid": "paid", "void": "void", "uncollectible": "payment_failed"}


def invoice_payment_status(invoice_id: str) -> str | None:
    """What Stripe says of an invoice now, as a payment status (for reconciliation: a webhook
    that never arrived). None for a draft or a status DigiOne Hub does not use."""
    invoice = _call("retrieve", _client().v1.invoices.retrieve, invoice_id)
    return INVOICE_STATUSES.get(str(_field(invoice, "status") or ""))


def void_invoice(order_id: int, invoice_id: str) -> None:
    _call("void", _client().v1.invoices.void_invoice, invoice_id, None, _key("order", order_id, "void"))


def _field(obj: Any, name: str) -> Any:
    try:
        return obj[name]
    except (KeyError, TypeError):
        return None


#: How far a signature's time may lie in the past or (a clock ahead of ours) in the future, in seconds.
SIGNATURE_TOLERANCE = 300
_EVENT_ID = re.compile(r"evt_[A-Za-z0-9_]{1,200}")
_EVENT_TYPE = re.compile(r"[a-z][a-z0-9_]{0,40}(\.[a-z][a-z0-9_]{0,40}){1,4}")
_INVOICE_ID = re.compile(r"in_[A-Za-z0-9_]{1,200}")
#: Event times Stripe can have given: from its founding to 2100.
_CREATED = (1_262_304_000, 4_102_444_800)


class MalformedEvent(InvalidEvent):
    """A correctly signed event whose body is not what Stripe sends: refused and recorded."""

    def __init__(self, reason: str, excerpt: str = "") -> None:
        super().__init__(reason)
        self.reason, self.excerpt = reason, excerpt


@dataclass(frozen=True)
class WebhookEvent:
    """A verified event, checked field by field: only these values reach the database."""

    id: str
    type: str
    created: int
    invoice_id: str | None


def _excerpt(value: Any) -> str:
    """Something of a refused value that is safe to record: printable characters, at most 80."""
    text = value if isinstance(value, str) else repr(value)
    return "".join(ch for ch in text if ch.isprintable())[:80]


def _signed_at(header: str) -> int | None:
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            return int(value)
    return None


def verify_event(payload: bytes, signature: str | None, now: float | None = None) -> WebhookEvent:
    """The event, if the Stripe-Signature header verifies with our webhook secret, its time is within
    the tolerance either way, and its body has the shape of a Stripe event."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise InvalidEvent("no webhook secret configured")
    if not signature:
        raise InvalidEvent("missing Stripe-Signature header")
    try:
        _stripe().WebhookSignature.verify_header(payload, signature, secret, SIGNATURE_TOLERANCE)
    except _stripe().SignatureVerificationError as exc:
        raise InvalidEvent("signature does not verify") from exc
    except ValueError as exc:  # a body that is not UTF-8 cannot have been signed by Stripe
        raise InvalidEvent("body is not a Stripe event") from exc
    signed_at = _signed_at(signature)
    if signed_at is None or signed_at > (now or time.time()) + SIGNATURE_TOLERANCE:
        raise MalformedEvent("the signature's time is in the future", _excerpt(signature))
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise MalformedEvent("body is not JSON") from exc
    return parse_event(data)


def parse_event(data: Any) -> WebhookEvent:
    """Check a signed event's body; anything Stripe would not send is a MalformedEvent."""
    if not isinstance(data, dict):
        raise MalformedEvent("the body is not a JSON object", _excerpt(type(data).__name__))
    event_id, event_type, created = data.get("id"), data.get("type"), data.get("created")
    if not isinstance(event_id, str) or not _EVENT_ID.fullmatch(event_id):
        raise MalformedEvent("the event id is not a Stripe event id (evt_...)", _excerpt(event_id))
    if not isinstance(event_type, str) or not _EVENT_TYPE.fullmatch(event_type):
        raise MalformedEvent("the event type is not a Stripe event type", _excerpt(event_type))
    if isinstance(created, bool) or not isinstance(created, int) or not _CREATED[0] <= created <= _CREATED[1]:
        raise MalformedEvent("the event time (created) is not a plausible Unix time", _excerpt(created))
    body = data.get("data")
    obj = body.get("object") if isinstance(body, dict) else None
    if not isinstance(obj, dict):
        raise MalformedEvent("the event has no object (data.object)")
    invoice_id = obj.get("id") if event_type.startswith("invoice.") else obj.get("invoice")
    if invoice_id is not None and (not isinstance(invoice_id, str) or not _INVOICE_ID.fullmatch(invoice_id)):
        raise MalformedEvent("the invoice id is not a Stripe invoice id (in_...)", _excerpt(invoice_id))
    return WebhookEvent(id=event_id, type=event_type, created=created, invoice_id=invoice_id)
