"""Figures of the market for the dashboards, computed with aggregate queries in the
database (grouped rows come back, never every order): providers and their
applications, the catalogue, rules acceptance, orders and spend, market shares
and concentration, and each municipality's and provider's own figures.

Spend is the value excluding VAT of orders the provider has accepted (status
"active", whose term may since have ended), dated by the order's creation (the
approval) unless said otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import g, has_request_context

from app.aggregates import days_between, month_of, months_back, percentile, quarter_of, quarters_back
from app.extensions import db
from app.models import Organisation, OrgKind, OrgStatus
from governance.rules import services as rules
from governance.rules.models import RulesAcceptance
from marketplace.catalogue.models import CatalogueEntry, CatalogueTag, Service, ServiceViewCount
from marketplace.onboarding.models import (
    ApplicationStatus,
    ApplicationSubmission,
    ProviderApplication,
    ProviderStatusChange,
)
from marketplace.procurement.models import Order, OrderStatus, RequestLine

MONTHS = 24
QUARTERS = 8
ACCEPTED = OrderStatus.ACTIVE.value


def _memo(key: tuple, compute):
    """One computation per request for figures that several charts share."""
    if not has_request_context():
        return compute()
    cache = g.setdefault("_insights", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def months(today: date) -> list[str]:
    return months_back(today, MONTHS)


def _first_day(keys: list[str]) -> date:
    year, month = keys[0].split("-")
    return date(int(year), int(month), 1)


# --- providers and applications ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvidersOverTime:
    months: list[str]
    applying: list[int]
    active: list[int]
    suspended: list[int]
    rejected: list[int]


def _first_submissions():
    return (
        sa.select(
            ApplicationSubmission.application_id.label("application_id"),
            sa.func.min(ApplicationSubmission.submitted_at).label("first_at"),
        )
        .group_by(ApplicationSubmission.application_id)
        .subquery()
    )


def providers_over_time(today: date) -> ProvidersOverTime:
    """Providers at the end of each month: applying (submitted, undecided), active (approved and not
    suspended or terminated), suspended or terminated, and rejected."""
    keys = months(today)
    first = _first_submissions()
    submitted = month_of(sa.func.coalesce(first.c.first_at, ProviderApplication.submitted_at))
    decided = month_of(ProviderApplication.decided_at)
    rows = db.session.execute(
        sa.select(submitted, decided, ProviderApplication.status, sa.func.count(ProviderApplication.id))
        .outerjoin(first, first.c.application_id == ProviderApplication.id)
        .where(sa.or_(ProviderApplication.submitted_at.is_not(None), first.c.first_at.is_not(None)))
        .group_by(submitted, decided, ProviderApplication.status)
    ).all()
    changes = db.session.execute(
        sa.select(
            ProviderStatusChange.organisation_id,
            month_of(ProviderStatusChange.created_at),
            ProviderStatusChange.id,
            ProviderStatusChange.new_status,
        ).order_by(ProviderStatusChange.organisation_id, ProviderStatusChange.id)
    ).all()
    applying, active, suspended, rejected = ([0] * len(keys) for _ in range(4))
    for i, month in enumerate(keys):
        for sub, dec, status, n in rows:
            if sub is None or sub > month:
                continue
            if dec is None or dec > month:
                if status != ApplicationStatus.WITHDRAWN.value or dec is not None:
                    applying[i] += n
            elif status == ApplicationStatus.APPROVED.value:
                active[i] += n
            elif status == ApplicationStatus.REJECTED.value:
                rejected[i] += n
        latest: dict[int, str] = {}
        for org_id, changed, _id, new_status in changes:
            if changed <= month:
                latest[org_id] = new_status
        out = sum(1 for status in latest.values() if status != OrgStatus.ACTIVE.value)
        suspended[i] = out
        active[i] = max(active[i] - out, 0)
    return ProvidersOverTime(keys, applying, active, suspended, rejected)


@dataclass(frozen=True)
class LeadTimes:
    quarters: list[str]
    median: list[float | None]
    p90: list[float | None]
    decided: list[int]


def application_lead_times(today: date) -> LeadTimes:
    """Days from an application's first submission to its decision, per quarter of the decision."""
    quarters = quarters_back(today, QUARTERS)
    first = _first_submissions()
    start_at = sa.func.coalesce(first.c.first_at, ProviderApplication.submitted_at)
    stmt = (
        sa.select(month_of(ProviderApplication.decided_at), days_between(ProviderApplication.decided_at, start_at))
        .outerjoin(first, first.c.application_id == ProviderApplication.id)
        .where(
            ProviderApplication.decided_at.is_not(None),
            start_at.is_not(None),
            ProviderApplication.status.in_([ApplicationStatus.APPROVED.value, ApplicationStatus.REJECTED.value]),
        )
    )
    per_quarter: dict[str, list[float]] = defaultdict(list)
    for month, days in db.session.execute(stmt):  # one number per decided application: hundreds, not orders
        per_quarter[quarter_of(month)].append(max(float(days), 0.0))
    medians, p90s, counts = [], [], []
    for quarter in quarters:
        values = sorted(per_quarter.get(quarter, []))
        medians.append(percentile(values, 0.5))
        p90s.append(percentile(values, 0.9))
        counts.append(len(values))
    return LeadTimes(quarters, medians, p90s, counts)


