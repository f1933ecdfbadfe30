"""Drafting: the buyer's draft request, its lines and details, sending it and cancelling it."""

from __future__ import annotations

from datetime import date

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
from marketplace.procurement.models import (
    ProcurementRequest,
    RequestLine,
)
from marketplace.procurement.permissions import is_buyer
from marketplace.procurement.services._common import (
    MAX_LINES,
    MAX_QUANTITY,
    MAX_TERM_MONTHS,
    R,
    _conditional_status,
    _people,
)
from marketplace.procurement.services.amounts import OfferedPlan, Totals, term_months, totals


def _require_buyer(user: User) -> None:
    if not is_buyer(user):
        raise ServiceError(_("Only a buyer of a municipality can make procurement requests."))


def _require_own_draft(user: User, request: ProcurementRequest) -> None:
    if request.requester_id != user.id:
        raise ServiceError(_("Only the person who made the request can change it."))
    if not request.is_draft:
        raise ServiceError(_("The request has been sent and can no longer be changed."))


def default_term(today: date | None = None) -> tuple[date, date]:
    """The next school year (1 August to 31 July), the usual term of a licence."""
    today = today or helsinki_today()
    start = date(today.year if today < date(today.year, 8, 1) else today.year + 1, 8, 1)
    return start, date(start.year + 1, 7, 31)


def create_request(user: User) -> ProcurementRequest:
    _require_buyer(user)
    lock(user)
    request = ProcurementRequest(organisation_id=user.organisation_id, requester_id=user.id)
    db.session.add(request)
    audit.record(user, "procurement.created", request)
    return request


def draft_for(user: User) -> ProcurementRequest:
    """The buyer's current draft, started if there is none (once, however many tabs add at once)."""
    _require_buyer(user)
    lock(user)
    return current_draft(user) or create_request(user)


def current_draft(user: User) -> ProcurementRequest | None:
    """The buyer's latest draft, where services are added from the catalogue."""
    return db.session.scalar(
        sa.select(ProcurementRequest)
        .where(ProcurementRequest.requester_id == user.id, ProcurementRequest.status == R.DRAFT.value)
        .order_by(ProcurementRequest.id.desc())
        .limit(1)
    )


def _validate_line(plan: OfferedPlan, quantity: int, term_start: date, term_end: date) -> None:
    if quantity < 1:
        raise ServiceError(_("The quantity must be at least 1."))
    if quantity > MAX_QUANTITY:
        raise ServiceError(_("The quantity is too large."))
    if quantity < plan.min_quantity:
        raise ServiceError(_("This plan's minimum quantity is %(min)d.", min=plan.min_quantity))
    if term_end < term_start:
        raise ServiceError(_("The term cannot end before it starts."))
    if term_months(term_start, term_end) > MAX_TERM_MONTHS:
        raise ServiceError(_("A catalogue order can run for at most four years."))


def add_line(
    user: User,
    request: ProcurementRequest,
    plan: OfferedPlan | None,
    quantity: int | None = None,
    term_start: date | None = None,
    term_end: date | None = None,
) -> RequestLine:
    """Put a published plan on a draft (by default its minimum quantity for the next school year)."""
    _require_buyer(user)
    lock(request)
    _require_own_draft(user, request)
    if plan is None:
        raise ServiceError(_("This service or plan is not in the catalogue, so it cannot be requested."))
    if any(line.plan_id == plan.id for line in request.lines):
        raise ServiceError(
            _(
                "%(name)s (%(plan)s) is already on this request: change its quantity or term there.",
                name=plan.service_name,
                plan=plan.name,
            )
        )
    if len(request.lines) >= MAX_LINES:
        raise ServiceError(_("A request can have at most %(n)d lines.", n=MAX_LINES))
    start, end = default_term()
    line = RequestLine(
        service_id=plan.service_id,
        plan_id=plan.id,
        provider_id=plan.provider_id,
        quantity=quantity if quantity is not None else plan.min_quantity,
        term_start=term_start or start,
        term_end=term_end or end,
        service_name=plan.service_name,
        plan_name=plan.name,
        price_model=plan.model,
    )
    _validate_line(plan, line.quantity, line.term_start, line.term_end)
    request.lines.append(line)
    db.session.flush()
    audit.record(
        user,
        "procurement.line_added",
        request,
        line=line.id,
        service=plan.service_id,
        plan=plan.id,
        quantity=line.quantity,
    )
    return line


