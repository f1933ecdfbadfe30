"""The limits of a request and the helpers that more than one procurement step uses."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db, utcnow
from app.models import OrgRole, User
from app.services import ServiceError
from marketplace.procurement.models import (
    PAYMENT_RANK,
    Order,
    PaymentStatus,
    ProcurementRequest,
    RequestStatus,
)

#: The national threshold for services (EUR excl. VAT): at or above it, competitive tendering.
THRESHOLD_CENTS = 60_000 * 100
MAX_LINES = 20
MAX_TERM_MONTHS = 48
MAX_QUANTITY = 10_000_000
R = RequestStatus


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


def _people(org_id: int, role: OrgRole, exclude: int | None = None) -> list[User]:
    stmt = sa.select(User).where(User.organisation_id == org_id, User.active.is_(True), User.org_role == role.value)
    return [u for u in db.session.scalars(stmt) if u.id != exclude]


def _set_payment_status(order: Order, status: str) -> bool:
    """Move the payment status forward only (late events never undo later ones, and an event of the
    status the order already has changes nothing)."""
    if PAYMENT_RANK[status] <= PAYMENT_RANK.get(order.payment_status, 0):
        return False
    order.payment_status = status
    if status == PaymentStatus.PAID and order.paid_at is None:
        order.paid_at = utcnow()
    return True