# --- the catalogue and the rules ---------------------------------------------------------------------------


def services_by_category() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(CatalogueEntry.category, sa.func.count(CatalogueEntry.service_id)).group_by(CatalogueEntry.category)
    )
    return {category: int(n) for category, n in rows}


def services_by_level() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(CatalogueTag.value, sa.func.count(CatalogueTag.service_id))
        .where(CatalogueTag.facet == "level")
        .group_by(CatalogueTag.value)
    )
    return {level: int(n) for level, n in rows}


@dataclass(frozen=True)
class RulesAcceptanceFigures:
    label: str | None
    providers: int
    accepted: int
    in_grace: int

    @property
    def not_accepted(self) -> int:
        return self.providers - self.accepted - self.in_grace


def rules_acceptance(today: date) -> RulesAcceptanceFigures:
    """Active providers that have accepted the version in force, that still stand on an earlier one within
    the re-acceptance period, and that have not."""
    version = rules.version_in_force()
    if version is None:
        count = db.session.scalar(
            sa.select(sa.func.count(Organisation.id)).where(
                Organisation.kind == OrgKind.PROVIDER.value, Organisation.status == OrgStatus.ACTIVE.value
            )
        )
        return RulesAcceptanceFigures(None, int(count or 0), 0, 0)
    accepted_current = sa.exists().where(
        RulesAcceptance.organisation_id == Organisation.id, RulesAcceptance.version_id == version.id
    )
    standing = rules.accepted_current_rules_clause(Organisation.id, today)
    total, accepted, standing_count = db.session.execute(
        sa.select(
            sa.func.count(Organisation.id),
            sa.func.sum(sa.case((accepted_current, 1), else_=0)),
            sa.func.sum(sa.case((standing, 1), else_=0)),
        ).where(Organisation.kind == OrgKind.PROVIDER.value, Organisation.status == OrgStatus.ACTIVE.value)
    ).one()
    accepted, standing_count = int(accepted or 0), int(standing_count or 0)
    return RulesAcceptanceFigures(version.label, int(total or 0), accepted, max(standing_count - accepted, 0))


# --- orders and spend ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyOrders:
    months: list[str]
    orders: list[int]
    net_cents: list[int]


def orders_by_month(today: date, municipality_id: int | None = None, provider_id: int | None = None) -> MonthlyOrders:
    return _memo(
        ("orders_by_month", today, municipality_id, provider_id),
        lambda: _orders_by_month(today, municipality_id, provider_id),
    )


