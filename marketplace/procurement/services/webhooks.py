"""Stripe webhooks: verified events stored once and applied to the orders' payment status."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import audit
from app.concurrency import lock
from app.extensions import db
from marketplace import payments
from marketplace.procurement.models import (
    Order,
    StripeEvent,
)
from marketplace.procurement.services._common import _set_payment_status


@dataclass
class EventOutcome:
    status: int
    message: str


def record_refused_stripe_event(reason: str, excerpt: str) -> None:
    """A delivery signed with our webhook secret whose body is not a Stripe event: nothing is
    applied, but it is on record (a leaked secret, or a change in Stripe's format, shows here)."""
    audit.record(None, "stripe.event_refused", ("stripe_event", None), reason=reason, excerpt=excerpt)


def record_stripe_event(event: payments.WebhookEvent) -> EventOutcome:
    """Store a verified event once and apply it. The insert runs in a savepoint: a replayed
    or concurrent duplicate meets the primary key and is answered without any effect. The order
    is locked before its payment status is read, so events about one order arriving at once
    (each stored) move the status in turn: the same change is applied and audited once."""
    if db.session.get(StripeEvent, event.id) is not None:
        return EventOutcome(200, "duplicate event: already processed")
    stored = StripeEvent(id=event.id, type=event.type, stripe_created=event.created)
    try:
        with db.session.begin_nested():
            db.session.add(stored)
    except IntegrityError:
        return EventOutcome(200, "duplicate event: already processed")
    status = payments.EVENT_STATUSES.get(event.type)
    if status is None:
        stored.outcome = "unhandled_type"
        audit.record(None, "stripe.event_ignored", ("stripe_event", event.id), type=event.type)
        return EventOutcome(200, f"event type {event.type} is not used by DigiOne Hub; stored and ignored")
    order = (
        db.session.scalar(sa.select(Order).where(Order.stripe_invoice_id == event.invoice_id))
        if event.invoice_id
        else None
    )
    if order is None:
        stored.outcome = "no_order"
        audit.record(
            None, "stripe.event_unmatched", ("stripe_event", event.id), type=event.type, invoice=event.invoice_id
        )
        return EventOutcome(200, "no order has this invoice; stored")
    lock(order)
    stored.order_id = order.id
    before = order.payment_status
    if _set_payment_status(order, status):
        stored.outcome = "applied"
        audit.record(
            None, "order.payment_status", order, reference=order.reference, before=before, after=status, event=event.id
        )
        return EventOutcome(200, f"order {order.reference}: {status}")
    stored.outcome = "superseded"
    audit.record(None, "stripe.event_superseded", order, event=event.id, type=event.type, status=before)
    return EventOutcome(200, f"order {order.reference} is already {before}; the event changes nothing")


#: Payment statuses Stripe may still change (an invoice sent, or a payment that failed).
RECONCILED_STATUSES = ("invoiced", "payment_failed")


@dataclass
class Reconciliation:
    checked: int = 0
    changed: int = 0
    unreachable: int = 0

    def __str__(self) -> str:
        return f"{self.checked} invoices checked, {self.changed} orders updated, {self.unreachable} not reachable"


def reconcile_payments(limit: int = 500) -> Reconciliation:
    """Ask Stripe for the status of each open invoice and apply what a lost webhook did not: the
    same forward-only move as an event, locked and audited once (a run on another host, or the
    webhook arriving meanwhile, finds the status already moved and changes nothing)."""
    result = Reconciliation()
    orders = db.session.scalars(
        sa.select(Order)
        .where(Order.stripe_invoice_id.is_not(None), Order.payment_status.in_(RECONCILED_STATUSES))
        .order_by(Order.id)
        .limit(limit)
    ).all()
    for order in orders:
        invoice_id = order.stripe_invoice_id
        assert invoice_id is not None
        result.checked += 1
        try:
            status = payments.invoice_payment_status(invoice_id)
        except payments.PaymentError:
            result.unreachable += 1
            continue
        if status is None:
            continue
        lock(order)
        before = order.payment_status
        if _set_payment_status(order, status):
            audit.record(
                None, "order.payment_reconciled", order, reference=order.reference, before=before, after=status
            )
            result.changed += 1
    return result