def update_line(
    user: User,
    request: ProcurementRequest,
    line: RequestLine,
    plan: OfferedPlan | None,
    quantity: int,
    term_start: date,
    term_end: date,
) -> None:
    lock(request)
    _require_own_draft(user, request)
    if plan is None or plan.service_id != line.service_id:
        raise ServiceError(_("Choose one of this service's pricing plans."))
    _validate_line(plan, quantity, term_start, term_end)
    if (line.plan_id, line.quantity, line.term_start, line.term_end) == (plan.id, quantity, term_start, term_end):
        return  # saved again as it was: nothing changes
    line.plan_id, line.plan_name, line.price_model = plan.id, plan.name, plan.model
    line.quantity, line.term_start, line.term_end = quantity, term_start, term_end
    audit.record(
        user,
        "procurement.line_changed",
        request,
        line=line.id,
        plan=plan.id,
        quantity=quantity,
        term_start=term_start.isoformat(),
        term_end=term_end.isoformat(),
    )


def remove_line(user: User, request: ProcurementRequest, line: RequestLine) -> None:
    lock(request)
    _require_own_draft(user, request)
    if line not in request.lines:
        raise ServiceError(_("This line has already been removed."))
    request.lines.remove(line)
    audit.record(user, "procurement.line_removed", request, line=line.id, service=line.service_id)


def update_details(user: User, request: ProcurementRequest, purpose: str, cost_centre: str) -> None:
    lock(request)
    _require_own_draft(user, request)
    if (request.purpose, request.cost_centre) == (purpose.strip(), cost_centre.strip()):
        return  # saved again as it was: nothing changes
    request.purpose, request.cost_centre = purpose.strip(), cost_centre.strip()
    audit.record(user, "procurement.details_changed", request)


def send_for_approval(user: User, request: ProcurementRequest) -> Totals:
    """Copy prices and VAT rates onto the lines and ask the municipality's approvers."""
    _require_buyer(user)
    lock(request)
    _require_own_draft(user, request)
    if not request.lines:
        raise ServiceError(_("Add at least one service before sending the request."))
    if not request.purpose.strip():
        raise ServiceError(_("Describe the purpose of the procurement before sending the request."))
    figures = totals(request)
    if figures.problems:
        raise ServiceError(figures.problems[0])
    if figures.needs_tendering:
        raise ServiceError(
            _(
                "The total excluding VAT is at or above the national threshold of 60 000 €, so this "
                "cannot be a direct catalogue order: it needs competitive tendering. The request is "
                "saved for the record."
            )
        )
    for f in figures.lines:
        line = f.line
        line.unit_price_cents, line.vat_rate_bp, line.months = f.unit_price_cents, f.vat_rate_bp, f.months
        line.net_cents, line.vat_cents, line.price_model = f.net_cents, f.vat_cents, f.model
    request.net_cents, request.vat_cents = figures.net_cents, figures.vat_cents
    request.status, request.sent_at = R.PENDING_APPROVAL.value, utcnow()
    audit.record(user, "procurement.sent", request, net_cents=request.net_cents, vat_cents=request.vat_cents)
    for approver in _people(request.organisation_id, OrgRole.APPROVER, exclude=user.id):
        queue_mail(
            approver.email,
            _l("A procurement request is waiting for your approval"),
            "procurement_sent",
            approver.locale,
            request=request,
            link=external_url("procurement.show", request_id=request.id),
        )
    return figures


def cancel(user: User, request: ProcurementRequest) -> None:
    if request.requester_id != user.id:
        raise ServiceError(_("Only the person who made the request can cancel it."))
    if request.status not in (R.DRAFT, R.PENDING_APPROVAL):
        raise ServiceError(_("The request has already been decided and cannot be cancelled."))
    _conditional_status(request, (R.DRAFT.value, R.PENDING_APPROVAL.value), R.CANCELLED.value)
    audit.record(user, "procurement.cancelled", request)