def _orders_by_month(today: date, municipality_id: int | None, provider_id: int | None) -> MonthlyOrders:
    keys = months(today)
    month = month_of(Order.created_at)
    stmt = (
        sa.select(month, sa.func.count(Order.id), sa.func.sum(Order.net_cents))
        .where(Order.status == ACCEPTED, Order.created_at >= _midnight(_first_day(keys)))
        .group_by(month)
    )
    if municipality_id is not None:
        stmt = stmt.where(Order.organisation_id == municipality_id)
    if provider_id is not None:
        stmt = stmt.where(Order.provider_id == provider_id)
    found = {key: (int(n), int(net or 0)) for key, n, net in db.session.execute(stmt)}
    return MonthlyOrders(keys, [found.get(k, (0, 0))[0] for k in keys], [found.get(k, (0, 0))[1] for k in keys])


def _midnight(day: date):

    return datetime.combine(day, time.min, tzinfo=UTC)


def _window_start(today: date) -> object:
    return _midnight(_first_day(months(today)))


def spend_by_municipality(today: date) -> list[tuple[str, int]]:
    stmt = (
        sa.select(Organisation.name, sa.func.sum(Order.net_cents))
        .join(Organisation, Order.organisation_id == Organisation.id)
        .where(Order.status == ACCEPTED, Order.created_at >= _window_start(today))
        .group_by(Organisation.id, Organisation.name)
        .order_by(sa.func.sum(Order.net_cents).desc())
    )
    return [(name, int(net or 0)) for name, net in db.session.execute(stmt)]


def _line_spend(today: date, municipality_id: int | None):
    """Accepted order lines in the window, optionally of one municipality, with their service."""
    stmt = (
        sa.select()
        .select_from(RequestLine)
        .join(Order, RequestLine.order_id == Order.id)
        .join(Service, RequestLine.service_id == Service.id)
        .where(Order.status == ACCEPTED, Order.created_at >= _window_start(today))
    )
    if municipality_id is not None:
        stmt = stmt.where(Order.organisation_id == municipality_id)
    return stmt


def spend_by_category(today: date, municipality_id: int | None = None) -> dict[str, int]:
    if municipality_id is None:  # the whole market: from the rows the concentration figures use too
        totals: dict[str, int] = defaultdict(int)
        for category, _month, _provider, net_cents in _market_rows(today):
            totals[category] += net_cents
        return dict(totals)
    net = sa.func.sum(RequestLine.net_cents)
    stmt = _line_spend(today, municipality_id).add_columns(Service.category, net).group_by(Service.category)
    return {category: int(total or 0) for category, total in db.session.execute(stmt)}


def spend_by_service(today: date, municipality_id: int, limit: int = 15) -> list[tuple[str, int]]:
    net = sa.func.sum(RequestLine.net_cents)
    stmt = (
        _line_spend(today, municipality_id)
        .add_columns(Service.name, net)
        .group_by(Service.id, Service.name)
        .order_by(net.desc())
        .limit(limit)
    )
    return [(name, int(total or 0)) for name, total in db.session.execute(stmt)]


def spend_by_level(today: date, municipality_id: int) -> dict[str, int]:
    """Spend per school level of the services bought; a service for several levels counts for each."""
    if db.session.get_bind().dialect.name == "postgresql":
        levels = sa.func.json_array_elements_text(Service.levels).table_valued("value").render_derived()
    else:
        levels = sa.func.json_each(Service.levels).table_valued("value")
    net = sa.func.sum(RequestLine.net_cents)
    stmt = (
        _line_spend(today, municipality_id)
        .join(levels, sa.true())
        .add_columns(levels.c.value, net)
        .group_by(levels.c.value)
    )
    return {str(level): int(total or 0) for level, total in db.session.execute(stmt)}


# --- market shares and concentration ------------------------------------------------------------------------


