"""Translated names of procurement statuses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

REQUEST_STATUS_LABELS = {
    "draft": _l("Draft"),
    "pending_approval": _l("Waiting for approval"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "cancelled": _l("Cancelled"),
}

ORDER_STATUS_LABELS = {
    "sent": _l("Waiting for the provider"),
    "active": _l("In force"),
    "declined": _l("Declined by the provider"),
    "cancelled": _l("Cancelled"),
}

PAYMENT_STATUS_LABELS = {
    "not_invoiced": _l("Not invoiced"),
    "invoice_pending": _l("Invoice waiting to be created"),
    "invoiced": _l("Invoiced"),
    "payment_failed": _l("Payment failed"),
    "paid": _l("Paid"),
    "void": _l("Invoice voided"),
    "refunded": _l("Refunded"),
}

PAYMENT_METHOD_LABELS = {
    "stripe_invoice": _l("Invoice through Stripe"),
    "manual": _l("Manual invoicing"),
}
