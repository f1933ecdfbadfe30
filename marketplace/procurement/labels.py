"""Translated names of procurement statuses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.procurement.models import OrderStatus, PaymentMethod, PaymentStatus, RequestStatus

REQUEST_STATUS_LABELS = {
    RequestStatus.DRAFT: _l("Draft"),
    RequestStatus.PENDING_APPROVAL: _l("Waiting for approval"),
    RequestStatus.APPROVED: _l("Approved"),
    RequestStatus.REJECTED: _l("Rejected"),
    RequestStatus.CANCELLED: _l("Cancelled"),
}

ORDER_STATUS_LABELS = {
    OrderStatus.SENT: _l("Waiting for the provider"),
    OrderStatus.ACTIVE: _l("In force"),
    OrderStatus.DECLINED: _l("Declined by the provider"),
    OrderStatus.CANCELLED: _l("Cancelled"),
}

PAYMENT_STATUS_LABELS = {
    PaymentStatus.NOT_INVOICED: _l("Not invoiced"),
    PaymentStatus.INVOICE_PENDING: _l("Invoice waiting to be created"),
    PaymentStatus.INVOICED: _l("Invoiced"),
    PaymentStatus.PAYMENT_FAILED: _l("Payment failed"),
    PaymentStatus.PAID: _l("Paid"),
    PaymentStatus.VOID: _l("Invoice voided"),
    PaymentStatus.REFUNDED: _l("Refunded"),
}

PAYMENT_METHOD_LABELS = {
    PaymentMethod.STRIPE_INVOICE: _l("Invoice through Stripe"),
    PaymentMethod.MANUAL: _l("Manual invoicing"),
}
