"""Procurement's periodic jobs (app.jobs runs them): Stripe reconciliation."""

from __future__ import annotations

from app.jobs import periodic
from marketplace import payments
from marketplace.procurement import services


@periodic("stripe_reconcile", "every hour", minute="37")
def reconcile_stripe() -> str:
    """Open invoices' status from Stripe, for webhooks that were lost (without Stripe: nothing)."""
    if not payments.is_configured():
        return "Stripe is not configured; nothing to reconcile"
    return str(services.reconcile_payments())