def provider_shares(today: date, limit: int = 10) -> list[tuple[str, float]]:
    """Each provider's share (%) of all spend in the window, largest first; the rest summed as None."""
    net = sa.func.sum(Order.net_cents)
    rows = db.session.execute(
        sa.select(Organisation.name, net)
        .join(Organisation, Order.provider_id == Organisation.id)
        .where(Order.status == ACCEPTED, Order.created_at >= _window_start(today))
        .group_by(Organisation.id, Organisation.name)
        .order_by(net.desc())
    ).all()
    total = sum(int(n or 0) for _name, n in rows)
    if not total:
        return []
    shares = [(name, 100.0 * int(n or 0) / total) for name, n in rows]
    if len(shares) > limit:
        rest = sum(share for _name, share in shares[limit:])
        shares = [*shares[:limit], ("", rest)]
    return shares


def hhi(amounts: list[int]) -> float | None:
    """The Herfindahl-Hirschman index of these providers' amounts: the sum of the squared market
    shares in per cent, from near 0 (many small providers) to 10 000 (one provider)."""
    total = sum(amounts)
    if total <= 0:
        return None
    return sum((100.0 * amount / total) ** 2 for amount in amounts if amount > 0)


def _market_rows(today: date) -> list[tuple[str, str, int, int]]:
    """Spend of accepted order lines in the window grouped by category, month and provider: a few
    thousand rows at most, whatever the number of orders."""

    def compute() -> list[tuple[str, str, int, int]]:
        month = month_of(Order.created_at)
        net = sa.func.sum(RequestLine.net_cents)
        stmt = (
            _line_spend(today, None)
            .add_columns(Service.category, month, RequestLine.provider_id, net)
            .group_by(Service.category, month, RequestLine.provider_id)
        )
        return [(c, m, int(p), int(n or 0)) for c, m, p, n in db.session.execute(stmt)]

    return _memo(("market_rows", today), compute)


@dataclass(frozen=True)
class Concentration:
    periods: list[tuple[str, str]]  # (first month, last month) of each six-month period
    by_category: dict[str, list[float | None]]  # category -> HHI per period
    providers: dict[str, list[int]]  # category -> providers with spend per period


PERIOD_MONTHS = 6


def concentration_by_category(today: date) -> Concentration:
    """HHI of spend per category in each six-month period of the window (four periods of equal length,
    the last ending this month), from spend grouped by category, month and provider in the database."""
    keys = months(today)
    periods = [(keys[i], keys[i + PERIOD_MONTHS - 1]) for i in range(0, len(keys), PERIOD_MONTHS)]
    amounts: dict[tuple[str, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for category, key, provider, total in _market_rows(today):
        if key in keys:
            amounts[(category, keys.index(key) // PERIOD_MONTHS)][provider] += total
    categories = sorted({category for category, _p in amounts})
    by_category = {
        c: [hhi(list(amounts[(c, p)].values())) if (c, p) in amounts else None for p in range(len(periods))]
        for c in categories
    }
    providers = {
        c: [sum(1 for a in amounts[(c, p)].values() if a > 0) if (c, p) in amounts else 0 for p in range(len(periods))]
        for c in categories
    }
    return Concentration(periods, by_category, providers)


# --- a municipality's own figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EndingOrder:
    id: int
    reference: str
    provider: str
    term_end: date
    net_cents: int


def active_orders(today: date, municipality_id: int) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Order.id)).where(
                Order.organisation_id == municipality_id, Order.status == ACCEPTED, Order.term_end >= today
            )
        )
        or 0
    )


def _ending(today: date, municipality_id: int, days: int):
    return (
        Order.organisation_id == municipality_id,
        Order.status == ACCEPTED,
        Order.term_end >= today,
        Order.term_end <= today + timedelta(days=days),
    )


