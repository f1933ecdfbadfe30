"""Procurement: a municipality's request, its approval, the provider's orders and payment.

A `ProcurementRequest` is drafted by a buyer, sent for approval (prices and VAT rates are
then copied onto its lines, so later price changes do not alter it) and approved or
rejected by another person of the same municipality. Approval makes one `Order` per
provider, with a PO reference and a Finnish payment reference; the provider accepts or
declines it. Payment follows Stripe's webhook events (`StripeEvent`, each stored once),
or the coordinator marks a manually invoiced order paid.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import UTCDateTime, db, one_of, utcnow
from app.models import Organisation, User


class RequestStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class OrderStatus(enum.StrEnum):
    SENT = "sent"  # waiting for the provider
    ACTIVE = "active"  # accepted: in force for its term
    DECLINED = "declined"
    CANCELLED = "cancelled"


class PaymentStatus(enum.StrEnum):
    NOT_INVOICED = "not_invoiced"  # not accepted yet, or waiting for a manual invoice
    INVOICE_PENDING = "invoice_pending"  # Stripe could not be reached: to be retried
    INVOICED = "invoiced"
    PAYMENT_FAILED = "payment_failed"
    PAID = "paid"
    VOID = "void"
    REFUNDED = "refunded"


#: Payment statuses only move forward: an event that arrives late never undoes a later one.
PAYMENT_RANK = {
    "not_invoiced": 0,
    "invoice_pending": 0,
    "invoiced": 1,
    "payment_failed": 2,
    "paid": 3,
    "void": 3,
    "refunded": 4,
}


class PaymentMethod(enum.StrEnum):
    STRIPE_INVOICE = "stripe_invoice"
    MANUAL = "manual"


class ProcurementRequest(db.Model):
    __tablename__ = "procurement_requests"
    __table_args__ = (sa.CheckConstraint(one_of("status", RequestStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    cost_centre: Mapped[str] = mapped_column(sa.String(40), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=RequestStatus.DRAFT.value, index=True)
    #: Totals copied when the request is sent (None while it is a draft).
    net_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    vat_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    lines: Mapped[list[RequestLine]] = relationship(
        back_populates="request", order_by="RequestLine.id", cascade="all, delete-orphan"
    )
    orders: Mapped[list[Order]] = relationship(back_populates="request", order_by="Order.id")

    @property
    def is_draft(self) -> bool:
        return self.status == RequestStatus.DRAFT

    @property
    def gross_cents(self) -> int | None:
        return None if self.net_cents is None or self.vat_cents is None else self.net_cents + self.vat_cents


class RequestLine(db.Model):
    """A service on a request: a plan, a quantity and a term. The price fields are copied
    from the plan when the request is sent, and never change after that."""

    __tablename__ = "procurement_lines"
    __table_args__ = (
        sa.CheckConstraint("quantity >= 1", name="quantity"),
        sa.CheckConstraint("term_end >= term_start", name="term"),
        # The dashboards' spend per service, category and provider reads the lines of accepted orders
        # from this index alone (bench/dashboards.py).
        sa.Index("ix_procurement_lines_order_spend", "order_id", "service_id", "provider_id", "net_cents"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("procurement_requests.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), index=True)
    #: The plan's id in the published revision (the provider may later delete the working plan).
    plan_id: Mapped[int | None] = mapped_column()
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)
    term_start: Mapped[date] = mapped_column(sa.Date)
    term_end: Mapped[date] = mapped_column(sa.Date)
    # Copied when sent:
    service_name: Mapped[str] = mapped_column(sa.String(120), default="")
    plan_name: Mapped[str] = mapped_column(sa.String(120), default="")
    price_model: Mapped[str] = mapped_column(sa.String(30), default="")
    unit_price_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    vat_rate_bp: Mapped[int | None] = mapped_column()
    months: Mapped[int | None] = mapped_column()
    net_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    vat_cents: Mapped[int | None] = mapped_column(sa.BigInteger)

    request: Mapped[ProcurementRequest] = relationship(back_populates="lines")
    order: Mapped[Order | None] = relationship(back_populates="lines")
    provider: Mapped[Organisation] = relationship()


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", OrderStatus), name="status"),
        sa.CheckConstraint(one_of("payment_status", PaymentStatus), name="payment_status"),
        sa.CheckConstraint(one_of("payment_method", PaymentMethod), name="payment_method"),
        sa.Index("ix_orders_organisation_created", "organisation_id", "created_at"),
        sa.Index("ix_orders_provider_created", "provider_id", "created_at"),
        # The dashboards' whole-window figures (accepted orders of the last 24 months) from the index alone.
        sa.Index("ix_orders_status_created", "status", "created_at", "organisation_id", "provider_id", "net_cents"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(sa.String(20), unique=True)  # PO-2026-000123
    payment_reference: Mapped[str | None] = mapped_column(sa.String(20), unique=True)  # viitenumero, digits
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("procurement_requests.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default=OrderStatus.SENT.value, index=True)
    term_start: Mapped[date] = mapped_column(sa.Date)
    term_end: Mapped[date] = mapped_column(sa.Date, index=True)
    net_cents: Mapped[int] = mapped_column(sa.BigInteger)
    vat_cents: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decline_reason: Mapped[str] = mapped_column(sa.Text, default="")
    payment_method: Mapped[str] = mapped_column(sa.String(20), default=PaymentMethod.MANUAL.value)
    payment_status: Mapped[str] = mapped_column(sa.String(20), default=PaymentStatus.NOT_INVOICED.value, index=True)
    stripe_invoice_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    invoice_number: Mapped[str] = mapped_column(sa.String(60), default="")
    invoice_url: Mapped[str] = mapped_column(sa.String(500), default="")
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_note: Mapped[str] = mapped_column(sa.Text, default="")
    payment_error: Mapped[str] = mapped_column(sa.Text, default="")

    request: Mapped[ProcurementRequest] = relationship(back_populates="orders")
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    provider: Mapped[Organisation] = relationship(foreign_keys=[provider_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    lines: Mapped[list[RequestLine]] = relationship(back_populates="order", order_by="RequestLine.id")

    @property
    def gross_cents(self) -> int:
        return self.net_cents + self.vat_cents

    @property
    def is_open_receivable(self) -> bool:
        return self.status == OrderStatus.ACTIVE and self.payment_status not in (
            PaymentStatus.PAID,
            PaymentStatus.VOID,
            PaymentStatus.REFUNDED,
        )


class PaymentCustomer(db.Model):
    """A municipality's customer in Stripe, made once."""

    __tablename__ = "payment_customers"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id"), primary_key=True, autoincrement=False
    )
    stripe_customer_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StripeEvent(db.Model):
    """Every webhook event, stored once by its id: a replay or a concurrent duplicate
    meets the primary key and changes nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    stripe_created: Mapped[int | None] = mapped_column(sa.BigInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(40), default="")
