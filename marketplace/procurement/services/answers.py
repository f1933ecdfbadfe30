"""The provider's answer: accepting or declining an order, invoicing it and recording payment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import audit
from app.clock import helsinki_today
from app.concurrency import lock
from app.extensions import db, utcnow
from app.mail import queue_mail
from app.models import OrgRole, User
from app.services import ServiceError
from app.urls import external_url
from marketplace import payments
from marketplace.procurement.models import (
    Order,
    OrderStatus,
    PaymentCustomer,
    PaymentMethod,
    PaymentStatus,
    RequestLine,
)
from marketplace.procurement.services._common import _people, _set_payment_status


def provider_decide(user: User, order: Order, accept: bool, reason: str = "") -> None:
    if user.organisation_id != order.provider_id:
        raise ServiceError(_("Only the provider of the order can answer it."))
    reason = reason.strip()
    if not accept and not reason:
        raise ServiceError(_("Tell the municipality why the order is declined."))
    new = OrderStatus.ACTIVE if accept else OrderStatus.DECLINED
    result = db.session.execute(
        sa.update(Order)
        .where(Order.id == order.id, Order.status == OrderStatus.SENT.value)
        .values(status=new.value, decided_at=utcnow(), decided_by_id=user.id, decline_reason=reason)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(order)
    if result.rowcount != 1:
        raise ServiceError(_("This order has already been answered."))
    audit.record(
        user, "order.accepted" if accept else "order.declined", order, reference=order.reference, reason=reason
    )
    request = order.request
    for person in {p.id: p for p in [request.requester, *_people(order.organisation_id, OrgRole.APPROVER)]}.values():
        queue_mail(
            person.email,
            _l("The provider answered order %(reference)s", reference=order.reference),
            "order_answered",
            person.locale,
            order=order,
            accepted=accept,
            reason=reason,
            link=external_url("procurement.order", order_id=order.id),
        )


def invoice_order(order: Order, actor: User | None = None) -> None:
    """Invoice an accepted order through Stripe, or leave it to manual invoicing. A Stripe
    failure is kept on the order (to retry); the acceptance itself stands."""
    if order.status != OrderStatus.ACTIVE or order.payment_status not in (
        PaymentStatus.NOT_INVOICED,
        PaymentStatus.INVOICE_PENDING,
    ):
        return
    if not payments.is_configured():
        order.payment_method = PaymentMethod.MANUAL.value
        audit.record(actor, "order.manual_invoicing", order, reference=order.reference)
        return
    order.payment_method = PaymentMethod.STRIPE_INVOICE.value
    org = order.organisation
    try:
        customer = db.session.get(PaymentCustomer, org.id)
        customer_id = payments.ensure_customer(
            org.id, org.name, org.business_id, None, customer.stripe_customer_id if customer else None
        )
        if customer is None:
            db.session.add(PaymentCustomer(organisation_id=org.id, stripe_customer_id=customer_id))
        lines = [
            payments.InvoiceLine(
                key=str(line.id),
                description=_invoice_text(line),
                net_cents=line.net_cents or 0,
                vat_rate_bp=line.vat_rate_bp or 0,
            )
            for line in order.lines
        ]
        invoice = payments.create_invoice(
            order.id, order.reference or "", order.payment_reference or "", customer_id, lines
        )
    except payments.PaymentError as exc:
        order.payment_status, order.payment_error = PaymentStatus.INVOICE_PENDING.value, str(exc)[:2000]
        audit.record(actor, "order.invoice_failed", order, reference=order.reference, error=str(exc)[:500])
        return
    order.stripe_invoice_id, order.invoice_number = invoice.id, invoice.number or ""
    order.invoice_url = invoice.hosted_url or ""
    order.due_date = (
        datetime.fromtimestamp(invoice.due_date, tz=UTC).date()
        if invoice.due_date
        else helsinki_today() + timedelta(days=30)
    )
    order.payment_error = ""
    _set_payment_status(order, PaymentStatus.INVOICED.value)
    audit.record(actor, "order.invoiced", order, reference=order.reference, invoice=invoice.id)


def _invoice_text(line: RequestLine) -> str:
    return (
        f"{line.service_name} – {line.plan_name}, {line.quantity} × {line.term_start:%d.%m.%Y}–{line.term_end:%d.%m.%Y}"
    )[:500]


def mark_paid(user: User, order: Order, note: str) -> None:
    """Manual invoicing: the coordinator records the payment."""
    lock(order)
    if not user.is_coordinator:
        raise ServiceError(_("Only the coordinator records payments."))
    if order.status != OrderStatus.ACTIVE:
        raise ServiceError(_("Only an accepted order can be paid."))
    if order.payment_method != PaymentMethod.MANUAL:
        raise ServiceError(_("This order is invoiced through Stripe: its payment is recorded automatically."))
    if order.payment_status == PaymentStatus.PAID:
        raise ServiceError(_("The order is already marked paid."))
    order.payment_status, order.paid_at, order.payment_note = PaymentStatus.PAID.value, utcnow(), note.strip()
    audit.record(user, "order.marked_paid", order, reference=order.reference, note=note.strip())
