"""Read-only lists and figures: requests, orders and spend for the views and dashboards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import Organisation, OrgKind, User
from marketplace.procurement.models import (
    Order,
    OrderStatus,
    PaymentStatus,
    ProcurementRequest,
    RequestLine,
)
from marketplace.procurement.services._common import R


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
