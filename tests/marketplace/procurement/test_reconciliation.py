"""Stripe reconciliation (issue "Several hosts"): the hourly job asks Stripe (the local fake, over
HTTP, through the official library) for each open invoice's status and applies what a lost
webhook did not, once, audited; an unreachable Stripe changes nothing."""

from __future__ import annotations

import socket

import sqlalchemy as sa
import stripe

from app import jobs
from app.audit import AuditEvent
from app.extensions import db
from marketplace import payments
from marketplace.payments import InvoiceLine
from marketplace.procurement.models import Order
from tests import factories
from tests.stripe_servers import SECRET_KEY


def _open_invoice(app, order_id: int = 42) -> str:
    with app.app_context():
        customer = payments.ensure_customer(7, "Vantaan kaupunki", "0124610-9", "laskut@vantaa.example", None)
        created = payments.create_invoice(
            order_id,
            f"TIL-2026-{order_id:04d}",
            "RF18 1234 5",
            customer,
            [InvoiceLine("course", "Kurssi", 1010, 2550)],
            14,
        )
    return created.id


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_a_payment_whose_webhook_was_lost_is_found_and_applied_once(app, people, stripe_config, runner):
    invoice_id = _open_invoice(app)
    order = factories.OrderFactory(
        status="active", payment_method="stripe_invoice", payment_status="invoiced", stripe_invoice_id=invoice_id
    )
    untouched = factories.OrderFactory(
        status="active",
        payment_method="stripe_invoice",
        payment_status="invoiced",
        stripe_invoice_id=_open_invoice(app, 43),
    )
    # The municipality pays; Stripe's webhook never reaches us.
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": stripe_config.api_base}, max_network_retries=0)
    client.v1.invoices.pay(invoice_id, {"paid_out_of_band": True})
    result = runner.invoke(args=["jobs", "run", "stripe_reconcile"])
    assert result.exit_code == 0, result.output
    assert "2 invoices checked, 1 orders updated, 0 not reachable" in result.output
    db.session.expire_all()
    assert db.session.get(Order, order.id).payment_status == "paid"
    assert db.session.get(Order, order.id).paid_at is not None
    assert db.session.get(Order, untouched.id).payment_status == "invoiced"  # still open at Stripe
    # Again (the next hour, or another host at the same time): nothing more.
    again = runner.invoke(args=["jobs", "run", "stripe_reconcile"])
    assert "1 invoices checked, 0 orders updated" in again.output
    events = _audit("order.payment_reconciled")
    assert [(e.data["before"], e.data["after"]) for e in events] == [("invoiced", "paid")]


def test_an_unreachable_stripe_changes_nothing(app, people, stripe_config):
    invoice_id = _open_invoice(app)
    order = factories.OrderFactory(
        status="active", payment_method="stripe_invoice", payment_status="invoiced", stripe_invoice_id=invoice_id
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    app.config["STRIPE_API_BASE"] = f"http://127.0.0.1:{closed}"
    with app.app_context():
        result = jobs.run_job("stripe_reconcile")
    assert "1 not reachable" in result and "0 orders updated" in result
    db.session.expire_all()
    assert db.session.get(Order, order.id).payment_status == "invoiced"
    assert _audit("order.payment_reconciled") == []


def test_without_stripe_the_job_does_nothing(app, runner):
    result = runner.invoke(args=["jobs", "run", "stripe_reconcile"])
    assert result.exit_code == 0 and "not configured" in result.output
