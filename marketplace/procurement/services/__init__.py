"""Procurement: requests, four-eyes approval, orders, provider acceptance and payment.
Plain functions that add and flush, never commit (the one exception is documented on
`record_stripe_event`, which needs a savepoint for duplicate events)."""

from __future__ import annotations

from marketplace.procurement.services._common import MAX_LINES, MAX_QUANTITY, MAX_TERM_MONTHS, THRESHOLD_CENTS
from marketplace.procurement.services.amounts import (
    LineFigures,
    OfferedPlan,
    Totals,
    line_net_cents,
    offered_plan,
    offered_plans,
    term_months,
    totals,
    vat_cents,
)
from marketplace.procurement.services.amounts import _add_months as _add_months
from marketplace.procurement.services.answers import invoice_order, mark_paid, provider_decide
from marketplace.procurement.services.approval import decide
from marketplace.procurement.services.drafting import (
    add_line,
    cancel,
    create_request,
    current_draft,
    default_term,
    draft_for,
    remove_line,
    send_for_approval,
    update_details,
    update_line,
)
from marketplace.procurement.services.queries import (
    OrderFilters,
    municipality_options,
    orders_stmt,
    receivables,
    requests_of,
    spend_by_service,
    spend_by_year,
    waiting_for,
)
from marketplace.procurement.services.webhooks import (
    EventOutcome,
    Reconciliation,
    reconcile_payments,
    record_refused_stripe_event,
    record_stripe_event,
)

__all__ = [
    "MAX_LINES",
    "MAX_QUANTITY",
    "MAX_TERM_MONTHS",
    "THRESHOLD_CENTS",
    "EventOutcome",
    "LineFigures",
    "OfferedPlan",
    "OrderFilters",
    "Reconciliation",
    "Totals",
    "add_line",
    "cancel",
    "create_request",
    "current_draft",
    "decide",
    "default_term",
    "draft_for",
    "invoice_order",
    "line_net_cents",
    "mark_paid",
    "municipality_options",
    "offered_plan",
    "offered_plans",
    "orders_stmt",
    "provider_decide",
    "receivables",
    "reconcile_payments",
    "record_refused_stripe_event",
    "record_stripe_event",
    "remove_line",
    "requests_of",
    "send_for_approval",
    "spend_by_service",
    "spend_by_year",
    "term_months",
    "totals",
    "update_details",
    "update_line",
    "vat_cents",
    "waiting_for",
]
