"""Procurement as a buyer does it: a published listing with plans, "Add to my request", a line's
form, and the newest request."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from marketplace.catalogue import services as catalogue
from marketplace.procurement.models import ProcurementRequest, RequestLine
from tests import factories


def published(app, people, provider="provider", plans=((1250, "per_pupil_year", 2550, 1),), **fields):
    """A listing in the catalogue with the given plans (cents, model, VAT basis points, minimum)."""
    org = people[provider]
    author = (
        people["provider_admin"]
        if provider == "provider"
        else factories.UserFactory(organisation=org, org_role="admin")
    )
    service = factories.ServiceFactory(organisation=org, created_by=author, **fields)
    for cents, model, vat, minimum in plans:
        factories.PricingPlanFactory(
            service=service,
            unit_price_cents=cents,
            model=model,
            vat_rate_bp=vat,
            min_quantity=minimum,
            name=f"{model} {cents}",
        )
    with app.test_request_context():
        catalogue.submit(author, service)
        catalogue.publish(people["coordinator"], service)
    db.session.commit()
    return service


def add(client, service, plan_index: int = 0):
    """Press "Add to my request" under a plan on the service page, as a buyer does."""
    page = client.get(f"/catalogue/{service.slug}").get_data(as_text=True)
    plan_ids = re.findall(r'name="plan" value="(\d+)"', page)
    assert plan_ids, "the service page shows no add buttons"
    return client.post_form(
        "/procurement/add", {"service": service.id, "plan": plan_ids[plan_index]}, page=f"/catalogue/{service.slug}"
    )


def set_line(client, request_id: int, line: RequestLine, **values):
    data = {"plan": line.plan_id, "quantity": line.quantity, "term_start": "1.8.2026", "term_end": "31.7.2027"}
    data.update(values)
    return client.post_form(f"/procurement/{request_id}/lines/{line.id}", data)


def latest_request() -> ProcurementRequest:
    return db.session.scalar(sa.select(ProcurementRequest).order_by(ProcurementRequest.id.desc()).limit(1))
