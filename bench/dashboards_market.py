"""The market the dashboards summarise, made in bulk for bench/dashboards.py on a database that
`bench.generate` has filled (listings, providers, municipalities, decisions).

`generate_people` adds everything but the orders: a buyer in every municipality and their pupil counts, daily
page views, provider applications with submissions and decisions, suspensions, a rules version in force with
its acceptances, steering-body memberships, attendance and follow-up tasks; it returns the `Market` that
`generate_orders` draws accepted orders (one or two lines each, with their procurement requests, over the
last 24 months) from. Both run inside an app context and leave the planner statistics fresh (`analyze`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bench.common import log

#: The coordinator's password (the account `bench.generate` makes), for signing in through /login.
PASSWORD = "bench-dashboards-1"
DAYS = 730  # orders over the last 24 months
CHUNK = 5000


def _chunks(rows: list[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    from app.extensions import db

    for batch in _chunks(rows):
        db.session.execute(sa.insert(table), batch)
    db.session.commit()


def _next_id(table: sa.Table) -> int:
    from app.extensions import db

    return int(db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1


def analyze() -> None:
    """Fresh planner statistics (and, on PostgreSQL, sequences past the inserted ids and a vacuum)."""
    from app.extensions import db

    if db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        return
    for table in (
        "users",
        "procurement_requests",
        "orders",
        "procurement_lines",
        "provider_applications",
        "application_submissions",
        "provider_status_changes",
        "rules_versions",
        "rules_acceptances",
        "memberships",
        "attendances",
        "tasks",
    ):
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 1))"
            )
        )
    db.session.commit()
    # As autovacuum would have by now: statistics, and the visibility map index-only scans need.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("SET statement_timeout = 0"))  # the app's timeout is for pages
        conn.execute(sa.text("VACUUM ANALYZE"))
        conn.execute(sa.text("RESET statement_timeout"))


# --- the market ----------------------------------------------------------------------------------------------------


@dataclass
class Market:
    """What order generation draws from, read once from the generated database."""

    municipalities: list[int]
    weights: list[float]
    buyers: dict[int, int]  # municipality -> a user of it
    providers: list[int]
    plans: dict[int, list[tuple[int, int, str, str, int, int]]]  # provider -> (service, plan, name, model, price, vat)
    now: datetime


def _at(now: datetime, rng: random.Random, days: int) -> datetime:
    return now - timedelta(minutes=rng.randint(0, days * 24 * 60))


def generate_people(rng: random.Random, now: datetime) -> Market:
    """Everything but the orders: buyers, pupil counts, page views, applications, suspensions,
    rules and their acceptances, memberships, attendance and tasks."""
    from app import services as accounts
    from app.extensions import db
    from app.models import Organisation, User
    from bench.generate import business_ids
    from governance.rules.models import RulesAcceptance, RulesVersion
    from governance.steering.models import Attendance, Body, Decision, Meeting, Membership, Task
    from marketplace.catalogue.models import PricingPlan, Service, ServiceViewCount
    from marketplace.onboarding.models import ApplicationSubmission, ProviderApplication, ProviderStatusChange

    coordinator = db.session.scalar(sa.select(User).where(User.email == "bench@example.com"))
    coordinator.password_hash = accounts.hash_password(PASSWORD)
    coordinator_id = coordinator.id
    db.session.commit()
    orgs = Organisation.__table__
    municipalities = list(
        db.session.scalars(sa.select(orgs.c.id).where(orgs.c.kind == "municipality").order_by(orgs.c.id))
    )
    providers = list(
        db.session.scalars(
            sa.select(orgs.c.id).where(orgs.c.kind == "provider", orgs.c.status == "active").order_by(orgs.c.id)
        )
    )
    suspended = list(
        db.session.scalars(sa.select(orgs.c.id).where(orgs.c.kind == "provider", orgs.c.status != "active"))
    )

    # Pupils: a few large cities, many small municipalities.
    db.session.execute(
        sa.update(orgs).where(orgs.c.id == sa.bindparam("org")).values(pupil_count=sa.bindparam("n")),
        [{"org": m, "n": int(min(60_000, 150 * rng.paretovariate(1.1)))} for m in municipalities],
    )
    db.session.commit()

    # A buyer in every municipality (requests need a requester) and members for the bodies.
    users = User.__table__
    _insert(
        users,
        [
            {
                "email": f"buyer{m}@bench.example",
                "name": f"Ostaja {m}",
                "password_hash": "!",
                "organisation_id": m,
                "org_role": "admin",
                "locale": "fi",
            }
            for m in municipalities
        ],
    )
    buyers = dict(
        db.session.execute(
            sa.select(users.c.organisation_id, users.c.id).where(users.c.email.like("buyer%@bench.example"))
        ).all()
    )

    # Page views: 10 000 listings seen on 10 days each in the last year.
    services = Service.__table__
    service_ids = list(db.session.scalars(sa.select(services.c.id)))
    today = now.date()
    views = []
    for service_id in rng.sample(service_ids, min(10_000, len(service_ids))):
        for offset in rng.sample(range(365), 10):
            views.append({"service_id": service_id, "day": today - timedelta(days=offset), "views": rng.randint(1, 40)})
    _insert(ServiceViewCount.__table__, views)

    # Applications: every provider's approved one, and some 1 000 more in every state.
    applications, submissions = [], []
    application_id = _next_id(ProviderApplication.__table__)
    submission_id = _next_id(ApplicationSubmission.__table__)
    applicant_ids = business_ids(6_000_000)
    _insert(
        orgs,
        [
            {"kind": "provider", "name": f"Hakija {i} Oy", "business_id": next(applicant_ids), "status": "applicant"}
            for i in range(1000)
        ],
    )
    applicants = list(db.session.scalars(sa.select(orgs.c.id).where(orgs.c.status == "applicant")))
    states = ["submitted", "in_review", "changes_requested", "rejected", "rejected", "withdrawn", "draft"]
    for org_id, status in [(p, "approved") for p in providers + suspended] + [
        (a, rng.choice(states)) for a in applicants
    ]:
        first = _at(now, rng, 3 * 365)
        rounds = 2 if status in ("changes_requested", "approved", "rejected") and rng.random() < 0.3 else 1
        decided = first + timedelta(days=rng.randint(3, 120)) if status in ("approved", "rejected") else None
        if decided is not None and decided > now:
            decided = now
        last = first
        for number in range(1, rounds + 1 if status != "draft" else 1):
            last = first + timedelta(days=(number - 1) * rng.randint(5, 30))
            submissions.append(
                {
                    "id": submission_id,
                    "application_id": application_id,
                    "number": number,
                    "answers": {"company": f"Organisation {org_id}"},
                    "submitted_at": last,
                }
            )
            submission_id += 1
        applications.append(
            {
                "id": application_id,
                "organisation_id": org_id,
                "created_by_id": coordinator_id,
                "status": status,
                "answers": {},
                "submission_count": 0 if status == "draft" else rounds,
                "submitted_at": None if status == "draft" else last,
                "decided_at": decided,
                "created_at": first,
                "updated_at": decided or last,
            }
        )
        application_id += 1
    _insert(ProviderApplication.__table__, applications)
    _insert(ApplicationSubmission.__table__, submissions)
    _insert(
        ProviderStatusChange.__table__,
        [
            {
                "organisation_id": p,
                "old_status": "active",
                "new_status": "suspended",
                "reason": "Bench",
                "actor_id": coordinator_id,
                "created_at": _at(now, rng, DAYS),
            }
            for p in suspended
        ],
    )

    # Rules: an earlier version superseded, the current one in force within its re-acceptance period.
    versions = RulesVersion.__table__
    base = {"title": "Säännöt", "body": "…", "body_sha256": "0" * 64, "created_by_id": coordinator_id}
    _insert(
        versions,
        [
            {**base, "label": "1.0", "status": "superseded", "effective_date": today - timedelta(days=700)},
            {
                **base,
                "label": "2.0",
                "status": "in_force",
                "effective_date": today - timedelta(days=30),
                "reacceptance_deadline": today + timedelta(days=60),
            },
        ],
    )
    version_ids = dict(db.session.execute(sa.select(versions.c.label, versions.c.id)).all())
    acceptances = []
    for p in providers:
        for label, share in (("1.0", 0.9), ("2.0", 0.6)):
            if rng.random() < share:
                acceptances.append(
                    {
                        "version_id": version_ids[label],
                        "organisation_id": p,
                        "user_id": coordinator_id,
                        "signatory_name": "Bench",
                        "signatory_title": "CEO",
                        "accepted_at": _at(now, rng, 30),
                        "text_sha256": "0" * 64,
                    }
                )
    _insert(RulesAcceptance.__table__, acceptances)

    # Governance: ten members and two deputies per body, attendance at held meetings, tasks.
    window_start = today - timedelta(days=DAYS + 90)
    bodies = list(db.session.scalars(sa.select(Body.__table__.c.id)))
    memberships = []
    membership_id = _next_id(Membership.__table__)
    for body in bodies:
        members = rng.sample(municipalities, 12)
        for n, org in enumerate(members):
            memberships.append(
                {
                    "id": membership_id,
                    "body_id": body,
                    "user_id": buyers[org],
                    "role": "deputy" if n >= 10 else ("chair" if n == 0 else "member"),
                    "deputy_of_id": membership_id - 10 if n >= 10 else None,
                    "organisation_id": org,
                    "voting": True,
                    "term_start": window_start,
                    "term_end": None,
                }
            )
            membership_id += 1
    _insert(Membership.__table__, memberships)
    meetings = Meeting.__table__
    held = db.session.execute(
        sa.select(meetings.c.id, meetings.c.body_id).where(
            meetings.c.starts_at >= datetime.combine(window_start, datetime.min.time(), tzinfo=UTC)
        )
    ).all()
    attendance = []
    for meeting_id, body_id in held:
        for m in (m for m in memberships if m["body_id"] == body_id):
            if m["role"] == "deputy":
                if rng.random() < 0.3:
                    attendance.append(
                        {
                            "meeting_id": meeting_id,
                            "membership_id": m["id"],
                            "present": True,
                            "standing_in_for_id": m["deputy_of_id"],
                        }
                    )
            else:
                attendance.append(
                    {
                        "meeting_id": meeting_id,
                        "membership_id": m["id"],
                        "present": rng.random() < 0.85,
                        "standing_in_for_id": None,
                    }
                )
    _insert(Attendance.__table__, attendance)
    decisions = Decision.__table__
    recent = list(
        db.session.execute(
            sa.select(decisions.c.id, decisions.c.body_id, decisions.c.decided_on).where(
                decisions.c.decided_on >= window_start
            )
        )
    )
    _insert(
        Task.__table__,
        [
            {
                "decision_id": d,
                "description": "Seuranta",
                "owner_body_id": body if rng.random() < 0.8 else None,
                "owner_user_id": None,
                "due_on": decided_on + timedelta(days=rng.randint(14, 365)),
                "status": rng.choice(["not_started", "in_progress", "done", "done", "cancelled"]),
            }
            for d, body, decided_on in recent
            if rng.random() < 0.2
        ],
    )

    # What orders are drawn from: every active provider's published plans.
    plans: dict[int, list[tuple[int, int, str, str, int, int]]] = {}
    pricing = PricingPlan.__table__
    stmt = (
        sa.select(
            services.c.organisation_id,
            services.c.id,
            pricing.c.id,
            services.c.name,
            pricing.c.model,
            pricing.c.unit_price_cents,
            pricing.c.vat_rate_bp,
        )
        .join(pricing, pricing.c.service_id == services.c.id)
        .where(services.c.organisation_id.in_(providers))
    )
    for org, service_id, plan_id, name, model, price, vat in db.session.execute(stmt):
        plans.setdefault(org, []).append((service_id, plan_id, name, model, price, vat))
    shuffled = municipalities[:]
    rng.shuffle(shuffled)
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(shuffled))]  # a few large buyers, a long tail
    analyze()
    log(
        f"people: {len(views)} page views, {len(applications)} applications, {len(acceptances)} acceptances, "
        f"{len(attendance)} attendance rows"
    )
    return Market(shuffled, weights, buyers, [p for p in providers if p in plans], plans, now)


QUANTITY = {
    "per_pupil_year": (50, 3000),
    "per_school_year": (1, 20),
    "per_municipality_year": (1, 1),
    "per_user_month": (5, 200),
    "one_off": (1, 1),
    "free": (1, 500),
}


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))


def generate_orders(rng: random.Random, market: Market, count: int) -> None:
    """`count` accepted orders (and 5 % more sent, declined or cancelled), each from its own approved request,
    with one or two lines of one provider's services, created over the last 24 months."""
    from app.extensions import db
    from marketplace.procurement.models import Order, ProcurementRequest, RequestLine

    request_id = _next_id(ProcurementRequest.__table__)
    order_id = _next_id(Order.__table__)
    line_id = _next_id(RequestLine.__table__)
    total = count + count // 20
    for first in range(0, total, CHUNK):
        requests, orders, lines = [], [], []
        for n in range(first, min(first + CHUNK, total)):
            municipality = rng.choices(market.municipalities, market.weights)[0]
            provider = rng.choice(market.providers)
            created = _at(market.now, rng, DAYS)
            start = created.date()
            months = rng.choice([12, 12, 12, 24, 6, 36])
            end = _add_months(start, months) - timedelta(days=1)
            status = "active" if n < count else rng.choice(["sent", "declined", "cancelled"])
            offered = market.plans[provider]
            chosen = rng.sample(offered, min(len(offered), rng.choice([1, 1, 2])))
            net = 0
            for service_id, plan_id, name, model, price, vat in chosen:
                low, high = QUANTITY[model]
                quantity = rng.randint(low, high)
                line_net = price * quantity * (months if model == "per_user_month" else 1)
                if model in ("per_pupil_year", "per_school_year", "per_municipality_year"):
                    line_net = line_net * months // 12
                net += line_net
                lines.append(
                    {
                        "id": line_id,
                        "request_id": request_id,
                        "order_id": order_id,
                        "service_id": service_id,
                        "plan_id": plan_id,
                        "provider_id": provider,
                        "quantity": quantity,
                        "term_start": start,
                        "term_end": end,
                        "service_name": name,
                        "plan_name": "Hinnoittelu",
                        "price_model": model,
                        "unit_price_cents": price,
                        "vat_rate_bp": vat,
                        "months": months,
                        "net_cents": line_net,
                        "vat_cents": line_net * vat // 10_000,
                    }
                )
                line_id += 1
            vat_cents = net * 2550 // 10_000
            requests.append(
                {
                    "id": request_id,
                    "organisation_id": municipality,
                    "requester_id": market.buyers[municipality],
                    "purpose": "Bench",
                    "status": "approved",
                    "net_cents": net,
                    "vat_cents": vat_cents,
                    "sent_at": created - timedelta(days=2),
                    "decided_at": created,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            age = (market.now - created).days
            payment = (
                "not_invoiced"
                if status != "active"
                else rng.choices(
                    ["paid", "invoiced", "payment_failed", "not_invoiced", "void"], [min(age, 90), 10, 1, 3, 1]
                )[0]
            )
            orders.append(
                {
                    "id": order_id,
                    "reference": f"PO-B{order_id:09d}",
                    "request_id": request_id,
                    "organisation_id": municipality,
                    "provider_id": provider,
                    "status": status,
                    "term_start": start,
                    "term_end": end,
                    "net_cents": net,
                    "vat_cents": vat_cents,
                    "created_at": created,
                    "decided_at": created + timedelta(hours=rng.randint(1, 72)),
                    "payment_status": payment,
                    "paid_at": created + timedelta(days=14) if payment == "paid" else None,
                }
            )
            request_id += 1
            order_id += 1
        db.session.execute(sa.insert(ProcurementRequest.__table__), requests)
        db.session.execute(sa.insert(Order.__table__), orders)
        db.session.execute(sa.insert(RequestLine.__table__), lines)
        db.session.commit()
    analyze()
