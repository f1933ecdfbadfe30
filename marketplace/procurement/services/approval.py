"""Approval (four eyes): another approver of the municipality decides; approval makes the orders."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import audit
from app.clock import helsinki_today
from app.extensions import db, utcnow
from app.mail import queue_mail
from app.models import OrgRole, User
from app.services import ServiceError
from app.urls import external_url
from app.validators import payment_reference
from marketplace import payments
from marketplace.procurement.models import (
    Order,
    PaymentMethod,
    ProcurementRequest,
    RequestLine,
)
from marketplace.procurement.permissions import can_decide
from marketplace.procurement.services._common import R, _conditional_status, _people


def decide(user: User, request: ProcurementRequest, approve: bool, comment: str) -> list[Order]:
    """Approve (the request becomes orders, one per provider) or reject, with a comment."""
    if user.id == request.requester_id:
        raise ServiceError(_("You cannot approve or reject your own request: another approver must decide it."))
    if not can_decide(user, request):
        raise ServiceError(_("Only an approver of the same municipality can decide this request."))
    if request.status != R.PENDING_APPROVAL:
        raise ServiceError(_("This request is not waiting for approval."))
    comment = comment.strip()
    if not approve and not comment:
        raise ServiceError(_("Tell the requester why the request is rejected."))
    _conditional_status(
        request,
        (R.PENDING_APPROVAL.value,),
        (R.APPROVED if approve else R.REJECTED).value,
        decided_by_id=user.id,
        decided_at=utcnow(),
        decision_comment=comment,
    )
    orders = _make_orders(request) if approve else []
    audit.record(
        user,
        "procurement.approved" if approve else "procurement.rejected",
        request,
        comment=comment,
        orders=[o.reference for o in orders],
    )
    queue_mail(
        request.requester.email,
        _l("Your procurement request was decided"),
        "procurement_decided",
        request.requester.locale,
        request=request,
        approved=approve,
        comment=comment,
        link=external_url("procurement.show", request_id=request.id),
    )
    for order in orders:
        for person in _people(order.provider_id, OrgRole.ADMIN):
            queue_mail(
                person.email,
                _l("A new order from %(municipality)s", municipality=request.organisation.name),
                "order_received",
                person.locale,
                order=order,
                link=external_url("procurement.order", order_id=order.id),
            )
    return orders


def _make_orders(request: ProcurementRequest) -> list[Order]:
    by_provider: dict[int, list[RequestLine]] = defaultdict(list)
    for line in request.lines:
        by_provider[line.provider_id].append(line)
    orders = []
    year = helsinki_today().year
    for provider_id, lines in sorted(by_provider.items()):
        order = Order(
            request=request,
            organisation_id=request.organisation_id,
            provider_id=provider_id,
            term_start=min(line.term_start for line in lines),
            term_end=max(line.term_end for line in lines),
            net_cents=sum(line.net_cents or 0 for line in lines),
            vat_cents=sum(line.vat_cents or 0 for line in lines),
            payment_method=(PaymentMethod.STRIPE_INVOICE if payments.is_configured() else PaymentMethod.MANUAL).value,
        )
        db.session.add(order)
        db.session.flush()  # the id makes the references unique
        order.reference = f"PO-{year}-{order.id:06d}"
        order.payment_reference = payment_reference(f"{year}{order.id:06d}")
        for line in lines:
            line.order = order
        orders.append(order)
    db.session.flush()
    return orders
