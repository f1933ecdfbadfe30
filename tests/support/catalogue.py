"""Catalogue listings: a draft with plans, and listings taken through submission and publication."""

from __future__ import annotations

from flask import current_app

from app.extensions import db
from marketplace.catalogue import services
from marketplace.catalogue.models import Service
from tests import factories


def listing(people, provider: str = "provider", *, plans=((1250, "per_pupil_year"),), **fields) -> Service:
    """A draft with its plans, made by the provider's admin."""
    org = people[provider]
    author = (
        people["provider_admin"]
        if provider == "provider"
        else factories.UserFactory(organisation=org, org_role="admin")
    )
    service = factories.ServiceFactory(organisation=org, created_by=author, **fields)
    for cents, model in plans:
        factories.PricingPlanFactory(service=service, unit_price_cents=cents, model=model, name=f"Hinnoittelu {model}")
    return service


def published(app, people, provider: str = "provider", **fields) -> Service:
    """A listing taken through submission and publication, as the real services do it."""
    service = listing(people, provider, **fields)
    with app.test_request_context():
        services.submit(service.created_by, service)
        services.publish(people["coordinator"], service)
    db.session.commit()
    return service


def publish_listing(people, **fields):
    """A listing of the provider with a paid and a free plan, published (needs an app context)."""
    service = factories.ServiceFactory(organisation=people["provider"], created_by=people["provider_admin"], **fields)
    factories.PricingPlanFactory(service=service, unit_price_cents=1000)
    factories.PricingPlanFactory(service=service, model="free", unit_price_cents=0, name="Kokeilu")
    with current_app.test_request_context():
        services.submit(people["provider_admin"], service)
        services.publish(people["coordinator"], service)
    db.session.commit()
    return service
