"""Demo procurement: Espoo's paid order for two services, taken through the real steps
(request, approval by another person, the provider's acceptance, a payment recorded by the
coordinator), so that orders, spend and receivables have something to show; then two years of
history across the seven cities for the dashboards (`history_demo`). Vantaa has no draft: its
buyer and approver can try the whole path themselves. Idempotent; never commits."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import User
from marketplace.catalogue.models import CatalogueEntry
from marketplace.procurement import history_demo, services
from marketplace.procurement.models import PaymentMethod, ProcurementRequest

SERVICES = ("Lukujono", "Ruotsinreitti")  # two services of different providers, if the catalogue has them


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def load() -> None:
    _espoo_order()
    history_demo.load()


def _espoo_order() -> None:
    buyer, approver = _user("buyer.espoo@example.com"), _user("approver.espoo@example.com")
    coordinator = _user("coordinator@example.com")
    if (
        buyer is None
        or approver is None
        or coordinator is None
        or db.session.scalar(sa.select(sa.func.count(ProcurementRequest.id)))
    ):
        return
    entries = list(db.session.scalars(sa.select(CatalogueEntry).where(CatalogueEntry.name.in_(SERVICES))))
    if not entries:
        entries = list(db.session.scalars(sa.select(CatalogueEntry).order_by(CatalogueEntry.name).limit(2)))
    if not entries:
        return
    request = services.create_request(buyer)
    for entry in entries:
        plan = services.offered_plans(entry.service_id)[0]
        services.add_line(buyer, request, plan, max(plan.min_quantity, 800), date(2026, 8, 1), date(2027, 7, 31))
    services.update_details(buyer, request, "Yläkoulujen matematiikka ja kielet lukuvuonna 2026–2027.", "4100")
    services.send_for_approval(buyer, request)
    for order in services.decide(approver, request, True, "Talousarvion mukainen."):
        provider_admin = db.session.scalar(
            sa.select(User).where(User.organisation_id == order.provider_id).order_by(User.id).limit(1)
        )
        services.provider_decide(provider_admin, order, True)
        services.invoice_order(order, provider_admin)
        if order.payment_method == PaymentMethod.MANUAL:  # with Stripe configured, Stripe reports the payment
            services.mark_paid(coordinator, order, "Maksettu tilisiirtona (demo).")