def orders_ending(today: date, municipality_id: int, days: int = 90, limit: int = 50) -> list[EndingOrder]:
    """The first `limit` active orders whose term ends within `days`, soonest first."""
    stmt = (
        sa.select(Order.id, Order.reference, Organisation.name, Order.term_end, Order.net_cents)
        .join(Organisation, Order.provider_id == Organisation.id)
        .where(*_ending(today, municipality_id, days))
        .order_by(Order.term_end, Order.id)
        .limit(limit)
    )
    return [EndingOrder(i, ref or "", name, end, int(net)) for i, ref, name, end, net in db.session.execute(stmt)]


def orders_ending_count(today: date, municipality_id: int, days: int = 90) -> int:
    return int(db.session.scalar(sa.select(sa.func.count(Order.id)).where(*_ending(today, municipality_id, days))) or 0)


def orders_ending_by_month(today: date, municipality_id: int, count: int = 12) -> tuple[list[str], list[int]]:
    """Active orders by the month their term ends, over the coming months."""
    keys = months_back(date(today.year + (today.month + count - 2) // 12, (today.month + count - 2) % 12 + 1, 1), count)
    month = month_of(Order.term_end, timestamp=False)
    found = dict(
        db.session.execute(
            sa.select(month, sa.func.count(Order.id))
            .where(Order.organisation_id == municipality_id, Order.status == ACCEPTED, Order.term_end >= today)
            .group_by(month)
        ).all()
    )
    return keys, [int(found.get(k, 0)) for k in keys]


def licences_per_pupil(today: date, municipality_id: int, limit: int = 15) -> tuple[int | None, list[tuple[str, int]]]:
    """The municipality's pupils, and per service (the `limit` with the most) the licences in force today
    on per-pupil plans."""
    pupils = db.session.scalar(sa.select(Organisation.pupil_count).where(Organisation.id == municipality_id))
    total = sa.func.sum(RequestLine.quantity)
    stmt = (
        sa.select(Service.name, total)
        .join(Order, RequestLine.order_id == Order.id)
        .join(Service, RequestLine.service_id == Service.id)
        .where(
            Order.organisation_id == municipality_id,
            Order.status == ACCEPTED,
            RequestLine.price_model == "per_pupil_year",
            RequestLine.term_start <= today,
            RequestLine.term_end >= today,
        )
        .group_by(Service.id, Service.name)
        .order_by(total.desc())
        .limit(limit)
    )
    return pupils, [(name, int(n or 0)) for name, n in db.session.execute(stmt)]


# --- a provider's own figures ---------------------------------------------------------------------------------


def views_by_listing(today: date, provider_id: int, days: int = 90) -> list[tuple[str, int]]:
    views = sa.func.sum(ServiceViewCount.views)
    stmt = (
        sa.select(Service.name, views)
        .join(Service, ServiceViewCount.service_id == Service.id)
        .where(Service.organisation_id == provider_id, ServiceViewCount.day > today - timedelta(days=days))
        .group_by(Service.id, Service.name)
        .order_by(views.desc())
    )
    return [(name, int(n or 0)) for name, n in db.session.execute(stmt)]


def views_by_month(today: date, provider_id: int, count: int = 12) -> tuple[list[str], list[int]]:
    keys = months_back(today, count)
    month = month_of(ServiceViewCount.day, timestamp=False)
    found = dict(
        db.session.execute(
            sa.select(month, sa.func.sum(ServiceViewCount.views))
            .join(Service, ServiceViewCount.service_id == Service.id)
            .where(Service.organisation_id == provider_id, ServiceViewCount.day >= _first_day(keys))
            .group_by(month)
        ).all()
    )
    return keys, [int(found.get(k, 0) or 0) for k in keys]


def receivables_by_payment_status(provider_id: int) -> dict[str, int]:
    """Gross cents of the provider's accepted orders per payment status."""
    stmt = (
        sa.select(Order.payment_status, sa.func.sum(Order.net_cents + Order.vat_cents))
        .where(Order.provider_id == provider_id, Order.status == ACCEPTED)
        .group_by(Order.payment_status)
    )
    return {status: int(total or 0) for status, total in db.session.execute(stmt)}
