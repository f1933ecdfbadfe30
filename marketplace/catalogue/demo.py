"""Demo catalogue: six providers and 44 listings, published through the normal
review path; one published listing has an edit waiting for review, and one
listing is still a draft; and 90 days of page view counts. Idempotent; never commits."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from app import services as core
from app.clock import helsinki_today
from app.demo import DEMO_PASSWORD
from app.extensions import db, utcnow
from app.models import Organisation, OrgKind, OrgRole, OrgStatus, User
from governance.rules import services as rules
from marketplace.catalogue import services
from marketplace.catalogue.demo_data import LISTINGS, PROVIDERS
from marketplace.catalogue.models import CatalogueEntry, Service, ServiceViewCount

EDITED_LISTING = "Matikkamestari"
DRAFT_LISTING = "Kanslia"


def _provider(key: str, name: str, business_id: str) -> tuple[Organisation, User]:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.business_id == business_id))
    if org is None:
        org = core.create_organisation(None, OrgKind.PROVIDER, name, business_id, status=OrgStatus.ACTIVE)
    admin = db.session.scalar(
        sa.select(User).where(User.organisation_id == org.id, User.org_role == OrgRole.ADMIN.value).order_by(User.id)
    )
    if admin is None:
        admin = User(
            email=f"demo.{key}@example.com",
            name=name,
            password_hash=core.hash_password(DEMO_PASSWORD),
            organisation=org,
            org_role=OrgRole.ADMIN.value,
            locale="fi",
            email_confirmed_at=utcnow(),
        )
        db.session.add(admin)
        db.session.flush()
    version = rules.version_in_force()
    if version is not None and rules.acceptance_of(org, version) is None:
        rules.accept(admin, version, admin.name, "toimitusjohtaja", True, "127.0.0.1", version.body_sha256)
    return org, admin


def load() -> None:
    _listings()
    _view_counts()


def _listings() -> None:
    coordinator = db.session.scalar(sa.select(User).where(User.email == "coordinator@example.com"))
    if coordinator is None or db.session.scalar(sa.select(sa.func.count(Service.id))):
        return
    admins = {key: _provider(key, name, business_id)[1] for key, name, business_id in PROVIDERS}
    for item in LISTINGS:
        admin = admins[item["provider"]]
        data = {k: v for k, v in item.items() if k not in ("provider", "plans")}
        service = services.create_listing(admin, data)
        for plan in item["plans"]:
            services.save_plan(admin, service, dict(plan))
        if item["name"] == DRAFT_LISTING:
            continue
        services.submit(admin, service)
        services.publish(coordinator, service)
        if item["name"] == EDITED_LISTING:
            services.update_listing(
                admin,
                service,
                {
                    "summary": service.summary + " Uutena sähköinen koe ja opettajan raportit.",
                    "standards": sorted({*service.standards, "oneroster12"}),
                },
            )
            services.submit(admin, service)


VIEW_DAYS = 90


def _view_counts() -> None:
    """Daily page views of the published services over the last 90 days (before today, so
    that real views counted today never meet them): each service with its own popularity,
    fewer views at weekends and a slow rise towards the present. Skipped once any earlier day
    has counts."""
    today = helsinki_today()
    if db.session.scalar(sa.select(ServiceViewCount.day).where(ServiceViewCount.day < today).limit(1)):
        return
    entries = list(
        db.session.execute(
            sa.select(CatalogueEntry.service_id, CatalogueEntry.name).order_by(CatalogueEntry.service_id)
        )
    )
    rng = random.Random(90)
    rows = []
    for service_id, name in entries:
        popularity = rng.choice((2, 4, 6, 10, 15, 25, 40)) * (2 if name in POPULAR else 1)
        for back in range(VIEW_DAYS, 0, -1):
            day = today - timedelta(days=back)
            level = popularity * (0.4 if day.weekday() >= 5 else 1.0) * (0.7 + 0.6 * (VIEW_DAYS - back) / VIEW_DAYS)
            views = max(0, round(rng.gauss(level, level / 3)))
            if views:
                rows.append({"service_id": service_id, "day": day, "views": views})
    if rows:
        db.session.execute(sa.insert(ServiceViewCount), rows)


#: Services that people look at more than others (the demo's procurement history buys them too).
POPULAR = {"Matikkamestari", "Lukujono", "Kotiviesti", "Polkualusta", "Taitoseula", "Ruotsinreitti"}
