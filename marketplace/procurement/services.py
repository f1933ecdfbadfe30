"""Procurement: requests, four-eyes approval, orders, provider acceptance and payment.
Plain functions that add and flush, never commit (the one exception is documented on
`record_stripe_event`, which needs a savepoint for duplicate events)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app import audit
from app.clock import helsinki_today
from app.concurrency import lock
from app.extensions import db, utcnow
from app.mail import queue_mail
from app.models import Organisation, OrgKind, OrgRole, User
from app.services import ServiceError
from app.urls import external_url
from app.validators import payment_reference
from marketplace import payments
from marketplace.catalogue.models import CatalogueEntry, ServiceRevision
from marketplace.catalogue.search import visible_providers
from marketplace.catalogue.vocab import PriceModel
from marketplace.procurement.models import (
    PAYMENT_RANK,
    Order,
    OrderStatus,
    PaymentCustomer,
    PaymentMethod,
    PaymentStatus,
    ProcurementRequest,
    RequestLine,
    RequestStatus,
    StripeEvent,
)

#: The national threshold for services (EUR excl. VAT): at or above it, competitive tendering.
THRESHOLD_CENTS = 60_000 * 100
MAX_LINES = 20
MAX_TERM_MONTHS = 48
MAX_QUANTITY = 10_000_000
R = RequestStatus

# --- amounts --------------------------------------------------------------------------------


def term_months(start: date, end: date) -> int:
    """Months in an inclusive term, a started month counting as whole (1.8.-31.7. is 12)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if _add_months(start, months) - timedelta(days=1) < end:
        months += 1
    return max(1, months)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _cents(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def line_net_cents(model: str, unit_price_cents: int, quantity: int, months: int) -> int:
    """A line's price excluding VAT for its term, rounded to the cent."""
    unit = Decimal(unit_price_cents)
    if model == PriceModel.FREE:
        return 0
    if model == PriceModel.ONE_OFF:
        return _cents(unit * quantity)
    if model == PriceModel.PER_USER_MONTH:
        return _cents(unit * quantity * months)
    return _cents(unit * quantity * months / 12)  # the yearly models, pro rata by month


def vat_cents(net_cents: int, vat_rate_bp: int) -> int:
    """VAT of one line, rounded to the cent (half up), as on a Finnish invoice line."""
    return _cents(Decimal(net_cents) * vat_rate_bp / 10_000)


@dataclass
class LineFigures:
    line: RequestLine
    model: str
    unit_price_cents: int
    vat_rate_bp: int
    months: int
    net_cents: int
    vat_cents: int
    problem: str | None = None


@dataclass
class Totals:
    lines: list[LineFigures]
    net_cents: int = 0
    vat_by_rate: dict[int, int] = field(default_factory=dict)  # basis points -> cents
    problems: list[str] = field(default_factory=list)

    @property
    def vat_cents(self) -> int:
        return sum(self.vat_by_rate.values())

    @property
    def gross_cents(self) -> int:
        return self.net_cents + self.vat_cents

    @property
    def needs_tendering(self) -> bool:
        return self.net_cents >= THRESHOLD_CENTS


@dataclass(frozen=True)
class OfferedPlan:
    """A pricing plan as the catalogue publishes it (the published revision's copy, not the
    provider's working copy, which may hold edits still in review)."""

    service_id: int
    service_name: str
    provider_id: int
    id: int
    name: str
    model: str
    unit_price_cents: int
    vat_rate_bp: int
    min_quantity: int


def offered_plans(service_id: int, today: date | None = None) -> list[OfferedPlan]:
    """The plans of a service that is in the catalogue now (none if it is not)."""
    entry = db.session.scalar(
        sa.select(CatalogueEntry).where(
            CatalogueEntry.service_id == service_id, CatalogueEntry.organisation_id.in_(visible_providers(today))
        )
    )
    if entry is None:
        return []
    revision = db.session.scalar(
        sa.select(ServiceRevision).where(
            ServiceRevision.service_id == service_id, ServiceRevision.number == entry.revision_number
        )
    )
    if revision is None:
        return []
    return [
        OfferedPlan(
            service_id,
            entry.name,
            entry.organisation_id,
            int(p["id"]),
            p["name"],
            p["model"],
            int(p["unit_price_cents"]),
            int(p["vat_rate_bp"]),
            int(p.get("min_quantity") or 1),
        )
        for p in revision.snapshot.get("plans", [])
    ]


def offered_plan(service_id: int | None, plan_id: int | None) -> OfferedPlan | None:
    if service_id is None:
        return None
    return next((p for p in offered_plans(service_id) if p.id == plan_id), None)


def totals(request: ProcurementRequest) -> Totals:
    """The request's figures: published prices for a draft, the copied ones once sent."""
    figures: list[LineFigures] = []
    offered: dict[int, list[OfferedPlan]] = {}
    for line in request.lines:
        if request.is_draft:
            if line.service_id not in offered:
                offered[line.service_id] = offered_plans(line.service_id)
            plan = next((p for p in offered[line.service_id] if p.id == line.plan_id), None)
            problem = _line_problem(line, plan, bool(offered[line.service_id]))
            months = term_months(line.term_start, line.term_end)
            if plan is None:
                figures.append(LineFigures(line, "", 0, 0, months, 0, 0, problem))
                continue
            net = line_net_cents(plan.model, plan.unit_price_cents, line.quantity, months)
            figures.append(
                LineFigures(
                    line,
                    plan.model,
                    plan.unit_price_cents,
                    plan.vat_rate_bp,
                    months,
                    net,
                    vat_cents(net, plan.vat_rate_bp),
                    problem,
                )
            )
        else:
            figures.append(
                LineFigures(
                    line,
                    line.price_model,
                    line.unit_price_cents or 0,
                    line.vat_rate_bp or 0,
                    line.months or 0,
                    line.net_cents or 0,
                    line.vat_cents or 0,
                )
            )
    result = Totals(figures)
    for f in figures:
        result.net_cents += f.net_cents
        if f.vat_rate_bp or f.vat_cents:
            result.vat_by_rate[f.vat_rate_bp] = result.vat_by_rate.get(f.vat_rate_bp, 0) + f.vat_cents
        if f.problem:
            result.problems.append(f.problem)
    result.vat_by_rate = dict(sorted(result.vat_by_rate.items(), reverse=True))
    return result


def _line_problem(line: RequestLine, plan: OfferedPlan | None, in_catalogue: bool) -> str | None:
    """Why a draft line cannot be ordered as it stands, or None."""
    if not in_catalogue:
        return _("%(name)s is no longer in the catalogue. Remove the line.", name=line.service_name)
    if plan is None:
        return _(
            "The pricing plan chosen for %(name)s is no longer offered. Choose another plan.", name=line.service_name
        )
    if line.quantity < plan.min_quantity:
        return _(
            "The quantity of %(name)s is below the plan's minimum of %(min)d.",
            name=line.service_name,
            min=plan.min_quantity,
        )
    return None


# --- drafting ---------------------------------------------------------------------------------


def _require_buyer(user: User) -> None:
    org = user.organisation
    if org is None or org.kind != OrgKind.MUNICIPALITY or user.org_role != OrgRole.BUYER:
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


# --- approval (four eyes) -----------------------------------------------------------------------


def can_decide(user: User, request: ProcurementRequest) -> bool:
    return (
        user.organisation_id == request.organisation_id
        and user.org_role == OrgRole.APPROVER
        and user.id != request.requester_id
    )


def _conditional_status(request: ProcurementRequest, expected: tuple[str, ...], new: str, **values: Any) -> None:
    """Move the request on only if it is still in an expected status. On PostgreSQL the row is
    locked first; the conditional UPDATE makes the same guarantee on SQLite (one writer at a
    time), so of two people acting at once exactly one succeeds."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.select(ProcurementRequest.id).where(ProcurementRequest.id == request.id).with_for_update()
        )
    result = db.session.execute(
        sa.update(ProcurementRequest)
        .where(ProcurementRequest.id == request.id, ProcurementRequest.status.in_(expected))
        .values(status=new, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(request)
        raise ServiceError(_("Someone else has already decided this request. Its status is now shown."))
    db.session.refresh(request)


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


def _people(org_id: int, role: OrgRole, exclude: int | None = None) -> list[User]:
    stmt = sa.select(User).where(User.organisation_id == org_id, User.active.is_(True), User.org_role == role.value)
    return [u for u in db.session.scalars(stmt) if u.id != exclude]


# --- the provider's answer ------------------------------------------------------------------------


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


def _set_payment_status(order: Order, status: str) -> bool:
    """Move the payment status forward only (late events never undo later ones, and an event of the
    status the order already has changes nothing)."""
    if PAYMENT_RANK[status] <= PAYMENT_RANK.get(order.payment_status, 0):
        return False
    order.payment_status = status
    if status == PaymentStatus.PAID and order.paid_at is None:
        order.paid_at = utcnow()
    return True


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


# --- Stripe webhooks -----------------------------------------------------------------------------


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


def requests_of(org_id: int) -> list[ProcurementRequest]:
    """The municipality's latest requests, with their requesters and lines (no query per row)."""
    return list(
        db.session.scalars(
            sa.select(ProcurementRequest)
            .where(ProcurementRequest.organisation_id == org_id)
            .options(selectinload(ProcurementRequest.requester), selectinload(ProcurementRequest.lines))
            .order_by(ProcurementRequest.created_at.desc())
            .limit(200)
        )
    )


def waiting_for(user: User) -> list[ProcurementRequest]:
    """Requests this approver may decide (not their own)."""
    return list(
        db.session.scalars(
            sa.select(ProcurementRequest)
            .where(
                ProcurementRequest.organisation_id == user.organisation_id,
                ProcurementRequest.status == R.PENDING_APPROVAL.value,
                ProcurementRequest.requester_id != user.id,
            )
            .order_by(ProcurementRequest.sent_at)
        )
    )


@dataclass
class OrderFilters:
    municipality: int | None = None
    provider: int | None = None
    status: str | None = None
    payment: str | None = None
    year: int | None = None


def orders_stmt(filters: OrderFilters) -> sa.Select:
    stmt = (
        sa.select(Order)
        .options(joinedload(Order.organisation), joinedload(Order.provider))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    if filters.municipality:
        stmt = stmt.where(Order.organisation_id == filters.municipality)
    if filters.provider:
        stmt = stmt.where(Order.provider_id == filters.provider)
    if filters.status:
        stmt = stmt.where(Order.status == filters.status)
    if filters.payment:
        stmt = stmt.where(Order.payment_status == filters.payment)
    if filters.year:
        stmt = stmt.where(Order.term_start <= date(filters.year, 12, 31), Order.term_end >= date(filters.year, 1, 1))
    return stmt


def spend_by_service(org_id: int) -> list[tuple[str, int, int, int]]:
    """(service, year the term starts, orders, net cents) of accepted orders, from the database."""
    year = sa.extract("year", RequestLine.term_start)
    stmt = (
        sa.select(
            RequestLine.service_name,
            year,
            sa.func.count(sa.distinct(RequestLine.order_id)),
            sa.func.sum(RequestLine.net_cents),
        )
        .join(Order, RequestLine.order_id == Order.id)
        .where(Order.organisation_id == org_id, Order.status == OrderStatus.ACTIVE.value)
        .group_by(RequestLine.service_name, year)
        .order_by(year.desc(), sa.func.sum(RequestLine.net_cents).desc())
    )
    return [(name, int(y), int(n), int(total or 0)) for name, y, n, total in db.session.execute(stmt)]


def spend_by_year(org_id: int) -> list[tuple[int, int, int]]:
    """(year, net cents, VAT cents) of accepted orders by the year their term starts."""
    year = sa.extract("year", Order.term_start)
    stmt = (
        sa.select(year, sa.func.sum(Order.net_cents), sa.func.sum(Order.vat_cents))
        .where(Order.organisation_id == org_id, Order.status == OrderStatus.ACTIVE.value)
        .group_by(year)
        .order_by(year.desc())
    )
    return [(int(y), int(net or 0), int(vat or 0)) for y, net, vat in db.session.execute(stmt)]


def receivables(provider_id: int) -> tuple[int, int]:
    """(orders, gross cents) accepted and not yet paid, for a provider."""
    stmt = sa.select(
        sa.func.count(Order.id), sa.func.coalesce(sa.func.sum(Order.net_cents + Order.vat_cents), 0)
    ).where(
        Order.provider_id == provider_id,
        Order.status == OrderStatus.ACTIVE.value,
        Order.payment_status.not_in([PaymentStatus.PAID.value, PaymentStatus.VOID.value, PaymentStatus.REFUNDED.value]),
    )
    count, total = db.session.execute(stmt).one()
    return int(count), int(total)


def municipality_options() -> list[Organisation]:
    return list(
        db.session.scalars(
            sa.select(Organisation).where(Organisation.kind == OrgKind.MUNICIPALITY.value).order_by(Organisation.name)
        )
    )
